import { existsSync, readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { actions } from '@mlops/stages';
import { runBundle } from './support/bundle.js';
import { tinyProject } from './support/project.js';

/*
 * Each bundle in dist/ is started the way the runner starts it: inputs in
 * INPUT_*, outputs and summary through files, annotations as workflow commands.
 */
describe('dist/lint-and-test', () => {
  it('passes on a clean project and reports tests and coverage', async () => {
    const project = await tinyProject();
    const run = await runBundle('lint-and-test', {}, { workspace: project });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.outputs).toEqual({
      tests: '2',
      failures: '0',
      skipped: '0',
      coverage: '53.2',
      'lint-findings': '0',
      'junit-path': path.join(project, 'reports/junit.xml'),
    });
    expect(run.summary).toContain('| lint: flake8 | ✅ passed | 0 findings |');
    expect(run.summary).toContain('| coverage | ✅ passed | 53.2 % of 47 lines (minimum 50.0 %) |');
    expect(run.summary).toContain('| tests.test_tiny::test_read | ✅ passed |');
  });

  it('annotates lint findings on the file and line, lists failed tests first and fails the step', async () => {
    const project = await tinyProject({
      files: {
        'tests/test_more.py': `def test_fails():\n    assert 1 + 1 == 3, "arithmetic is broken"\n\n\ndef test_long():\n    assert "${'x'.repeat(80)}"\n`,
      },
    });
    const run = await runBundle('lint-and-test', {}, { workspace: project });
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(
      '::error title=flake8,file=tests/test_more.py,line=6,col=81::E501 line too long (93 > 80 characters)',
    );
    expect(run.stdout).toContain(
      '::error::Code validation failed: flake8 found 1 problem; 1 of 4 tests failed',
    );
    expect(run.outputs.failures).toBe('1');
    const table = run.summary.slice(run.summary.indexOf('### Tests'));
    expect(table.split('\n')[4]).toMatch(
      /^\| tests\.test_more::test_fails \| ❌ failed \| .* \| AssertionError: arithmetic is broken/,
    );
  });
});

describe('dist/basic-model-validate', () => {
  it('validates every model and writes the metrics file', async () => {
    const project = await tinyProject();
    const run = await runBundle('basic-model-validate', { stage: 'main' }, { workspace: project });
    expect(run.code).toBe(0);
    expect(run.outputs['models-passed']).toBe('2');
    expect(run.outputs['models-failed']).toBe('0');
    const metrics = JSON.parse(readFileSync(run.outputs.metrics!, 'utf8'));
    expect(metrics.stage).toBe('main');
    expect(metrics.models.map((m: { name: string; epochs: number }) => [m.name, m.epochs])).toEqual(
      [
        ['tiny-a', 4],
        ['tiny-b', 4],
      ],
    );
    // The tiny model predicts each shop's mean, which is exactly the baseline.
    expect(metrics.models[0].metrics.mape).toBeCloseTo(metrics.models[0].baseline.mape, 12);
    expect(run.summary).toContain('**2 of 2 models passed.**');
    expect(run.summary).toMatch(/\| `tiny-a` \| ✅ \| ✅ \| ✅ \| ✅ \| 0\.\d{3} \(−0 %\) \|/);
  });

  it('fails only the broken model and still reports the other', async () => {
    const project = await tinyProject({
      config: (t) =>
        t.replace(
          'command: \'"$MLOPS_INTERPRETER" tiny.py train\'',
          `command: 'if [ "$MLOPS_PARAM_GROUP" = b ]; then exit 3; fi; "$MLOPS_INTERPRETER" tiny.py train'`,
        ),
    });
    const run = await runBundle('basic-model-validate', { parallel: '1' }, { workspace: project });
    expect(run.code).toBe(1);
    expect(run.outputs).toMatchObject({ 'models-passed': '1', 'models-failed': '1' });
    expect(run.stdout).toContain(
      '::error::Basic model validation failed for 1 of 2 models: tiny-b (train: train command exited 3: (no output))',
    );
    const rows = run.summary.split('\n').filter((l) => l.startsWith('| `tiny-'));
    expect(rows.map((r) => r.split(' | ').slice(0, 4).join(' | '))).toEqual([
      '| `tiny-b` | ✅ | ❌ | ⏭️',
      '| `tiny-a` | ✅ | ✅ | ✅',
    ]);
  });

  it('rejects a bad input with a one-line message before doing anything', async () => {
    const project = await tinyProject();
    const run = await runBundle(
      'basic-model-validate',
      { stage: 'nightly' },
      { workspace: project },
    );
    expect(run.code).toBe(1);
    expect(run.stdout.trim()).toBe(`::error::input 'stage' must be one of pr, main, got "nightly"`);
    expect(existsSync(path.join(project, '.mlops'))).toBe(false);
  });
});

describe('dist/root-action', () => {
  it('runs the action named by step with that action’s inputs', async () => {
    const project = await tinyProject();
    const run = await runBundle(
      'root-action',
      { step: 'basic-model-validate', models: 'tiny-b' },
      { workspace: project },
    );
    expect(run.code).toBe(0);
    expect(run.outputs['models-passed']).toBe('1');
  });

  it('names the valid steps when step is wrong', async () => {
    const project = await tinyProject();
    const run = await runBundle('root-action', { step: 'deploy' }, { workspace: project });
    expect(run.code).toBe(1);
    expect(run.stdout.trim()).toBe(
      `::error::input 'step' must be one of ${actions.map((a) => a.name).join(', ')}, got "deploy"`,
    );
  });

  it('reads the config relative to working-directory', async () => {
    const project = await tinyProject();
    await writeFile(path.join(project, 'other.yaml'), 'name: x\n');
    const run = await runBundle(
      'root-action',
      { step: 'lint-and-test', 'working-directory': project, config: 'other.yaml' },
      { workspace: path.dirname(project) },
    );
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(`::error::project/other.yaml:1:1: train: is required (a mapping)`);
  });
});
