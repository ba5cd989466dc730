import { describe, expect, it } from 'vitest';
import { splitForModel, type SplitOptions, type Table } from '../src/index.js';
import { thrown } from './helpers.js';

const columns = ['region', 'store_id', 'week', 'units', 'price'];
const rows = [
  ['north', 's1', '2024-01-01', '3', '1.0'],
  ['north', 's1', '2024-01-08', '4', '1.0'],
  ['north', 's1', '2024-01-15', '5', '1.1'],
  ['south', 's2', '2024-01-22', '9', '2.0'],
  ['north', 's2', '2024-01-15', '6', '1.2'],
  ['north', 's2', '2024-01-01', '', '1.2'],
];
const table: Table = { file: 'data/sample.csv', columns, rows };

function options(extra: Partial<SplitOptions> = {}): SplitOptions {
  return {
    params: { region: 'north', lr: '0.1' },
    time: 'week',
    target: 'units',
    keys: ['store_id', 'week'],
    holdoutPeriods: 1,
    ...extra,
  };
}

describe('splitForModel', () => {
  it("holds out the latest time values of the model's own rows", () => {
    const data = splitForModel(table, options());
    // 2024-01-22 belongs to south only, so north's latest week is 2024-01-15.
    expect(data.train).toEqual({
      file: 'data/sample.csv',
      columns,
      rows: [rows[0], rows[1], rows[5]],
    });
    expect(data.score).toEqual({
      file: 'data/sample.csv',
      columns: ['region', 'store_id', 'week', 'price'],
      rows: [
        ['north', 's1', '2024-01-15', '1.1'],
        ['north', 's2', '2024-01-15', '1.2'],
      ],
    });
    expect(data.actuals).toEqual([5, 6]);
    expect(data.scoreKeys).toEqual(['s1\u001f2024-01-15', 's2\u001f2024-01-15']);
  });

  it('holds out several periods and uses every row when no param names a column', () => {
    const data = splitForModel(table, options({ params: { depth: '3' }, holdoutPeriods: 2 }));
    expect(data.train.rows).toEqual([rows[0], rows[1], rows[5]]);
    expect(data.actuals).toEqual([5, 9, 6]);
  });

  it('orders numeric time values as numbers', () => {
    const weeks: Table = {
      file: 'w.csv',
      columns: ['week', 'y'],
      rows: [
        ['9', '1'],
        ['10', '2'],
        ['8', '3'],
      ],
    };
    const data = splitForModel(weeks, options({ params: {}, keys: ['week'], target: 'y' }));
    expect(data.scoreKeys).toEqual(['10']);
    expect(data.train.rows).toEqual([
      ['9', '1'],
      ['8', '3'],
    ]);
  });

  it('rejects a model no row matches', () => {
    expect(
      thrown(() => splitForModel(table, options({ params: { region: 'east', store_id: 's1' } }))),
    ).toBe(
      'no rows of data/sample.csv match region=east, store_id=s1: check the matrix values against the data',
    );
  });

  it('rejects a holdout that leaves nothing to train on', () => {
    expect(thrown(() => splitForModel(table, options({ holdoutPeriods: 3 })))).toBe(
      'data.holdout-periods is 3 but the rows matching region=north have only 3 distinct week values, leaving none to train on: lower holdout-periods',
    );
  });

  it('rejects a scored row whose target is not a number', () => {
    const bad: Table = {
      ...table,
      rows: [...rows.slice(0, 4), ['north', 's2', '2024-01-15', 'NA', '1']],
    };
    expect(thrown(() => splitForModel(bad, options()))).toBe(
      'data/sample.csv: line 6 is in the holdout but its units "NA" is not a number: every scored row needs a numeric target',
    );
  });

  it('names a configured column the data lacks', () => {
    expect(thrown(() => splitForModel(table, options({ time: 'date' })))).toBe(
      'data/sample.csv has no column "date" (columns: region, store_id, week, units, price)',
    );
  });
});
