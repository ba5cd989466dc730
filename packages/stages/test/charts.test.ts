import { describe, expect, it } from 'vitest';
import { toMarkdown, toTerminal } from '@mlops/foundation';
import {
  axisTop,
  barChartBlocks,
  barCharts,
  chartLabel,
  championChanges,
  championTimeline,
  championTimelineBlocks,
  mapeLimit,
  type BarRow,
  type ChampionChange,
} from '../src/charts.js';
import { runLinks } from '../src/report-links.js';

const INIT = (height: number): string =>
  `%%{init: {"xyChart": {"height": ${height}}, "themeVariables": {"xyChart": {"plotColorPalette": "#4e79a7, #f28e2b, #e15759"}}}}%%`;

/** 56 models as the reference user has them: 14 regions x large/small x slow/fast. */
function fleet(): BarRow[] {
  const rows: BarRow[] = [];
  for (let region = 0; region < 14; region++)
    for (const size of ['large', 'small'])
      for (const speed of ['slow', 'fast'])
        rows.push({
          label: `demand-r${String(region).padStart(2, '0')}-${size}-${speed}`,
          value: 0.2 + rows.length * 0.01,
          reference: 0.5,
          limit: 0.45,
        });
  return rows;
}

describe('chartLabel', () => {
  it('keeps model names as they are', () => {
    expect(chartLabel('demand-north-east-large-fast')).toBe('demand-north-east-large-fast');
    expect(chartLabel('Umsatz Nord (groß) v1.2/3+')).toBe('Umsatz Nord (groß) v1.2/3+');
  });

  it('turns what mermaid would read as syntax into "_"', () => {
    expect(chartLabel('a"b:c#d;e[f]g,h`i%%{j}<k>&l')).toBe('a_b_c_d_e_f_g_h_i___j__k__l');
    expect(chartLabel('two\nlines\tand  spaces ')).toBe('two lines and spaces');
    expect(chartLabel('')).toBe('_');
  });

  it('cuts long labels with an ellipsis', () => {
    expect(chartLabel('x'.repeat(50))).toBe(`${'x'.repeat(39)}…`);
    expect(chartLabel('abcdef', 4)).toBe('abc…');
  });
});

describe('axisTop', () => {
  it('rounds up to a multiple of half a power of ten', () => {
    expect(axisTop(0.612)).toBe(0.65);
    expect(axisTop(0.45)).toBe(0.45);
    expect(axisTop(0.7)).toBe(0.7);
    expect(axisTop(3.2)).toBe(3.5);
    expect(axisTop(120)).toBe(150);
    expect(axisTop(0)).toBe(1);
    expect(axisTop(NaN)).toBe(1);
  });
});

