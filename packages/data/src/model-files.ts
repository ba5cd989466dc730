import { open, readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { plural } from './format.js';

export interface ModelFilesCheck {
  files: number;
  bytes: number;
  /** One line each; empty when the model folder looks usable. */
  problems: string[];
}

/**
 * Checks what a train command left in its model folder: that there is something, and that
 * the weights and JSON it wrote hold no NaN or Infinity (a diverged training run).
 */
export async function checkModelFiles(dir: string): Promise<ModelFilesCheck> {
  const files = await listFiles(dir);
  if (!files.length) {
    return {
      files: 0,
      bytes: 0,
      problems: [
        `the train command wrote no model files to ${dir}: write them to $MLOPS_OUTPUT_DIR/model/`,
      ],
    };
  }
  let bytes = 0;
  const problems: string[] = [];
  for (const relative of files) {
    const file = path.join(dir, relative);
    bytes += (await stat(file)).size;
    // Named from the model folder, as the user knows it: model/weights.npy.
    const name = path.posix.join(path.basename(dir), relative.split(path.sep).join('/'));
    const extension = path.extname(file).toLowerCase();
    const problem =
      extension === '.npy'
        ? await checkNpy(file, name)
        : extension === '.json'
          ? await checkJson(file, name)
          : undefined;
    if (problem) problems.push(problem);
  }
  return { files: files.length, bytes, problems };
}

/** Files under dir, relative to it, sorted; none when dir does not exist. */
async function listFiles(dir: string, under = ''): Promise<string[]> {
  let entries;
  try {
    entries = await readdir(path.join(dir, under), { withFileTypes: true });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return [];
    throw error;
  }
  const files: string[] = [];
  for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    const relative = path.join(under, entry.name);
    if (entry.isDirectory()) files.push(...(await listFiles(dir, relative)));
    else if (entry.isFile()) files.push(relative);
  }
  return files;
}

const NPY_MAGIC = Buffer.from('\x93NUMPY', 'latin1');
/** Per float size, the exponent bits of its most significant 16 bits: all set means NaN or ±Infinity. */
const EXPONENT_MASKS: Record<number, number> = { 2: 0x7c00, 4: 0x7f80, 8: 0x7ff0 };
const CHUNK_BYTES = 1 << 20;

/** Counts NaN/Infinity in a float (or complex) .npy array, reading it a chunk at a time. */
async function checkNpy(file: string, name: string): Promise<string | undefined> {
  const handle = await open(file, 'r');
  try {
    const prefix = Buffer.alloc(12);
    const { bytesRead } = await handle.read(prefix, 0, 12, 0);
    if (bytesRead < 10 || !prefix.subarray(0, 6).equals(NPY_MAGIC)) {
      return `${name} is not a valid .npy file (no NUMPY header)`;
    }
    const major = prefix[6] ?? 0;
    const headerStart = major === 1 ? 10 : 12;
    const headerLength = major === 1 ? prefix.readUInt16LE(8) : prefix.readUInt32LE(8);
    const header = Buffer.alloc(headerLength);
    await handle.read(header, 0, headerLength, headerStart);
    const dict = header.toString(major === 3 ? 'utf8' : 'latin1');
    const descr = /'descr':\s*'([<>=|])([fc])(\d+)'/.exec(dict);
    const shape = /'shape':\s*\(([^)]*)\)/.exec(dict);
    if (!shape) return `${name} is not a valid .npy file (no shape in its header)`;
    if (!descr) return undefined; // Integers, strings and objects cannot be NaN.
    const [, order, kind, size] = descr;
    // A complex number is two floats of half its size.
    const itemSize = kind === 'c' ? Number(size) / 2 : Number(size);
    const mask = EXPONENT_MASKS[itemSize];
    if (mask === undefined) return undefined;
    const dims = (shape[1] ?? '')
      .split(',')
      .filter((d) => d.trim())
      .map(Number);
    const total = dims.reduce((product, d) => product * d, 1) * (kind === 'c' ? 2 : 1);
    const bigEndian = order === '>';
    const top = bigEndian ? 0 : itemSize - 2;
    const chunk = Buffer.alloc(Math.floor(CHUNK_BYTES / itemSize) * itemSize);
    let position = headerStart + headerLength;
    let seen = 0;
    let nonFinite = 0;
    while (seen < total) {
      const wanted = Math.min(chunk.length, (total - seen) * itemSize);
      const { bytesRead: got } = await handle.read(chunk, 0, wanted, position);
      const items = Math.floor(got / itemSize);
      if (!items) break;
      for (let i = 0; i < items; i++) {
        const word = bigEndian
          ? chunk.readUInt16BE(i * itemSize + top)
          : chunk.readUInt16LE(i * itemSize + top);
        if ((word & mask) === mask) nonFinite++;
      }
      seen += items;
      position += items * itemSize;
    }
    if (seen < total)
      return `${name} is truncated: its header promises ${total} values, it holds ${seen}`;
    return nonFinite
      ? `${name} has ${plural(nonFinite, 'non-finite value')} (NaN/Infinity)`
      : undefined;
  } finally {
    await handle.close();
  }
}

/** Python's json.dump writes NaN and Infinity unless allow_nan=False; no JSON parser reads them back. */
async function checkJson(file: string, name: string): Promise<string | undefined> {
  const text = (await readFile(file, 'utf8')).replace(/^\uFEFF/, '');
  try {
    JSON.parse(text);
    return undefined;
  } catch (error) {
    const outsideStrings = text.replace(/"(?:[^"\\]|\\.)*"/g, '""');
    const tokens = outsideStrings.match(/-?\b(?:NaN|Infinity)\b/g)?.length ?? 0;
    return tokens
      ? `${name} is not valid JSON: it has ${plural(tokens, 'NaN/Infinity value')} (write null instead; json.dump(..., allow_nan=False) catches them)`
      : `${name} is not valid JSON: ${(error as Error).message.replace(/\s+/g, ' ')}`;
  }
}
