import { execFileSync } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { chunk } from '@mlops/stages';
import { runBundle } from './support/bundle.js';
import { tinyProject } from './support/project.js';

const GIT_ENV = {
  ...process.env,
  GIT_AUTHOR_NAME: 'test',
  GIT_AUTHOR_EMAIL: 'test@example.com',
  GIT_COMMITTER_NAME: 'test',
  GIT_COMMITTER_EMAIL: 'test@example.com',
};

function git(dir: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd: dir, env: GIT_ENV }).toString();
}

/** Writes files and commits them: the second commit the plan compares with its parent. */
async function commit(dir: string, files: Record<string, string>): Promise<void> {
  for (const [name, text] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(dir, name)), { recursive: true });
    await writeFile(path.join(dir, name), text);
  }
  git(dir, 'add', '-A');
  git(dir, 'commit', '-q', '-m', 'change');
}

/** The tiny project where tiny-a and tiny-b have their own files under models/<group>/. */
function withModelPaths(): Parameters<typeof tinyProject>[0] {
  return {
    git: true,
    config: (t) =>
      t
        .replace(
          '    group: [a, b]',
          "    group: [a, b]\n  overrides:\n    'tiny-*': { paths: ['models/{group}/**'] }",
        )
        .replace('predictions:', 'package: { code: [tiny.py, tests, models] }\npredictions:'),
    files: {
      'models/a/params.json': '{}\n',
      'models/b/params.json': '{}\n',
      'docs/notes.md': 'x\n',
    },
  };
}

async function plan(
  project: string,
  inputs: Record<string, string> = {},
  env: Record<string, string> = {},
) {
  const run = await runBundle('plan', inputs, { workspace: project, env });
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  return run;
}

describe('dist/plan', () => {
  it('runs every model when shared code changed, one job per model up to max-jobs', async () => {
    const project = await tinyProject({ git: true });
    await commit(project, { 'tiny.py': '# changed\n' });
    const run = await plan(project);
    expect(run.outputs).toEqual({
      matrix: '{"include":[{"models":"tiny-a"},{"models":"tiny-b"}]}',
      models: 'tiny-a,tiny-b',
      any: 'true',
    });
    expect(run.summary).toContain('| `tiny.py` | all models |');
    expect(run.summary).toContain('**2 of 2 models** in 2 jobs');
    const one = await plan(project, { 'max-jobs': '1' });
    expect(one.outputs.matrix).toBe('{"include":[{"models":"tiny-a,tiny-b"}]}');
  });

  it('runs only the models whose own paths changed', async () => {
    const project = await tinyProject(withModelPaths());
    await commit(project, { 'models/b/params.json': '{"depth": 3}\n' });
    const run = await plan(project);
    expect(run.outputs).toEqual({
      matrix: '{"include":[{"models":"tiny-b"}]}',
      models: 'tiny-b',
      any: 'true',
    });
    expect(run.summary).toContain('| `models/b/params.json` | `tiny-b` |');
  });

  it('runs no model for files outside the packaged code, and all for the config or sample', async () => {
    const project = await tinyProject(withModelPaths());
    await commit(project, { 'docs/notes.md': 'more\n' });
    const none = await plan(project);
    expect(none.outputs).toEqual({ matrix: '{"include":[]}', models: '', any: 'false' });
    expect(none.summary).toContain('No model is affected');

    await commit(project, { 'data/sample.csv': 'shop,week,group,sales\n' });
    expect((await plan(project)).outputs.models).toBe('tiny-a,tiny-b');
    // The config itself: both models, even next to a model's own file.
    const config = await readFile(path.join(project, 'mlops.yaml'), 'utf8');
    await commit(project, {
      'mlops.yaml': `# edited\n${config}`,
      'models/a/params.json': '{"x":1}\n',
    });
    expect((await plan(project, { base: 'HEAD~1' })).outputs.models).toBe('tiny-a,tiny-b');
  });

  it('compares a pull request with its base branch (GITHUB_BASE_REF), from the merge base', async () => {
    const project = await tinyProject(withModelPaths());
    git(project, 'checkout', '-q', '-b', 'feature');
    await commit(project, { 'models/a/params.json': '{"depth": 2}\n' });
    await commit(project, { 'docs/notes.md': 'feature notes\n' });
    git(project, 'checkout', '-q', 'main');
    await commit(project, { 'tiny.py': '# main moved on\n' });
    git(project, 'checkout', '-q', 'feature');
    const run = await plan(project, {}, { GITHUB_BASE_REF: 'main' });
    expect(run.outputs.models).toBe('tiny-a');
    expect(run.summary).toContain('2 files changed since `main`');
  });

  it('runs every model, with a warning, when the base is not in the checkout', async () => {
    const project = await tinyProject({ git: true });
    const run = await plan(project, {}, { GITHUB_BASE_REF: 'main-not-fetched' });
    expect(run.outputs.models).toBe('tiny-a,tiny-b');
    expect(run.summary).toContain(
      'origin/main-not-fetched or main-not-fetched is not in this checkout (shallow clone?), so every model runs',
    );
  });

  it('spreads many models evenly over at most max-jobs jobs', () => {
    const names = Array.from({ length: 56 }, (_, i) => `m${i}`);
    const jobs = chunk(names, 8);
    expect(jobs).toHaveLength(8);
    expect(jobs.every((j) => j.length === 7)).toBe(true);
    expect(jobs.flat()).toEqual(names);
    expect(chunk(names.slice(0, 9), 8).map((j) => j.length)).toEqual([2, 2, 2, 2, 1]);
    expect(chunk(names.slice(0, 3), 8)).toEqual([['m0'], ['m1'], ['m2']]);
    expect(chunk([], 8)).toEqual([]);
  });
});
