import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { RecordingLogger, toMarkdown } from '@mlops/foundation';
import { openLocalPlatform } from '@mlops/platform';
import {
  packageArtifacts,
  promoteRelease,
  publishScoringPipeline,
  registerModel,
} from '@mlops/stages';
import { tinyProject } from './support/project.js';
import { runStage, trainAndPackage } from './support/stages.js';

const platform = (project: string, environment = 'local') =>
  openLocalPlatform({ environment, stateDir: path.join(project, '.mlops', environment) });

/** Packages and registers tiny-a with its per-shop means replaced, as a new version. */
async function registerVariant(project: string, means: Record<string, number>): Promise<number> {
  await writeFile(
    path.join(project, '.mlops/validate/main/tiny-a/train/model/model.json'),
    JSON.stringify({ means }),
  );
  const packaged = await runStage(packageArtifacts, project, { models: 'tiny-a' });
  const registered = await runStage(registerModel, project, {
    artifact: packaged.outputs['artifact-name']!,
    force: 'true',
  });
  return Number(registered.outputs['model-version']);
}

const GOOD = { a0: 10, a1: 15 };
const BAD = { a0: 30, a1: 1 };
const WORSE = { a0: 28, a1: 2 };

describe('publish-scoring-pipeline', () => {
  it('publishes once, scores the batch and measures it', async () => {
    const project = await tinyProject({ git: true });
    await trainAndPackage(project);
    await runStage(registerModel, project);
    const first = await runStage(publishScoringPipeline, project, {
      version: 'latest',
      trigger: 'true',
    });
    expect(first.failure).toBeUndefined();
    expect(first.outputs['pipeline-name']).toBe('tiny-a-batch,tiny-b-batch');
    expect(first.outputs['rows-scored']).toBe('4,4');
    const [output] = first.outputs.predictions!.split(',');
    expect((await readFile(path.join(output!, 'predictions.csv'), 'utf8')).split('\n')[0]).toBe(
      'shop,week,prediction',
    );
    const again = await runStage(publishScoringPipeline, project, { version: 'latest' });
    expect(again.outputs['run-id']).toBe(',');
    const events = await (await platform(project)).ledger.list({ model: 'tiny-a' });
    expect(events.map((e) => e.kind)).toEqual(['register', 'publish', 'trigger']);
  });

  it('reports a failed scoring run as failed', async () => {
    const project = await tinyProject({
      git: true,
      config: (t) =>
        t.replace(
          `command: '"$MLOPS_INTERPRETER" tiny.py score'`,
          `command: 'if [ "$MLOPS_STAGE" = batch ]; then echo "no input today" >&2; exit 4; fi; "$MLOPS_INTERPRETER" tiny.py score'`,
        ),
    });
    await trainAndPackage(project);
    await runStage(registerModel, project, { models: 'tiny-a' });
    const run = await runStage(publishScoringPipeline, project, {
      version: 'latest',
      trigger: 'true',
    });
    expect(run.failure).toMatch(
      /^Scoring failed for 1 of 1: tiny-a: run run-\S+ failed: exited 4: no input today$/,
    );
  });

  it('warns about a model older than staleness-days, or fails with fail-on-stale', async () => {
    const project = await tinyProject({ git: true });
    await trainAndPackage(project);
    await runStage(registerModel, project, { models: 'tiny-a' });
    const later = { now: () => new Date('2027-03-02T00:00:00Z') };
    const logger = new RecordingLogger();
    const warned = await runStage(
      publishScoringPipeline,
      project,
      { version: 'latest' },
      { ...later, logger },
    );
    expect(warned.failure).toBeUndefined();
    expect(logger.messages('warning')).toEqual([
      'tiny-a version 1 was trained 100 days ago, over the 60-day limit: retrain it',
    ]);
    const failed = await runStage(
      publishScoringPipeline,
      project,
      { version: 'latest', 'fail-on-stale': 'true' },
      later,
    );
    expect(failed.failure).toBe('Scoring failed for 1 of 1: tiny-a is stale (100 days)');
  });

  it('says which version is missing, and rejects a bad version input', async () => {
    const project = await tinyProject({ git: true });
    await trainAndPackage(project);
    await runStage(registerModel, project, { models: 'tiny-a' });
    const run = await runStage(publishScoringPipeline, project);
    expect(run.failure).toBe('Scoring failed for 1 of 1: tiny-a: has no champion version in local');
    // A selected model that was never registered (refused by a gate, say) is left out, not failed.
    const selected = await runStage(publishScoringPipeline, project, {
      models: 'tiny-*',
      version: 'latest',
    });
    expect(selected.failure).toBeUndefined();
    expect(selected.outputs['pipeline-name']).toBe('tiny-a-batch');
    await expect(runStage(publishScoringPipeline, project, { version: 'newest' })).rejects.toThrow(
      `input 'version' must be champion, latest or a version number, got "newest"`,
    );
  });
});

