import { execFileSync } from 'node:child_process';
import { cp, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const TINY_PROJECT = path.join(REPO_ROOT, 'test/fixtures/tiny-project');
export const EXAMPLE_PROJECT = path.join(REPO_ROOT, 'examples/demand-forecasting');

export async function tempDir(prefix = 'mlops-test-'): Promise<string> {
  return mkdtemp(path.join(os.tmpdir(), prefix));
}

/** A fresh copy of the tiny fixture project, optionally edited. */
export async function tinyProject(
  edit: { config?: (text: string) => string; files?: Record<string, string>; git?: boolean } = {},
): Promise<string> {
  const dir = path.join(await tempDir('mlops-tiny-'), 'project');
  await cp(TINY_PROJECT, dir, {
    recursive: true,
    filter: (src) => !/(reports|\.mlops|__pycache__)$/.test(src),
  });
  if (edit.config) {
    const file = path.join(dir, 'mlops.yaml');
    await writeFile(file, edit.config(await readFile(file, 'utf8')));
  }
  for (const [name, text] of Object.entries(edit.files ?? {})) {
    await writeFile(path.join(dir, name), text);
  }
  if (edit.git) commitAll(dir);
  return dir;
}

/** Makes `dir` a git repository with one commit; fixed dates give the same sha every time. */
export function commitAll(dir: string): void {
  const env = {
    ...process.env,
    GIT_AUTHOR_NAME: 'test',
    GIT_AUTHOR_EMAIL: 'test@example.com',
    GIT_COMMITTER_NAME: 'test',
    GIT_COMMITTER_EMAIL: 'test@example.com',
    GIT_AUTHOR_DATE: '2026-01-01T00:00:00Z',
    GIT_COMMITTER_DATE: '2026-01-01T00:00:00Z',
  };
  for (const args of [
    ['init', '-q', '-b', 'main'],
    ['add', '-A'],
    ['commit', '-q', '-m', 'init'],
  ]) {
    execFileSync('git', args, { cwd: dir, env });
  }
}
