import { readFile, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputReader, type ActionDefinition, type ActionResult } from '@mlops/action-kit';
import { extractArchive, type Manifest } from '@mlops/artifacts';
import { toMarkdown } from '@mlops/foundation';
import { basicModelValidate, packageArtifacts } from '@mlops/stages';
import { recordingDeps } from './support/deps.js';
import { tempDir, tinyProject } from './support/project.js';

async function run(
  definition: ActionDefinition,
  project: string,
  inputs: Record<string, string> = {},
): Promise<ActionResult> {
  const read = new InputReader(
    definition.inputs,
    (name) => ({ 'working-directory': project, ...inputs })[name] ?? '',
  );
  return definition.execute(definition.parseInputs(read), recordingDeps(project));
}

/** Trains the tiny models (stage main), then packages them. */
async function trainAndPackage(
  project: string,
  inputs: Record<string, string> = {},
): Promise<ActionResult> {
  const trained = await run(basicModelValidate as ActionDefinition, project, { stage: 'main' });
  expect(trained.failure).toBeUndefined();
  return run(packageArtifacts as ActionDefinition, project, inputs);
}

describe('package-artifacts', () => {
  it('packages code, models and a lineage manifest', async () => {
    const project = await tinyProject({ git: true });
    const result = await trainAndPackage(project);
    const manifest = JSON.parse(await readFile(result.outputs.manifest!, 'utf8')) as Manifest;
    expect(manifest.code.files.map((f) => f.path)).toEqual([
      'code/.gitignore',
      'code/data/sample.csv',
      'code/mlops.yaml',
      'code/pytest.ini',
      'code/tests/test_tiny.py',
      'code/tiny.py',
    ]);
    expect(manifest.models.map((m) => [m.name, m.epochs, m.files.map((f) => f.path)])).toEqual([
      ['tiny-a', 4, ['models/tiny-a/model.json']],
      ['tiny-b', 4, ['models/tiny-b/model.json']],
    ]);
    expect(manifest.git).toEqual({
      sha: expect.stringMatching(/^[0-9a-f]{40}$/),
      ref: 'refs/heads/main',
      dirty: false,
    });
    expect(manifest.run).toEqual({ id: 'local', url: '' });
    expect(manifest.data.sample).toMatchObject({ path: 'data/sample.csv', bytes: 625 });
    expect(manifest.thresholds).toEqual({
      gates: ['mape <= 0.5'],
      minCoverage: 50,
      stalenessDays: 60,
    });
    const unpacked = await tempDir();
    const names = await extractArchive(
      path.join(path.dirname(result.outputs.manifest!), `${result.outputs['artifact-name']}.tar`),
      unpacked,
    );
    expect(names).toEqual([...names].sort());
    expect(names).toContain('manifest.json');
    expect(await readFile(path.join(unpacked, 'manifest.json'), 'utf8')).toBe(
      await readFile(result.outputs.manifest!, 'utf8'),
    );
    expect(toMarkdown(result.report)).toContain('| `tiny-a` | 1 |');
  });

  it('gives the same bytes for the same inputs, whatever the mtimes', async () => {
    const first = await tinyProject({ git: true });
    const second = await tinyProject({ git: true });
    const a = await trainAndPackage(first);
    await utimes(path.join(second, 'tiny.py'), new Date('2001-01-01'), new Date('2001-01-01'));
    const b = await trainAndPackage(second);
    expect(b.outputs.digest).toBe(a.outputs.digest);
    expect(b.outputs['artifact-name']).toBe(a.outputs['artifact-name']);
  });

  it('reuses an unchanged package without hashing again, and notices a change', async () => {
    const project = await tinyProject({ git: true });
    const first = await trainAndPackage(project);
    const again = await run(packageArtifacts as ActionDefinition, project);
    expect(again.outputs.digest).toBe(first.outputs.digest);
    expect(toMarkdown(again.report)).toContain(
      'archive reused; file digests: 9 from the cache, 0 computed',
    );
    const model = path.join(project, '.mlops/validate/main/tiny-a/train/model/model.json');
    await writeFile(model, '{"means": {"a0": 1}}');
    const changed = await run(packageArtifacts as ActionDefinition, project);
    expect(changed.outputs.digest).not.toBe(first.outputs.digest);
    expect(toMarkdown(changed.report)).toContain(
      'archive written; file digests: 8 from the cache, 1 computed',
    );
  });

  it('says what to run first when nothing was trained', async () => {
    const project = await tinyProject({ git: true });
    await expect(run(packageArtifacts as ActionDefinition, project)).rejects.toThrow(
      `validation results ${project}/.mlops/validate/main/metrics.json do not exist: run basic-model-validate with stage main first (it trains the models that are packaged)`,
    );
  });

  it('refuses a project outside git', async () => {
    const project = await tinyProject();
    await run(basicModelValidate as ActionDefinition, project, { stage: 'main' });
    await expect(run(packageArtifacts as ActionDefinition, project)).rejects.toThrow(
      `${project} is not in a git checkout: packaging takes the code from git (run it in a clone)`,
    );
  });
});
