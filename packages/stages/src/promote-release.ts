import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { defineAction, type StageDeps } from '@mlops/action-kit';
import { loadConfig, type LoadedConfig, type ModelSpec } from '@mlops/config';
import { ConfigurationError, messageOf, type Block } from '@mlops/foundation';
import type { Metrics, Table } from '@mlops/data';
import type { LedgerEvent, ModelVersion, Platform, TagChange } from '@mlops/platform';
import { measurePredictions, prepareBatch, type BatchData } from './batch-data.js';
import { compareModels } from './champion-challenger.js';
import { barChartBlocks, championChanges, championTimelineBlocks } from './charts.js';
import { jobEnv } from './command-env.js';
import { formatNumber } from './format.js';
import { openPlatform } from './platform-open.js';
import { runLinks } from './report-links.js';
import { runContext, type RunContext } from './run-context.js';
import { pipelineName, registeredSelection, resolveVersion } from './versions.js';

export interface PromoteInputs {
  workingDirectory: string;
  config: string;
  environment: string;
  fromEnvironment?: string;
  models: string[];
  version: string;
  force: boolean;
  rollbackTo?: string;
  reason: string;
}

export type Decision = 'promoted' | 'skipped' | 'forced' | 'rolled-back';

interface Outcome {
  model: string;
  decision?: Decision;
  champion?: ModelVersion;
  previous?: ModelVersion;
  challengerMetrics?: Metrics;
  championMetrics?: Metrics;
  why: string;
  error?: string;
}

interface Context {
  loaded: LoadedConfig;
  inputs: PromoteInputs;
  deps: StageDeps;
  run: RunContext;
  target: Platform;
  source: Platform;
  tables: Map<string, Table>;
}

export const promoteRelease = defineAction<PromoteInputs>({
  name: 'promote-release',
  title: 'Promote release',
  description:
    'Champion/challenger: scores the candidate and the current champion on the same data and promotes the candidate only if it is better under the promotion policy (or when forced); moves the tags and re-points the scoring pipeline all or nothing; rolls back on request.',
  inputs: {
    environment: { description: 'The environment whose champion changes.', default: 'local' },
    'from-environment': {
      description:
        'Take the candidate from this environment (e.g. dev) and copy it in; empty for the same one.',
      default: '',
    },
    models: {
      description: 'Model names or globs; empty for every model with a candidate.',
      default: '',
    },
    version: {
      description: 'The candidate: latest (newest candidate) or a version number.',
      default: 'latest',
    },
    force: {
      description: 'Promote even when the candidate is not better (recorded as forced).',
      default: 'false',
    },
    'rollback-to': {
      description: 'Instead of promoting, make this version champion again: a number, or previous.',
      default: '',
    },
    reason: { description: 'Why, for the ledger.', default: '' },
  },
  outputs: {
    decision: 'promoted, skipped, forced or rolled-back per model, comma-separated.',
    'model-version': 'The champion version per model after the step, in the same order.',
    'previous-version': 'The champion version per model before the step (empty if none).',
  },
  parseInputs: (read) => ({
    workingDirectory: read.string('working-directory'),
    config: read.string('config'),
    environment: read.string('environment'),
    fromEnvironment: read.optional('from-environment'),
    models: read.list('models'),
    version: read.string('version'),
    force: read.boolean('force'),
    rollbackTo: read.optional('rollback-to'),
    reason: read.string('reason'),
  }),
  execute: async (inputs, deps) => {
    for (const [name, value, pattern] of [
      ['version', inputs.version, /^(latest|\d+)$/],
      ['rollback-to', inputs.rollbackTo, /^(previous|\d+)$/],
    ] as const) {
      if (value !== undefined && !pattern.test(value)) {
        throw new ConfigurationError(
          `input '${name}' must be ${name === 'version' ? 'latest' : 'previous'} or a version number, got "${value}"`,
        );
      }
    }
    const loaded = await loadConfig({
      workingDirectory: inputs.workingDirectory,
      config: inputs.config,
    });
    const target = await openPlatform(loaded, inputs.environment, deps);
    const source = inputs.fromEnvironment
      ? await openPlatform(loaded, inputs.fromEnvironment, deps)
      : target;
    const { models, absent } = await registeredSelection(
      loaded,
      inputs.models,
      inputs.rollbackTo ? target : source,
    );
    for (const name of absent)
      deps.logger.info(
        `${name} has no version in ${(inputs.rollbackTo ? target : source).environment}: left out`,
      );
    const ctx: Context = {
      loaded,
      inputs,
      deps,
      run: runContext(deps.baseEnv),
      target,
      source,
      tables: new Map(),
    };
    const outcomes: Outcome[] = [];
    for (const model of models) {
      const outcome = await (
        inputs.rollbackTo ? rollback(model, inputs.rollbackTo, ctx) : promote(model, ctx)
      ).catch((error: unknown): Outcome => ({
        model: model.name,
        why: messageOf(error),
        error: messageOf(error),
      }));
      outcomes.push(outcome);
      deps.progress(`${model.name}: ${outcome.decision ?? 'failed'} — ${outcome.why}`);
    }
    const failed = outcomes.filter((o) => o.error);
    // For the summary only: a ledger that cannot be read leaves the history out, nothing else.
    const history = await target.ledger.list().catch(() => []);
    return {
      outputs: {
        decision: outcomes.map((o) => o.decision ?? 'failed').join(','),
        'model-version': outcomes.map((o) => o.champion?.version ?? '').join(','),
        'previous-version': outcomes.map((o) => o.previous?.version ?? '').join(','),
      },
      report: renderPromoteReport(outcomes, target, history, ctx.run),
      failure: failed.length
        ? `Promotion failed for ${failed.length} of ${outcomes.length} (their tags and pipelines are as before): ${failed
            .slice(0, 3)
            .map((o) => `${o.model}: ${o.error}`)
            .join('; ')}`
        : undefined,
    };
  },
});

