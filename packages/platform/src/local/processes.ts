import { existsSync, readFileSync } from 'node:fs';

/**
 * True while the process exists and is not a zombie. Where /proc exists a
 * zombie counts as dead: not every init reaps orphans promptly.
 */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  try {
    return !/^\d+ \(.*\) Z/s.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    // Gone since the signal check, or no /proc (macOS): then the signal check answers.
    return !existsSync('/proc/self/stat');
  }
}

/** Kills the process group led by `pid`: the job's shell and everything it started. */
export function killGroup(pid: number): void {
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // Already gone.
  }
}
