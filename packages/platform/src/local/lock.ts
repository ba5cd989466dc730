import path from 'node:path';
import lockfile from 'proper-lockfile';

const LOCK_NAME = 'writer.lock';

/*
 * A holder refreshes the lock every 5 s; one untouched for 10 s belongs to a
 * killed process and is taken over. Waiters back off from 20 ms to 1 s, about
 * 30 s in all, before giving up.
 */
const STALE_MS = 10_000;
const RETRIES = { retries: 40, factor: 1.5, minTimeout: 20, maxTimeout: 1_000, randomize: true };

/** Callers in this process queue here first, so they never poll the file lock against each other. */
const queues = new Map<string, Promise<unknown>>();

/** Runs `work` holding the state folder's writer lock, which serialises writers across processes. */
export function withLock<T>(stateDir: string, work: () => Promise<T>): Promise<T> {
  const previous = queues.get(stateDir) ?? Promise.resolve();
  const run = previous.then(() => hold(stateDir, work));
  const settled = run.then(
    () => undefined,
    () => undefined,
  );
  queues.set(stateDir, settled);
  void settled.then(() => {
    if (queues.get(stateDir) === settled) queues.delete(stateDir);
  });
  return run;
}

async function hold<T>(stateDir: string, work: () => Promise<T>): Promise<T> {
  const lockPath = path.join(stateDir, LOCK_NAME);
  let lost: Error | undefined;
  let release: () => Promise<void>;
  try {
    release = await lockfile.lock(stateDir, {
      lockfilePath: lockPath,
      realpath: false,
      stale: STALE_MS,
      retries: RETRIES,
      onCompromised: (error) => {
        lost = error;
      },
    });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ELOCKED') throw error;
    throw new Error(
      `${stateDir} stayed locked by another mlops process (${lockPath}); try again when it has finished`,
    );
  }
  let result: T;
  try {
    result = await work();
  } finally {
    // After a compromise the lock is no longer ours and release() rejects.
    await release().catch(() => undefined);
  }
  if (lost) {
    throw new Error(
      `lost the lock on ${stateDir} while writing (${lost.message}): another process may have written at the same time`,
    );
  }
  return result;
}
