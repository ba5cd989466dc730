import path from 'node:path';
import { defineAction, type ActionResult, type StageDeps } from '@mlops/action-kit';
import { loadConfig, type LoadedConfig, type ModelSpec } from '@mlops/config';
import { ConfigurationError, type Block } from '@mlops/foundation';
import type { Table } from '@mlops/data';
import type { ModelVersion, Platform, PipelineRun } from '@mlops/platform';
import { measurePredictions, prepareBatch } from './batch-data.js';
import { barChartBlocks } from './charts.js';
import { jobEnv } from './command-env.js';
import { formatNumber } from './format.js';
import { releaseOnline, renderOnlineReport, type OnlineRelease } from './online-release.js';
import { openPlatform } from './platform-open.js';
import { runLinks } from './report-links.js';
import { runContext, type RunContext } from './run-context.js';
import { pipelineName, registeredSelection, resolveVersion } from './versions.js';

export interface PublishInputs {
  workingDirectory: string;
  config: string;
  environment: string;
  models: string[];
  version: string;
  trigger: boolean;
  schedule?: string;
  failOnStale: boolean;
  mode: 'batch' | 'online';
}

interface Published {
  model: string;
  version?: ModelVersion;
  pipeline?: string;
  changed?: boolean;
  run?: PipelineRun;
  rows?: number;
  mape?: number | null;
  rmse?: number | null;
  ageDays?: number;
  problem?: string;
}

const DAY_MS = 24 * 60 * 60 * 1000;

export const publishScoringPipeline = defineAction<PublishInputs>({
  name: 'publish-scoring-pipeline',
  title: 'Publish scoring pipeline',
  description:
    'Creates or updates the batch scoring pipeline of each model version (re-publishing the same definition changes nothing) and, with trigger, scores the batch input now and waits for the end.',
  inputs: {
    environment: {
      description: 'The environment (from mlops.yaml) to publish in.',
      default: 'local',
    },
    models: {
      description: 'Model names or globs; empty for every model registered in the environment.',
      default: '',
    },
    version: {
      description: 'Which version to score with: champion, latest (newest candidate), or a number.',
      default: 'champion',
    },
    trigger: {
      description: 'Run the pipeline over the batch input now and wait for it.',
      default: 'false',
    },
    schedule: {
      description: 'Cron schedule recorded on the pipeline, e.g. "0 6 * * 1".',
      default: '',
    },
    'fail-on-stale': {
      description:
        'Fail, rather than warn, when a model was trained longer ago than staleness-days.',
      default: 'false',
    },
    mode: {
      description:
        'batch: a batch scoring pipeline per model; online: a real-time endpoint, released blue/green (new deployment at 0 %, a smoke request, then all traffic; the previous deployment is kept for rollback).',
      default: 'batch',
      values: ['batch', 'online'],
    },
  },
  outputs: {
    'pipeline-name': 'Published pipeline names, comma-separated.',
    'run-id': 'Run ids when triggered, in the same order.',
    predictions: 'Folders holding each run’s predictions.csv, in the same order.',
    'rows-scored': 'Rows scored per run, in the same order.',
    endpoint: 'Online endpoints (mode online), comma-separated.',
    deployment: 'The deployment serving each of them, in the same order.',
  },
  parseInputs: (read) => ({
    workingDirectory: read.string('working-directory'),
    config: read.string('config'),
    environment: read.string('environment'),
    models: read.list('models'),
    version: read.string('version'),
    trigger: read.boolean('trigger'),
    schedule: read.optional('schedule'),
    failOnStale: read.boolean('fail-on-stale'),
    mode: read.enum('mode'),
  }),
  execute: async (inputs, deps) => {
    if (!/^(champion|latest|\d+)$/.test(inputs.version)) {
      throw new ConfigurationError(
        `input 'version' must be champion, latest or a version number, got "${inputs.version}"`,
      );
    }
    // Five fields of digits, names, *, /, ',' and '-': what the platforms' schedulers take.
    if (
      inputs.schedule !== undefined &&
      !/^([\w*/,-]+\s+){4}[\w*/,-]+$/.test(inputs.schedule.trim())
    ) {
      throw new ConfigurationError(
        `input 'schedule' must be a cron expression of five fields, e.g. "0 6 * * 1", got "${inputs.schedule}"`,
      );
    }
    if (inputs.mode === 'online' && (inputs.trigger || inputs.schedule))
      throw new ConfigurationError(
        `inputs 'trigger' and 'schedule' are for batch scoring: leave them out with mode online`,
      );
    const loaded = await loadConfig({
      workingDirectory: inputs.workingDirectory,
      config: inputs.config,
    });
    const platform = await openPlatform(loaded, inputs.environment, deps);
    const { models, absent } = await registeredSelection(loaded, inputs.models, platform);
    for (const name of absent)
      deps.logger.info(`${name} has no version in ${platform.environment}: left out`);
    const run = runContext(deps.baseEnv);
    const tables = new Map<string, Table>();
    if (inputs.mode === 'online')
      return releaseAll(loaded, models, platform, { inputs, deps, run, tables });
    const results: Published[] = [];
    for (const model of models) {
      const result = await publishOne(loaded, model, platform, { inputs, deps, run, tables });
      results.push(result);
      deps.progress(
        result.problem
          ? `${model.name}: ${result.problem}`
          : `${model.name}: ${result.pipeline} ${result.changed ? 'published' : 'unchanged'}${result.run ? `, run ${result.run.state}` : ''}`,
      );
    }
    const failed = results.filter((r) => r.problem);
    const stale = results.filter((r) => (r.ageDays ?? 0) > loaded.config['staleness-days']);
    for (const r of stale) {
      deps.logger.warning(
        `${r.model} version ${r.version?.version} was trained ${r.ageDays!.toFixed(0)} days ago, over the ${loaded.config['staleness-days']}-day limit: retrain it`,
      );
    }
    const published = results.filter((r) => r.pipeline);
    const problems = [
      ...failed.map((r) => `${r.model}: ${r.problem}`),
      ...(inputs.failOnStale
        ? stale.map((r) => `${r.model} is stale (${r.ageDays!.toFixed(0)} days)`)
        : []),
    ];
    return {
      outputs: {
        'pipeline-name': published.map((r) => r.pipeline).join(','),
        'run-id': published.map((r) => r.run?.id ?? '').join(','),
        predictions: published.map((r) => r.run?.output ?? '').join(','),
        'rows-scored': published.map((r) => String(r.rows ?? '')).join(','),
        endpoint: '',
        deployment: '',
      },
      report: renderPublishReport(results, platform, inputs.trigger, run),
      failure: problems.length
        ? `Scoring failed for ${problems.length} of ${results.length}: ${problems.slice(0, 3).join('; ')}${problems.length > 3 ? '; …' : ''}`
        : undefined,
    };
  },
});