async function promote(model: ModelSpec, ctx: Context): Promise<Outcome> {
  const found = await resolveVersion(ctx.source, model.name, ctx.inputs.version);
  if (!found) {
    // Nothing new since the last promotion: a re-run converges instead of failing.
    const champion = await resolveVersion(ctx.target, model.name, 'champion');
    if (champion && ctx.inputs.version === 'latest') {
      const repaired = await converge(champion, ctx);
      return {
        model: model.name,
        decision: 'skipped',
        champion,
        previous: champion,
        why: `no new candidate; version ${champion.version} stays champion${repaired}`,
      };
    }
    throw new ConfigurationError(
      `no ${ctx.inputs.version === 'latest' ? 'candidate' : `version ${ctx.inputs.version}`} of ${model.name} in ${ctx.source.environment}: register one first`,
    );
  }
  const candidate = ctx.source === ctx.target ? found : await copyInto(found, ctx);
  const previous = await resolveVersion(ctx.target, model.name, 'champion');
  if (previous?.version === candidate.version) return alreadyChampion(model.name, previous);
  let decision: Decision = 'promoted';
  let why = 'first champion';
  let challengerMetrics: Metrics | undefined;
  let championMetrics: Metrics | undefined;
  if (previous) {
    const batch = await prepareBatch(
      ctx.loaded,
      model,
      path.join(
        ctx.loaded.projectDir,
        '.mlops',
        'evaluate',
        ctx.target.environment,
        model.name,
        'input',
      ),
      ctx.tables,
    );
    [challengerMetrics, championMetrics] = await Promise.all([
      score(candidate, model, batch, ctx),
      score(previous, model, batch, ctx),
    ]);
    const comparison = compareModels(
      ctx.loaded.config.promotion,
      challengerMetrics,
      championMetrics,
    );
    if (comparison.better) {
      why = `${ctx.loaded.config.promotion['primary-metric']} ${(comparison.improvement * 100).toFixed(1)} % better than version ${previous.version}`;
    } else if (ctx.inputs.force) {
      decision = 'forced';
      why = `forced past: ${comparison.reasons.join('; ')}`;
    } else {
      await ctx.target.ledger.append({
        kind: 'skip',
        model: { name: model.name, version: candidate.version },
        actor: ctx.run.actor,
        runUrl: ctx.run.url || undefined,
        reason: ctx.inputs.reason || comparison.reasons.join('; '),
        details: { champion: previous.version, challengerMetrics, championMetrics },
      });
      return {
        model: model.name,
        decision: 'skipped',
        champion: previous,
        previous,
        challengerMetrics,
        championMetrics,
        why: `not better: ${comparison.reasons.join('; ')}`,
      };
    }
  }
  await makeChampion(candidate, previous, ctx);
  await ctx.target.ledger.append({
    kind: decision === 'forced' ? 'force' : 'promote',
    model: { name: model.name, version: candidate.version },
    actor: ctx.run.actor,
    runUrl: ctx.run.url || undefined,
    reason: ctx.inputs.reason || why,
    details: {
      previous: previous?.version ?? null,
      challengerMetrics: challengerMetrics ?? null,
      championMetrics: championMetrics ?? null,
      source: candidate.properties.source_id ?? candidate.id,
    },
  });
  return {
    model: model.name,
    decision,
    champion: candidate,
    previous,
    challengerMetrics,
    championMetrics,
    why,
  };
}