describe('barCharts', () => {
  it('draws a small comparison exactly: worst first, reference and limit as lines', () => {
    const built = barCharts({
      title: 'MAPE vs baseline',
      axis: 'MAPE',
      rows: [
        { label: 'demand-a', value: 0.31, reference: 0.52, limit: 0.45 },
        { label: 'demand-"b"', value: 0.6124, reference: 0.5, limit: 0.45 },
        { label: 'demand-c', value: NaN, reference: 0.4 },
      ],
    });
    expect(built).toEqual({
      charts: [
        [
          INIT(300),
          'xychart-beta horizontal',
          '  title "MAPE vs baseline"',
          '  x-axis ["demand-_b_", "demand-a"]',
          '  y-axis "MAPE" 0 --> 0.65',
          '  bar [0.612, 0.31]',
          '  line [0.5, 0.52]',
          '  line [0.45, 0.45]',
        ].join('\n'),
      ],
      shown: 2,
      missing: 1,
      beyond: 0,
      reference: true,
      limit: true,
    });
  });

  it('leaves out a line that some drawn row lacks, and keeps escaped labels distinct', () => {
    const built = barCharts({
      title: 't',
      axis: 'MAPE',
      rows: [
        { label: 'a:b', value: 0.2, reference: 0.3 },
        { label: 'a#b', value: 0.1 },
      ],
    });
    expect(built.reference).toBe(false);
    expect(built.limit).toBe(false);
    expect(built.charts[0]).toContain('  x-axis ["a_b", "a_b (2)"]');
    expect(built.charts[0]).not.toContain('line');
  });

  it('splits 56 models over two charts of 28 on one axis', () => {
    const built = barCharts({ title: 'MAPE vs baseline', axis: 'MAPE', rows: fleet() });
    expect(built.charts).toHaveLength(2);
    expect(built.shown).toBe(56);
    expect(built.beyond).toBe(0);
    const bars = built.charts.map((c) => /\n {2}bar \[(.*)\]/.exec(c)![1]!.split(', '));
    expect(bars.map((b) => b.length)).toEqual([28, 28]);
    // Worst first across both charts.
    expect(bars[0]![0]).toBe('0.75');
    expect(bars[1]![27]).toBe('0.2');
    for (const chart of built.charts) {
      expect(chart).toContain('y-axis "MAPE" 0 --> 0.75');
      expect(chart).toContain(INIT(28 * 24 + 120));
    }
    expect(built.charts[0]).toContain('title "MAPE vs baseline (1 of 2)"');
    expect(built.charts[1]).toContain('title "MAPE vs baseline (2 of 2)"');
  });

  it('never draws more than maxBars per chart, and leaves the best rows out past maxCharts', () => {
    const built = barCharts({ title: 't', axis: 'MAPE', rows: fleet(), maxBars: 20, maxCharts: 2 });
    expect(built.charts).toHaveLength(2);
    expect(built.shown).toBe(40);
    expect(built.beyond).toBe(16);
    expect(built.charts[1]).not.toContain('"demand-r00-large-slow"');
  });

  it('draws nothing without a finite value', () => {
    expect(
      barCharts({ title: 't', axis: 'MAPE', rows: [{ label: 'a', value: NaN }] }).charts,
    ).toEqual([]);
  });
});

