import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseJUnit, readJUnit } from '../src/index.js';
import { configurationErrorOf } from './errors.js';

// pytest 8 with junit_family=xunit1 (file and line attributes); the counts on the suite are
// deliberately wrong to show they are not trusted.
const PYTEST = `<?xml version="1.0" encoding="utf-8"?><testsuites name="pytest tests"><testsuite name="pytest" errors="0" failures="0" skipped="0" tests="9" time="0.412" timestamp="2024-05-01T12:30:01.123456+00:00" hostname="runner"><testcase classname="tests.test_features" name="test_scaling" file="tests/test_features.py" line="10" time="0.003" /><testcase classname="tests.test_features" name="test_missing_values" file="tests/test_features.py" line="19" time="0.005"><failure message="AssertionError: assert 3 == 2&#10; +  where 3 = len([1, 2, 3])">def test_missing_values():
        frame = load()
&gt;       assert len(frame) == 2
E       AssertionError: assert 3 == 2
E        +  where 3 = len([1, 2, 3])

tests/test_features.py:23: AssertionError</failure></testcase><testcase classname="tests.test_train" name="test_fit" file="tests/test_train.py" line="6" time="0.001"><error message="failed on setup with &quot;FileNotFoundError: data.csv&quot;">@pytest.fixture
    def data():
&gt;       return pd.read_csv("data.csv")
E       FileNotFoundError: data.csv

tests/conftest.py:9: FileNotFoundError</error></testcase><testcase classname="tests.test_train" name="test_gpu" file="tests/test_train.py" line="14" time="0.000"><skipped type="pytest.skip" message="no GPU">/repo/tests/test_train.py:16: no GPU</skipped></testcase></testsuite></testsuites>`;

const JEST = `<?xml version="1.0" encoding="UTF-8"?>
<testsuites name="jest tests" tests="3" failures="1" errors="0" time="1.234">
  <testsuite name="sum" errors="0" failures="1" skipped="1" timestamp="2024-05-01T12:30:01" time="0.456" tests="3">
    <testcase classname="sum adds 1 + 2 to equal 3" name="sum adds 1 + 2 to equal 3" time="0.002">
    </testcase>
    <testcase classname="sum handles negatives" name="sum handles negatives" time="0.004">
      <failure>Error: expect(received).toBe(expected) // Object.is equality

Expected: -3
Received: -1
    at Object.toBe (/repo/web/sum.test.js:9:22)</failure>
    </testcase>
    <testcase classname="sum todo floats" name="sum todo floats" time="0">
      <skipped/>
    </testcase>
  </testsuite>
</testsuites>
`;

const SUREFIRE = `<?xml version="1.0" encoding="UTF-8"?>
<testsuite xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:noNamespaceSchemaLocation="https://maven.apache.org/surefire/maven-surefire-plugin/xsd/surefire-test-report.xsd" version="3.0" name="com.example.AppTest" time="0.05" tests="2" errors="0" skipped="0" failures="1">
  <properties>
    <property name="java.version" value="17.0.10"/>
  </properties>
  <testcase name="adds" classname="com.example.AppTest" time="0.01"/>
  <testcase name="divides" classname="com.example.AppTest" time="0.02">
    <failure message="expected: &lt;2&gt; but was: &lt;3&gt;" type="org.opentest4j.AssertionFailedError"><![CDATA[org.opentest4j.AssertionFailedError: expected: <2> but was: <3>
	at com.example.AppTest.divides(AppTest.java:14)
]]></failure>
    <system-out><![CDATA[dividing]]></system-out>
  </testcase>
</testsuite>
`;

const notJUnit = (file: string, reason: string) =>
  `JUnit report ${file} is not JUnit XML (${reason}): check the test command's report option`;

