import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { readUserFile } from '@mlops/foundation';

/** An element: attributes by name, child elements (always arrays) by tag, text under '#text'. */
export type XmlNode = Record<string, unknown>;

/** Reads a report file; only a missing file gets the caller's hint. */
export function readReport(file: string, kind: string, missing: string): Promise<string> {
  return readUserFile(file, `${kind} report`, `was not written: ${missing}`);
}

/**
 * Parses XML whose root element is one of `roots`; returns the root element's tag and node,
 * or why the text is not such a document (one line, for the caller's error).
 */
export function parseXml(
  xml: string,
  roots: readonly string[],
  arrays: ReadonlySet<string>,
): { tag: string; node: XmlNode } | string {
  const text = xml.replace(/^\uFEFF/, '');
  if (!text.trim()) return 'the file is empty';
  const valid = XMLValidator.validate(text);
  if (valid !== true) {
    const { msg, line } = valid.err;
    // At the end of the text the validator lists the still-open tags as a JSON array.
    const open = /^Invalid '(\[[\s\S]*\])' found/.exec(msg)?.[1];
    if (open) {
      const tags = (JSON.parse(open) as string[]).map((t) => `<${t}>`).join(', ');
      return `the file ends before ${tags} ${tags.includes(',') ? 'are' : 'is'} closed`;
    }
    return `${msg.charAt(0).toLowerCase()}${msg.slice(1).replace(/\.$/, '')} at line ${line}`;
  }
  const parsed = new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: '',
    parseTagValue: false,
    parseAttributeValue: false,
    // Keep the whitespace inside failure texts; callers trim what they show.
    trimValues: false,
    alwaysCreateTextNode: true,
    // The only switch for numeric references: pytest writes newlines in attributes as &#10;.
    htmlEntities: true,
    isArray: (tag, _path, _leaf, isAttribute) => !isAttribute && arrays.has(tag),
  }).parse(text) as XmlNode;
  const found = Object.keys(parsed).find((key) => !key.startsWith('?') && !key.startsWith('#'));
  const node = found === undefined ? undefined : children(parsed, found)[0];
  if (found === undefined || !roots.includes(found) || !node) {
    const expected = roots.map((r) => `<${r}>`).join(' or ');
    return found === undefined
      ? `no ${expected} element`
      : `found <${found}> instead of ${expected}`;
  }
  return { tag: found, node };
}

export function children(node: XmlNode, tag: string): XmlNode[] {
  const value = node[tag];
  const list: unknown[] = Array.isArray(value) ? value : value === undefined ? [] : [value];
  return list.filter((v): v is XmlNode => typeof v === 'object' && v !== null);
}

export function attr(node: XmlNode, name: string): string | undefined {
  const value = node[name];
  return typeof value === 'string' ? value : undefined;
}

export function text(node: XmlNode): string {
  const value = node['#text'];
  return typeof value === 'string' ? value : '';
}

/** A numeric attribute, or undefined when absent or not a number. */
export function numberAttr(node: XmlNode, name: string): number | undefined {
  const raw = attr(node, name);
  const value = raw === undefined || raw.trim() === '' ? NaN : Number(raw);
  return Number.isFinite(value) ? value : undefined;
}