function alreadyChampion(model: string, champion: ModelVersion): Outcome {
  return {
    model,
    decision: 'skipped',
    champion,
    previous: champion,
    why: `version ${champion.version} is already the champion`,
  };
}

async function rollback(model: ModelSpec, to: string, ctx: Context): Promise<Outcome> {
  const previous = await resolveVersion(ctx.target, model.name, 'champion');
  const target =
    to === 'previous'
      ? (await ctx.target.registry.list(model.name, { tags: { stage: 'archived' } }))
          .filter((v) => v.tags.demoted_at)
          .sort((a, b) => (a.tags.demoted_at! < b.tags.demoted_at! ? -1 : 1))
          .pop()
      : await ctx.target.registry.get({ name: model.name, version: Number(to) });
  if (!target)
    throw new ConfigurationError(
      `${model.name} has no ${to === 'previous' ? 'earlier champion' : `version ${to}`} in ${ctx.target.environment} to roll back to`,
    );
  if (previous?.version === target.version) return alreadyChampion(model.name, previous);
  await makeChampion(target, previous, ctx);
  const why = `rolled back from version ${previous?.version ?? 'none'} to ${target.version}`;
  await ctx.target.ledger.append({
    kind: 'rollback',
    model: { name: model.name, version: target.version },
    actor: ctx.run.actor,
    runUrl: ctx.run.url || undefined,
    reason: ctx.inputs.reason || why,
    details: { previous: previous?.version ?? null },
  });
  return { model: model.name, decision: 'rolled-back', champion: target, previous, why };
}

/**
 * Finishes what a run killed after moving the tags left undone: the pipeline
 * still on the old version, or no ledger event for the promotion. Returns a
 * note for the summary, empty when there was nothing to do.
 */
async function converge(champion: ModelVersion, ctx: Context): Promise<string> {
  const done: string[] = [];
  const pipeline = await ctx.target.pipelines.get(pipelineName(champion.name));
  if (pipeline && pipeline.model.version !== champion.version) {
    await ctx.target.pipelines.createOrUpdate({
      ...pipeline,
      model: { name: champion.name, version: champion.version },
    });
    done.push(`pipeline re-pointed from version ${pipeline.model.version}`);
  }
  const events = await ctx.target.ledger.list({ model: champion.name });
  const recorded = events.some(
    (e) =>
      ['promote', 'force', 'rollback'].includes(e.kind) && e.model?.version === champion.version,
  );
  if (!recorded && champion.tags.promoted_at) {
    await ctx.target.ledger.append({
      kind: 'promote',
      model: { name: champion.name, version: champion.version },
      actor: ctx.run.actor,
      runUrl: ctx.run.url || undefined,
      reason: 'recorded after an interrupted run',
      details: { promotedAt: champion.tags.promoted_at },
    });
    done.push('promotion recorded');
  }
  return done.length ? ` (finished an interrupted run: ${done.join(', ')})` : '';
}

/**
 * Tags move (new champion in, old champion archived) and the scoring pipeline
 * is re-pointed; if re-pointing fails the tags are put back as they were.
 */
async function makeChampion(
  next: ModelVersion,
  previous: ModelVersion | undefined,
  ctx: Context,
): Promise<void> {
  const at = ctx.deps.now().toISOString();
  const forward: TagChange[] = [
    { name: next.name, version: next.version, tags: { stage: 'champion', promoted_at: at } },
  ];
  const back: TagChange[] = [
    {
      name: next.name,
      version: next.version,
      tags: { stage: next.tags.stage ?? null, promoted_at: next.tags.promoted_at ?? null },
    },
  ];
  if (previous) {
    forward.push({
      name: previous.name,
      version: previous.version,
      tags: { stage: 'archived', demoted_at: at },
    });
    back.push({
      name: previous.name,
      version: previous.version,
      tags: { stage: 'champion', demoted_at: previous.tags.demoted_at ?? null },
    });
  }
  await ctx.target.registry.setTags(forward);
  try {
    const pipeline = await ctx.target.pipelines.get(pipelineName(next.name));
    if (pipeline)
      await ctx.target.pipelines.createOrUpdate({
        ...pipeline,
        model: { name: next.name, version: next.version },
      });
  } catch (error) {
    await ctx.target.registry.setTags(back);
    throw new Error(
      `re-pointing pipeline ${pipelineName(next.name)} failed, tags restored: ${messageOf(error)}`,
    );
  }
}

