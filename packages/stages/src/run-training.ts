import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { defineAction, type StageDeps } from '@mlops/action-kit';
import { manifestDigest, treeDigest } from '@mlops/artifacts';
import {
  epochsFor,
  loadConfig,
  selectModels,
  type LoadedConfig,
  type ModelSpec,
  type Stage,
} from '@mlops/config';
import { ConfigurationError, writeFileAtomic, type Block } from '@mlops/foundation';
import { checkModelFiles, splitForModel, writeTable, type ModelData } from '@mlops/data';
import type { Job, Platform } from '@mlops/platform';
import { fetchPackage } from './artifact-store.js';
import { barChartBlocks, mapeLimit } from './charts.js';
import { jobEnv } from './command-env.js';
import { formatNumber, formatSeconds } from './format.js';
import { readFullData } from './full-data.js';
import {
  checkGates,
  describeGate,
  gateRecords,
  measureHoldout,
  readReported,
  splitOptions,
} from './model-validation.js';
import { openPackage, verifyCode } from './package-verify.js';
import { openPlatform } from './platform-open.js';
import { runLinks } from './report-links.js';
import { runContext, type RunContext } from './run-context.js';
import {
  modelFiles,
  trainingDir,
  type TrainedModel,
  type TrainingResults,
} from './training-results.js';

export interface RunTrainingInputs {
  workingDirectory: string;
  config: string;
  environment: string;
  models: string[];
  stage: Stage;
  artifact?: string;
  timeoutMinutes?: number;
  failOnGates: boolean;
}

/** A model ready to submit: its slice of the full data, written where the job reads it. */
interface Prepared {
  model: ModelSpec;
  epochs: number;
  split: ModelData;
  dataDir: string;
  outputDir: string;
}

