import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { writeFileAtomic } from '@mlops/foundation';

/** sha256 of a file's bytes, hex, streamed so large files cost no memory. */
export async function fileDigest(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/**
 * One digest for a set of files: sha256 of `sha256sum`-style lines sorted by
 * path, so anyone can recompute it with `sha256sum` and `sort`.
 */
export function treeDigest(files: readonly { path: string; digest: string }[]): string {
  const lines = [...files]
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
    .map((f) => `${f.digest}  ${f.path}\n`);
  return createHash('sha256').update(lines.join('')).digest('hex');
}

/**
 * Remembers file digests between runs so unchanged files are not hashed again.
 * Keys say when the content is unchanged without reading it: git's object id
 * for tracked files (content-addressed, so it survives a fresh checkout), or
 * size, mtime and inode for the rest.
 */
export class DigestCache {
  private changed = false;
  hits = 0;
  misses = 0;

  private constructor(
    private readonly file: string,
    private readonly entries: Map<string, string>,
  ) {}

  static async open(file: string): Promise<DigestCache> {
    try {
      const parsed = JSON.parse(await readFile(file, 'utf8')) as Record<string, string>;
      return new DigestCache(file, new Map(Object.entries(parsed)));
    } catch {
      // Missing or unreadable: start empty, it is only a cache.
      return new DigestCache(file, new Map());
    }
  }

  /** The digest of `source`; `gitObject` is its blob id when git tracks it. */
  async digest(source: string, gitObject?: string): Promise<string> {
    const info = await stat(source);
    const key = gitObject
      ? `git:${gitObject}`
      : `stat:${source}:${info.size}:${info.mtimeMs}:${info.ino}`;
    const known = this.entries.get(key);
    if (known) {
      this.hits += 1;
      return known;
    }
    this.misses += 1;
    const digest = await fileDigest(source);
    this.entries.set(key, digest);
    this.changed = true;
    return digest;
  }

  async save(): Promise<void> {
    if (!this.changed) return;
    await writeFileAtomic(this.file, JSON.stringify(Object.fromEntries(this.entries)) + '\n');
    this.changed = false;
  }
}
