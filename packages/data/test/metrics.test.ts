import { describe, expect, it } from 'vitest';
import { computeMetrics, historicalAverage, type Table } from '../src/index.js';
import { thrown } from './helpers.js';

describe('computeMetrics', () => {
  it('computes mape over non-zero actuals and rmse_zero over zero actuals', () => {
    const metrics = computeMetrics([10, 20, 0, 0], [12, 15, 1, 3]);
    expect(metrics).toEqual({
      mape: (0.2 + 0.25) / 2,
      rmse: Math.sqrt((4 + 25 + 1 + 9) / 4),
      rmse_zero: Math.sqrt((1 + 9) / 2),
      mae: (2 + 5 + 1 + 3) / 4,
      rows: 4,
      zero_rows: 2,
    });
  });

  it('uses the absolute actual for mape', () => {
    expect(computeMetrics([-4], [-2]).mape).toBe(0.5);
  });

  it('gives null where no row qualifies', () => {
    expect(computeMetrics([0, 0], [1, 1])).toEqual({
      mape: null,
      rmse: 1,
      rmse_zero: 1,
      mae: 1,
      rows: 2,
      zero_rows: 2,
    });
    expect(computeMetrics([5], [5]).rmse_zero).toBeNull();
    expect(computeMetrics([], [])).toEqual({
      mape: null,
      rmse: null,
      rmse_zero: null,
      mae: null,
      rows: 0,
      zero_rows: 0,
    });
  });

  it('refuses arrays of different lengths', () => {
    expect(() => computeMetrics([1, 2], [1])).toThrow(
      'computeMetrics: 2 actuals but 1 predictions',
    );
  });
});

describe('historicalAverage', () => {
  const train: Table = {
    file: 'data/sample.csv',
    columns: ['store', 'product', 'week', 'units'],
    rows: [
      ['s1', 'p1', '1', '2'],
      ['s1', 'p1', '2', '4'],
      ['s1', 'p2', '1', '10'],
      ['s2', 'p1', '1', 'NA'],
      ['s2', 'p1', '2', '6'],
    ],
  };
  const score: Table = {
    file: 'data/sample.csv',
    columns: ['store', 'product', 'week'],
    rows: [
      ['s1', 'p1', '3'],
      ['s1', 'p2', '3'],
      ['s2', 'p1', '3'],
      ['s3', 'p1', '3'],
    ],
  };

  it('averages each series, skipping non-numeric targets, and falls back to the overall mean', () => {
    expect(historicalAverage(train, ['store', 'product'], 'units', score)).toEqual([
      3,
      10,
      6,
      (2 + 4 + 10 + 6) / 4,
    ]);
  });

  it('averages all training rows when there are no series columns', () => {
    expect(historicalAverage(train, [], 'units', score)).toEqual([5.5, 5.5, 5.5, 5.5]);
  });

  it('rejects training rows without a numeric target', () => {
    const empty: Table = { ...train, rows: [['s1', 'p1', '1', '']] };
    expect(thrown(() => historicalAverage(empty, ['store'], 'units', score))).toBe(
      'data/sample.csv: no training row has a numeric "units", so there is no historical average to compare with',
    );
  });
});
