import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openLocalPlatform } from '@mlops/platform';
import { runCli } from './support/bundle.js';
import { exampleCopy } from './support/project.js';

interface ModelResult {
  name: string;
  passed: boolean;
  metrics: { mape: number };
  baseline: { mape: number };
  gates: { passed: boolean }[];
}

/*
 * The documented flow end to end, from the CLI bundle, on the real Python
 * example project: PR (flake8, pytest, 56 models), main in dev, release in
 * prod, promotion in prod. It runs on a fresh copy of the example, which like
 * a clone has no full data: the flows register the models validated on the
 * sample (training on the full data is run-training.e2e.test.ts; with it,
 * flow all takes about twice as long).
 */
describe('mlops flow all on examples/demand-forecasting', () => {
  it(
    'runs PR, main, release and promote and ends with a champion per good model',
    { timeout: 900_000 },
    async () => {
      const EXAMPLE_PROJECT = await exampleCopy();
      const run = await runCli(['flow', 'all', '--working-directory', EXAMPLE_PROJECT]);
      expect(run.stderr).not.toContain('error:');
      expect(run.code).toBe(0);
      expect(run.stdout.trimEnd().endsWith('all stage: passed')).toBe(true);
      expect(run.stdout).toMatch(/lint: flake8 +ok passed +0 findings/);
      expect(run.stdout.match(/56 of 56 models passed\./g)).toHaveLength(3);
      expect(run.stderr).toContain(
        'Notice: data.full (data/full/shipments.csv) is not there, so nothing is trained on the platform',
      );

      const metrics = JSON.parse(
        readFileSync(path.join(EXAMPLE_PROJECT, '.mlops/validate/main/metrics.json'), 'utf8'),
      ) as { models: ModelResult[] };
      const good = metrics.models.filter((m) => m.gates.every((g) => g.passed)).map((m) => m.name);
      expect(good.length).toBeGreaterThan(30);
      const prod = await openLocalPlatform({
        environment: 'prod',
        stateDir: path.join(EXAMPLE_PROJECT, '.mlops/prod'),
      });
      expect(await prod.registry.names()).toEqual([...good].sort());
      for (const name of good) {
        const [champion] = await prod.registry.list(name, { tags: { stage: 'champion' } });
        expect(champion?.version, name).toBe(1);
        const runs = await prod.pipelines.runs(`${name}-batch`);
        expect(runs.at(-1)?.state, name).toBe('succeeded');
        expect(existsSync(path.join(runs.at(-1)!.output, 'predictions.csv')), name).toBe(true);
      }
      expect((await prod.ledger.verify()).ok).toBe(true);

      const ledger = await runCli([
        'ledger',
        'verify',
        '--environment',
        'prod',
        '--working-directory',
        EXAMPLE_PROJECT,
      ]);
      expect(ledger.code).toBe(0);
      expect(ledger.stdout).toContain('Chain intact');
    },
  );
});
