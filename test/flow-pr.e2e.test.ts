import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from './support/bundle.js';
import { EXAMPLE_PROJECT } from './support/project.js';

interface ModelResult {
  name: string;
  passed: boolean;
  metrics: { mape: number };
  baseline: { mape: number };
}

/*
 * The pull-request stage end to end, from the CLI bundle, on the real Python
 * example project: flake8, pytest with coverage, and all 56 models.
 */
describe('mlops flow pr on examples/demand-forecasting', () => {
  it('lints, tests and validates all 56 models', { timeout: 600_000 }, async () => {
    const run = await runCli(['flow', 'pr', '--working-directory', EXAMPLE_PROJECT]);
    expect(run.stderr).not.toContain('error:');
    expect(run.stdout).toContain('PR stage: passed');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/lint: flake8 +ok passed +0 findings/);
    expect(run.stdout).toContain('56 of 56 models passed.');
    expect(run.stderr).toContain('[56/56]');
    const metrics = JSON.parse(
      readFileSync(path.join(EXAMPLE_PROJECT, '.mlops/validate/pr/metrics.json'), 'utf8'),
    ) as { stage: string; models: ModelResult[] };
    expect(metrics.stage).toBe('pr');
    expect(metrics.models).toHaveLength(56);
    for (const model of metrics.models) {
      expect(Number.isFinite(model.metrics.mape), model.name).toBe(true);
      expect(Number.isFinite(model.baseline.mape), model.name).toBe(true);
    }
  });
});
