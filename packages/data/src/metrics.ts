import type { MetricName } from '@mlops/config';
import { ConfigurationError } from '@mlops/foundation';
import { columnIndex, type Table } from './csv.js';
import { KEY_SEPARATOR } from './split.js';
import { parseNumber } from './values.js';

/** Each metric is null when no row qualifies (e.g. mape when every actual is zero). */
export type Metrics = Record<MetricName, number | null> & { rows: number; zero_rows: number };

/**
 * The suite's own metrics, so every model (and the baseline) is measured the same way.
 * mape skips zero actuals, which rmse_zero measures on its own.
 */
export function computeMetrics(actual: readonly number[], predicted: readonly number[]): Metrics {
  if (actual.length !== predicted.length) {
    throw new Error(`computeMetrics: ${actual.length} actuals but ${predicted.length} predictions`);
  }
  let squared = 0;
  let absolute = 0;
  let relative = 0;
  let zeroSquared = 0;
  let zeroRows = 0;
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i] ?? 0;
    const error = (predicted[i] ?? 0) - a;
    squared += error * error;
    absolute += Math.abs(error);
    if (a === 0) {
      zeroSquared += error * error;
      zeroRows++;
    } else {
      relative += Math.abs(error) / Math.abs(a);
    }
  }
  const rows = actual.length;
  const nonZero = rows - zeroRows;
  return {
    mape: nonZero ? relative / nonZero : null,
    rmse: rows ? Math.sqrt(squared / rows) : null,
    rmse_zero: zeroRows ? Math.sqrt(zeroSquared / zeroRows) : null,
    mae: rows ? absolute / rows : null,
    rows,
    zero_rows: zeroRows,
  };
}

/**
 * The baseline forecast: per score row, the mean target of the training rows of the same
 * series, or of all training rows for a series training never saw.
 */
export function historicalAverage(
  train: Table,
  seriesColumns: string[],
  target: string,
  score: Table,
): number[] {
  const targetIndex = columnIndex(train, target);
  const trainSeries = seriesColumns.map((column) => columnIndex(train, column));
  const scoreSeries = seriesColumns.map((column) => columnIndex(score, column));
  const sums = new Map<string, { sum: number; count: number }>();
  let sum = 0;
  let count = 0;
  for (const row of train.rows) {
    const value = parseNumber(row[targetIndex] ?? '');
    if (value === undefined) continue;
    const series = trainSeries.map((index) => row[index] ?? '').join(KEY_SEPARATOR);
    const total = sums.get(series) ?? { sum: 0, count: 0 };
    total.sum += value;
    total.count++;
    sums.set(series, total);
    sum += value;
    count++;
  }
  if (!count) {
    throw new ConfigurationError(
      `${train.file}: no training row has a numeric "${target}", so there is no historical average to compare with`,
    );
  }
  return score.rows.map((row) => {
    const total = sums.get(scoreSeries.map((index) => row[index] ?? '').join(KEY_SEPARATOR));
    return total ? total.sum / total.count : sum / count;
  });
}
