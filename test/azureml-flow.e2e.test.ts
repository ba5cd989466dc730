import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ArmEmulator } from './arm-emulator/index.js';
import { azureEnvironments, azureRunnerEnv, startAzure } from './support/azure.js';
import { runBundle, type BundleRun } from './support/bundle.js';
import { exampleCopy, exampleFullData } from './support/project.js';

/*
 * The documented flow on the Python example, action by action through the
 * bundles, with dev and prod as two Azure ML workspaces of the ARM emulator:
 * PR (local), main (train on the platform and register in dev, batch score),
 * release (the same in prod), promote. Four of the 56 models, full data.
 */

const MODELS = 'demand-north-east-*';
let emu: ArmEmulator;
let project: string;

beforeAll(async () => {
  emu = await startAzure();
  project = await exampleCopy();
  const config = path.join(project, 'mlops.yaml');
  const text = await readFile(config, 'utf8');
  await writeFile(
    config,
    text.replace(/^environments:[\s\S]*?\n\n/m, `${azureEnvironments(emu)}\n\n`),
  );
  await mkdir(path.join(project, 'data/full'), { recursive: true });
  await copyFile(exampleFullData(), path.join(project, 'data/full/shipments.csv'));
});

afterAll(async () => {
  await emu?.close();
});

async function step(bundle: string, inputs: Record<string, string>): Promise<BundleRun> {
  const run = await runBundle(
    bundle,
    { models: MODELS, ...inputs },
    { workspace: project, env: azureRunnerEnv(emu) },
  );
  expect(run.stdout, `${bundle}: ${run.stdout}`).not.toContain('::error::');
  expect(run.code, bundle).toBe(0);
  return run;
}

describe('PR -> main -> release -> promote on Azure ML (emulated)', () => {
  it(
    'trains in dev and prod on the platform, registers, scores and promotes',
    { timeout: 600_000 },
    async () => {
      // Pull request: nothing touches the platform.
      await step('basic-model-validate', { stage: 'pr' });
      expect(emu.requests.filter((r) => r.service === 'arm')).toHaveLength(0);

      // Merge to main: dev.
      await step('basic-model-validate', { stage: 'main' });
      const artifact = (await step('package-artifacts', {})).outputs['artifact-name']!;
      const trained = await step('run-training', { environment: 'dev', artifact });
      expect(trained.outputs['failed-models']).toBe('');
      expect(trained.summary).toMatch(/ml\.azure\.com\/runs\//);
      // As the flows do: a model that misses its gate is reported, the others registered.
      const register = { artifact, training: 'latest', 'on-gate-miss': 'skip' };
      const dev = await step('register-model', { environment: 'dev', ...register });
      const registered = dev.outputs['model-name']!.split(',');
      expect(registered).toContain('demand-north-east-large-fast');
      expect(dev.outputs['model-version']).toBe(registered.map(() => '1').join(','));
      const devVersion = emu.state.modelVersions('mlw-dev', 'demand-north-east-large-fast')[0]!;
      expect(devVersion.properties.tags).toMatchObject({
        stage: 'candidate',
        job_id: expect.stringMatching(/^mlops-train-demand-north-east-large-fast-/),
      });
      const scoredDev = await step('publish-scoring-pipeline', {
        environment: 'dev',
        version: 'latest',
        trigger: 'true',
      });
      expect(scoredDev.outputs['rows-scored']!.split(',').every((n) => Number(n) > 0)).toBe(true);

      // Release branch: the same in prod.
      await step('run-training', { environment: 'prod', artifact });
      const prod = await step('register-model', { environment: 'prod', ...register });
      expect(prod.outputs['model-name']).toBe(dev.outputs['model-name']);
      await step('publish-scoring-pipeline', {
        environment: 'prod',
        version: 'latest',
        trigger: 'true',
      });

      // Manual promotion in prod: the first candidates become champions.
      const promoted = await step('promote-release', { environment: 'prod' });
      expect(promoted.outputs.decision).toBe(registered.map(() => 'promoted').join(','));
      for (const ws of ['mlw-dev', 'mlw-prod'])
        expect(emu.state.versions(ws, 'data', 'mlops-ledger').length).toBeGreaterThan(4);
      const champion = emu.state.modelVersions('mlw-prod', 'demand-north-east-small-fast')[0]!;
      expect(champion.properties.tags).toMatchObject({ stage: 'champion' });
      // Four training jobs and a batch scoring job per registered model.
      expect(emu.state.jobs('mlw-prod').length).toBeGreaterThanOrEqual(4 + registered.length);
    },
  );
});
