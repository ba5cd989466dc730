import { ConfigurationError } from '@mlops/foundation';

/** Metrics the suite computes itself from predictions (DESIGN 4.2). */
export const METRIC_NAMES = ['mape', 'rmse', 'rmse_zero', 'mae'] as const;
export type MetricName = (typeof METRIC_NAMES)[number];

export type GateOperator = '<' | '<=' | '>' | '>=';

export interface Gate {
  text: string;
  metric: MetricName;
  operator: GateOperator;
  /** A fixed number, or the baseline's value of the same metric times a factor. */
  threshold: { value: number } | { baselineFactor: number };
}

export const GATE_PATTERN =
  /^\s*(mape|rmse|rmse_zero|mae)\s*(<=|<|>=|>)\s*(?:(-?\d+(?:\.\d+)?)|baseline(?:\s*\*\s*(\d+(?:\.\d+)?))?)\s*$/;

export function parseGate(text: string): Gate {
  const match = GATE_PATTERN.exec(text);
  if (!match) {
    throw new ConfigurationError(
      `gate "${text}" is not of the form "<metric> <op> <number | baseline [* factor]>"`,
    );
  }
  const [, metric, operator, value, factor] = match;
  return {
    text: text.trim(),
    metric: metric as MetricName,
    operator: operator as GateOperator,
    threshold:
      value !== undefined ? { value: Number(value) } : { baselineFactor: Number(factor ?? 1) },
  };
}

export interface GateResult {
  gate: Gate;
  passed: boolean;
  actual: number | undefined;
  limit: number | undefined;
}

/** Checks a gate against a model's metrics; a missing number fails the gate. */
export function evaluateGate(
  gate: Gate,
  model: Partial<Record<MetricName, number>>,
  baseline: Partial<Record<MetricName, number>>,
): GateResult {
  const actual = model[gate.metric];
  const limit =
    'value' in gate.threshold
      ? gate.threshold.value
      : baseline[gate.metric] === undefined
        ? undefined
        : (baseline[gate.metric] as number) * gate.threshold.baselineFactor;
  if (actual === undefined || limit === undefined || !Number.isFinite(actual)) {
    return { gate, passed: false, actual, limit };
  }
  const passed =
    gate.operator === '<'
      ? actual < limit
      : gate.operator === '<='
        ? actual <= limit
        : gate.operator === '>'
          ? actual > limit
          : actual >= limit;
  return { gate, passed, actual, limit };
}