describe('parseJUnit', () => {
  it("reads pytest's report: counts from the cases, 1-based lines, failure, error and skip", () => {
    const run = parseJUnit(PYTEST, 'report.xml');
    expect({ ...run, cases: undefined }).toEqual({
      tests: 4,
      failures: 1,
      errors: 1,
      skipped: 1,
      timeSeconds: 0.412,
      cases: undefined,
    });
    expect(run.cases[0]).toEqual({
      suite: 'pytest',
      name: 'test_scaling',
      classname: 'tests.test_features',
      file: 'tests/test_features.py',
      line: 11,
      timeSeconds: 0.003,
      status: 'passed',
    });
    expect(run.cases[1]).toEqual({
      suite: 'pytest',
      name: 'test_missing_values',
      classname: 'tests.test_features',
      file: 'tests/test_features.py',
      line: 20,
      timeSeconds: 0.005,
      status: 'failed',
      message: 'AssertionError: assert 3 == 2\n +  where 3 = len([1, 2, 3])',
      details: `def test_missing_values():
        frame = load()
>       assert len(frame) == 2
E       AssertionError: assert 3 == 2
E        +  where 3 = len([1, 2, 3])

tests/test_features.py:23: AssertionError`,
    });
    expect(run.cases[2]).toMatchObject({
      name: 'test_fit',
      status: 'error',
      message: 'failed on setup with "FileNotFoundError: data.csv"',
    });
    expect(run.cases[2]?.details).toMatch(/^@pytest\.fixture\n[\s\S]*FileNotFoundError$/);
    expect(run.cases[3]).toMatchObject({
      name: 'test_gpu',
      line: 15,
      timeSeconds: 0,
      status: 'skipped',
      message: 'no GPU',
      details: '/repo/tests/test_train.py:16: no GPU',
    });
  });

  it("reads jest-junit's report: message is the failure text's first line", () => {
    const run = parseJUnit(JEST, 'junit.xml');
    expect({ ...run, cases: undefined }).toEqual({
      tests: 3,
      failures: 1,
      errors: 0,
      skipped: 1,
      timeSeconds: 1.234,
      cases: undefined,
    });
    expect(run.cases.map((c) => [c.suite, c.name, c.status, c.message])).toEqual([
      ['sum', 'sum adds 1 + 2 to equal 3', 'passed', undefined],
      [
        'sum',
        'sum handles negatives',
        'failed',
        'Error: expect(received).toBe(expected) // Object.is equality',
      ],
      ['sum', 'sum todo floats', 'skipped', undefined],
    ]);
    expect(run.cases[1]?.details).toBe(`Error: expect(received).toBe(expected) // Object.is equality

Expected: -3
Received: -1
    at Object.toBe (/repo/web/sum.test.js:9:22)`);
    expect(run.cases[2]).not.toHaveProperty('details');
  });

  it("reads surefire's bare <testsuite> root with CDATA failure text", () => {
    const run = parseJUnit(SUREFIRE, 'TEST-com.example.AppTest.xml');
    expect(run).toEqual({
      tests: 2,
      failures: 1,
      errors: 0,
      skipped: 0,
      timeSeconds: 0.05,
      cases: [
        {
          suite: 'com.example.AppTest',
          name: 'adds',
          classname: 'com.example.AppTest',
          timeSeconds: 0.01,
          status: 'passed',
        },
        {
          suite: 'com.example.AppTest',
          name: 'divides',
          classname: 'com.example.AppTest',
          timeSeconds: 0.02,
          status: 'failed',
          message: 'expected: <2> but was: <3>',
          details:
            'org.opentest4j.AssertionFailedError: expected: <2> but was: <3>\n\tat com.example.AppTest.divides(AppTest.java:14)',
        },
      ],
    });
  });

  it('walks nested suites, naming each case after its innermost suite', () => {
    const run = parseJUnit(
      `<testsuites>
  <testsuite name="outer" file="spec/outer.rb">
    <testcase name="a" time="0.25"/>
    <testsuite name="inner">
      <testcase name="b" time="0.5" file="spec/inner.rb" line="7"><error>boom</error></testcase>
      <testsuite><testcase name="c" time="0.125"/></testsuite>
    </testsuite>
  </testsuite>
  <testsuite name="second"><testcase name="d"><skipped message="later"/></testcase></testsuite>
</testsuites>`,
      'r.xml',
    );
    expect(run.cases.map((c) => [c.suite, c.name, c.file, c.line, c.status, c.message])).toEqual([
      ['outer', 'a', 'spec/outer.rb', undefined, 'passed', undefined],
      ['inner', 'b', 'spec/inner.rb', 7, 'error', 'boom'],
      ['inner', 'c', undefined, undefined, 'passed', undefined],
      ['second', 'd', undefined, undefined, 'skipped', 'later'],
    ]);
    // No time on the root: the cases' times add up.
    expect(run.timeSeconds).toBe(0.875);
    expect([run.tests, run.failures, run.errors, run.skipped]).toEqual([4, 0, 1, 1]);
  });

  it('reports a failure over an error or skip on the same case, joining repeated failures', () => {
    const run = parseJUnit(
      `<testsuite name="s"><testcase name="t">
  <skipped/><error message="teardown">e</error><failure>first</failure><failure>second</failure>
</testcase></testsuite>`,
      'r.xml',
    );
    expect(run.cases[0]).toMatchObject({
      status: 'failed',
      message: 'first',
      details: 'first\n\nsecond',
    });
  });

  it('accepts a run without tests', () => {
    expect(
      parseJUnit('<testsuites name="jest tests" tests="0" time="0"></testsuites>', 'r.xml'),
    ).toEqual({
      tests: 0,
      failures: 0,
      errors: 0,
      skipped: 0,
      timeSeconds: 0,
      cases: [],
    });
  });

  it('caps details at 4000 characters', () => {
    const long = 'x'.repeat(5000);
    const run = parseJUnit(
      `<testsuite name="s"><testcase name="t"><failure message="m">${long}</failure></testcase></testsuite>`,
      'r.xml',
    );
    const details = run.cases[0]?.details ?? '';
    expect(details).toHaveLength(4000);
    expect(details.endsWith('x…')).toBe(true);
    expect(run.cases[0]?.message).toBe('m');
  });

  it('rejects malformed XML with the reason and line', async () => {
    const xml = '<testsuites>\n<testsuite name="a">\n</testsuites>\n';
    expect(await configurationErrorOf(() => parseJUnit(xml, 'out/junit.xml'))).toBe(
      notJUnit(
        'out/junit.xml',
        "expected closing tag 'testsuite' (opened in line 2, col 1) instead of closing tag 'testsuites' at line 3",
      ),
    );
  });

  it.each([
    ['Error: no tests ran\n', "char 'E' is not expected at line 1"],
    ['  \n', 'the file is empty'],
    ['<?xml version="1.0"?>\n', 'start tag expected at line 1'],
    ['<testsuites', "unclosed tag 'testsuites' at line 1"],
    ['<coverage line-rate="1"/>', 'found <coverage> instead of <testsuites> or <testsuite>'],
  ])('rejects %j as not JUnit XML', async (xml, reason) => {
    expect(await configurationErrorOf(() => parseJUnit(xml, 'r.xml'))).toBe(
      notJUnit('r.xml', reason),
    );
  });
});

describe('readJUnit', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'reports-junit-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reads the file', async () => {
    const file = path.join(dir, 'junit.xml');
    await writeFile(file, JEST);
    const run = await readJUnit(file);
    expect([run.tests, run.failures, run.skipped]).toEqual([3, 1, 1]);
  });

  it('says how to produce a missing report', async () => {
    const file = path.join(dir, 'missing.xml');
    expect(await configurationErrorOf(() => readJUnit(file))).toBe(
      `JUnit report ${file} was not written: make the test command write it (e.g. pytest --junitxml=${file}) or fix test.junit in mlops.yaml`,
    );
  });

  it('names the file when it cannot be read', async () => {
    const file = path.join(dir, 'folder.xml');
    await mkdir(file);
    expect(await configurationErrorOf(() => readJUnit(file))).toBe(
      `JUnit report ${file} cannot be read (EISDIR)`,
    );
  });

  it('names the file when it is not JUnit XML', async () => {
    const file = path.join(dir, 'junit.xml');
    await writeFile(file, '');
    expect(await configurationErrorOf(() => readJUnit(file))).toBe(
      notJUnit(file, 'the file is empty'),
    );
  });
});
