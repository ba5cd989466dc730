import { copyFile, mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openLocalPlatform } from '@mlops/platform';
import type { TrainingResults } from '@mlops/stages';
import { runCli } from './support/bundle.js';
import { exampleCopy, exampleFullData } from './support/project.js';

/*
 * Training on the platform with the real Python example and its full data
 * (generated when missing): flow main for the four north-east models trains
 * them as local platform jobs and registers what they trained in dev.
 */
describe('flow main on examples/demand-forecasting with full data', () => {
  it(
    'trains the models on the full data and registers the trained versions',
    { timeout: 300_000 },
    async () => {
      const project = await exampleCopy();
      await mkdir(path.join(project, 'data/full'), { recursive: true });
      await copyFile(exampleFullData(), path.join(project, 'data/full/shipments.csv'));
      const run = await runCli([
        'flow',
        'main',
        '--working-directory',
        project,
        '--models',
        'demand-north-east-*',
      ]);
      expect(run.stderr).not.toContain('error:');
      expect(run.code).toBe(0);
      expect(run.stdout).toContain('Training in dev');
      const results = JSON.parse(
        await readFile(path.join(project, '.mlops/training/dev/results.json'), 'utf8'),
      ) as TrainingResults;
      expect(results.data.rows).toBe(421_344);
      // The example README's full-data figures: the same split, the same numbers.
      const mape = Object.fromEntries(results.models.map((m) => [m.name, m.metrics?.mape]));
      expect(mape['demand-north-east-large-fast']).toBeCloseTo(0.279, 3);
      expect(mape['demand-north-east-small-fast']).toBeCloseTo(0.379, 3);
      expect(results.models.every((m) => m.state === 'succeeded' && m.trainRows === 7380)).toBe(
        true,
      );
      const dev = await openLocalPlatform({
        environment: 'dev',
        stateDir: path.join(project, '.mlops/dev'),
      });
      const [version] = await dev.registry.list('demand-north-east-large-fast');
      expect(version?.tags).toMatchObject({
        job_id: results.models.find((m) => m.name === 'demand-north-east-large-fast')!.job.id,
        data_digest: results.data.digest,
      });
      expect((await dev.ledger.verify()).ok).toBe(true);
    },
  );
});