/** Mode online: each model's endpoint released blue/green, one after another. */
async function releaseAll(
  loaded: LoadedConfig,
  models: ModelSpec[],
  platform: Platform,
  ctx: { inputs: PublishInputs; deps: StageDeps; run: RunContext; tables: Map<string, Table> },
): Promise<ActionResult> {
  const results: OnlineRelease[] = [];
  for (const model of models) {
    const result = await releaseOnline(loaded, model, platform, {
      which: ctx.inputs.version,
      run: ctx.run,
      tables: ctx.tables,
    });
    results.push(result);
    ctx.deps.progress(
      `${model.name}: ${result.problem ?? `${result.deployment} serves all traffic${result.unchanged ? ' (unchanged)' : ''}`}`,
    );
  }
  const failed = results.filter((r) => r.problem);
  const served = results.filter((r) => !r.problem);
  return {
    outputs: {
      'pipeline-name': '',
      'run-id': '',
      predictions: '',
      'rows-scored': '',
      endpoint: served.map((r) => r.endpoint).join(','),
      deployment: served.map((r) => r.deployment).join(','),
    },
    report: renderOnlineReport(results, platform, ctx.run),
    failure: failed.length
      ? `Online release failed for ${failed.length} of ${results.length}: ${failed
          .slice(0, 3)
          .map((r) => `${r.model}: ${r.problem}`)
          .join('; ')}${failed.length > 3 ? '; …' : ''}`
      : undefined,
  };
}

