import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { ConfigurationError } from '@mlops/foundation';

const run = promisify(execFile);

export interface TrackedFile {
  /** Relative to the folder asked about, '/'-separated. */
  path: string;
  /** git's blob id: changes exactly when the content does. */
  object: string;
  executable: boolean;
}

async function git(cwd: string, args: string[]): Promise<string> {
  try {
    const { stdout } = await run('git', args, { cwd, maxBuffer: 256 * 1024 * 1024 });
    return stdout;
  } catch (error) {
    const stderr = String((error as { stderr?: string }).stderr ?? '').trim();
    if (/not a git repository/.test(stderr)) {
      throw new ConfigurationError(
        `${cwd} is not in a git checkout: packaging takes the code from git (run it in a clone)`,
      );
    }
    throw new Error(`git ${args.join(' ')} failed in ${cwd}: ${stderr || String(error)}`);
  }
}

/** The files git tracks under `paths` (relative to `cwd`), with their blob ids. */
export async function trackedFiles(cwd: string, paths: readonly string[]): Promise<TrackedFile[]> {
  const out = await git(cwd, ['ls-files', '-s', '-z', '--', ...paths]);
  return out
    .split('\0')
    .filter(Boolean)
    .map((line) => {
      // "<mode> <object> <stage>\t<path>"
      const [meta = '', file = ''] = line.split('\t');
      const [mode, object = ''] = meta.split(' ');
      return { path: file, object, executable: mode === '100755' };
    })
    .filter((f) => f.object && !f.path.startsWith('.mlops/'));
}

export interface Revision {
  sha: string;
  ref: string;
  /** Tracked files differ from the commit: the package is not exactly that commit. */
  dirty: boolean;
}

export async function gitRevision(cwd: string): Promise<Revision> {
  const sha = (await git(cwd, ['rev-parse', 'HEAD'])).trim();
  const ref = (await git(cwd, ['rev-parse', '--symbolic-full-name', 'HEAD'])).trim();
  const status = await git(cwd, ['status', '--porcelain', '--untracked-files=no', '--', '.']);
  return { sha, ref: ref === 'HEAD' ? '' : ref, dirty: status.trim() !== '' };
}
