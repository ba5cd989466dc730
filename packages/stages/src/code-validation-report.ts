import type { Block, Cell } from '@mlops/foundation';
import type { LintFinding, TestCase, TestRun } from '@mlops/reports';
import { STATUS_ICON, type CheckStatus } from './format.js';
import { runLinks } from './report-links.js';
import type { RunContext } from './run-context.js';

/** Long lists are cut in the summary; the annotations and reports keep all. */
const LISTED_ROWS = 50;

export interface CheckRow {
  check: string;
  status: CheckStatus;
  detail: string;
  /** Why the step fails, when it does. */
  failure?: string;
}

const CASE_ORDER: Record<TestCase['status'], number> = {
  failed: 0,
  error: 0,
  skipped: 1,
  passed: 2,
};
const CASE_RESULT: Record<TestCase['status'], string> = {
  failed: '❌ failed',
  error: '❌ error',
  skipped: '⏭️ skipped',
  passed: '✅ passed',
};

/** A titled table of at most LISTED_ROWS rows, saying how many were left out. */
function cappedTable(title: string, headers: string[], rows: Cell[][], rest: string): Block[] {
  const blocks: Block[] = [
    { kind: 'heading', text: title, level: 3 },
    { kind: 'table', headers, rows: rows.slice(0, LISTED_ROWS) },
  ];
  if (rows.length > LISTED_ROWS) {
    blocks.push({ kind: 'text', text: `… and ${rows.length - LISTED_ROWS} more ${rest}.` });
  }
  return blocks;
}

export function renderCodeReport(
  rows: CheckRow[],
  findings: LintFinding[],
  run: TestRun | undefined,
  workflowRun: RunContext,
): Block[] {
  const blocks: Block[] = [
    { kind: 'heading', text: 'Code validation' },
    {
      kind: 'table',
      headers: ['Check', 'Result', 'Details'],
      rows: rows.map((r) => [r.check, `${STATUS_ICON[r.status]} ${r.status}`, r.detail]),
    },
  ];
  if (run?.cases.length) {
    const cases = [...run.cases].sort((a, b) => CASE_ORDER[a.status] - CASE_ORDER[b.status]);
    blocks.push(
      ...cappedTable(
        'Tests',
        ['Test', 'Result', 'Time', 'Message'],
        cases.map((c) => [
          `${c.classname ?? c.suite}::${c.name}`,
          CASE_RESULT[c.status],
          `${c.timeSeconds.toFixed(2)} s`,
          c.message ?? '',
        ]),
        'tests',
      ),
    );
  }
  if (findings.length) {
    blocks.push(
      ...cappedTable(
        'Lint findings',
        ['Tool', 'Where', 'Code', 'Message'],
        findings.map((f) => [
          f.tool,
          `${f.file}:${f.line}${f.column ? `:${f.column}` : ''}`,
          f.code ?? '',
          f.message,
        ]),
        'findings (see the annotations)',
      ),
    );
  }
  blocks.push(...runLinks(workflowRun));
  return blocks;
}
