import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openLocalPlatform } from '@mlops/platform';
import { runBundle } from './support/bundle.js';
import { tinyProject } from './support/project.js';

const CELLS = Array.from({ length: 14 }, (_, i) => `c${String(i + 1).padStart(2, '0')}`);

/*
 * Crashes at arbitrary points: register-model and promote-release are
 * SIGKILLed part-way through (their bundles, as the runner runs them), then
 * run again. Wherever the kill landed, the re-run must leave one version per
 * content, exactly one champion per model, pipelines on the champions and an
 * intact ledger that records every promotion.
 */
describe('killed mid-register and mid-promote, then re-run', () => {
  it('converges to a consistent state', { timeout: 300_000 }, async () => {
    const project = await tinyProject({
      git: true,
      config: (t) =>
        t
          .replace('name: tiny-{group}', 'name: tiny-{group}-{cell}')
          .replace('group: [a, b]', `group: [a, b]\n    cell: [${CELLS.join(', ')}]`),
    });
    const models = ['a', 'b'].flatMap((g) => CELLS.map((c) => `tiny-${g}-${c}`));
    const step = async (bundle: string, inputs: Record<string, string>, killAfterMs?: number) =>
      runBundle(bundle, { environment: 'prod', ...inputs }, { workspace: project, killAfterMs });

    expect(
      (await runBundle('basic-model-validate', { stage: 'main' }, { workspace: project })).code,
    ).toBe(0);
    const v1 = (await runBundle('package-artifacts', {}, { workspace: project })).outputs[
      'artifact-name'
    ]!;
    expect((await step('register-model', { artifact: v1 })).code).toBe(0);
    expect((await step('promote-release', {})).code).toBe(0);
    expect((await step('publish-scoring-pipeline', {})).code).toBe(0);

    // New content for every model, registered with a crash in the middle.
    for (const name of models) {
      const file = path.join(project, '.mlops/validate/main', name, 'train/model/model.json');
      const model = JSON.parse(await readFile(file, 'utf8')) as { means: Record<string, number> };
      for (const shop of Object.keys(model.means)) model.means[shop]! += 0.5;
      await writeFile(file, JSON.stringify(model));
    }
    const v2 = (await runBundle('package-artifacts', {}, { workspace: project })).outputs[
      'artifact-name'
    ]!;
    // Kill points spread over the run; a kill that lands after the end is harmless.
    const registerKills = [];
    for (const at of [60, 130, 150, 170, 190, 210, 230]) {
      registerKills.push((await step('register-model', { artifact: v2, force: 'true' }, at)).code);
    }
    expect(registerKills).toContain(null);
    expect((await step('register-model', { artifact: v2, force: 'true' })).code).toBe(0);

    for (const at of [700, 2500]) {
      const killed = await step('promote-release', { force: 'true' }, at);
      expect(killed.code, `killed at ${at} ms`).toBeNull();
    }
    const finished = await step('promote-release', { force: 'true' });
    expect(finished.code).toBe(0);

    const prod = await openLocalPlatform({
      environment: 'prod',
      stateDir: path.join(project, '.mlops/prod'),
    });
    for (const name of models) {
      const versions = await prod.registry.list(name);
      expect(
        versions.map((v) => [v.version, v.tags.stage]),
        name,
      ).toEqual([
        [1, 'archived'],
        [2, 'champion'],
      ]);
      expect((await prod.pipelines.get(`${name}-batch`))?.model.version, name).toBe(2);
      const kinds = (await prod.ledger.list({ model: name }))
        .filter((e) => e.model?.version === 2)
        .map((e) => e.kind);
      // Its registration (forced) and its promotion (forced, or recorded by the re-run).
      expect(kinds.length, name).toBeGreaterThanOrEqual(2);
      expect(
        kinds.some((k) => k === 'promote' || k === 'force'),
        name,
      ).toBe(true);
    }
    expect((await prod.ledger.verify()).ok).toBe(true);
  });
});
