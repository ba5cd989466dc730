import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { defineAction } from '@mlops/action-kit';
import { loadConfig, selectModels, type Stage } from '@mlops/config';
import { mapLimit, messageOf, writeFileAtomic } from '@mlops/foundation';
import { plural } from './format.js';
import { readTable, validateTable } from '@mlops/data';
import type { Check, ModelValidation, ValidationContext } from './model-validation.js';
import { validateModel } from './model-validation.js';
import { runContext } from './run-context.js';
import { renderValidationReport } from './validation-report.js';
import { validationDir } from './validation-results.js';

export interface BasicModelValidateInputs {
  workingDirectory: string;
  config: string;
  models: string[];
  stage: Extract<Stage, 'pr' | 'main'>;
  parallel?: number;
  failOnGates: boolean;
}

export const basicModelValidate = defineAction<BasicModelValidateInputs>({
  name: 'basic-model-validate',
  title: 'Basic model validation',
  description:
    'Validates the data sample against the schema, then trains and scores every selected model locally (MLOPS_LOCAL=1) and measures it against the historical-average baseline.',
  inputs: {
    models: {
      description: 'Model names or globs, comma- or newline-separated; empty for all models.',
      default: '',
    },
    stage: {
      description: 'Which epochs from the config to train with: pr or main.',
      default: 'pr',
      values: ['pr', 'main'],
    },
    parallel: {
      description: 'Models trained at once; empty for the number of CPUs.',
      default: '',
    },
    'fail-on-gates': {
      description:
        'Fail the step when a model misses a metric gate (otherwise gates are only reported).',
      default: 'false',
    },
  },
  outputs: {
    'models-passed': 'Number of models whose data, training and scoring validation passed.',
    'models-failed': 'Number of models with a failed check.',
    metrics: 'Path of a JSON file with every check, metric and baseline per model.',
  },
  parseInputs: (read) => ({
    workingDirectory: read.string('working-directory'),
    config: read.string('config'),
    models: read.list('models'),
    stage: read.enum('stage'),
    parallel:
      read.optional('parallel') === undefined
        ? undefined
        : read.integer('parallel', { min: 1, max: 256 }),
    failOnGates: read.boolean('fail-on-gates'),
  }),
  execute: async (inputs, deps) => {
    const loaded = await loadConfig({
      workingDirectory: inputs.workingDirectory,
      config: inputs.config,
    });
    const models = selectModels(loaded.models, inputs.models);
    const { data } = loaded.config;
    const sample = await readTable(path.resolve(loaded.projectDir, data.sample), 'data sample');
    const violations = validateTable(sample, {
      columns: data.columns,
      keys: data.keys,
      minRows: data['min-rows'],
    });
    const dataCheck: Check = violations.length
      ? {
          status: 'failed',
          message: `${plural(violations.length, 'schema violation')} in ${data.sample}, first: ${violations[0]!.message}`,
        }
      : { status: 'passed' };
    const workDir = validationDir(loaded.projectDir, inputs.stage);
    // Each run starts clean so nothing of an earlier run is taken for this one.
    await rm(workDir, { recursive: true, force: true });
    await mkdir(workDir, { recursive: true });
    const ctx: ValidationContext = {
      loaded,
      stage: inputs.stage,
      sample,
      dataCheck,
      workDir,
      failOnGates: inputs.failOnGates,
      deps,
    };
    const concurrency = inputs.parallel ?? deps.cpus;
    deps.progress(
      `Validating ${models.length} models (stage ${inputs.stage}, ${concurrency} at a time)`,
    );
    let done = 0;
    const results = await mapLimit(models, concurrency, async (model): Promise<ModelValidation> => {
      const result = await validateModel(model, ctx).catch((error: unknown) =>
        crashed(model.name, model.params, error, dataCheck),
      );
      done += 1;
      deps.progress(`[${done}/${models.length}] ${progressLine(result)}`);
      return result;
    });
    const metricsFile = path.join(workDir, 'metrics.json');
    await writeFileAtomic(
      metricsFile,
      JSON.stringify(
        {
          stage: inputs.stage,
          generatedAt: deps.now().toISOString(),
          config: loaded.file,
          data: { sample: data.sample, rows: sample.rows.length, violations },
          models: results,
        },
        null,
        2,
      ) + '\n',
    );
    const failed = results.filter((r) => !r.passed);
    return {
      outputs: {
        'models-passed': String(results.length - failed.length),
        'models-failed': String(failed.length),
        metrics: metricsFile,
      },
      report: renderValidationReport(
        results,
        violations,
        inputs.stage,
        data.sample,
        runContext(deps.baseEnv),
      ),
      failure: failed.length
        ? `Basic model validation failed for ${failed.length} of ${results.length} models: ${failed
            .slice(0, 5)
            .map((r) => `${r.name} (${firstFailure(r)})`)
            .join(', ')}${failed.length > 5 ? ', …' : ''}`
        : undefined,
    };
  },
});

function crashed(
  name: string,
  params: Record<string, string>,
  error: unknown,
  data: Check,
): ModelValidation {
  return {
    name,
    params,
    epochs: 0,
    trainRows: 0,
    scoreRows: 0,
    checks: {
      data,
      train: { status: 'failed', message: messageOf(error) },
      score: { status: 'skipped' },
      gates: { status: 'skipped' },
    },
    gates: [],
    passed: false,
  };
}

function firstFailure(result: ModelValidation): string {
  const entry = Object.entries(result.checks).find(([, c]) => c.status === 'failed');
  return entry ? `${entry[0]}: ${entry[1].message ?? 'failed'}` : 'not validated';
}

function progressLine(r: ModelValidation): string {
  if (!r.passed) return `${r.name} failed: ${firstFailure(r)}`;
  const m = r.metrics?.mape;
  const b = r.baseline?.mape;
  const timing = `train ${((r.checks.train.durationMs ?? 0) / 1000).toFixed(1)} s, score ${((r.checks.score.durationMs ?? 0) / 1000).toFixed(1)} s`;
  return `${r.name} passed (${timing}, MAPE ${m?.toFixed(3) ?? '–'} vs baseline ${b?.toFixed(3) ?? '–'})`;
}
