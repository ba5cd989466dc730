import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { LoadedConfig, ModelSpec } from '@mlops/config';
import { ConfigurationError } from '@mlops/foundation';
import {
  computeMetrics,
  readPredictions,
  readTable,
  splitForModel,
  writeTable,
  type Metrics,
  type Table,
} from '@mlops/data';
import { splitOptions } from './model-validation.js';

/** A model's scoring input (no target) and the actuals the suite keeps to itself. */
export interface BatchData {
  /** Folder holding score.csv, for MLOPS_DATA_DIR. */
  dir: string;
  rows: number;
  keys: string[];
  actuals: number[];
  /** What score.csv holds. */
  score: Table;
}

/**
 * The rows a model is scored on outside validation: its latest
 * `holdout-periods` of the data it was trained from (the sample, for models
 * trained by basic-model-validate), with the actuals kept back so the run
 * can be measured.
 */
export async function prepareBatch(
  loaded: LoadedConfig,
  model: ModelSpec,
  dir: string,
  cache: Map<string, Table>,
): Promise<BatchData> {
  const { data } = loaded.config;
  const file = path.resolve(loaded.projectDir, data.sample);
  let table = cache.get(file);
  if (!table) {
    table = await readTable(file, 'data sample');
    cache.set(file, table);
  }
  const split = splitForModel(table, splitOptions(loaded.config, model.params));
  await mkdir(dir, { recursive: true });
  await writeTable(path.join(dir, 'score.csv'), split.score.columns, split.score.rows);
  return {
    dir,
    rows: split.score.rows.length,
    keys: split.scoreKeys,
    actuals: split.actuals,
    score: split.score,
  };
}

/** Reads a run's predictions and measures them against the batch's actuals. */
export async function measurePredictions(
  loaded: LoadedConfig,
  batch: BatchData,
  outputDir: string,
): Promise<{ rows: number; metrics?: Metrics; problems: string[] }> {
  const file = path.join(outputDir, 'predictions.csv');
  const check = await readPredictions(file, {
    keys: loaded.config.data.keys,
    expectedKeys: batch.keys,
    min: loaded.config.predictions.min,
    max: loaded.config.predictions.max,
  }).catch((error: unknown) => {
    if (error instanceof ConfigurationError)
      return { values: [] as number[], problems: [error.message] };
    throw error;
  });
  const rows = check.values.filter((v) => Number.isFinite(v)).length;
  return check.problems.length
    ? { rows, problems: check.problems }
    : { rows, metrics: computeMetrics(batch.actuals, check.values), problems: [] };
}
