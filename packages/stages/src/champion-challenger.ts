import type { ProjectConfig } from '@mlops/config';
import type { Metrics } from '@mlops/data';

export interface Comparison {
  better: boolean;
  /** Relative improvement of the primary metric (positive is better). */
  improvement: number;
  /** Why not better, in one line; empty when better. */
  reasons: string[];
}

/**
 * Champion/challenger under the promotion policy: the primary metric must
 * improve by at least min-improvement (relative), and no guard metric may get
 * worse by more than its tolerance (relative).
 */
export function compareModels(
  policy: ProjectConfig['promotion'],
  challenger: Metrics,
  champion: Metrics,
): Comparison {
  const metric = policy['primary-metric'];
  const sign = policy.direction === 'minimize' ? 1 : -1;
  const relative = (name: keyof Metrics): number | undefined => {
    const a = challenger[name];
    const b = champion[name];
    if (typeof a !== 'number' || typeof b !== 'number' || b === 0) return undefined;
    return (sign * (b - a)) / Math.abs(b);
  };
  const improvement = relative(metric);
  const reasons: string[] = [];
  if (improvement === undefined) {
    reasons.push(`${metric} cannot be compared (missing on one side)`);
  } else if (improvement < policy['min-improvement']) {
    reasons.push(
      `${metric} ${fmt(challenger[metric])} vs champion ${fmt(champion[metric])}: ${(improvement * 100).toFixed(1)} % better, needs ${(policy['min-improvement'] * 100).toFixed(1)} %`,
    );
  }
  for (const guard of policy.guards) {
    const change = relative(guard.metric);
    if (change !== undefined && change < -guard.tolerance) {
      reasons.push(
        `${guard.metric} ${fmt(challenger[guard.metric])} vs champion ${fmt(champion[guard.metric])}: ${(-change * 100).toFixed(1)} % worse, tolerance ${(guard.tolerance * 100).toFixed(1)} %`,
      );
    }
  }
  return { better: reasons.length === 0, improvement: improvement ?? 0, reasons };
}

function fmt(value: number | null | undefined): string {
  return typeof value === 'number' ? value.toFixed(3) : '–';
}