describe('barChartBlocks', () => {
  it('names the series and the models not drawn in the first chart’s caption', () => {
    const blocks = barChartBlocks({
      title: 't',
      axis: 'MAPE',
      rows: [...fleet(), { label: 'broken', value: NaN }],
      maxCharts: 1,
      bars: 'model MAPE',
      reference: 'baseline MAPE',
      limit: 'MAPE gate limit',
    });
    expect(blocks).toHaveLength(1);
    expect(blocks[0]).toMatchObject({
      kind: 'mermaid',
      caption:
        'Bars: model MAPE, highest first; orange line: baseline MAPE; red line: MAPE gate limit. Not drawn: 1 model without a MAPE; the 26 models below the 30 drawn (see the table).',
    });
    expect(toMarkdown(blocks)).toMatch(
      /^Bars: model MAPE.*\(see the table\)\.\n\n```mermaid\n%%\{init/,
    );
    // A terminal shows neither the chart nor its caption.
    expect(toTerminal(blocks)).toBe('\n');
  });

  it('captions only the first of split charts', () => {
    const blocks = barChartBlocks({
      title: 't',
      axis: 'MAPE',
      rows: fleet().map(({ label, value }) => ({ label, value })),
      bars: 'model MAPE',
    });
    expect(blocks.map((b) => b.kind === 'mermaid' && b.caption)).toEqual([
      'Bars: model MAPE, highest first.',
      undefined,
    ]);
  });

  it('is empty when there is nothing to draw', () => {
    expect(barChartBlocks({ title: 't', axis: 'MAPE', rows: [], bars: 'model MAPE' })).toEqual([]);
  });
});

describe('mapeLimit', () => {
  it('takes the limit of the first upper-bound MAPE gate', () => {
    expect(
      mapeLimit([
        { gate: 'rmse <= 3', limit: 3 },
        { gate: 'mape >= 0', limit: 0 },
        { gate: 'mape <= baseline * 0.9', limit: 0.41 },
      ]),
    ).toBe(0.41);
    expect(mapeLimit([{ gate: 'mape < 0.45', limit: null }])).toBeUndefined();
    expect(mapeLimit([])).toBeUndefined();
  });
});

describe('champion history', () => {
  const changes: ChampionChange[] = [
    { at: '2024-05-03T10:00:00Z', model: 'demand-a', version: 2, kind: 'force' },
    { at: '2024-05-01T09:00:00Z', model: 'demand-a', version: 1, kind: 'promote' },
    { at: '2024-05-04T08:00:00Z', model: 'demand-a', version: 1, kind: 'rollback' },
    { at: '2024-05-01T09:01:00Z', model: 'demand: "b"', version: 1, kind: 'promote' },
  ];

  it('draws a timeline per day, oldest first, with escaped model names', () => {
    expect(championTimeline(changes, { title: 'Champion history in prod' })).toEqual({
      chart: [
        'timeline',
        '  title Champion history in prod',
        '  2024-05-01 : demand-a v1 promoted : demand_ _b_ v1 promoted',
        '  2024-05-03 : demand-a v2 forced',
        '  2024-05-04 : demand-a v1 rolled back',
      ].join('\n'),
      text: [
        'Champion history in prod:',
        '  2024-05-01  demand-a v1 promoted, demand_ _b_ v1 promoted',
        '  2024-05-03  demand-a v2 forced',
        '  2024-05-04  demand-a v1 rolled back',
      ].join('\n'),
      omittedDays: 0,
    });
  });

  it('counts a busy day instead of listing 56 models, and keeps only the last days', () => {
    const busy: ChampionChange[] = fleet().map((r, i) => ({
      at: `2024-06-${String(1 + (i % 12)).padStart(2, '0')}T00:00:00Z`,
      model: r.label,
      version: 3,
      kind: i === 0 ? 'rollback' : 'promote',
    }));
    const timeline = championTimeline(busy, { title: 'h', maxDays: 10, maxPerDay: 4 })!;
    expect(timeline.omittedDays).toBe(2);
    const lines = timeline.chart.split('\n');
    expect(lines).toHaveLength(2 + 10);
    expect(lines[2]).toBe('  2024-06-03 : 5 promoted');
    expect(timeline.text.split('\n')[0]).toBe('h (last 10 days):');
    const [block] = championTimelineBlocks(busy, 'h');
    expect(block).toMatchObject({
      kind: 'mermaid',
      caption:
        'Only the last 10 days with champion changes are drawn (2 earlier days in the ledger).',
    });
  });

  it('is nothing without changes', () => {
    expect(championTimeline([], { title: 'h' })).toBeUndefined();
    expect(championTimelineBlocks([], 'h')).toEqual([]);
  });

  it('renders as mermaid in Markdown and as its text in a terminal, or not at all', () => {
    const blocks = championTimelineBlocks(changes.slice(0, 1), 'History');
    expect(toMarkdown(blocks)).toBe(
      '```mermaid\ntimeline\n  title History\n  2024-05-03 : demand-a v2 forced\n```\n',
    );
    expect(toTerminal(blocks)).toBe('History:\n  2024-05-03  demand-a v2 forced\n');
    expect(toTerminal(championTimelineBlocks(changes.slice(0, 1), 'History', false))).toBe('\n');
  });

  it('takes promotions, rollbacks and forced promotions from the ledger, not forced registrations', () => {
    const at = '2024-05-01T00:00:00Z';
    expect(
      championChanges(
        [
          { at, kind: 'register', model: { name: 'a', version: 1 }, details: {} },
          { at, kind: 'force', model: { name: 'a', version: 2 }, details: { gates: [] } },
          { at, kind: 'promote', model: { name: 'a', version: 1 }, details: { previous: null } },
          { at, kind: 'force', model: { name: 'a', version: 2 }, details: { previous: 1 } },
          { at, kind: 'rollback', model: { name: 'b', version: 1 }, details: {} },
          { at, kind: 'skip', model: { name: 'a', version: 3 }, details: {} },
        ],
        new Set(['a']),
      ),
    ).toEqual([
      { at, model: 'a', version: 1, kind: 'promote' },
      { at, model: 'a', version: 2, kind: 'force' },
    ]);
  });
});

describe('runLinks', () => {
  const run = {
    id: '7001-2',
    url: 'https://github.com/o/r/actions/runs/7001',
    actor: 'octocat',
    onRunner: true,
  };

  it('names the workflow run and further links on a runner', () => {
    expect(toMarkdown(runLinks(run, ['[artifacts](https://x/#artifacts)']))).toBe(
      'Workflow [run 7001, attempt 2](https://github.com/o/r/actions/runs/7001) · [artifacts](https://x/#artifacts)\n',
    );
  });

  it('says nothing locally', () => {
    expect(runLinks({ id: 'local', url: '', actor: 'me', onRunner: false })).toEqual([]);
  });
});
