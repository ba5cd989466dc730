import { ConfigurationError } from '@mlops/foundation';
import { attr, children, numberAttr, parseXml, readReport, text, type XmlNode } from './xml.js';

export interface TestCase {
  /** The innermost enclosing <testsuite>'s name. */
  suite: string;
  name: string;
  classname?: string;
  file?: string;
  /** 1-based. */
  line?: number;
  timeSeconds: number;
  status: 'passed' | 'failed' | 'error' | 'skipped';
  message?: string;
  details?: string;
}

export interface TestRun {
  tests: number;
  failures: number;
  errors: number;
  skipped: number;
  timeSeconds: number;
  cases: TestCase[];
}

const MAX_DETAILS = 4000;
const ARRAYS = new Set(['testsuite', 'testcase', 'failure', 'error', 'skipped']);
/** Outcome elements of a <testcase>, most severe first. */
const OUTCOMES = [
  ['failure', 'failed'],
  ['error', 'error'],
  ['skipped', 'skipped'],
] as const;

export async function readJUnit(file: string): Promise<TestRun> {
  const xml = await readReport(
    file,
    'JUnit',
    `make the test command write it (e.g. pytest --junitxml=${file}) or fix test.junit in mlops.yaml`,
  );
  return parseJUnit(xml, file);
}

/** Counts come from the cases: producers disagree on what the suite attributes count. */
export function parseJUnit(xml: string, file: string): TestRun {
  const root = parseXml(xml, ['testsuites', 'testsuite'], ARRAYS);
  if (typeof root === 'string') {
    throw new ConfigurationError(
      `JUnit report ${file} is not JUnit XML (${root}): check the test command's report option`,
    );
  }
  const tops = root.tag === 'testsuite' ? [root.node] : children(root.node, 'testsuite');
  const cases: TestCase[] = [];
  for (const suite of tops) collect(suite, '', cases);
  const count = (status: TestCase['status']) => cases.filter((c) => c.status === status).length;
  return {
    tests: cases.length,
    failures: count('failed'),
    errors: count('error'),
    skipped: count('skipped'),
    // Stated times include setup and collection, which no case accounts for.
    timeSeconds:
      numberAttr(root.node, 'time') ??
      sum(tops.map((s) => numberAttr(s, 'time'))) ??
      sum(cases.map((c) => c.timeSeconds)) ??
      0,
    cases,
  };
}

function collect(suite: XmlNode, parentName: string, cases: TestCase[]): void {
  const name = attr(suite, 'name') ?? parentName;
  for (const element of children(suite, 'testcase')) cases.push(toCase(element, name, suite));
  for (const nested of children(suite, 'testsuite')) collect(nested, name, cases);
}

function toCase(element: XmlNode, suiteName: string, suite: XmlNode): TestCase {
  const outcome = OUTCOMES.find(([tag]) => children(element, tag).length);
  const outcomes = outcome ? children(element, outcome[0]) : [];
  const body = outcomes
    .map((o) => text(o).trim())
    .filter(Boolean)
    .join('\n\n');
  const message =
    outcomes.map((o) => attr(o, 'message')?.trim()).find(Boolean) ?? body.split('\n')[0];
  const line = numberAttr(element, 'line');
  const testCase: TestCase = {
    suite: suiteName,
    name: attr(element, 'name') ?? '',
    timeSeconds: numberAttr(element, 'time') ?? 0,
    status: outcome?.[1] ?? 'passed',
  };
  const classname = attr(element, 'classname');
  const file = attr(element, 'file') ?? attr(suite, 'file');
  if (classname) testCase.classname = classname;
  if (file) testCase.file = file;
  // pytest writes its item location, which counts lines from 0.
  if (line !== undefined) testCase.line = suiteName === 'pytest' ? line + 1 : line;
  if (message) testCase.message = message;
  if (body) testCase.details = truncate(body, MAX_DETAILS);
  return testCase;
}

function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** Sum rounded to milliseconds (float noise); undefined for an empty list or a missing time. */
function sum(seconds: (number | undefined)[]): number | undefined {
  if (!seconds.length || seconds.some((s) => s === undefined)) return undefined;
  return Math.round((seconds as number[]).reduce((t, s) => t + s, 0) * 1000) / 1000;
}
