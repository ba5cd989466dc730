import { ConfigurationError } from '@mlops/foundation';
import { readTable } from './csv.js';
import { examplesOf, plural, Tally, type Example } from './format.js';
import { KEY_SEPARATOR } from './split.js';
import { parseNumber } from './values.js';

export interface PredictionOptions {
  keys: string[];
  /** The keys of the score input, in order (ModelData.scoreKeys). */
  expectedKeys: string[];
  min?: number;
  max?: number;
}

export interface PredictionCheck {
  /** One value per expected key, in its order; NaN where missing or not a number. */
  values: number[];
  /** One line each; empty when the predictions are complete and plausible. */
  problems: string[];
}

/**
 * Reads the predictions.csv a score command wrote and lines it up with the score input.
 * A file unfit to read at all throws; anything else becomes a problem to report.
 */
export async function readPredictions(
  file: string,
  options: PredictionOptions,
): Promise<PredictionCheck> {
  const fix = 'the score command must write key columns and "prediction"';
  const table = await readTable(file, 'predictions', `${fix} to it`);
  const missing = [...options.keys, 'prediction'].filter((c) => !table.columns.includes(c));
  if (missing.length) {
    const names = missing.map((column) => `"${column}"`).join(', ');
    throw new ConfigurationError(
      `predictions ${file} has no ${names} ${missing.length === 1 ? 'column' : 'columns'} (columns: ${table.columns.join(', ')}): ${fix}`,
    );
  }
  const keyIndexes = options.keys.map((key) => table.columns.indexOf(key));
  const predictionIndex = table.columns.indexOf('prediction');
  const expected = new Map(options.expectedKeys.map((key, i) => [key, i]));
  const values = options.expectedKeys.map(() => NaN);
  const answered = new Set<number>();
  const duplicate = new Tally();
  const unknown = new Tally();
  const invalid = new Tally();
  const belowMin = new Tally();
  const aboveMax = new Tally();
  for (const [i, row] of table.rows.entries()) {
    const line = i + 2;
    const key = keyIndexes.map((index) => row[index] ?? '').join(KEY_SEPARATOR);
    const position = expected.get(key);
    if (position === undefined) {
      unknown.add(line, key);
    } else if (answered.has(position)) {
      duplicate.add(line, key);
    } else {
      answered.add(position);
      const text = row[predictionIndex] ?? '';
      const value = parseNumber(text);
      if (value === undefined) {
        invalid.add(line, text);
        continue;
      }
      if (options.min !== undefined && value < options.min) belowMin.add(line, text);
      if (options.max !== undefined && value > options.max) aboveMax.add(line, text);
      values[position] = value;
    }
  }
  const unanswered = new Tally();
  options.expectedKeys.forEach((key, i) => {
    if (!answered.has(i)) unanswered.add(i, key);
  });
  const showKey = (example: Example): string => describeKey(options.keys, example.value);
  const atLine = (example: Example): string => `line ${example.line}: ${showKey(example)}`;
  const problems: string[] = [];
  if (unanswered.count) {
    problems.push(
      `${unanswered.count} of ${plural(values.length, 'input row')} ${unanswered.count === 1 ? 'has' : 'have'} no prediction ${examplesOf(unanswered, showKey, '; ')}`,
    );
  }
  if (duplicate.count) {
    problems.push(
      `${plural(duplicate.count, 'prediction repeats a key', 'predictions repeat keys')} predicted before ${examplesOf(duplicate, atLine, '; ')}`,
    );
  }
  if (unknown.count) {
    problems.push(
      `${plural(unknown.count, 'prediction is for a key', 'predictions are for keys')} not in the input ${examplesOf(unknown, atLine, '; ')}`,
    );
  }
  if (invalid.count) {
    problems.push(
      `${plural(invalid.count, 'prediction is not a finite number', 'predictions are not finite numbers')} ${examplesOf(invalid)}`,
    );
  }
  if (belowMin.count) {
    problems.push(
      `${plural(belowMin.count, 'prediction')} below min ${options.min} ${examplesOf(belowMin)}`,
    );
  }
  if (aboveMax.count) {
    problems.push(
      `${plural(aboveMax.count, 'prediction')} above max ${options.max} ${examplesOf(aboveMax)}`,
    );
  }
  return { values, problems };
}

/** `store_id=s1, week=2024-11-04` from a joined key. */
function describeKey(keys: string[], key: string): string {
  const values = key.split(KEY_SEPARATOR);
  return keys.map((name, i) => `${name}=${values[i] ?? ''}`).join(', ');
}