async function publishOne(
  loaded: LoadedConfig,
  model: ModelSpec,
  platform: Platform,
  ctx: { inputs: PublishInputs; deps: StageDeps; run: RunContext; tables: Map<string, Table> },
): Promise<Published> {
  const version = await resolveVersion(platform, model.name, ctx.inputs.version);
  if (!version)
    return {
      model: model.name,
      problem: `has no ${ctx.inputs.version} version in ${platform.environment}`,
    };
  const ageDays = (ctx.deps.now().getTime() - Date.parse(version.createdAt)) / DAY_MS;
  const name = pipelineName(model.name);
  const stateDir = path.join(
    loaded.projectDir,
    '.mlops',
    'batch',
    platform.environment,
    model.name,
  );
  const batch = await prepareBatch(loaded, model, path.join(stateDir, 'input'), ctx.tables);
  const { pipeline, changed } = await platform.pipelines.createOrUpdate({
    name,
    model: { name: version.name, version: version.version },
    command: loaded.config.score.command,
    codeDir: loaded.projectDir,
    input: batch.dir,
    output: path.join(stateDir, 'predictions'),
    env: jobEnv(loaded.config, 'batch', model.params),
    ...(ctx.inputs.schedule && { schedule: ctx.inputs.schedule }),
  });
  if (changed) {
    await platform.ledger.append({
      kind: 'publish',
      model: { name: version.name, version: version.version },
      actor: ctx.run.actor,
      runUrl: ctx.run.url || undefined,
      reason: `pipeline ${name} revision ${pipeline.revision}`,
      details: { pipeline: name, revision: pipeline.revision, digest: pipeline.digest },
    });
  }
  const published: Published = { model: model.name, version, pipeline: name, changed, ageDays };
  if (!ctx.inputs.trigger) return published;
  const started = await platform.pipelines.trigger(name);
  const run = await platform.pipelines.waitRun(started.id, {
    timeoutMs: loaded.config.score['timeout-minutes'] * 60_000,
    onState: (r) => ctx.deps.progress(`${model.name}: run ${r.id} ${r.state}`),
  });
  await platform.ledger.append({
    kind: 'trigger',
    model: { name: version.name, version: version.version },
    actor: ctx.run.actor,
    runUrl: ctx.run.url || undefined,
    reason: `run ${run.id} ${run.state}`,
    details: { pipeline: name, run: run.id, state: run.state, output: run.output },
  });
  if (run.state !== 'succeeded') {
    return {
      ...published,
      run,
      problem: `run ${run.id} ${run.state}${run.message ? `: ${run.message}` : ''}`,
    };
  }
  const measured = await measurePredictions(loaded, batch, run.output);
  return {
    ...published,
    run,
    rows: measured.rows,
    mape: measured.metrics?.mape,
    rmse: measured.metrics?.rmse,
    problem: measured.problems.length ? measured.problems.join('; ') : undefined,
  };
}

function renderPublishReport(
  results: Published[],
  platform: Platform,
  triggered: boolean,
  run: RunContext,
): Block[] {
  return [
    { kind: 'heading', text: `Batch scoring in ${platform.environment}` },
    {
      kind: 'table',
      headers: ['Model', 'Version', 'Pipeline', 'Run', 'Rows', 'MAPE', 'RMSE', 'Age (days)'],
      rows: results.map((r) => [
        `\`${r.model}\``,
        r.version?.version ?? '–',
        r.pipeline ? `${r.pipeline} (${r.changed ? 'updated' : 'unchanged'})` : `❌ ${r.problem}`,
        r.run
          ? `${r.run.state === 'succeeded' ? '✅' : '❌'} ${r.run.state}`
          : triggered
            ? '–'
            : 'not triggered',
        r.rows ?? '–',
        formatNumber(r.mape),
        formatNumber(r.rmse),
        r.ageDays === undefined ? '–' : r.ageDays.toFixed(0),
      ]),
    },
    ...(triggered
      ? barChartBlocks({
          title: `Batch scoring MAPE in ${platform.environment}`,
          axis: 'MAPE',
          rows: results.map((r) => ({
            label: r.model,
            value: r.mape ?? NaN,
            reference: Number(r.version?.tags.mape ?? NaN),
          })),
          bars: 'MAPE of this scoring run',
          reference: 'MAPE of the version on its holdout when it was registered',
        })
      : []),
    ...runLinks(run),
  ];
}
