import { describe, expect, it } from 'vitest';
import { mapLimit, toMarkdown, toTerminal, type Report } from '../src/index.js';

const report: Report = [
  { kind: 'heading', text: 'Checks' },
  { kind: 'text', text: '**2 of 3** passed, see `metrics.json`.' },
  {
    kind: 'table',
    headers: ['Model', 'Result'],
    rows: [
      ['a|b', '✅'],
      ['c', '❌'],
    ],
  },
  { kind: 'list', items: ['one'] },
];

describe('report rendering', () => {
  it('renders Markdown for the job summary, escaping table pipes', () => {
    expect(toMarkdown(report)).toBe(
      '## Checks\n\n**2 of 3** passed, see `metrics.json`.\n\n| Model | Result |\n| --- | --- |\n| a\\|b | ✅ |\n| c | ❌ |\n\n- one\n',
    );
  });

  it('renders aligned plain text for a terminal', () => {
    expect(toTerminal(report)).toBe(
      '\nChecks\n======\n2 of 3 passed, see metrics.json.\nModel  Result\n-----  ------\na|b    ok\nc      FAIL\n  - one\n',
    );
  });
});

describe('mermaid blocks', () => {
  const chart: Report = [
    { kind: 'text', text: 'Before.' },
    { kind: 'mermaid', chart: 'timeline\n  title T\n  2024-05-01 : a v1 promoted' },
    { kind: 'mermaid', chart: 'timeline', caption: 'Not in a terminal.' },
    { kind: 'text', text: 'After.' },
  ];

  it('render as a fenced mermaid block in Markdown', () => {
    expect(toMarkdown(chart)).toBe(
      'Before.\n\n```mermaid\ntimeline\n  title T\n  2024-05-01 : a v1 promoted\n```\n\nNot in a terminal.\n\n```mermaid\ntimeline\n```\n\nAfter.\n',
    );
  });

  it('take a fence longer than any backticks in the chart', () => {
    expect(toMarkdown([{ kind: 'mermaid', chart: 'a ``` b' }])).toBe(
      '````mermaid\na ``` b\n````\n',
    );
  });

  it('put their caption before the chart in Markdown', () => {
    expect(toMarkdown([{ kind: 'mermaid', chart: 'timeline', caption: 'Legend.' }])).toBe(
      'Legend.\n\n```mermaid\ntimeline\n```\n',
    );
  });

  it('are left out of terminal text, caption too, leaving no blank line', () => {
    expect(toTerminal(chart)).toBe('Before.\nAfter.\n');
  });

  it('show their fallback text in a terminal, without Markdown', () => {
    expect(
      toTerminal([{ kind: 'mermaid', chart: 'timeline', fallback: 'History:\n  **a** `v1`' }]),
    ).toBe('History:\n  a v1\n');
  });
});

describe('mapLimit', () => {
  it('never runs more than the limit at once and keeps input order', async () => {
    let running = 0;
    let peak = 0;
    const results = await mapLimit([30, 10, 20, 5, 15], 2, async (ms, i) => {
      running += 1;
      peak = Math.max(peak, running);
      await new Promise((r) => setTimeout(r, ms));
      running -= 1;
      return i;
    });
    expect(results).toEqual([0, 1, 2, 3, 4]);
    expect(peak).toBe(2);
  });
});
