import type { Block } from '@mlops/foundation';
import { plural } from './format.js';

/*
 * Charts for the job summaries, built from data as mermaid text. Pure: the
 * same rows give the same text, so tests compare it exactly.
 */

/** Most bars in one chart: more do not fit their labels. */
export const MAX_BARS = 30;
/** Most bar charts for one comparison; the rest of the rows stay in the table. */
export const MAX_CHARTS = 2;
/** Most days of a champion history; earlier ones are in the ledger. */
export const MAX_DAYS = 10;
/** More changes than this on one day are counted rather than listed. */
export const MAX_PER_DAY = 6;

/** Bars, then the reference line, then the limit line, in the order they are drawn. */
const PALETTE = '#4e79a7, #f28e2b, #e15759';

/**
 * A label mermaid reads as plain text in any diagram: letters, digits, space
 * and `_ . - + / ( )`; anything else (quotes, colons, `#`, `;`, brackets,
 * backticks, new lines) becomes `_`. At most `max` characters.
 */
export function chartLabel(text: string, max = 40): string {
  const safe = text
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/[^\p{L}\p{N} _.+/()-]/gu, '_');
  const chars = [...safe];
  return chars.length > max ? `${chars.slice(0, max - 1).join('')}…` : safe || '_';
}

/** Labels made distinct, so two names that escape alike keep their own bars. */
function distinct(labels: string[]): string[] {
  const seen = new Map<string, number>();
  return labels.map((label) => {
    const count = (seen.get(label) ?? 0) + 1;
    seen.set(label, count);
    return count === 1 ? label : `${label} (${count})`;
  });
}

/** A number as mermaid data: at most three decimals, no trailing zeros. */
function datum(value: number): string {
  return String(Number(value.toFixed(3)));
}

/** The top of the value axis: the next multiple of half a power of ten at or above `max`. */
export function axisTop(max: number): number {
  if (!(max > 0)) return 1;
  const unit = 10 ** Math.floor(Math.log10(max)) / 2;
  return Number((Math.ceil(max / unit - 1e-9) * unit).toPrecision(6));
}

export interface BarRow {
  /** What the bar is, e.g. a model name; escaped by the builder. */
  label: string;
  value: number;
  /** Drawn as a line across the bars, e.g. the baseline's value. */
  reference?: number;
  /** Drawn as a second line, e.g. the gate's limit for this row. */
  limit?: number;
}

export interface BarChartSpec {
  title: string;
  /** The value axis, e.g. "MAPE". */
  axis: string;
  rows: readonly BarRow[];
  maxBars?: number;
  maxCharts?: number;
}

export interface BarCharts {
  charts: string[];
  /** Rows drawn: the worst ones when there were more than fit. */
  shown: number;
  /** Rows without a finite value, left out. */
  missing: number;
  /** Rows past the last chart (the lowest values), left out. */
  beyond: number;
  /** Whether the reference and limit lines are drawn (every drawn row has the value). */
  reference: boolean;
  limit: boolean;
}

/**
 * Horizontal bar charts of a value per row, highest (worst, for an error
 * metric) first, with the rows' reference and limit as lines where every
 * drawn row has one. More rows than `maxBars` are split over charts of equal
 * size sharing one axis; past `maxCharts` charts the best rows are left out.
 */
export function barCharts(spec: BarChartSpec): BarCharts {
  const maxBars = spec.maxBars ?? MAX_BARS;
  const maxCharts = spec.maxCharts ?? MAX_CHARTS;
  const usable = spec.rows.filter((r) => Number.isFinite(r.value));
  const sorted = [...usable].sort((a, b) => b.value - a.value || (a.label < b.label ? -1 : 1));
  const drawn = sorted.slice(0, maxBars * maxCharts);
  const result: BarCharts = {
    charts: [],
    shown: drawn.length,
    missing: spec.rows.length - usable.length,
    beyond: usable.length - drawn.length,
    reference: drawn.length > 0 && drawn.every((r) => Number.isFinite(r.reference)),
    limit: drawn.length > 0 && drawn.every((r) => Number.isFinite(r.limit)),
  };
  if (!drawn.length) return result;
  const values = drawn.flatMap((r) => [
    r.value,
    ...(result.reference ? [r.reference!] : []),
    ...(result.limit ? [r.limit!] : []),
  ]);
  const bottom = Math.min(0, ...values);
  const top = axisTop(Math.max(...values));
  const labels = distinct(drawn.map((r) => chartLabel(r.label)));
  const count = Math.ceil(drawn.length / maxBars);
  const size = Math.ceil(drawn.length / count);
  for (let start = 0; start < drawn.length; start += size) {
    const rows = drawn.slice(start, start + size);
    const names = labels.slice(start, start + size);
    const part = count > 1 ? ` (${start / size + 1} of ${count})` : '';
    result.charts.push(
      [
        `%%{init: {"xyChart": {"height": ${Math.max(300, rows.length * 24 + 120)}}, "themeVariables": {"xyChart": {"plotColorPalette": "${PALETTE}"}}}}%%`,
        'xychart-beta horizontal',
        `  title "${chartLabel(spec.title + part, 80)}"`,
        `  x-axis [${names.map((n) => `"${n}"`).join(', ')}]`,
        `  y-axis "${chartLabel(spec.axis)}" ${datum(bottom)} --> ${datum(top)}`,
        `  bar [${rows.map((r) => datum(r.value)).join(', ')}]`,
        ...(result.reference
          ? [`  line [${rows.map((r) => datum(r.reference!)).join(', ')}]`]
          : []),
        ...(result.limit ? [`  line [${rows.map((r) => datum(r.limit!)).join(', ')}]`] : []),
      ].join('\n'),
    );
  }
  return result;
}

