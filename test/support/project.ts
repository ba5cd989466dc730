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
  edit: { config?: (text: string) => string; files?: Record<string, string> } = {},
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
  return dir;
}
