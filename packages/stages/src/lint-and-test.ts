import { rm } from 'node:fs/promises';
import path from 'node:path';
import { defineAction, type StageDeps } from '@mlops/action-kit';
import { loadConfig, type LoadedConfig } from '@mlops/config';
import { ConfigurationError } from '@mlops/foundation';
import {
  parseLintOutput,
  readCobertura,
  readJUnit,
  type Coverage,
  type LintFinding,
  type TestRun,
} from '@mlops/reports';
import { commandEnv, describeExit, lastLine } from './command-env.js';
import { renderCodeReport, type CheckRow } from './code-validation-report.js';
import { runContext } from './run-context.js';
import { formatSeconds, percent, plural } from './format.js';

const LINT_TIMEOUT_MINUTES = 30;

export interface LintAndTestInputs {
  workingDirectory: string;
  config: string;
}

export const lintAndTest = defineAction<LintAndTestInputs>({
  name: 'lint-and-test',
  title: 'Code validation',
  description:
    'Runs the project’s lint and test commands: findings become annotations, JUnit becomes a test table, Cobertura coverage is checked against the minimum.',
  inputs: {},
  outputs: {
    tests: 'Number of test cases run.',
    failures: 'Number of failed or erroring test cases.',
    skipped: 'Number of skipped test cases.',
    coverage: 'Line coverage in percent (one decimal), empty without a coverage report.',
    'lint-findings': 'Number of lint findings over all lint commands.',
    'junit-path': 'Absolute path of the JUnit report, empty without one.',
  },
  parseInputs: (read) => ({
    workingDirectory: read.string('working-directory'),
    config: read.string('config'),
  }),
  execute: async (inputs, deps) => {
    const loaded = await loadConfig({
      workingDirectory: inputs.workingDirectory,
      config: inputs.config,
    });
    const { config } = loaded;
    if (config.lint.length === 0 && !config.test) {
      throw new ConfigurationError(
        `${loaded.file}: nothing to run: add a lint command (lint: [{name, command}]) or a test command (test: {command}) to the config`,
      );
    }
    const rows: CheckRow[] = [];
    const findings: LintFinding[] = [];
    for (const lint of config.lint) {
      const found = await runLint(loaded, lint, deps);
      findings.push(...found.findings);
      rows.push(found.row);
    }
    const tested = config.test ? await runTests(loaded, deps) : undefined;
    if (tested) rows.push(...tested.rows);
    const failures = rows.flatMap((r) => (r.failure ? [r.failure] : []));
    const run = tested?.run;
    return {
      outputs: {
        tests: String(run?.tests ?? 0),
        failures: String((run?.failures ?? 0) + (run?.errors ?? 0)),
        skipped: String(run?.skipped ?? 0),
        coverage: tested?.coverage ? (tested.coverage.lineRate * 100).toFixed(1) : '',
        'lint-findings': String(findings.length),
        'junit-path': tested?.junitPath ?? '',
      },
      report: renderCodeReport(rows, findings, run, runContext(deps.baseEnv)),
      failure: failures.length ? `Code validation failed: ${failures.join('; ')}` : undefined,
    };
  },
});

async function runLint(
  loaded: LoadedConfig,
  lint: { name: string; command: string },
  deps: StageDeps,
): Promise<{ row: CheckRow; findings: LintFinding[] }> {
  const output: string[] = [];
  deps.logger.startGroup(`lint: ${lint.name}`);
  const result = await deps.runCommand({
    command: lint.command,
    cwd: loaded.projectDir,
    env: commandEnv(loaded.config, deps),
    timeoutMs: LINT_TIMEOUT_MINUTES * 60_000,
    onLine: (line) => {
      output.push(line);
      deps.logger.info(line);
    },
  });
  deps.logger.endGroup();
  const findings = parseLintOutput(output.join('\n'), {
    tool: lint.name,
    cwd: loaded.projectDir,
    root: deps.repositoryRoot,
  });
  for (const f of findings) {
    const message = f.code ? `${f.code} ${f.message}` : f.message;
    const at = { file: f.file, line: f.line, column: f.column, title: lint.name };
    if (f.severity === 'error') deps.logger.error(message, at);
    else deps.logger.warning(message, at);
  }
  const clean = result.exitCode === 0 && !result.timedOut;
  const detail = clean
    ? plural(findings.length, 'finding')
    : findings.length
      ? `${plural(findings.length, 'finding')}, ${describeExit(result, LINT_TIMEOUT_MINUTES)}`
      : `${describeExit(result, LINT_TIMEOUT_MINUTES)}: ${lastLine(result.tail)}`;
  return {
    findings,
    row: {
      check: `lint: ${lint.name}`,
      status: clean ? 'passed' : 'failed',
      detail,
      failure: clean
        ? undefined
        : findings.length
          ? `${lint.name} found ${plural(findings.length, 'problem')}`
          : `${lint.name} ${detail}`,
    },
  };
}