export const runTraining = defineAction<RunTrainingInputs>({
  name: 'run-training',
  title: 'Run training',
  description:
    'Trains every selected model on the platform: one job per model runs the packaged code on the model’s slice of the full data (train, then score its holdout), waits for all of them, and measures each against the historical-average baseline.',
  inputs: {
    environment: {
      description: 'The environment (from mlops.yaml) whose platform runs the training jobs.',
      default: 'local',
    },
    models: {
      description: 'Model names or globs, comma- or newline-separated; empty for all models.',
      default: '',
    },
    stage: {
      description: 'Which epochs from the config to train with: pr, main or full.',
      default: 'full',
      values: ['pr', 'main', 'full'],
    },
    artifact: {
      description:
        'Package name from package-artifacts whose code the jobs run; empty for the newest local package.',
      default: '',
    },
    'timeout-minutes': {
      description:
        'Minutes to wait for the jobs; a job still running then is cancelled. Empty for train.timeout-minutes of the config.',
      default: '',
    },
    'fail-on-gates': {
      description:
        'Fail the step when a model misses a metric gate (otherwise gates are only reported).',
      default: 'false',
    },
  },
  outputs: {
    results:
      'Path of results.json: per model the job, its state and link, the trained files, metrics, baseline and gates.',
    'job-ids': 'The platform job ids, comma-separated, in model order.',
    'failed-models':
      'Models whose job did not succeed or left no usable model (with fail-on-gates, also gate misses), comma-separated.',
  },
  parseInputs: (read) => ({
    workingDirectory: read.string('working-directory'),
    config: read.string('config'),
    environment: read.string('environment'),
    models: read.list('models'),
    stage: read.enum('stage'),
    artifact: read.optional('artifact'),
    timeoutMinutes: minutes(read.optional('timeout-minutes')),
    failOnGates: read.boolean('fail-on-gates'),
  }),
  execute: async (inputs, deps) => {
    const loaded = await loadConfig({
      workingDirectory: inputs.workingDirectory,
      config: inputs.config,
    });
    const models = selectModels(loaded.models, inputs.models);
    const platform = await openPlatform(loaded, inputs.environment, deps);
    const full = await readFullData(loaded);
    // Every model's rows are split before anything is submitted: a data problem submits nothing.
    const splits = models.map((model) => ({
      model,
      split: splitForModel(full.table, splitOptions(loaded.config, model.params)),
    }));
    const run = runContext(deps.baseEnv);
    const pkg = await fetchPackage(inputs.artifact, loaded, run, deps);
    const tmp = path.join(loaded.projectDir, '.mlops', 'tmp');
    await mkdir(tmp, { recursive: true });
    const opened = await openPackage(pkg.folder, pkg.name, tmp);
    try {
      const problems = await verifyCode(opened);
      if (problems.length) {
        throw new ConfigurationError(
          `package ${pkg.name}: ${problems.slice(0, 3).join('; ')}${problems.length > 3 ? '; …' : ''} (changed after packaging?): package again before training`,
        );
      }
      const workDir = trainingDir(loaded.projectDir, platform.environment);
      // Each run starts clean so nothing of an earlier run is taken for this one.
      await rm(workDir, { recursive: true, force: true });
      const prepared: Prepared[] = [];
      for (const { model, split } of splits) {
        const dir = path.join(workDir, model.name);
        const dataDir = path.join(dir, 'data');
        await mkdir(dataDir, { recursive: true });
        await writeTable(path.join(dataDir, 'train.csv'), split.train.columns, split.train.rows);
        await writeTable(path.join(dataDir, 'score.csv'), split.score.columns, split.score.rows);
        prepared.push({
          model,
          epochs: epochsFor(model, inputs.stage),
          split,
          dataDir,
          outputDir: path.join(dir, 'output'),
        });
      }
      const timeoutMinutes = inputs.timeoutMinutes ?? loaded.config.train['timeout-minutes'];
      const jobs = await submitAll(
        prepared,
        path.join(opened.dir, 'code'),
        loaded,
        platform,
        inputs,
      );
      deps.progress(
        `Submitted ${jobs.length} training jobs to ${platform.environment} (${platform.backend}); waiting up to ${timeoutMinutes} min`,
      );
      const trained = await Promise.all(
        prepared.map(async (entry, i) => {
          const done = await platform.jobs.wait(jobs[i]!.id, {
            timeoutMs: timeoutMinutes * 60_000,
            onState: (job) => deps.progress(`${entry.model.name}: job ${job.id} ${job.state}`),
          });
          const result = await assess(entry, done, loaded, inputs.failOnGates);
          deps.progress(progressLine(result));
          return result;
        }),
      );
      const results: TrainingResults = {
        schema: 1,
        environment: platform.environment,
        backend: platform.backend,
        location: platform.location,
        stage: inputs.stage,
        generatedAt: deps.now().toISOString(),
        config: loaded.file,
        timeoutMinutes,
        failOnGates: inputs.failOnGates,
        package: {
          name: pkg.name,
          manifestDigest: manifestDigest(opened.manifest),
          codeDigest: opened.manifest.code.digest,
        },
        data: {
          full: full.given,
          file: full.file,
          digest: full.digest,
          bytes: full.bytes,
          rows: full.table.rows.length,
        },
        models: trained,
      };
      const resultsFile = path.join(workDir, 'results.json');
      await writeFileAtomic(resultsFile, JSON.stringify(results, null, 2) + '\n');
      return finish(results, resultsFile, inputs.failOnGates, deps);
    } finally {
      await opened.dispose();
    }
  },
});

function minutes(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const number = Number(value);
  if (!/^\d+(\.\d+)?$/.test(value) || number <= 0 || number > 24 * 60) {
    throw new ConfigurationError(
      `input 'timeout-minutes' must be a number of minutes > 0 and <= 1440, got "${value}"`,
    );
  }
  return number;
}

/**
 * One job per model, all submitted before any is waited for. A submission
 * that fails cancels the ones already submitted: nothing runs unwatched.
 */
