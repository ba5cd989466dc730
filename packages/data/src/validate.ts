import type { ColumnSpec } from '@mlops/config';
import { ConfigurationError } from '@mlops/foundation';
import type { Table } from './csv.js';
import { examplesOf, plural, Tally, type Example } from './format.js';
import { isBoolean, isDate, isInteger, isNull, parseNumber } from './values.js';

export interface DataSchema {
  columns: Record<string, ColumnSpec>;
  keys: string[];
  minRows: number;
}

export type Check =
  | 'missing-column'
  | 'type'
  | 'null'
  | 'min'
  | 'max'
  | 'allowed'
  | 'pattern'
  | 'unique'
  | 'key-unique'
  | 'min-rows';

/** One kind of problem in one column; `count` offending cells (1 for whole-table checks). */
export interface Violation {
  column?: string;
  check: Check;
  message: string;
  count: number;
  /** At most three; `line` is the CSV line (the header is line 1). */
  examples: Example[];
}

/** How each type is recognised, and what a wrong value is not (for one value, for several). */
const TYPES: Record<
  ColumnSpec['type'],
  { test: (value: string) => boolean; not: [string, string] }
> = {
  string: { test: () => true, not: ['a string', 'strings'] },
  integer: { test: isInteger, not: ['an integer', 'integers'] },
  number: { test: (value) => parseNumber(value) !== undefined, not: ['a number', 'numbers'] },
  date: {
    test: isDate,
    not: ['a YYYY-MM-DD date or ISO timestamp', 'YYYY-MM-DD dates or ISO timestamps'],
  },
  boolean: { test: isBoolean, not: ['true/false/0/1', 'true/false/0/1'] },
};

/** Checks the table against the schema; an empty list means the data is fit to train on. */
export function validateTable(table: Table, schema: DataSchema): Violation[] {
  const violations: Violation[] = [];
  const required = [...new Set([...Object.keys(schema.columns), ...schema.keys])];
  const present = new Map(table.columns.map((column, index) => [column, index]));
  for (const column of required) {
    if (!present.has(column)) {
      violations.push({
        column,
        check: 'missing-column',
        message: `column "${column}" is missing (columns: ${table.columns.join(', ')})`,
        count: 1,
        examples: [],
      });
    }
  }
  for (const [column, spec] of Object.entries(schema.columns)) {
    const index = present.get(column);
    if (index !== undefined) violations.push(...checkColumn(table.rows, column, index, spec));
  }
  const keyIndexes = schema.keys.map((key) => present.get(key));
  if (schema.keys.length && keyIndexes.every((index) => index !== undefined)) {
    const repeats = repeated(table.rows, (row) => keyIndexes.map((i) => row[i] ?? '').join(','));
    if (repeats.count) {
      violations.push({
        check: 'key-unique',
        message: `key (${schema.keys.join(', ')}) repeats ${plural(repeats.count, 'time')} ${examplesOf(repeats)}`,
        count: repeats.count,
        examples: repeats.examples,
      });
    }
  }
  if (table.rows.length < schema.minRows) {
    violations.push({
      check: 'min-rows',
      message: `has ${plural(table.rows.length, 'row')}, needs at least ${schema.minRows}`,
      count: 1,
      examples: [],
    });
  }
  return violations;
}

function checkColumn(
  rows: string[][],
  column: string,
  index: number,
  spec: ColumnSpec,
): Violation[] {
  const type = TYPES[spec.type];
  const numeric = spec.type === 'integer' || spec.type === 'number';
  const allowed = spec.allowed && new Set(spec.allowed.map(String));
  const pattern = spec.pattern === undefined ? undefined : fullMatch(column, spec.pattern);
  const nulls = new Tally();
  const wrongType = new Tally();
  const belowMin = new Tally();
  const aboveMax = new Tally();
  const notAllowed = new Tally();
  const unmatched = new Tally();
  for (let i = 0; i < rows.length; i++) {
    const value = rows[i]?.[index] ?? '';
    const line = i + 2;
    if (isNull(value)) {
      if (!spec.nullable) nulls.add(line, value);
      continue;
    }
    // A value of the wrong type is reported once, not again for every check it then fails.
    if (!type.test(value)) {
      wrongType.add(line, value);
      continue;
    }
    if (numeric) {
      const number = Number(value);
      if (spec.min !== undefined && number < spec.min) belowMin.add(line, value);
      if (spec.max !== undefined && number > spec.max) aboveMax.add(line, value);
    }
    if (allowed && !allowed.has(value)) notAllowed.add(line, value);
    if (pattern && !pattern.test(value)) unmatched.add(line, value);
  }
  const values = (tally: Tally): string => plural(tally.count, 'value');
  const found: [Check, Tally, string][] = [
    ['null', nulls, `${plural(nulls.count, 'null value')} but the column is not nullable`],
    [
      'type',
      wrongType,
      plural(wrongType.count, `value is not ${type.not[0]}`, `values are not ${type.not[1]}`),
    ],
    ['min', belowMin, `${values(belowMin)} below min ${spec.min}`],
    ['max', aboveMax, `${values(aboveMax)} above max ${spec.max}`],
    ['allowed', notAllowed, `${values(notAllowed)} not allowed (allowed: ${listed(spec.allowed)})`],
    ['pattern', unmatched, `${values(unmatched)} not matching pattern ${spec.pattern}`],
  ];
  if (spec.unique) {
    const repeats = repeated(rows, (row) => row[index] ?? '', isNull);
    found.push(['unique', repeats, `values repeat ${plural(repeats.count, 'time')}`]);
  }
  return found
    .filter(([, tally]) => tally.count > 0)
    .map(([check, tally, what]) => ({
      column,
      check,
      message: `column "${column}": ${what} ${examplesOf(tally)}`,
      count: tally.count,
      examples: tally.examples,
    }));
}

function listed(values: readonly (string | number)[] = []): string {
  const shown = values.slice(0, 10).join(', ');
  return values.length > 10 ? `${shown}, …` : shown;
}

/** Rows whose value was seen on an earlier row; `skip` leaves values out (nulls repeat freely). */
function repeated(
  rows: string[][],
  valueOf: (row: string[]) => string,
  skip?: (value: string) => boolean,
): Tally {
  const seen = new Set<string>();
  const repeats = new Tally();
  for (let i = 0; i < rows.length; i++) {
    const value = valueOf(rows[i] ?? []);
    if (skip?.(value)) continue;
    if (seen.has(value)) repeats.add(i + 2, value);
    else seen.add(value);
  }
  return repeats;
}

function fullMatch(column: string, pattern: string): RegExp {
  try {
    return new RegExp(`^(?:${pattern})$`);
  } catch (error) {
    throw new ConfigurationError(
      `data.columns.${column}.pattern ${JSON.stringify(pattern)} is not a valid regular expression (${(error as Error).message})`,
    );
  }
}
