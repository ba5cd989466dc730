import { describe, expect, it } from 'vitest';
import type { ColumnSpec } from '@mlops/config';
import { validateTable, type DataSchema, type Table } from '../src/index.js';
import { thrown } from './helpers.js';

function spec(type: ColumnSpec['type'], extra: Partial<ColumnSpec> = {}): ColumnSpec {
  return { type, nullable: false, unique: false, ...extra };
}

function table(columns: string[], rows: string[][]): Table {
  return { file: 'sample.csv', columns, rows };
}

/** A one-column table; value i is on CSV line i + 2. */
function column(values: string[]): Table {
  return table(
    ['v'],
    values.map((v) => [v]),
  );
}

function schema(columns: Record<string, ColumnSpec>, extra: Partial<DataSchema> = {}): DataSchema {
  return { columns, keys: [], minRows: 0, ...extra };
}

const messages = (t: Table, s: DataSchema): string[] => validateTable(t, s).map((v) => v.message);

describe('validateTable', () => {
  it('accepts a table that meets the schema', () => {
    const data = table(
      ['store_id', 'week', 'units', 'price', 'promo', 'extra'],
      [
        ['s1', '2024-01-01', '3', '1.5', 'true', 'x'],
        ['s1', '2024-01-08', '0', '2e1', 'FALSE', 'y'],
        ['s2', '2024-01-01', '12', '-.5', '1', 'z'],
      ],
    );
    const s = schema(
      {
        store_id: spec('string', { pattern: 's\\d+', allowed: ['s1', 's2'] }),
        week: spec('date'),
        units: spec('integer', { min: 0, max: 100 }),
        price: spec('number'),
        promo: spec('boolean'),
      },
      { keys: ['store_id', 'week'], minRows: 3 },
    );
    expect(validateTable(data, s)).toEqual([]);
  });

  it('reports configured and key columns that are missing, allowing extra columns', () => {
    const data = table(['a', 'b', 'c'], [['1', '2', '3']]);
    const s = schema({ a: spec('string'), region: spec('string') }, { keys: ['a', 'week'] });
    expect(validateTable(data, s)).toEqual([
      {
        column: 'region',
        check: 'missing-column',
        message: 'column "region" is missing (columns: a, b, c)',
        count: 1,
        examples: [],
      },
      {
        column: 'week',
        check: 'missing-column',
        message: 'column "week" is missing (columns: a, b, c)',
        count: 1,
        examples: [],
      },
    ]);
  });

  it('counts every null spelling in a column that is not nullable', () => {
    const data = column(['1', '', 'NA', 'NaN', 'null', 'None']);
    expect(validateTable(data, schema({ v: spec('integer') }))).toEqual([
      {
        column: 'v',
        check: 'null',
        message:
          'column "v": 5 null values but the column is not nullable (line 3: "", line 4: "NA", line 5: "NaN", …)',
        count: 5,
        examples: [
          { line: 3, value: '' },
          { line: 4, value: 'NA' },
          { line: 5, value: 'NaN' },
        ],
      },
    ]);
    expect(validateTable(data, schema({ v: spec('integer', { nullable: true }) }))).toEqual([]);
  });

  it('checks integers', () => {
    const data = column(['1', '-12', '007', '1.5', '+3', 'x', '1e3']);
    expect(messages(data, schema({ v: spec('integer') }))).toEqual([
      'column "v": 4 values are not integers (line 5: "1.5", line 6: "+3", line 7: "x", …)',
    ]);
  });

  it('checks finite numbers, exponents included', () => {
    const data = column([
      '1',
      '-2.5',
      '.5',
      '1e3',
      '2.5E-4',
      '-1e+2',
      'inf',
      '1e999',
      '1,5',
      '0x10',
    ]);
    expect(messages(data, schema({ v: spec('number') }))).toEqual([
      'column "v": 4 values are not numbers (line 8: "inf", line 9: "1e999", line 10: "1,5", …)',
    ]);
    expect(messages(column(['abc']), schema({ v: spec('number') }))).toEqual([
      'column "v": 1 value is not a number (line 2: "abc")',
    ]);
  });

  it('checks dates and timestamps on the real calendar', () => {
    const good = [
      '2024-01-31',
      '2024-02-29',
      '2024-01-01T10:00:00Z',
      '2024-01-01 10:00:00',
      '2024-01-01T10:00',
      '2024-01-01T10:00:00.123+01:00',
    ];
    expect(messages(column(good), schema({ v: spec('date') }))).toEqual([]);
    const bad = ['2023-02-29', '2024-13-01', '01/02/2024', '2024-01-01T25:00:00Z', '2024-1-1'];
    expect(messages(column(bad), schema({ v: spec('date') }))).toEqual([
      'column "v": 5 values are not YYYY-MM-DD dates or ISO timestamps (line 2: "2023-02-29", line 3: "2024-13-01", line 4: "01/02/2024", …)',
    ]);
  });

  it('checks booleans without regard to case', () => {
    const data = column(['true', 'False', 'TRUE', '0', '1', 'yes', '2']);
    expect(messages(data, schema({ v: spec('boolean') }))).toEqual([
      'column "v": 2 values are not true/false/0/1 (line 7: "yes", line 8: "2")',
    ]);
  });

  it('checks min and max with line numbers and at most three examples', () => {
    const values = Array.from({ length: 100 }, () => '5');
    values[12] = '-2'; // line 14
    values[78] = '-1';
    values[89] = '-7';
    values[90] = '101';
    const violations = validateTable(
      column(values),
      schema({ v: spec('integer', { min: 0, max: 100 }) }),
    );
    expect(violations.map((v) => v.message)).toEqual([
      'column "v": 3 values below min 0 (line 14: "-2", line 80: "-1", line 91: "-7")',
      'column "v": 1 value above max 100 (line 92: "101")',
    ]);
    expect(violations.map((v) => [v.check, v.count])).toEqual([
      ['min', 3],
      ['max', 1],
    ]);
  });

  it('reports a value of the wrong type once, not also against min, allowed or pattern', () => {
    const s = schema({ v: spec('integer', { min: 0, allowed: [1, 2], pattern: '\\d' }) });
    expect(messages(column(['1', 'x']), s)).toEqual([
      'column "v": 1 value is not an integer (line 3: "x")',
    ]);
  });

  it('compares allowed values as strings', () => {
    const s = schema({ v: spec('number', { allowed: [1, 2.5] }) });
    expect(messages(column(['1', '2.5', '1.0', '3']), s)).toEqual([
      'column "v": 2 values not allowed (allowed: 1, 2.5) (line 4: "1.0", line 5: "3")',
    ]);
    const many = Array.from({ length: 12 }, (_, i) => `r${i}`);
    expect(messages(column(['x']), schema({ v: spec('string', { allowed: many }) }))).toEqual([
      'column "v": 1 value not allowed (allowed: r0, r1, r2, r3, r4, r5, r6, r7, r8, r9, …) (line 2: "x")',
    ]);
  });

  it('requires the pattern to match the whole value', () => {
    const s = schema({ v: spec('string', { pattern: 'P\\d+|Q' }) });
    expect(messages(column(['P1', 'P22', 'Q', 'xP1', 'P1x', 'QQ']), s)).toEqual([
      'column "v": 3 values not matching pattern P\\d+|Q (line 5: "xP1", line 6: "P1x", line 7: "QQ")',
    ]);
  });

  it('rejects a pattern that is not a regular expression', () => {
    const s = schema({ v: spec('string', { pattern: 'a(' }) });
    expect(thrown(() => validateTable(column(['a']), s))).toBe(
      'data.columns.v.pattern "a(" is not a valid regular expression (Invalid regular expression: /^(?:a()$/: Unterminated group)',
    );
  });

  it('finds repeated values of a unique column, ignoring nulls', () => {
    const data = column(['a', 'b', 'a', '', '', 'b', 'a']);
    const violations = validateTable(
      data,
      schema({ v: spec('string', { unique: true, nullable: true }) }),
    );
    expect(violations).toEqual([
      {
        column: 'v',
        check: 'unique',
        message: 'column "v": values repeat 3 times (line 4: "a", line 7: "b", line 8: "a")',
        count: 3,
        examples: [
          { line: 4, value: 'a' },
          { line: 7, value: 'b' },
          { line: 8, value: 'a' },
        ],
      },
    ]);
  });

  it('finds repeated keys over the key columns combined', () => {
    const data = table(
      ['store_id', 'product_id', 'week'],
      [
        ['s1', 'p1', '2024-01-01'],
        ['s1', 'p2', '2024-01-01'],
        ['s2', 'p1', '2024-01-01'],
        ['s1', 'p1', '2024-01-01'],
        ['s1', 'p1', '2024-01-08'],
        ['s2', 'p1', '2024-01-01'],
      ],
    );
    const keys = ['store_id', 'product_id', 'week'];
    const violations = validateTable(data, schema({}, { keys }));
    expect(violations).toEqual([
      {
        check: 'key-unique',
        message:
          'key (store_id, product_id, week) repeats 2 times (line 5: "s1,p1,2024-01-01", line 7: "s2,p1,2024-01-01")',
        count: 2,
        examples: [
          { line: 5, value: 's1,p1,2024-01-01' },
          { line: 7, value: 's2,p1,2024-01-01' },
        ],
      },
    ]);
  });

  it('requires a minimum number of rows', () => {
    const twelve = column(Array.from({ length: 12 }, String));
    expect(validateTable(twelve, schema({}, { minRows: 50 }))).toEqual([
      { check: 'min-rows', message: 'has 12 rows, needs at least 50', count: 1, examples: [] },
    ]);
    expect(messages(column(['1']), schema({}, { minRows: 2 }))).toEqual([
      'has 1 row, needs at least 2',
    ]);
    expect(messages(twelve, schema({}, { minRows: 12 }))).toEqual([]);
  });

  it('shortens long values in messages', () => {
    const long = 'x'.repeat(50);
    expect(messages(column([long]), schema({ v: spec('integer') }))).toEqual([
      `column "v": 1 value is not an integer (line 2: "${'x'.repeat(40)}…")`,
    ]);
  });

  it('validates 100k rows of 16 columns and finds the one bad value', () => {
    const columns = Array.from({ length: 16 }, (_, i) => `c${i}`);
    const types: ColumnSpec['type'][] = ['string', 'integer', 'number', 'date'];
    const rows = Array.from({ length: 100_000 }, (_, r) =>
      columns.map(
        (_, c) =>
          [
            `s${r}`,
            String(r % 1000),
            `${r}.25`,
            `2024-01-${String((r % 28) + 1).padStart(2, '0')}`,
          ][c % 4]!,
      ),
    );
    const s = schema(
      Object.fromEntries(
        columns.map((name, c) => [
          name,
          spec(types[c % 4]!, {
            min: c % 4 === 1 ? 0 : undefined,
            pattern: c === 0 ? 's\\d+' : undefined,
          }),
        ]),
      ),
      { keys: ['c0', 'c3'], minRows: 1 },
    );
    // Speed is measured in bench/, not here.
    rows[99_999]![1] = 'x';
    expect(messages(table(columns, rows), s)).toEqual([
      'column "c1": 1 value is not an integer (line 100001: "x")',
    ]);
  });
});