async function submitAll(
  prepared: readonly Prepared[],
  codeDir: string,
  loaded: LoadedConfig,
  platform: Platform,
  inputs: RunTrainingInputs,
): Promise<Job[]> {
  const { config } = loaded;
  const command = trainThenScore(config.train.command, config.score.command);
  const jobs: Job[] = [];
  try {
    for (const entry of prepared) {
      jobs.push(
        await platform.jobs.submit({
          name: `train ${entry.model.name}`,
          command,
          codeDir,
          env: {
            ...jobEnv(config, inputs.stage, entry.model.params),
            // A platform run, not the local flag of basic validation.
            MLOPS_LOCAL: '0',
            MLOPS_EPOCHS: String(entry.epochs),
            MLOPS_MODEL_NAME: entry.model.name,
          },
          inputs: { MLOPS_DATA_DIR: entry.dataDir },
          outputDir: entry.outputDir,
        }),
      );
    }
  } catch (error) {
    await Promise.all(jobs.map((job) => platform.jobs.cancel(job.id).catch(() => undefined)));
    throw error;
  }
  return jobs;
}

/**
 * train, then score the holdout with the model it wrote, in one job. Each
 * user command runs in its own subshell on its own lines, so its quoting,
 * `;`, `||` or a trailing comment cannot reach the other.
 */
export function trainThenScore(train: string, score: string): string {
  return [
    '(',
    train.trim(),
    ') && export MLOPS_MODEL_DIR="$MLOPS_OUTPUT_DIR/model" && (',
    score.trim(),
    ')',
  ].join('\n');
}

/** What a finished job left: only a succeeded job is measured. */
async function assess(
  entry: Prepared,
  job: Job,
  loaded: LoadedConfig,
  failOnGates: boolean,
): Promise<TrainedModel> {
  const modelDir = path.join(job.outputDir, 'model');
  const result: TrainedModel = {
    name: entry.model.name,
    params: entry.model.params,
    epochs: entry.epochs,
    trainRows: entry.split.train.rows.length,
    scoreRows: entry.split.score.rows.length,
    state: job.state,
    job: {
      id: job.id,
      url: job.url ?? job.log,
      log: job.log,
      ...(job.message !== undefined && { message: job.message }),
      startedAt: job.startedAt,
      ...(job.endedAt !== undefined && {
        endedAt: job.endedAt,
        durationMs: Date.parse(job.endedAt) - Date.parse(job.startedAt),
      }),
    },
    outputDir: job.outputDir,
    modelDir,
    files: [],
    gates: [],
    passed: false,
  };
  if (job.state !== 'succeeded') {
    result.problem = `job ${job.id} ${job.state}${job.message ? `: ${job.message}` : ''}`;
    return result;
  }
  const reported = await readReported(job.outputDir);
  result.reported = reported.values;
  const problems = [...(await checkModelFiles(modelDir)).problems, ...reported.problems];
  const measured = await measureHoldout(
    loaded.config,
    entry.split,
    problems.length ? undefined : job.outputDir,
  );
  result.baseline = measured.baseline;
  problems.push(...measured.problems);
  if (problems.length) {
    result.problem = problems.join('; ');
    return result;
  }
  result.metrics = measured.metrics;
  const gated = checkGates(entry.model, measured.metrics!, measured.baseline, failOnGates);
  result.gates = gateRecords(gated.gates);
  result.files = await modelFiles(modelDir);
  result.digest = treeDigest(result.files);
  result.passed = true;
  const missed = gated.gates.filter((g) => !g.passed);
  if (missed.length) result.problem = missed.map(describeGate).join('; ');
  return result;
}

const gateMiss = (m: TrainedModel): boolean => m.gates.some((g) => !g.passed);

function progressLine(m: TrainedModel): string {
  if (!m.passed) return `${m.name}: ${m.problem ?? m.state} (${m.job.url})`;
  return `${m.name}: trained in ${m.job.durationMs === undefined ? '–' : formatSeconds(m.job.durationMs)}, MAPE ${formatNumber(m.metrics?.mape)} vs baseline ${formatNumber(m.baseline?.mape)}${gateMiss(m) ? ` (misses ${m.problem})` : ''}`;
}

