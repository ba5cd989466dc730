import type { Block } from '@mlops/foundation';
import type { Violation } from '@mlops/data';
import { describeGate, type Check, type ModelValidation } from './model-validation.js';
import { barChartBlocks, mapeLimit } from './charts.js';
import { formatNumber, formatSeconds, plural, STATUS_ICON } from './format.js';
import { runLinks } from './report-links.js';
import type { RunContext } from './run-context.js';

function cell(check: Check): string {
  return STATUS_ICON[check.status];
}

/** Model value against baseline, e.g. "0.312 (−41 %)". */
function versus(model: number | null | undefined, baseline: number | null | undefined): string {
  if (model === null || model === undefined) return '–';
  if (!baseline) return formatNumber(model);
  const change = ((model - baseline) / baseline) * 100;
  return `${formatNumber(model)} (${change <= 0 ? '−' : '+'}${Math.abs(change).toFixed(0)} %)`;
}

export function renderValidationReport(
  results: ModelValidation[],
  violations: Violation[],
  stage: string,
  samplePath: string,
  run: RunContext,
): Block[] {
  const failed = results.filter((r) => !r.passed);
  const ordered = [...failed, ...results.filter((r) => r.passed)];
  const beating = results.filter(
    (r) => r.metrics?.mape != null && r.baseline?.mape != null && r.metrics.mape < r.baseline.mape,
  );
  const gated = results.filter((r) => r.metrics && r.gates.every((g) => g.passed));
  const blocks: Block[] = [
    { kind: 'heading', text: `Basic model validation (stage ${stage})` },
    {
      kind: 'text',
      text: `**${results.length - failed.length} of ${plural(results.length, 'model')} passed.** Sample \`${samplePath}\`; MAPE below the historical-average baseline in ${beating.length} of ${results.length}; metric gates met by ${gated.length} of ${results.length}.`,
    },
  ];
  if (violations.length) {
    blocks.push(
      { kind: 'heading', text: 'Data validation', level: 3 },
      {
        kind: 'table',
        headers: ['Column', 'Check', 'Rows', 'Problem'],
        rows: violations.map((v) => [v.column ?? '–', v.check, v.count, v.message]),
      },
    );
  }
  blocks.push({
    kind: 'table',
    headers: [
      'Model',
      'Data',
      'Train',
      'Score',
      'Gates',
      'MAPE (vs baseline)',
      'Baseline MAPE',
      'RMSE',
      'RMSE zero',
      'MAE',
      'Train time',
    ],
    rows: ordered.map((r) => [
      `\`${r.name}\``,
      cell(r.checks.data),
      cell(r.checks.train),
      cell(r.checks.score),
      r.gates.length && r.gates.some((g) => !g.passed) && r.checks.gates.status === 'passed'
        ? '⚠️'
        : cell(r.checks.gates),
      versus(r.metrics?.mape, r.baseline?.mape),
      formatNumber(r.baseline?.mape),
      formatNumber(r.metrics?.rmse),
      formatNumber(r.metrics?.rmse_zero),
      formatNumber(r.metrics?.mae),
      r.checks.train.durationMs === undefined ? '–' : formatSeconds(r.checks.train.durationMs),
    ]),
  });
  const problems = ordered.flatMap((r) =>
    Object.entries(r.checks)
      .filter(([name, c]) => c.status === 'failed' && name !== 'data')
      .map(([name, c]) => `\`${r.name}\` ${name}: ${c.message ?? 'failed'}`),
  );
  if (problems.length)
    blocks.push({ kind: 'heading', text: 'Failures', level: 3 }, { kind: 'list', items: problems });
  const misses = results.flatMap((r) =>
    r.checks.gates.status === 'passed'
      ? r.gates.filter((g) => !g.passed).map((g) => `\`${r.name}\`: ${describeGate(g)}`)
      : [],
  );
  if (misses.length) {
    blocks.push(
      { kind: 'heading', text: 'Metric gates missed (reported only on this stage)', level: 3 },
      {
        kind: 'list',
        items: misses
          .slice(0, 20)
          .concat(misses.length > 20 ? [`… and ${misses.length - 20} more`] : []),
      },
    );
  }
  blocks.push(
    ...barChartBlocks({
      title: `MAPE vs baseline (stage ${stage})`,
      axis: 'MAPE',
      rows: results.map((r) => ({
        label: r.name,
        value: r.metrics?.mape ?? NaN,
        reference: r.baseline?.mape ?? undefined,
        limit: mapeLimit(r.gates.map((g) => ({ gate: g.gate.text, limit: g.limit }))),
      })),
      bars: 'model MAPE',
      reference: 'baseline MAPE (historical average)',
      limit: 'MAPE gate limit',
    }),
    ...runLinks(run),
  );
  return blocks;
}