/** Copies a version from the source environment's registry, keeping its lineage. */
async function copyInto(version: ModelVersion, ctx: Context): Promise<ModelVersion> {
  const { version: copied, created } = await ctx.target.registry.register({
    name: version.name,
    sourceDir: await ctx.source.registry.download(version),
    contentDigest: version.tags.content_digest ?? '',
    tags: { ...version.tags, stage: 'candidate', source_environment: ctx.source.environment },
    properties: { ...version.properties, source_id: version.id },
  });
  if (created) {
    await ctx.target.ledger.append({
      kind: 'register',
      model: { name: copied.name, version: copied.version },
      actor: ctx.run.actor,
      runUrl: ctx.run.url || undefined,
      reason: `copied from ${version.id}`,
      details: { source: version.id },
    });
  }
  return copied;
}

/** Scores a version on the evaluation batch as a platform job and measures it. */
async function score(
  version: ModelVersion,
  model: ModelSpec,
  batch: BatchData,
  ctx: Context,
): Promise<Metrics> {
  const { config, projectDir } = ctx.loaded;
  const outputDir = path.join(
    projectDir,
    '.mlops',
    'evaluate',
    ctx.target.environment,
    model.name,
    `v${version.version}`,
  );
  await mkdir(outputDir, { recursive: true });
  const job = await ctx.target.jobs.submit({
    name: `evaluate ${version.name} v${version.version}`,
    command: config.score.command,
    codeDir: projectDir,
    outputDir,
    env: {
      ...jobEnv(config, 'evaluate', model.params),
      MLOPS_MODEL_NAME: version.name,
    },
    inputs: { MLOPS_DATA_DIR: batch.dir, MLOPS_MODEL_DIR: version.path },
    model: { name: version.name, version: version.version },
  });
  const done = await ctx.target.jobs.wait(job.id, {
    timeoutMs: config.score['timeout-minutes'] * 60_000,
  });
  if (done.state !== 'succeeded')
    throw new Error(
      `scoring version ${version.version} ${done.state}: ${done.message ?? ''} (log ${done.log})`,
    );
  const measured = await measurePredictions(ctx.loaded, batch, outputDir);
  if (!measured.metrics)
    throw new ConfigurationError(
      `scoring version ${version.version}: ${measured.problems.join('; ')}`,
    );
  return measured.metrics;
}

function renderPromoteReport(
  outcomes: Outcome[],
  target: Platform,
  history: LedgerEvent[],
  run: RunContext,
): Block[] {
  const icon: Record<Decision, string> = {
    promoted: '🏆',
    forced: '⚠️',
    skipped: '⏭️',
    'rolled-back': '↩️',
  };
  return [
    { kind: 'heading', text: `Promotion in ${target.environment}` },
    {
      kind: 'table',
      headers: [
        'Model',
        'Decision',
        'Champion',
        'Before',
        'Challenger MAPE',
        'Champion MAPE',
        'Why',
      ],
      rows: outcomes.map((o) => [
        `\`${o.model}\``,
        o.decision ? `${icon[o.decision]} ${o.decision}` : '❌ failed',
        o.champion?.version ?? '–',
        o.previous?.version ?? '–',
        formatNumber(o.challengerMetrics?.mape),
        formatNumber(o.championMetrics?.mape),
        o.why,
      ]),
    },
    ...barChartBlocks({
      title: `Challenger vs champion MAPE in ${target.environment}`,
      axis: 'MAPE',
      rows: outcomes
        .filter((o) => o.championMetrics)
        .map((o) => ({
          label: o.model,
          value: o.challengerMetrics?.mape ?? NaN,
          reference: o.championMetrics?.mape ?? undefined,
        })),
      bars: 'challenger MAPE',
      reference: 'champion MAPE, on the same data',
    }),
    ...championTimelineBlocks(
      championChanges(history, new Set(outcomes.map((o) => o.model))),
      `Champion history in ${target.environment}`,
    ),
    ...runLinks(run),
  ];
}