function finish(
  results: TrainingResults,
  resultsFile: string,
  failOnGates: boolean,
  deps: StageDeps,
): { outputs: Record<string, string>; report: Block[]; failure?: string } {
  const failed = results.models.filter((m) => !m.passed || (failOnGates && gateMiss(m)));
  for (const m of results.models.filter((m) => !m.passed))
    deps.logger.error(`${m.name}: ${m.problem ?? m.state}; log: ${m.job.url}`);
  const notTrained = failed.filter((m) => !m.passed);
  const missed = failed.filter((m) => m.passed);
  const parts = [
    ...(notTrained.length
      ? [
          `${notTrained.length} of ${results.models.length} models did not train: ${notTrained
            .slice(0, 3)
            .map((m) => `${m.name} (${m.problem ?? m.state}; log: ${m.job.url})`)
            .join(', ')}${notTrained.length > 3 ? ', …' : ''}`,
        ]
      : []),
    ...(missed.length
      ? [
          `${missed.length} missed a gate: ${missed
            .slice(0, 3)
            .map((m) => `${m.name} (${m.problem})`)
            .join(', ')}${missed.length > 3 ? ', …' : ''}`,
        ]
      : []),
  ];
  return {
    outputs: {
      results: resultsFile,
      'job-ids': results.models.map((m) => m.job.id).join(','),
      'failed-models': failed.map((m) => m.name).join(','),
    },
    report: renderTrainingReport(results, runContext(deps.baseEnv)),
    failure: parts.length ? `Training failed: ${parts.join('; ')}` : undefined,
  };
}

const STATE_ICON: Record<string, string> = {
  succeeded: '✅',
  failed: '❌',
  canceled: '⏹️',
  'timed-out': '⏱️',
};

function renderTrainingReport(results: TrainingResults, run: RunContext): Block[] {
  const order = (m: TrainedModel): number => (!m.passed ? 0 : gateMiss(m) ? 1 : 2);
  const models = [...results.models].sort((a, b) => order(a) - order(b));
  const succeeded = results.models.filter((m) => m.state === 'succeeded').length;
  const blocks: Block[] = [
    { kind: 'heading', text: `Training in ${results.environment}` },
    {
      kind: 'text',
      text: `Package \`${results.package.name}\` on the ${results.backend} platform (\`${results.location}\`), ${results.models.length} jobs with the ${results.stage} epochs on \`${results.data.full}\` (${results.data.rows} rows, sha256 \`${results.data.digest.slice(0, 12)}\`): ${succeeded} succeeded, ${results.models.length - succeeded} did not.`,
    },
    {
      kind: 'table',
      headers: ['Model', 'Job', 'State', 'Epochs', 'MAPE', 'Baseline MAPE', 'Gates', 'Duration'],
      rows: models.map((m) => [
        `\`${m.name}\``,
        /^https?:\/\//.test(m.job.url) ? `[${m.job.id}](${m.job.url})` : `\`${m.job.id}\``,
        `${STATE_ICON[m.state] ?? ''} ${m.state}${m.state === 'succeeded' && !m.passed ? ' (no usable model)' : ''}`.trim(),
        m.epochs,
        formatNumber(m.metrics?.mape),
        formatNumber(m.baseline?.mape),
        !m.passed
          ? '–'
          : m.gates.length === 0
            ? 'none'
            : gateMiss(m)
              ? `❌ ${m.gates
                  .filter((g) => !g.passed)
                  .map((g) => g.gate)
                  .join(', ')}`
              : '✅ passed',
        m.job.durationMs === undefined ? '–' : formatSeconds(m.job.durationMs),
      ]),
    },
  ];
  const problems = models.filter((m) => !m.passed);
  if (problems.length) {
    blocks.push({
      kind: 'list',
      items: problems.map(
        (m) =>
          `\`${m.name}\`: ${m.problem ?? m.state} — ${/^https?:\/\//.test(m.job.url) ? `[job](${m.job.url})` : `log \`${m.job.log}\``}`,
      ),
    });
  }
  blocks.push(
    ...barChartBlocks({
      title: `MAPE vs baseline in ${results.environment}`,
      axis: 'MAPE',
      rows: results.models.map((m) => ({
        label: m.name,
        value: m.metrics?.mape ?? NaN,
        reference: m.baseline?.mape ?? undefined,
        limit: mapeLimit(m.gates),
      })),
      bars: 'model MAPE on its holdout',
      reference: 'baseline MAPE (historical average)',
      limit: 'MAPE gate limit',
    }),
    ...runLinks(run),
  );
  return blocks;
}
