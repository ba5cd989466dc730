import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
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
    await mkdir(path.dirname(path.join(dir, name)), { recursive: true });
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

/**
 * Full data for the tiny project (`data.full: data/full/sales.csv`, git-ignored
 * like real full data): the sample's four shops over `weeks` weeks, with a
 * yearly-ish wave so the models have something to learn.
 */
export function withFullData(
  edit: Parameters<typeof tinyProject>[0] = {},
  weeks = 20,
): Parameters<typeof tinyProject>[0] {
  const rows = ['shop,week,group,sales'];
  const start = Date.UTC(2023, 8, 4);
  for (const [shop, group, base] of [
    ['a0', 'a', 10],
    ['a1', 'a', 20],
    ['b0', 'b', 5],
    ['b1', 'b', 40],
  ] as const) {
    for (let w = 0; w < weeks; w++) {
      const week = new Date(start + w * 7 * 86_400_000).toISOString().slice(0, 10);
      rows.push(`${shop},${week},${group},${base + ((w * 7) % 5)}`);
    }
  }
  return {
    ...edit,
    config: (text) =>
      (edit.config ?? ((t: string) => t))(text).replace(
        'sample: data/sample.csv',
        'sample: data/sample.csv\n  full: data/full/sales.csv',
      ),
    files: {
      ...edit.files,
      '.gitignore': 'reports/\n.mlops/\n__pycache__/\n.coverage\ndata/full/\n',
      'data/full/sales.csv': rows.join('\n') + '\n',
    },
  };
}

/**
 * A fresh copy of the example project's git-tracked files, committed: what a
 * clone holds, without the generated data (data/raw, data/full) or .mlops.
 */
export async function exampleCopy(): Promise<string> {
  const dir = path.join(await tempDir('mlops-example-'), 'demand-forecasting');
  const files = execFileSync('git', ['ls-files', '-z', '.'], { cwd: EXAMPLE_PROJECT })
    .toString()
    .split('\0')
    .filter(Boolean);
  for (const file of files) {
    await mkdir(path.dirname(path.join(dir, file)), { recursive: true });
    await cp(path.join(EXAMPLE_PROJECT, file), path.join(dir, file));
  }
  commitAll(dir);
  return dir;
}

/** The example's full data file, generated as demo.sh does when it is missing (~10 s). */
export function exampleFullData(): string {
  const file = path.join(EXAMPLE_PROJECT, 'data/full/shipments.csv');
  if (!existsSync(file)) {
    const python = (args: string[]) =>
      execFileSync('/usr/bin/python3', args, { cwd: EXAMPLE_PROJECT, stdio: 'ignore' });
    python(['-m', 'forecasting.generate', '--out', 'data/raw', '--seed', '7']);
    python([
      '-m',
      'forecasting.condition',
      '--raw',
      'data/raw',
      '--out',
      'data/full/shipments.csv',
    ]);
  }
  return file;
}
