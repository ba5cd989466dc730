import { isMap, isSeq, type Document, type LineCounter, type Node } from 'yaml';

export type KeyPath = readonly PropertyKey[];

export interface Position {
  line: number;
  column: number;
}

/** "models.matrix.speed[1]": how a key path reads in messages. */
export function formatPath(path: KeyPath): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out ? `.${String(part)}` : String(part);
  }
  return out || '(top level)';
}

/**
 * Where a key path points in the YAML text. For a key that is missing, the
 * closest existing parent; for `keyOnly`, the key itself rather than its value.
 */
export function locate(
  doc: Document,
  lines: LineCounter,
  path: KeyPath,
  keyOnly = false,
): Position | undefined {
  let node: unknown = doc.contents;
  let position = positionOf(node, lines);
  for (const part of path) {
    if (isMap(node)) {
      const pair = node.items.find(
        (p) => String((p.key as Node | null)?.toJSON?.()) === String(part),
      );
      if (!pair) break;
      position =
        positionOf(keyOnly && part === path[path.length - 1] ? pair.key : pair.value, lines) ??
        position;
      node = pair.value;
    } else if (isSeq(node) && typeof part === 'number') {
      const item = node.items[part];
      if (item === undefined) break;
      position = positionOf(item, lines) ?? position;
      node = item;
    } else {
      break;
    }
  }
  return position;
}

function positionOf(node: unknown, lines: LineCounter): Position | undefined {
  const range = (node as { range?: [number, number, number] } | null)?.range;
  if (!range) return undefined;
  const { line, col } = lines.linePos(range[0]);
  return { line, column: col };
}
