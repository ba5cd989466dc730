import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openLocalPlatform } from '@mlops/platform';
import type { TrainingResults } from '@mlops/stages';
import { runBundle } from './support/bundle.js';
import { tinyProject, withFullData } from './support/project.js';
import { trainAndPackage } from './support/stages.js';

/*
 * run-training through its bundle on the local backend: the tiny project's
 * models trained as platform jobs on their slice of the full data, then
 * registered from the run by register-model.
 */

const local = (project: string) =>
  openLocalPlatform({ environment: 'local', stateDir: path.join(project, '.mlops/local') });

async function readResults(file: string): Promise<TrainingResults> {
  return JSON.parse(await readFile(file, 'utf8')) as TrainingResults;
}

/** A validated and packaged tiny project with full data (20 weeks of the four shops). */
async function packagedProject(edit: Parameters<typeof tinyProject>[0] = {}): Promise<string> {
  const project = await tinyProject(withFullData({ git: true, ...edit }));
  const packaged = await trainAndPackage(project);
  expect(packaged.failure).toBeUndefined();
  return project;
}

describe('dist/run-training', () => {
  it('trains every model as a platform job on the full data; register-model registers the trained files once', async () => {
    const project = await packagedProject();
    const run = await runBundle('run-training', {}, { workspace: project });
    expect(run.stdout).not.toContain('::error');
    expect(run.code).toBe(0);
    expect(run.outputs.results).toBe(path.join(project, '.mlops/training/local/results.json'));
    expect(run.outputs['failed-models']).toBe('');
    const jobIds = run.outputs['job-ids']!.split(',');
    expect(jobIds).toHaveLength(2);
    for (const [i, model] of ['tiny-a', 'tiny-b'].entries())
      expect(run.stdout).toContain(`${model}: job ${jobIds[i]} running`);

    const results = await readResults(run.outputs.results!);
    const fullData = await readFile(path.join(project, 'data/full/sales.csv'));
    expect(results).toMatchObject({
      environment: 'local',
      backend: 'local',
      stage: 'full',
      data: {
        full: 'data/full/sales.csv',
        digest: createHash('sha256').update(fullData).digest('hex'),
        rows: 80,
      },
      package: { name: expect.stringMatching(/^tiny-[0-9a-f]{12}$/) },
    });
    for (const model of results.models) {
      expect(model).toMatchObject({
        state: 'succeeded',
        passed: true,
        epochs: 4,
        // 20 weeks, the last 2 held out, for the group's 2 shops.
        trainRows: 36,
        scoreRows: 4,
        outputDir: path.join(project, '.mlops/training/local', model.name, 'output'),
        files: [{ path: 'model.json' }],
        digest: expect.stringMatching(/^[0-9a-f]{64}$/),
        reported: { shops: 2 },
      });
      expect(model.metrics!.mape).toBeGreaterThan(0);
      expect(model.baseline!.mape).toBeGreaterThan(0);
      expect(model.gates.map((g) => [g.gate, g.passed])).toEqual([['mape <= 0.5', true]]);
    }
    expect(run.summary).toContain(
      '| Model | Job | State | Epochs | MAPE | Baseline MAPE | Gates | Duration |',
    );
    expect(run.summary).toMatch(/\| `tiny-a` \| `job-[^`]+` \| ✅ succeeded \| 4 \| 0\.\d{3} \|/);

    const registered = await runBundle(
      'register-model',
      { training: 'latest' },
      { workspace: project },
    );
    expect(registered.stdout).not.toContain('::error');
    expect(registered.outputs).toMatchObject({
      'model-name': 'tiny-a,tiny-b',
      created: 'true,true',
    });
    const platform = await local(project);
    const [a] = await platform.registry.list('tiny-a');
    const trainedA = results.models.find((m) => m.name === 'tiny-a')!;
    expect(a!.tags).toMatchObject({
      stage: 'candidate',
      job_id: trainedA.job.id,
      job_url: trainedA.job.log,
      content_digest: trainedA.digest,
      data_digest: results.data.digest,
      package: results.package.name,
      mape: trainedA.metrics!.mape!.toFixed(6),
      git_ref: 'refs/heads/main',
    });
    // The trained files, not the ones validated on the sample.
    expect(await readFile(path.join(a!.path, 'model.json'), 'utf8')).toBe(
      await readFile(path.join(trainedA.modelDir, 'model.json'), 'utf8'),
    );
    const manifest = JSON.parse(await readFile(path.join(a!.path, 'mlops-manifest.json'), 'utf8'));
    expect(manifest.training).toEqual({
      environment: 'local',
      stage: 'full',
      package: { name: results.package.name, manifestDigest: results.package.manifestDigest },
    });
    expect(manifest.data.full).toMatchObject({ digest: results.data.digest });
    expect(manifest.models.map((m: { job: { id: string } }) => m.job.id)).toEqual(jobIds);

    const again = await runBundle('register-model', { training: 'latest' }, { workspace: project });
    expect(again.outputs.created).toBe('false,false');
    expect((await platform.registry.list('tiny-a')).length).toBe(1);
    expect((await platform.ledger.verify()).events).toBe(2);
  }, 60_000);

  it('reports a failing job as failed with its error and log; register-model leaves it out with the reason', async () => {
    const project = await packagedProject();
    // Only tiny-a's job fails; the command line also shows user commands keep their own ';' and quotes.
    const config = path.join(project, 'mlops.yaml');
    const text = await readFile(config, 'utf8');
    await writeFile(
      config,
      text.replace(
        `command: '"$MLOPS_INTERPRETER" tiny.py train'`,
        `command: 'if [ "$MLOPS_MODEL_NAME" = tiny-a ]; then export TINY_FAULT=train-exit; fi; "$MLOPS_INTERPRETER" tiny.py train # trains'`,
      ),
    );
    const run = await runBundle('run-training', {}, { workspace: project });
    expect(run.code).toBe(1);
    expect(run.outputs['failed-models']).toBe('tiny-a');
    const results = await readResults(run.outputs.results!);
    const [a, b] = results.models;
    expect(a).toMatchObject({
      state: 'failed',
      passed: false,
      problem: `job ${a!.job.id} failed: exited 1: train: cannot converge`,
      job: { message: 'exited 1: train: cannot converge' },
    });
    expect(a!.metrics).toBeUndefined();
    expect(await readFile(a!.job.log, 'utf8')).toContain('train: cannot converge');
    expect(b).toMatchObject({ state: 'succeeded', passed: true });
    expect(run.stdout).toContain(
      `::error::Training failed: 1 of 2 models did not train: tiny-a (job ${a!.job.id} failed: exited 1: train: cannot converge; log: ${a!.job.log})`,
    );
    expect(run.summary).toMatch(/\| `tiny-a` \| `job-[^`]+` \| ❌ failed \| 4 \| – \| – \| – \|/);
    // Failed first.
    expect(run.summary.indexOf('`tiny-a`')).toBeLessThan(run.summary.indexOf('`tiny-b`'));

    const registered = await runBundle(
      'register-model',
      { training: 'latest' },
      { workspace: project },
    );
    expect(registered.code).toBe(1);
    expect(registered.outputs['model-name']).toBe('tiny-b');
    expect(registered.stdout).toContain(
      `::error::1 of 2 models were not registered: tiny-a (its training job ${a!.job.id} failed: exited 1: train: cannot converge (log: ${a!.job.log})). Fix their training and run run-training again`,
    );
  }, 60_000);

  it('cancels a job still running at the timeout and reports it timed out', async () => {
    const project = await packagedProject();
    const started = Date.now();
    const run = await runBundle(
      'run-training',
      { models: 'tiny-a', 'timeout-minutes': '0.05' },
      { workspace: project, env: { TINY_FAULT: 'train-slow' } },
    );
    expect(Date.now() - started).toBeLessThan(30_000);
    expect(run.code).toBe(1);
    const [a] = (await readResults(run.outputs.results!)).models;
    expect(a).toMatchObject({ name: 'tiny-a', state: 'timed-out', passed: false });
    expect(run.stdout).toContain(`tiny-a: job ${a!.job.id} timed-out`);
    expect(run.summary).toContain('⏱️ timed-out');
    // The platform's record says the same, and the job's process is gone.
    const job = await (await local(project)).jobs.get(a!.job.id);
    expect(job?.state).toBe('timed-out');
  }, 60_000);

  it('reports gate misses; fail-on-gates fails the step; register-model refuses them unless forced', async () => {
    const project = await packagedProject({
      config: (t) => t.replace("gates: ['mape <= 0.5']", "gates: ['mape <= 0.01']"),
    });
    const run = await runBundle('run-training', {}, { workspace: project });
    expect(run.code).toBe(0);
    expect(run.summary).toContain('❌ mape <= 0.01');
    const strict = await runBundle(
      'run-training',
      { 'fail-on-gates': 'true' },
      { workspace: project },
    );
    expect(strict.code).toBe(1);
    expect(strict.outputs['failed-models']).toBe('tiny-a,tiny-b');
    expect(strict.stdout).toMatch(
      /::error::Training failed: 2 missed a gate: tiny-a \(mape <= 0\.01 \(mape 0\.\d{3}, limit 0\.010\)\)/,
    );

    const refused = await runBundle(
      'register-model',
      { training: 'latest' },
      { workspace: project },
    );
    expect(refused.code).toBe(1);
    expect(refused.stdout).toMatch(
      /::error::2 of 2 models were not registered: tiny-a \(misses mape <= 0\.01 \(0\.\d{3} against 0\.010\)\); .*Improve them, or pass force: true to register anyway/,
    );
    const forced = await runBundle(
      'register-model',
      { training: 'latest', models: 'tiny-b', force: 'true', reason: 'full-data trial' },
      { workspace: project },
    );
    expect(forced.code).toBe(0);
    expect(forced.outputs['model-name']).toBe('tiny-b');
    const events = await (await local(project)).ledger.list();
    expect(events.map((e) => [e.kind, e.model?.name, e.reason])).toEqual([
      ['force', 'tiny-b', 'full-data trial'],
    ]);
  }, 90_000);
});
