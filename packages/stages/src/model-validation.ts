import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { StageDeps } from '@mlops/action-kit';
import {
  epochsFor,
  evaluateGate,
  type GateResult,
  type LoadedConfig,
  type ModelSpec,
  type ProjectConfig,
  type Stage,
} from '@mlops/config';
import { messageOf } from '@mlops/foundation';
import {
  checkModelFiles,
  computeMetrics,
  historicalAverage,
  readPredictions,
  splitForModel,
  writeTable,
  type Metrics,
  type ModelData,
  type SplitOptions,
  type Table,
} from '@mlops/data';
import { commandEnv, describeExit, lastLine, paramEnv } from './command-env.js';
import type { CheckStatus } from './format.js';

export interface Check {
  status: CheckStatus;
  message?: string;
  durationMs?: number;
}

export interface ModelValidation {
  name: string;
  params: Record<string, string>;
  epochs: number;
  trainRows: number;
  scoreRows: number;
  checks: { data: Check; train: Check; score: Check; gates: Check };
  metrics?: Metrics;
  baseline?: Metrics;
  /** Numbers the train command reported in metrics.json. */
  reported?: Record<string, number>;
  gates: GateResult[];
  passed: boolean;
}

export interface ValidationContext {
  loaded: LoadedConfig;
  stage: Stage;
  sample: Table;
  /** Data validation of the shared sample: the same for every model. */
  dataCheck: Check;
  workDir: string;
  failOnGates: boolean;
  deps: StageDeps;
}

const SKIPPED: Check = { status: 'skipped' };

/**
 * Validates one model: prepares its slice of the sample, trains, scores and
 * measures it against the baseline. Never throws: every failure is a check.
 */
export async function validateModel(
  model: ModelSpec,
  ctx: ValidationContext,
): Promise<ModelValidation> {
  const { config } = ctx.loaded;
  const epochs = epochsFor(model, ctx.stage);
  const result: ModelValidation = {
    name: model.name,
    params: model.params,
    epochs,
    trainRows: 0,
    scoreRows: 0,
    checks: { data: ctx.dataCheck, train: SKIPPED, score: SKIPPED, gates: SKIPPED },
    gates: [],
    passed: false,
  };
  const dir = path.join(ctx.workDir, model.name);
  const dataDir = path.join(dir, 'data');
  const trainOut = path.join(dir, 'train');
  const scoreOut = path.join(dir, 'score');
  const modelDir = path.join(trainOut, 'model');
  let split: ReturnType<typeof splitForModel>;
  try {
    split = splitForModel(ctx.sample, splitOptions(config, model.params));
    await mkdir(dataDir, { recursive: true });
    await writeTable(path.join(dataDir, 'train.csv'), split.train.columns, split.train.rows);
    await writeTable(path.join(dataDir, 'score.csv'), split.score.columns, split.score.rows);
    await mkdir(trainOut, { recursive: true });
    await mkdir(scoreOut, { recursive: true });
  } catch (error) {
    result.checks.train = { status: 'failed', message: messageOf(error) };
    return result;
  }
  result.trainRows = split.train.rows.length;
  result.scoreRows = split.score.rows.length;
  const env = {
    MLOPS_LOCAL: '1',
    MLOPS_STAGE: ctx.stage,
    MLOPS_EPOCHS: String(epochs),
    MLOPS_MODEL_NAME: model.name,
    MLOPS_DATA_DIR: dataDir,
    ...paramEnv(model.params),
  };

  result.checks.train = await runStep('train', config.train, ctx, {
    ...env,
    MLOPS_OUTPUT_DIR: trainOut,
  });
  if (result.checks.train.status === 'passed') {
    const reported = await readReported(trainOut);
    result.reported = reported.values;
    const problems = [...(await checkModelFiles(modelDir)).problems, ...reported.problems];
    if (problems.length)
      result.checks.train = {
        ...result.checks.train,
        status: 'failed',
        message: problems.join('; '),
      };
  }
  if (result.checks.train.status !== 'passed') return result;

  result.checks.score = await runStep('score', config.score, ctx, {
    ...env,
    MLOPS_OUTPUT_DIR: scoreOut,
    MLOPS_MODEL_DIR: modelDir,
  });
  const measured = await measureHoldout(
    config,
    split,
    result.checks.score.status === 'passed' ? scoreOut : undefined,
  );
  result.baseline = measured.baseline;
  if (measured.problems.length)
    result.checks.score = {
      ...result.checks.score,
      status: 'failed',
      message: measured.problems.join('; '),
    };
  if (measured.metrics) {
    result.metrics = measured.metrics;
    const gated = checkGates(model, measured.metrics, measured.baseline, ctx.failOnGates);
    result.gates = gated.gates;
    result.checks.gates = gated.check;
  }
  result.passed =
    Object.values(result.checks).every((c) => c.status !== 'failed') &&
    result.checks.score.status === 'passed';
  return result;
}

