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
