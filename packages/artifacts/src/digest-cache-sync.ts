import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';

const PREFIX = 'mlops-digests-';

/**
 * Carries the digest cache file from run to run through the runner's cache
 * service (@actions/cache, loaded on first use). Cache entries are immutable,
 * so each saved state gets a key from its own content; a run restores the
 * newest by prefix. Failures only cost re-hashing, so they are reported, not thrown.
 * `file` is relative to the workspace (the process's working directory on a
 * runner): the cache's version hashes the path, and an absolute one would
 * differ between checkouts in other folders.
 */
export async function restoreDigestCache(file: string): Promise<string | undefined> {
  const cache = await import('@actions/cache');
  return cache.restoreCache([file], `${PREFIX}restore`, [PREFIX]);
}

export async function saveDigestCache(
  file: string,
  restoredKey: string | undefined,
): Promise<boolean> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    return false;
  }
  const key = `${PREFIX}${createHash('sha256').update(text).digest('hex').slice(0, 32)}`;
  if (key === restoredKey) return true;
  const cache = await import('@actions/cache');
  return (await cache.saveCache([file], key)) > 0;
}