/**
 * Report blocks for a bar comparison of models: the charts, the first with a
 * caption naming the series (mermaid's xychart has no legend) and which
 * models are not drawn. Nothing in a terminal: the table has the numbers.
 */
export function barChartBlocks(
  spec: BarChartSpec & { bars: string; reference?: string; limit?: string },
): Block[] {
  const built = barCharts(spec);
  const legend = [
    `Bars: ${spec.bars}, highest first`,
    ...(built.reference && spec.reference ? [`orange line: ${spec.reference}`] : []),
    ...(built.limit && spec.limit ? [`red line: ${spec.limit}`] : []),
  ];
  const notDrawn = [
    ...(built.missing ? [`${plural(built.missing, 'model')} without a ${spec.axis}`] : []),
    ...(built.beyond
      ? [`the ${plural(built.beyond, 'model')} below the ${built.shown} drawn`]
      : []),
  ];
  const caption = `${legend.join('; ')}.${notDrawn.length ? ` Not drawn: ${notDrawn.join('; ')} (see the table).` : ''}`;
  return built.charts.map((chart, i): Block => ({
    kind: 'mermaid',
    chart,
    ...(i === 0 && { caption }),
  }));
}

/**
 * The limit of a model's upper-bound MAPE gate ("mape <= 0.45", "mape <
 * baseline * 0.9"), to draw as a line; undefined without one.
 */
export function mapeLimit(
  gates: readonly { gate: string; limit?: number | null }[],
): number | undefined {
  const gate = gates.find((g) => /^\s*mape\s*<=?/.test(g.gate) && Number.isFinite(g.limit));
  return gate?.limit ?? undefined;
}

/** A champion change, from the ledger. */
export interface ChampionChange {
  /** ISO time. */
  at: string;
  model: string;
  version: number;
  kind: 'promote' | 'force' | 'rollback';
}

const CHANGE_WORD: Record<ChampionChange['kind'], string> = {
  promote: 'promoted',
  force: 'forced',
  rollback: 'rolled back',
};

export interface ChampionTimeline {
  chart: string;
  /** The same history as lines of text, for a terminal. */
  text: string;
  /** Days left out at the start (before the last MAX_DAYS). */
  omittedDays: number;
}

/**
 * A mermaid timeline of champion changes: one period per day (UTC), each
 * change listed as "model vN promoted"; a day with more than `maxPerDay`
 * changes counts them per kind instead. Only the last `maxDays` days.
 */
export function championTimeline(
  changes: readonly ChampionChange[],
  options: { title: string; maxDays?: number; maxPerDay?: number },
): ChampionTimeline | undefined {
  if (!changes.length) return undefined;
  const maxDays = options.maxDays ?? MAX_DAYS;
  const maxPerDay = options.maxPerDay ?? MAX_PER_DAY;
  const days = new Map<string, ChampionChange[]>();
  for (const change of [...changes].sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0))) {
    const day = change.at.slice(0, 10);
    days.set(day, [...(days.get(day) ?? []), change]);
  }
  const all = [...days.entries()];
  const shown = all.slice(-maxDays);
  const periods = shown.map(([day, list]) => ({
    day: chartLabel(day),
    entries:
      list.length <= maxPerDay
        ? list.map((c) => `${chartLabel(c.model)} v${c.version} ${CHANGE_WORD[c.kind]}`)
        : (['promote', 'force', 'rollback'] as const)
            .map((kind) => [kind, list.filter((c) => c.kind === kind).length] as const)
            .filter(([, n]) => n > 0)
            .map(([kind, n]) => `${n} ${CHANGE_WORD[kind]}`),
  }));
  const chart = [
    'timeline',
    `  title ${chartLabel(options.title, 80)}`,
    ...periods.map((p) => `  ${p.day} : ${p.entries.join(' : ')}`),
  ].join('\n');
  const omittedDays = all.length - shown.length;
  const text = [
    `${options.title}${omittedDays ? ` (last ${shown.length} days)` : ''}:`,
    ...periods.map((p) => `  ${p.day}  ${p.entries.join(', ')}`),
  ].join('\n');
  return { chart, text, omittedDays };
}

/**
 * Report blocks for a champion history: the timeline, shown in a terminal as
 * its text unless `terminal` is false (where a table already lists the events).
 */
export function championTimelineBlocks(
  changes: readonly ChampionChange[],
  title: string,
  terminal = true,
): Block[] {
  const timeline = championTimeline(changes, { title });
  if (!timeline) return [];
  return [
    {
      kind: 'mermaid',
      chart: timeline.chart,
      ...(timeline.omittedDays > 0 && {
        caption: `Only the last ${MAX_DAYS} days with champion changes are drawn (${plural(timeline.omittedDays, 'earlier day')} in the ledger).`,
      }),
      ...(terminal && { fallback: timeline.text }),
    },
  ];
}

/**
 * The champion changes among ledger events: promotions, rollbacks, and forced
 * promotions (a `force` event of promote-release names the previous champion
 * in its details; one of register-model, a registration past its gates, does not).
 */
export function championChanges(
  events: readonly {
    at: string;
    kind: string;
    model?: { name: string; version: number };
    details?: Record<string, unknown>;
  }[],
  models?: ReadonlySet<string>,
): ChampionChange[] {
  return events.flatMap((e) =>
    (e.kind === 'promote' ||
      e.kind === 'rollback' ||
      (e.kind === 'force' && e.details !== undefined && 'previous' in e.details)) &&
    e.model &&
    (!models || models.has(e.model.name))
      ? [{ at: e.at, model: e.model.name, version: e.model.version, kind: e.kind }]
      : [],
  );
}