async function runTests(
  loaded: LoadedConfig,
  deps: StageDeps,
): Promise<{ rows: CheckRow[]; run?: TestRun; coverage?: Coverage; junitPath?: string }> {
  const test = loaded.config.test!;
  const junitPath = test.junit ? path.resolve(loaded.projectDir, test.junit) : undefined;
  const coveragePath = test.coverage ? path.resolve(loaded.projectDir, test.coverage) : undefined;
  // A report left by an earlier run must never pass for this run's.
  for (const file of [junitPath, coveragePath]) if (file) await rm(file, { force: true });
  deps.logger.startGroup('tests');
  const result = await deps.runCommand({
    command: test.command,
    cwd: loaded.projectDir,
    env: commandEnv(loaded.config, deps),
    timeoutMs: test['timeout-minutes'] * 60_000,
    onLine: (line) => deps.logger.info(line),
  });
  deps.logger.endGroup();
  const exit = describeExit(result, test['timeout-minutes']);
  const crashed = result.timedOut || result.signal !== null;
  const rows: CheckRow[] = [];
  let run: TestRun | undefined;
  if (junitPath && !crashed) run = await readReport(() => readJUnit(junitPath), result, exit);
  const failed = run ? run.failures + run.errors : 0;
  const ok = result.exitCode === 0 && !crashed && failed === 0;
  const counts = run
    ? `${run.tests - failed - run.skipped} passed, ${failed} failed, ${run.skipped} skipped in ${formatSeconds(run.timeSeconds * 1000)}`
    : undefined;
  rows.push({
    check: 'tests',
    status: ok ? 'passed' : 'failed',
    detail: ok ? (counts ?? 'command succeeded') : (counts ?? `${exit}: ${lastLine(result.tail)}`),
    failure: ok
      ? undefined
      : run && failed
        ? `${failed} of ${plural(run.tests, 'test')} failed`
        : `the test command ${exit}: ${lastLine(result.tail)}`,
  });
  let coverage: Coverage | undefined;
  if (coveragePath && !crashed) {
    coverage = await readReport(() => readCobertura(coveragePath), result, exit);
    const measured = coverage.lineRate * 100;
    const minimum = test['min-coverage'];
    const short = minimum !== undefined && measured + 1e-9 < minimum;
    rows.push({
      check: 'coverage',
      status: short ? 'failed' : 'passed',
      detail: `${percent(measured)} of ${coverage.linesValid} lines${minimum !== undefined ? ` (minimum ${percent(minimum)})` : ''}`,
      failure: short
        ? `line coverage ${percent(measured)} is ${(minimum - measured).toFixed(1)} points below the minimum ${percent(minimum)}`
        : undefined,
    });
  }
  return { rows, run, coverage, junitPath };
}

/** A missing report after a failing command is the command's failure, said so. */
async function readReport<T>(
  read: () => Promise<T>,
  result: { exitCode: number | null; tail: string[] },
  exit: string,
): Promise<T> {
  try {
    return await read();
  } catch (error) {
    if (result.exitCode !== 0 && error instanceof ConfigurationError) {
      throw new ConfigurationError(
        `the test command ${exit} (${lastLine(result.tail)}) and ${error.message}`,
      );
    }
    throw error;
  }
}
