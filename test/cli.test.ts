import { describe, expect, it } from 'vitest';
import { runCli } from './support/bundle.js';
import { tinyProject } from './support/project.js';

describe('dist/cli', () => {
  it('lists every command in --help', async () => {
    const run = await runCli(['--help']);
    expect(run.code).toBe(0);
    for (const command of ['validate-config', 'lint-and-test', 'basic-model-validate', 'flow']) {
      expect(run.stdout).toContain(command);
    }
  });

  it('takes the action’s inputs as flags, with their documented defaults', async () => {
    const run = await runCli(['basic-model-validate', '--help']);
    expect(run.stdout).toContain('--stage <value>');
    expect(run.stdout).toContain('(pr | main) [default: pr]');
  });

  it('validates a config and counts its models', async () => {
    const project = await tinyProject();
    const run = await runCli(['validate-config', '--working-directory', project]);
    expect(run).toMatchObject({
      code: 0,
      stdout: `${project}/mlops.yaml is valid: 2 models (tiny-a, tiny-b)\n`,
    });
  });

  it('exits 2 with a one-line error for bad input, 1 for a failed check', async () => {
    const project = await tinyProject();
    const bad = await runCli([
      'basic-model-validate',
      '--working-directory',
      project,
      '--stage',
      'qa',
    ]);
    expect(bad).toMatchObject({
      code: 2,
      stderr: `error: input 'stage' must be one of pr, main, got "qa"\n`,
    });
    const failing = await tinyProject({
      config: (t) => t.replace('min-coverage: 50', 'min-coverage: 90'),
    });
    const failed = await runCli(['lint-and-test', '--working-directory', failing]);
    expect(failed.code).toBe(1);
    expect(failed.stderr).toContain(
      '✗ Code validation failed: line coverage 53.2 % is 36.8 points below the minimum 90.0 %',
    );
  });

  it('runs the PR stage and prints both reports', async () => {
    const project = await tinyProject();
    const run = await runCli(['flow', 'pr', '--working-directory', project]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Code validation\n===============');
    expect(run.stdout).toContain('Basic model validation (stage pr)');
    expect(run.stdout.trimEnd().endsWith('pr stage: passed')).toBe(true);
    expect(run.stderr).toContain('[2/2] tiny-');
  });
});