async function runStep(
  step: 'train' | 'score',
  command: { command: string; 'timeout-minutes': number },
  ctx: ValidationContext,
  env: Record<string, string>,
): Promise<Check> {
  const result = await ctx.deps.runCommand({
    command: command.command,
    cwd: ctx.loaded.projectDir,
    env: commandEnv(ctx.loaded.config, ctx.deps, env),
    timeoutMs: command['timeout-minutes'] * 60_000,
  });
  if (result.exitCode === 0 && !result.timedOut)
    return { status: 'passed', durationMs: result.durationMs };
  return {
    status: 'failed',
    durationMs: result.durationMs,
    message: `${step} command ${describeExit(result, command['timeout-minutes'])}: ${lastLine(result.tail)}`,
  };
}

/** How a model's rows are split: its params select rows, the latest holdout-periods are scored. */
export function splitOptions(config: ProjectConfig, params: Record<string, string>): SplitOptions {
  return {
    params,
    time: config.data.time,
    target: config.data.target,
    keys: config.data.keys,
    holdoutPeriods: config.data['holdout-periods'],
  };
}

/**
 * Measures a model on its holdout: the predictions in `outputDir` (none when
 * scoring did not run) against the held-back actuals, and the
 * historical-average baseline on the same rows.
 */
export async function measureHoldout(
  config: ProjectConfig,
  split: ModelData,
  outputDir: string | undefined,
): Promise<{ metrics?: Metrics; baseline: Metrics; problems: string[] }> {
  const series = config.data.keys.filter((k) => k !== config.data.time);
  const baseline = computeMetrics(
    split.actuals,
    historicalAverage(split.train, series, config.data.target, split.score),
  );
  if (outputDir === undefined) return { baseline, problems: [] };
  try {
    const predictions = await readPredictions(path.join(outputDir, 'predictions.csv'), {
      keys: config.data.keys,
      expectedKeys: split.scoreKeys,
      min: config.predictions.min,
      max: config.predictions.max,
    });
    return predictions.problems.length
      ? { baseline, problems: predictions.problems }
      : { metrics: computeMetrics(split.actuals, predictions.values), baseline, problems: [] };
  } catch (error) {
    return { baseline, problems: [messageOf(error)] };
  }
}

/** The model's gates on its metrics; the check fails on a miss only with `failOnGates`. */
export function checkGates(
  model: ModelSpec,
  metrics: Metrics,
  baseline: Metrics,
  failOnGates: boolean,
): { gates: GateResult[]; check: Check } {
  const gates = model.gates.map((gate) =>
    evaluateGate(gate, toNumbers(metrics), toNumbers(baseline)),
  );
  const failed = gates.filter((g) => !g.passed);
  return {
    gates,
    check: gates.length
      ? {
          status: failed.length && failOnGates ? 'failed' : 'passed',
          message: failed.length ? failed.map(describeGate).join('; ') : undefined,
        }
      : SKIPPED,
  };
}

/** metrics.json from the train command: optional, but when present only finite numbers. */
export async function readReported(
  outputDir: string,
): Promise<{ values?: Record<string, number>; problems: string[] }> {
  const file = path.join(outputDir, 'metrics.json');
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    return { problems: [] };
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    return {
      problems: [
        `metrics.json is not valid JSON (${messageOf(error)}): write a flat object of numbers`,
      ],
    };
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    return {
      problems: ['metrics.json must be a flat object of numbers, e.g. {"train_loss": 0.12}'],
    };
  }
  const bad = Object.entries(parsed).filter(
    ([, v]) => typeof v !== 'number' || !Number.isFinite(v),
  );
  if (bad.length) {
    return {
      problems: [
        `metrics.json has values that are not finite numbers: ${bad.map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(', ')}`,
      ],
    };
  }
  return { values: parsed as Record<string, number>, problems: [] };
}

function toNumbers(metrics: Metrics): Record<string, number> {
  return Object.fromEntries(
    Object.entries(metrics).filter((e): e is [string, number] => typeof e[1] === 'number'),
  );
}

export function describeGate(g: GateResult): string {
  const value = g.actual === undefined ? 'no value' : g.actual.toFixed(3);
  const limit = g.limit === undefined ? 'no baseline' : g.limit.toFixed(3);
  return `${g.gate.text} (${g.gate.metric} ${value}, limit ${limit})`;
}

/** The four standard metrics as a manifest records them (null where undefined). */
export function metricRecord(
  metrics: Record<string, number | null> | undefined,
): Record<string, number | null> {
  const { mape = null, rmse = null, rmse_zero = null, mae = null } = metrics ?? {};
  return { mape, rmse, rmse_zero, mae };
}

/** Gate results as a manifest records them: the gate's text, the value and the limit. */
export function gateRecords(
  gates: readonly GateResult[],
): { gate: string; passed: boolean; actual: number | null; limit: number | null }[] {
  return gates.map((g) => ({
    gate: g.gate.text,
    passed: g.passed,
    actual: g.actual ?? null,
    limit: g.limit ?? null,
  }));
}
