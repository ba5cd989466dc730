import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openLocalPlatform } from '@mlops/platform';
import { registerModel } from '@mlops/stages';
import { tinyProject } from './support/project.js';
import { runStage, trainAndPackage } from './support/stages.js';

const platform = (project: string, environment = 'local') =>
  openLocalPlatform({ environment, stateDir: path.join(project, '.mlops', environment) });

describe('register-model', () => {
  it('registers candidates with lineage tags, once per content digest', async () => {
    const project = await tinyProject({ git: true });
    const packaged = await trainAndPackage(project);
    const first = await runStage(registerModel, project);
    expect(first.failure).toBeUndefined();
    expect(first.outputs).toEqual({
      'model-name': 'tiny-a,tiny-b',
      'model-version': '1,1',
      'model-id': 'local/tiny-a/1,local/tiny-b/1',
      created: 'true,true',
    });
    const again = await runStage(registerModel, project);
    expect(again.outputs.created).toBe('false,false');
    const local = await platform(project);
    const version = (await local.registry.get({ name: 'tiny-a', version: 1 }))!;
    expect(version.tags).toMatchObject({
      stage: 'candidate',
      git_ref: 'refs/heads/main',
      package: packaged.outputs['artifact-name'],
      mape: expect.stringMatching(/^0\.\d{6}$/),
      baseline_mape: expect.stringMatching(/^0\.\d{6}$/),
      content_digest: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    expect(version.properties.manifest_digest).toMatch(/^[0-9a-f]{64}$/);
    const manifest = JSON.parse(
      await readFile(path.join(version.path, 'mlops-manifest.json'), 'utf8'),
    );
    expect(manifest.models.map((m: { name: string }) => m.name)).toEqual(['tiny-a', 'tiny-b']);
    // Models register in parallel: the ledger has one event each, in either order.
    const events = await local.ledger.list();
    expect(events.map((e) => [e.kind, e.model?.name, e.model?.version]).sort()).toEqual([
      ['register', 'tiny-a', 1],
      ['register', 'tiny-b', 1],
    ]);
    expect((await local.ledger.verify()).ok).toBe(true);
  });

  it('keeps dev and prod apart', async () => {
    const project = await tinyProject({ git: true });
    await trainAndPackage(project);
    await runStage(registerModel, project, { environment: 'dev', models: 'tiny-a' });
    const prod = await runStage(registerModel, project, { environment: 'prod' });
    expect(prod.outputs['model-id']).toBe('prod/tiny-a/1,prod/tiny-b/1');
    expect(await (await platform(project, 'dev')).registry.names()).toEqual(['tiny-a']);
    await expect(runStage(registerModel, project, { environment: 'staging' })).rejects.toThrow(
      `environment "staging" is not in ${project}/mlops.yaml: use one of local, dev, prod`,
    );
  });

  it('refuses a model that misses a gate, with the numbers, unless forced', async () => {
    const project = await tinyProject({
      git: true,
      config: (t) => t.replace("gates: ['mape <= 0.5']", "gates: ['mape <= 0.1']"),
    });
    await trainAndPackage(project);
    const refused = await runStage(registerModel, project);
    expect(refused.outputs['model-name']).toBe('tiny-a');
    expect(refused.failure).toMatch(
      /^1 of 2 models were not registered: tiny-b \(misses mape <= 0\.1 \(0\.\d{3} against 0\.100\)\)\. Improve them, or pass force: true to register anyway$/,
    );
    const forced = await runStage(registerModel, project, {
      force: 'true',
      reason: 'hotfix for the promo week',
    });
    expect(forced.failure).toBeUndefined();
    const events = await (await platform(project)).ledger.list({ model: 'tiny-b' });
    expect(events.map((e) => [e.kind, e.reason])).toEqual([['force', 'hotfix for the promo week']]);
  });

  it('refuses a package whose files changed after packaging, registering nothing', async () => {
    const project = await tinyProject({ git: true });
    const packaged = await trainAndPackage(project);
    const name = packaged.outputs['artifact-name']!;
    const tar = path.join(path.dirname(packaged.outputs.manifest!), `${name}.tar`);
    const bytes = await readFile(tar);
    // The last mention is the entry's own header (the manifest, earlier, names it too).
    const at = bytes.indexOf('{"means"', bytes.lastIndexOf('models/tiny-b/model.json'));
    bytes.write('{"MEANS"', at);
    await writeFile(tar, bytes);
    await expect(runStage(registerModel, project)).rejects.toThrow(
      `package ${name}, model tiny-b: models/tiny-b/model.json does not match its manifest digest (changed after packaging?): package again before registering`,
    );
    expect(await (await platform(project)).registry.names()).toEqual([]);
  });

  it('refuses a manifest edited beside the archive', async () => {
    const project = await tinyProject({ git: true });
    const packaged = await trainAndPackage(project);
    const file = packaged.outputs.manifest!;
    await writeFile(file, (await readFile(file, 'utf8')).replace('"mape": 0.', '"mape": 0.0'));
    await expect(runStage(registerModel, project)).rejects.toThrow(
      `package ${packaged.outputs['artifact-name']}: the manifest inside the archive differs from ${file} (tampered?): run package-artifacts again`,
    );
  });

  it('converges when a run stopped between registering and the ledger', async () => {
    const project = await tinyProject({ git: true });
    await trainAndPackage(project);
    await runStage(registerModel, project);
    await writeFile(path.join(project, '.mlops/local/ledger.jsonl'), '');
    const rerun = await runStage(registerModel, project);
    expect(rerun.outputs.created).toBe('false,false');
    const events = await (await platform(project)).ledger.list();
    expect(events.map((e) => [e.kind, e.model?.name]).sort()).toEqual([
      ['register', 'tiny-a'],
      ['register', 'tiny-b'],
    ]);
  });
});

describe('register-model from a model folder', () => {
  it('registers one named model, only when forced since it has no validated metrics', async () => {
    const project = await tinyProject({ git: true });
    await trainAndPackage(project);
    const dir = '.mlops/validate/main/tiny-b/train/model';
    const refused = await runStage(registerModel, project, { 'model-dir': dir, models: 'tiny-b' });
    expect(refused.failure).toBe(
      '1 of 1 models were not registered: tiny-b (has no validated metrics, so mape <= 0.5 cannot be checked). Improve them, or pass force: true to register anyway',
    );
    const forced = await runStage(registerModel, project, {
      'model-dir': dir,
      models: 'tiny-b',
      force: 'true',
    });
    expect(forced.outputs).toMatchObject({
      'model-name': 'tiny-b',
      'model-version': '1',
      created: 'true',
    });
    const version = (await platform(project).then((p) =>
      p.registry.get({ name: 'tiny-b', version: 1 }),
    ))!;
    expect(version.tags).toMatchObject({
      stage: 'candidate',
      model_dir: path.join(project, dir),
      git_ref: 'refs/heads/main',
    });
    // The same files from a package are the same content: no second version.
    const fromPackage = await runStage(registerModel, project, { models: 'tiny-b' });
    expect(fromPackage.outputs).toMatchObject({ 'model-version': '1', created: 'false' });
    await expect(
      runStage(registerModel, project, { 'model-dir': dir, models: 'tiny-*' }),
    ).rejects.toThrow(
      `model-dir needs models to name exactly one model of ${project}/mlops.yaml ("tiny-*" is not one)`,
    );
  });
});