describe('promote-release', () => {
  it('promotes a better candidate, skips a worse one, forces, and rolls back', async () => {
    const project = await tinyProject({ git: true });
    await trainAndPackage(project);
    const v1 = await registerVariant(project, BAD);
    const first = await runStage(promoteRelease, project, { models: 'tiny-a' });
    expect(first.outputs).toEqual({
      decision: 'promoted',
      'model-version': String(v1),
      'previous-version': '',
    });
    await runStage(publishScoringPipeline, project, { models: 'tiny-a' });

    const v2 = await registerVariant(project, GOOD);
    const better = await runStage(promoteRelease, project, { models: 'tiny-a' });
    expect(better.outputs).toEqual({
      decision: 'promoted',
      'model-version': String(v2),
      'previous-version': String(v1),
    });

    const v3 = await registerVariant(project, WORSE);
    const worse = await runStage(promoteRelease, project, { models: 'tiny-a' });
    expect(worse.failure).toBeUndefined();
    expect(worse.outputs.decision).toBe('skipped');
    const forced = await runStage(promoteRelease, project, {
      models: 'tiny-a',
      force: 'true',
      reason: 'demo',
    });
    expect(forced.outputs).toEqual({
      decision: 'forced',
      'model-version': String(v3),
      'previous-version': String(v2),
    });
    const back = await runStage(promoteRelease, project, {
      models: 'tiny-a',
      'rollback-to': 'previous',
    });
    expect(back.outputs).toEqual({
      decision: 'rolled-back',
      'model-version': String(v2),
      'previous-version': String(v3),
    });

    const local = await platform(project);
    const stages = (await local.registry.list('tiny-a')).map((v) => [v.version, v.tags.stage]);
    expect(stages).toEqual([
      [1, 'archived'],
      [2, 'champion'],
      [3, 'archived'],
    ]);
    expect((await local.pipelines.get('tiny-a-batch'))?.model).toEqual({
      name: 'tiny-a',
      version: v2,
    });
    const kinds = (await local.ledger.list({ model: 'tiny-a' })).map((e) => e.kind);
    expect(kinds.filter((k) => k !== 'register' && k !== 'force' && k !== 'publish')).toEqual([
      'promote',
      'promote',
      'skip',
      'rollback',
    ]);
    expect((await local.ledger.verify()).ok).toBe(true);

    // The summary charts challenger against champion, and the champion history from the
    // ledger (forced registrations are no champion change); one period per day.
    expect(toMarkdown(better.report)).toMatch(
      /Bars: challenger MAPE, highest first; orange line: champion MAPE, on the same data\.\n\n```mermaid\n.*\nxychart-beta horizontal\n {2}title "Challenger vs champion MAPE in local"\n {2}x-axis \["tiny-a"\]\n/,
    );
    const changes = ['v1 promoted', 'v2 promoted', 'v3 forced', 'v2 rolled back'];
    expect(toMarkdown(back.report)).toMatch(
      new RegExp(
        `\`\`\`mermaid\ntimeline\n {2}title Champion history in local\n {2}[\\d-]+ : ${changes
          .map((c) => `tiny-a ${c}`)
          .join('(?: : |\n {2}[\\d-]+ : )')}\n\`\`\``,
      ),
    );
  });

  it('copies a dev version into prod, keeping where it came from', async () => {
    const project = await tinyProject({ git: true });
    await trainAndPackage(project);
    await runStage(registerModel, project, { environment: 'dev', models: 'tiny-b' });
    const promoted = await runStage(promoteRelease, project, {
      environment: 'prod',
      'from-environment': 'dev',
    });
    expect(promoted.outputs.decision).toBe('promoted');
    const copy = (await (
      await platform(project, 'prod')
    ).registry.get({ name: 'tiny-b', version: 1 }))!;
    expect(copy.tags).toMatchObject({ stage: 'champion', source_environment: 'dev' });
    expect(copy.properties.source_id).toBe('dev/tiny-b/1');
  });

  it('restores the tags when re-pointing the pipeline fails', async () => {
    const project = await tinyProject({ git: true });
    await trainAndPackage(project);
    const v1 = await registerVariant(project, BAD);
    await runStage(promoteRelease, project, { models: 'tiny-a' });
    await runStage(publishScoringPipeline, project, { models: 'tiny-a' });
    await registerVariant(project, GOOD);
    // A pipeline record that cannot be read: the re-pointing step fails.
    const record = path.join(project, '.mlops/local/pipelines/tiny-a-batch.json');
    await rm(record);
    await mkdir(record);
    const failed = await runStage(promoteRelease, project, { models: 'tiny-a' });
    expect(failed.outputs.decision).toBe('failed');
    expect(failed.failure).toMatch(
      /^Promotion failed for 1 of 1 \(their tags and pipelines are as before\): tiny-a: re-pointing pipeline tiny-a-batch failed, tags restored: /,
    );
    const stages = (await (await platform(project)).registry.list('tiny-a')).map((v) => [
      v.version,
      v.tags.stage,
    ]);
    expect(stages).toEqual([
      [v1, 'champion'],
      [v1 + 1, 'candidate'],
    ]);
  });

  it('rejects bad version inputs', async () => {
    const project = await tinyProject({ git: true });
    await expect(runStage(promoteRelease, project, { 'rollback-to': 'last' })).rejects.toThrow(
      `input 'rollback-to' must be previous or a version number, got "last"`,
    );
  });
});

