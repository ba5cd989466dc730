import { describe, expect, it } from 'vitest';
import { evaluateGate, parseGate } from '../src/index.js';

describe('gates', () => {
  it('parses fixed and baseline-relative thresholds', () => {
    expect(parseGate('mape <= 0.45')).toEqual({
      text: 'mape <= 0.45',
      metric: 'mape',
      operator: '<=',
      threshold: { value: 0.45 },
    });
    expect(parseGate(' rmse < baseline * 0.9 ').threshold).toEqual({ baselineFactor: 0.9 });
    expect(parseGate('mae > baseline').threshold).toEqual({ baselineFactor: 1 });
    expect(() => parseGate('accuracy >= 0.9')).toThrow('gate "accuracy >= 0.9" is not of the form');
  });

  it('compares with each operator at the boundary', () => {
    const at = (text: string, value: number) =>
      evaluateGate(parseGate(text), { mape: value }, { mape: 0.5 }).passed;
    expect([
      at('mape <= 0.45', 0.45),
      at('mape < 0.45', 0.45),
      at('mape >= 0.45', 0.45),
      at('mape > 0.45', 0.46),
    ]).toEqual([true, false, true, true]);
    expect(
      evaluateGate(parseGate('mape < baseline * 0.9'), { mape: 0.44 }, { mape: 0.5 }),
    ).toMatchObject({ passed: true, limit: 0.45 });
  });

  it('fails a gate whose number is missing rather than passing it', () => {
    expect(evaluateGate(parseGate('rmse_zero <= 1'), { mape: 0.1 }, {}).passed).toBe(false);
    expect(evaluateGate(parseGate('mape < baseline'), { mape: 0.1 }, {})).toMatchObject({
      passed: false,
      limit: undefined,
    });
  });
});
