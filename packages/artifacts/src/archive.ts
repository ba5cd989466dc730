import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import tar from 'tar-stream';
import { ConfigurationError } from '@mlops/foundation';

export interface ArchiveEntry {
  /** Path inside the archive, '/'-separated. */
  path: string;
  /** File on disk. */
  source: string;
  size: number;
  executable: boolean;
}

/** Every entry gets this time, so the bytes depend on content alone. */
const FIXED_MTIME = new Date(0);

/**
 * Writes an uncompressed POSIX tar whose bytes depend only on the entries'
 * paths, contents and executable bits: sorted by path, fixed time, owner and
 * modes. (Uncompressed: the artifact upload zips it anyway, and gzip would
 * dominate the time on large models.) Returns the sha256 of the bytes.
 */
export async function writeArchive(
  entries: readonly ArchiveEntry[],
  file: string,
): Promise<{ digest: string; bytes: number }> {
  const sorted = [...entries].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  await mkdir(path.dirname(file), { recursive: true });
  const temporary = `${file}.partial`;
  const pack = tar.pack();
  const hash = createHash('sha256');
  let bytes = 0;
  pack.on('data', (chunk: unknown) => {
    hash.update(chunk as Buffer);
    bytes += (chunk as Buffer).length;
  });
  const written = pipeline(pack, createWriteStream(temporary));
  try {
    for (const entry of sorted) {
      const sink = pack.entry({
        name: entry.path,
        size: entry.size,
        mode: entry.executable ? 0o755 : 0o644,
        mtime: FIXED_MTIME,
        uid: 0,
        gid: 0,
        uname: '',
        gname: '',
        type: 'file',
      });
      await pipeline(createReadStream(entry.source), sink);
    }
    pack.finalize();
    await written;
    await rename(temporary, file);
  } catch (error) {
    pack.destroy();
    await rm(temporary, { force: true });
    throw error;
  }
  return { digest: hash.digest('hex'), bytes };
}

/** Unpacks an archive written by writeArchive; refuses paths that leave `dir`. */
export async function extractArchive(file: string, dir: string): Promise<string[]> {
  const extract = tar.extract();
  const paths: string[] = [];
  const done = pipeline(createReadStream(file), extract);
  for await (const entry of extract) {
    const name = entry.header.name;
    const target = path.resolve(dir, name);
    if (entry.header.type !== 'file' || !target.startsWith(path.resolve(dir) + path.sep)) {
      entry.resume();
      throw new ConfigurationError(
        `archive ${file} has an entry that is not a plain file inside it: "${name}"`,
      );
    }
    await mkdir(path.dirname(target), { recursive: true });
    await pipeline(entry, createWriteStream(target, { mode: entry.header.mode }));
    paths.push(name);
  }
  await done;
  return paths;
}
