import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ConfigurationError } from '@mlops/foundation';
import { defineAction, type ActionResult } from '../src/index.js';
import { runOnRunner } from '../src/github-runner.js';

let stdout: string[];
let files: { output: string; summary: string };

beforeEach(async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'runner-'));
  files = { output: path.join(dir, 'output'), summary: path.join(dir, 'summary') };
  await writeFile(files.output, '');
  await writeFile(files.summary, '');
  process.env.GITHUB_OUTPUT = files.output;
  process.env.GITHUB_STEP_SUMMARY = files.summary;
  stdout = [];
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    stdout.push(String(chunk));
    return true;
  });
});

afterEach(() => {
  vi.restoreAllMocks();
  // setFailed marks the process failed; this test process must not inherit that.
  process.exitCode = 0;
});

function action(execute: () => Promise<ActionResult>) {
  return defineAction({
    name: 'probe',
    title: 'Probe',
    description: 'A probe.',
    inputs: { level: { description: 'Level.', default: 'low', values: ['low', 'high'] } },
    outputs: { answer: 'The answer.' },
    parseInputs: (read) => ({ level: read.enum('level') }),
    execute,
  });
}

describe('runOnRunner', () => {
  it('writes outputs and the summary, then fails with the result’s failure', async () => {
    await runOnRunner(
      action(async () => ({
        outputs: { answer: '42' },
        report: [{ kind: 'text', text: 'hello' }],
        failure: 'one check failed',
      })),
      () => '',
    );
    expect(await readFile(files.output, 'utf8')).toMatch(/^answer<<ghadelimiter_[\w-]+\n42\n/);
    expect(await readFile(files.summary, 'utf8')).toBe('hello\n');
    expect(stdout.join('')).toContain('::error::one check failed');
    expect(process.exitCode).toBe(1);
  });

  it('fails the step for any thrown value, saying it was unexpected', async () => {
    await runOnRunner(
      action(() => Promise.reject('disk full')),
      () => '',
    );
    expect(stdout.join('')).toBe('::error::Probe stopped on an unexpected error: disk full\n');
    expect(process.exitCode).toBe(1);
  });

  it('reports the user’s mistakes as they are', async () => {
    await runOnRunner(
      action(() => Promise.reject(new ConfigurationError('mlops.yaml:3:1: name: is required'))),
      () => '',
    );
    expect(stdout.join('')).toBe('::error::mlops.yaml:3:1: name: is required\n');
  });

  it('rejects a bad input before running anything', async () => {
    const execute = vi.fn();
    await runOnRunner(action(execute), (name) => (name === 'level' ? 'max' : ''));
    expect(execute).not.toHaveBeenCalled();
    expect(stdout.join('')).toBe(`::error::input 'level' must be one of low, high, got "max"\n`);
  });
});
