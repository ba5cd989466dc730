import { ConfigurationError } from '@mlops/foundation';
import { columnIndex, type Table } from './csv.js';
import { quote } from './format.js';
import { parseNumber } from './values.js';

export interface SplitOptions {
  /** The model's params; those named like a column select its rows, the rest are settings. */
  params: Record<string, string>;
  time: string;
  target: string;
  keys: string[];
  holdoutPeriods: number;
}

export interface ModelData {
  train: Table;
  /** The holdout rows without the target column. */
  score: Table;
  /** The target of each score row, in order. */
  actuals: number[];
  /** The key of each score row, in order: key column values joined by KEY_SEPARATOR. */
  scoreKeys: string[];
}

/** Joins key values: a control character no CSV value of a key is expected to hold. */
export const KEY_SEPARATOR = '\u001f';

/** The model's rows, split into training rows and the latest `holdoutPeriods` time values to score. */
export function splitForModel(table: Table, options: SplitOptions): ModelData {
  const filters = Object.entries(options.params)
    .filter(([name]) => table.columns.includes(name))
    .map(([name, value]) => [columnIndex(table, name), value] as const);
  const timeIndex = columnIndex(table, options.time);
  const targetIndex = columnIndex(table, options.target);
  const keyIndexes = options.keys.map((key) => columnIndex(table, key));
  const lines: number[] = [];
  table.rows.forEach((row, i) => {
    if (filters.every(([index, value]) => row[index] === value)) lines.push(i);
  });
  const selection = filters.map(([index, value]) => `${table.columns[index]}=${value}`).join(', ');
  if (!lines.length) {
    throw new ConfigurationError(
      filters.length
        ? `no rows of ${table.file} match ${selection}: check the matrix values against the data`
        : `${table.file} has no rows`,
    );
  }
  const times = sortTimes([...new Set(lines.map((i) => table.rows[i]?.[timeIndex] ?? ''))]);
  if (times.length <= options.holdoutPeriods) {
    const whose = filters.length ? `the rows matching ${selection}` : `the rows of ${table.file}`;
    throw new ConfigurationError(
      `data.holdout-periods is ${options.holdoutPeriods} but ${whose} have only ${times.length} distinct ${options.time} values, leaving none to train on: lower holdout-periods`,
    );
  }
  const holdout = new Set(times.slice(-options.holdoutPeriods));
  const scoreColumns = table.columns.filter((_, index) => index !== targetIndex);
  const data: ModelData = {
    train: { file: table.file, columns: table.columns, rows: [] },
    score: { file: table.file, columns: scoreColumns, rows: [] },
    actuals: [],
    scoreKeys: [],
  };
  for (const i of lines) {
    const row = table.rows[i] ?? [];
    if (!holdout.has(row[timeIndex] ?? '')) {
      data.train.rows.push(row);
      continue;
    }
    const value = row[targetIndex] ?? '';
    const actual = parseNumber(value);
    if (actual === undefined) {
      throw new ConfigurationError(
        `${table.file}: line ${i + 2} is in the holdout but its ${options.target} ${quote(value)} is not a number: every scored row needs a numeric target`,
      );
    }
    data.score.rows.push(row.filter((_, index) => index !== targetIndex));
    data.actuals.push(actual);
    data.scoreKeys.push(keyIndexes.map((index) => row[index] ?? '').join(KEY_SEPARATOR));
  }
  return data;
}

/** Time values in order: numerically when all are numbers (week 10 after week 9), else as text (ISO dates). */
function sortTimes(times: string[]): string[] {
  const numbers = times.map(parseNumber);
  if (numbers.every((n) => n !== undefined)) {
    const order = times.map((time, i) => ({ time, number: numbers[i] ?? 0 }));
    return order.sort((a, b) => a.number - b.number).map(({ time }) => time);
  }
  return times.sort();
}
