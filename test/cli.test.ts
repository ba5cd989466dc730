import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openLocalPlatform } from '@mlops/platform';
import { runCli } from './support/bundle.js';
import { tinyProject, withFullData } from './support/project.js';

describe('dist/cli', () => {
  it('lists every command in --help', async () => {
    const run = await runCli(['--help']);
    expect(run.code).toBe(0);
    for (const command of [
      'validate-config',
      'lint-and-test',
      'basic-model-validate',
      'run-training',
      'flow',
    ]) {
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

  it('trains on the platform in flow main when there is full data, else says so and registers the validated models', async () => {
    const project = await tinyProject(withFullData({ git: true }));
    const run = await runCli(['flow', 'main', '--working-directory', project]);
    expect(run.stderr).not.toContain('error:');
    expect(run.code).toBe(0);
    expect(run.stderr).toContain('── Run training ──');
    expect(run.stdout).toContain('Training in dev');
    const dev = await openLocalPlatform({
      environment: 'dev',
      stateDir: path.join(project, '.mlops/dev'),
    });
    const [version] = await dev.registry.list('tiny-a');
    expect(version?.tags.job_id).toMatch(/^job-/);

    const training = await runCli([
      'run-training',
      '--working-directory',
      project,
      '--environment',
      'dev',
      '--models',
      'tiny-b',
    ]);
    expect(training.code).toBe(0);
    expect(training.stdout).toContain('failed-models=\n');

    const sampleOnly = await tinyProject({ git: true });
    const plain = await runCli(['flow', 'main', '--working-directory', sampleOnly]);
    expect(plain.code).toBe(0);
    expect(plain.stderr).not.toContain('── Run training ──');
    expect(plain.stderr).toContain(
      'Notice: data.full is not set, so nothing is trained on the platform: registering the models validated on the sample. Set data.full to train on it with run-training.',
    );
  }, 120_000);
});