describe('publish-scoring-pipeline, mode online', () => {
  it('releases blue/green: smoke-tests the new deployment at 0 %, then moves all traffic', async () => {
    const project = await tinyProject({ git: true });
    await trainAndPackage(project);
    await runStage(registerModel, project, { models: 'tiny-a' });
    const first = await runStage(publishScoringPipeline, project, {
      mode: 'online',
      version: 'latest',
    });
    expect(first.failure).toBeUndefined();
    expect(first.outputs).toMatchObject({ endpoint: 'tiny-a-online', deployment: 'v1' });
    const v2 = await registerVariant(project, GOOD);
    const second = await runStage(publishScoringPipeline, project, {
      mode: 'online',
      version: String(v2),
    });
    expect(second.outputs.deployment).toBe(`v${v2}`);
    const endpoint = await (await platform(project)).endpoints.get('tiny-a-online');
    expect(endpoint).toEqual({
      name: 'tiny-a-online',
      traffic: { [`v${v2}`]: 100 },
      deployments: [
        { name: 'v1', model: { name: 'tiny-a', version: 1 } },
        { name: `v${v2}`, model: { name: 'tiny-a', version: v2 } },
      ],
    });
    expect(second.report).toContainEqual(
      expect.objectContaining({
        kind: 'table',
        rows: [['`tiny-a`', v2, 'tiny-a-online', `✅ v${v2} (100 %)`, '4 rows', 'v1']],
      }),
    );
    // Rolling back is releasing the kept deployment again.
    const back = await runStage(publishScoringPipeline, project, { mode: 'online', version: '1' });
    expect(back.outputs.deployment).toBe('v1');
    expect((await (await platform(project)).endpoints.get('tiny-a-online'))?.traffic).toEqual({
      v1: 100,
    });
  });

  it('keeps traffic on the serving deployment when the smoke request fails', async () => {
    const project = await tinyProject({
      git: true,
      config: (t) =>
        t.replace(
          `command: '"$MLOPS_INTERPRETER" tiny.py score'`,
          `command: 'if [ "$MLOPS_STAGE" = online ] && [ -f "$MLOPS_MODEL_DIR/broken" ]; then exit 3; fi; "$MLOPS_INTERPRETER" tiny.py score'`,
        ),
    });
    await trainAndPackage(project);
    await runStage(registerModel, project, { models: 'tiny-a' });
    await runStage(publishScoringPipeline, project, { mode: 'online', version: 'latest' });
    await writeFile(path.join(project, '.mlops/validate/main/tiny-a/train/model/broken'), '');
    const v2 = await registerVariant(project, GOOD);
    const failed = await runStage(publishScoringPipeline, project, {
      mode: 'online',
      version: String(v2),
    });
    expect(failed.failure).toMatch(
      new RegExp(
        `^Online release failed for 1 of 1: tiny-a: smoke request to v${v2} failed, traffic unchanged: request to tiny-a-online/v${v2} failed: exited 3`,
      ),
    );
    expect((await (await platform(project)).endpoints.get('tiny-a-online'))?.traffic).toEqual({
      v1: 100,
    });
  });

  it('refuses trigger and schedule in mode online', async () => {
    const project = await tinyProject({ git: true });
    await expect(
      runStage(publishScoringPipeline, project, { mode: 'online', trigger: 'true' }),
    ).rejects.toThrow(
      "inputs 'trigger' and 'schedule' are for batch scoring: leave them out with mode online",
    );
  });
});
