import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ConfigurationError } from '@mlops/foundation';
import { describe, expect, it } from 'vitest';
import {
  openLocalPlatform,
  type PipelineDefinition,
  type PipelineRun,
  type Platform,
} from '../src/index.js';
import { livingMembers, sourceDir, tempDir } from './support/processes.js';

interface Setup {
  p: Platform;
  definition: PipelineDefinition;
}

/** A platform with model version 1 registered and a pipeline definition scoring with it. */
async function setup(command: string): Promise<Setup> {
  const root = await tempDir();
  const p = await openLocalPlatform({
    environment: 'dev',
    stateDir: path.join(root, '.mlops', 'dev'),
    baseEnv: { PATH: process.env.PATH },
  });
  await p.registry.register({
    name: 'demand-north',
    sourceDir: await sourceDir({ 'model.txt': 'weights' }),
    contentDigest: 'd1',
    tags: {},
    properties: {},
  });
  const input = path.join(root, 'input');
  await mkdir(input);
  await writeFile(path.join(input, 'score.csv'), 'id\n1\n');
  const codeDir = path.join(root, 'code');
  await mkdir(codeDir);
  const definition: PipelineDefinition = {
    name: 'score-demand-north',
    model: { name: 'demand-north', version: 1 },
    command,
    codeDir,
    input,
    output: path.join(root, 'predictions'),
    env: { MLOPS_STAGE: 'score' },
    schedule: '0 6 * * 1',
  };
  return { p, definition };
}

async function trigger(command: string): Promise<Setup & { run: PipelineRun }> {
  const { p, definition } = await setup(command);
  await p.pipelines.createOrUpdate(definition);
  return { p, definition, run: await p.pipelines.trigger(definition.name) };
}

describe('local pipelines', () => {
  it('creates, then changes nothing for the same definition, then revises', async () => {
    const { p, definition } = await setup('true');
    const created = await p.pipelines.createOrUpdate(definition);
    expect(created.changed).toBe(true);
    expect(created.pipeline).toMatchObject({ ...definition, revision: 1 });
    expect(created.pipeline.digest).toMatch(/^[0-9a-f]{64}$/);
    const same = await p.pipelines.createOrUpdate({ ...definition, env: { ...definition.env } });
    expect(same).toEqual({ pipeline: created.pipeline, changed: false });
    const revised = await p.pipelines.createOrUpdate({ ...definition, command: 'false' });
    expect(revised.changed).toBe(true);
    expect(revised.pipeline.revision).toBe(2);
    expect(revised.pipeline.digest).not.toBe(created.pipeline.digest);
    expect(await p.pipelines.get(definition.name)).toEqual(revised.pipeline);
    expect((await p.pipelines.list()).map((x) => x.name)).toEqual([definition.name]);
  });

  it('runs the score command with the model, the input and a per-run output folder', async () => {
    const { p, definition, run } = await trigger(
      `printf 'id,prediction\\n1,2\\n' > "$MLOPS_OUTPUT_DIR/predictions.csv"
       echo "$MLOPS_MODEL_NAME $MLOPS_MODEL_VERSION $MLOPS_STAGE $(cat "$MLOPS_MODEL_DIR/model.txt")" > "$MLOPS_OUTPUT_DIR/env.txt"
       echo "$MLOPS_DATA_DIR" >> "$MLOPS_OUTPUT_DIR/env.txt"; pwd >> "$MLOPS_OUTPUT_DIR/env.txt"`,
    );
    expect(run.id).toMatch(/^run-\d{8}T\d{6}-[0-9a-f]{4}$/);
    expect(run.output).toBe(path.join(definition.output, run.id));
    const states: string[] = [];
    const done = await p.pipelines.waitRun(run.id, {
      timeoutMs: 30_000,
      onState: (r) => states.push(r.state),
    });
    expect(done.state).toBe('succeeded');
    expect(done.endedAt).toBeDefined();
    expect(states.at(-1)).toBe('succeeded');
    expect(new Set(states).size).toBe(states.length);
    expect(await readFile(path.join(run.output, 'predictions.csv'), 'utf8')).toBe(
      'id,prediction\n1,2\n',
    );
    expect((await readFile(path.join(run.output, 'env.txt'), 'utf8')).split('\n')).toEqual([
      'demand-north 1 score weights',
      definition.input,
      definition.codeDir,
      '',
    ]);
    expect(await p.pipelines.getRun(run.id)).toEqual(done);
    expect(await p.pipelines.runs(definition.name)).toEqual([done]);
  });

  it('reports a failing command with its exit code and last log line', async () => {
    const { p, run } = await trigger('echo "loading"; echo "no column store_id" >&2; exit 3');
    const done = await p.pipelines.waitRun(run.id, { timeoutMs: 30_000 });
    expect(done).toMatchObject({ state: 'failed', message: 'exited 3: no column store_id' });
  });

  it('times out: the run is timed-out and its whole process group is dead', async () => {
    const { p, run } = await trigger('sleep 30 & sleep 30');
    const done = await p.pipelines.waitRun(run.id, { timeoutMs: 300 });
    expect(done).toMatchObject({ state: 'timed-out', message: 'timed out after 300 ms' });
    expect(await p.pipelines.getRun(run.id)).toEqual(done);
    const { pid } = JSON.parse(
      await readFile(path.join(p.location, 'jobs', run.id, 'job.json'), 'utf8'),
    ) as { pid: number };
    // SIGKILL is delivered at once but a process takes a moment to go.
    for (let i = 0; i < 50 && livingMembers(pid).length > 0; i++) await sleep(20);
    expect(livingMembers(pid)).toEqual([]);
  });

  it('cancels a run', async () => {
    const { p, run } = await trigger('sleep 30');
    const canceled = await p.jobs.cancel(run.id);
    expect(canceled.state).toBe('canceled');
    expect(await p.pipelines.getRun(run.id)).toMatchObject({ state: 'canceled' });
    expect(await p.pipelines.waitRun(run.id, { timeoutMs: 1_000 })).toMatchObject({
      state: 'canceled',
    });
  });

  it('lists runs oldest first', async () => {
    const { p, definition, run } = await trigger('true');
    const second = await p.pipelines.trigger(definition.name);
    await p.pipelines.waitRun(second.id, { timeoutMs: 30_000 });
    expect((await p.pipelines.runs(definition.name)).map((r) => r.id)).toEqual([run.id, second.id]);
    expect(await p.pipelines.runs('other')).toEqual([]);
  });

  it('refuses to trigger a missing pipeline or one whose model version is gone', async () => {
    const { p, definition } = await setup('true');
    await expect(p.pipelines.trigger('nope')).rejects.toThrow(
      new ConfigurationError('pipeline nope is not published in dev: publish it first'),
    );
    await p.pipelines.createOrUpdate(definition);
    await rm(path.join(p.location, 'registry', 'demand-north', '1'), { recursive: true });
    await expect(p.pipelines.trigger(definition.name)).rejects.toThrow(
      new ConfigurationError(
        'pipeline score-demand-north scores with demand-north version 1, which is not registered in dev',
      ),
    );
  });
});
