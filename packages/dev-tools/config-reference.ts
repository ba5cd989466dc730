/**
 * The README's mlops.yaml reference, one row per key, read from the JSON
 * Schema (itself generated from the zod schema), so the docs cannot drift.
 */
interface Schema {
  type?: string | string[];
  description?: string;
  default?: unknown;
  enum?: unknown[];
  const?: unknown;
  properties?: Record<string, Schema>;
  additionalProperties?: Schema | boolean;
  required?: string[];
  items?: Schema;
  anyOf?: Schema[];
  oneOf?: Schema[];
}

interface Row {
  key: string;
  type: string;
  fallback: string;
  description: string;
}

function typeOf(s: Schema): string {
  if (s.const !== undefined) return JSON.stringify(s.const);
  if (s.enum) return s.enum.map((v) => JSON.stringify(v)).join(' | ');
  if (s.anyOf || s.oneOf) return [...new Set((s.anyOf ?? s.oneOf ?? []).map(typeOf))].join(' or ');
  if (s.type === 'array') return `list of ${s.items ? typeOf(s.items) : 'values'}`;
  if (s.type === 'object') return 'mapping';
  return Array.isArray(s.type) ? s.type.join(' or ') : (s.type ?? 'any');
}

function fallbackOf(s: Schema, required: boolean): string {
  if (s.default !== undefined) return `\`${JSON.stringify(s.default)}\``;
  return required ? 'required' : '';
}

function walk(s: Schema, prefix: string, rows: Row[]): void {
  const alternatives = s.anyOf ?? s.oneOf;
  if (alternatives) {
    for (const alt of alternatives) walk(alt, prefix, rows);
    return;
  }
  if (s.type === 'array' && s.items) return walk(s.items, `${prefix}[]`, rows);
  if (s.type !== 'object') return;
  if (typeof s.additionalProperties === 'object' && !s.properties) {
    return walk(s.additionalProperties, `${prefix}.<name>`, rows);
  }
  for (const [name, child] of Object.entries(s.properties ?? {})) {
    const key = prefix ? `${prefix}.${name}` : name;
    const seen = rows.find((r) => r.key === key);
    // The same key in two alternatives (environments' backend): list both types.
    if (seen && !seen.type.split(' or ').includes(typeOf(child)))
      seen.type += ` or ${typeOf(child)}`;
    if (!seen) {
      rows.push({
        key,
        type: typeOf(child),
        fallback: fallbackOf(child, s.required?.includes(name) ?? false),
        description: child.description ?? '',
      });
    }
    walk(child, key, rows);
  }
}

export function configReference(schema: Record<string, unknown>): string {
  const rows: Row[] = [];
  walk(schema as Schema, '', rows);
  const escape = (text: string): string => text.replace(/\|/g, '\\|').replace(/</g, '&lt;');
  return [
    '| Key | Type | Default | Description |',
    '| --- | --- | --- | --- |',
    ...rows.map(
      (r) =>
        `| \`${r.key}\` | ${r.type.length > 60 ? 'see description' : escape(r.type)} | ${r.fallback} | ${escape(r.description)} |`,
    ),
  ].join('\n');
}
