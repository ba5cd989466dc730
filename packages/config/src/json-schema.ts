import { z } from 'zod';
import { projectSchema } from './schema.js';

/** The JSON Schema editors use to complete and check mlops.yaml. */
export function projectJsonSchema(): Record<string, unknown> {
  return {
    ...z.toJSONSchema(projectSchema, { io: 'input', target: 'draft-7' }),
    title: 'mlops.yaml',
    description: 'Project configuration of mlops-actions.',
  };
}

type JsonSchema = {
  properties?: Record<string, JsonSchema>;
  additionalProperties?: JsonSchema | boolean;
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
};

/** The keys allowed at a key path, for "did you mean" hints. */
export function allowedKeysAt(path: readonly PropertyKey[]): string[] {
  let schemas: JsonSchema[] = [projectJsonSchema() as JsonSchema];
  for (const part of path) {
    schemas = expand(schemas).flatMap((s): JsonSchema[] => {
      if (typeof part === 'number') return s.items ? [s.items] : [];
      const property = s.properties?.[String(part)];
      if (property) return [property];
      return typeof s.additionalProperties === 'object' ? [s.additionalProperties] : [];
    });
  }
  return [...new Set(expand(schemas).flatMap((s) => Object.keys(s.properties ?? {})))];
}

function expand(schemas: JsonSchema[]): JsonSchema[] {
  return schemas.flatMap((s) =>
    s.anyOf || s.oneOf ? expand([...(s.anyOf ?? []), ...(s.oneOf ?? [])]) : [s],
  );
}
