import { describe, expect, it } from 'vitest';
import { openLocalPlatform } from '@mlops/platform';
import path from 'node:path';
import { runBundle } from './support/bundle.js';
import { tinyProject } from './support/project.js';

const CELLS = Array.from({ length: 28 }, (_, i) => `c${String(i + 1).padStart(2, '0')}`);

/*
 * The delivery actions through their bundles, on a 56-model matrix
 * (2 groups x 28 cells; `cell` names no column, so every cell of a group
 * trains on that group's rows).
 */
describe('the 56-model matrix through the bundles', () => {
  it(
    'is validated, packaged, registered, published and promoted in one run',
    { timeout: 300_000 },
    async () => {
      const project = await tinyProject({
        git: true,
        config: (t) =>
          t
            .replace('name: tiny-{group}', 'name: tiny-{group}-{cell}')
            .replace('group: [a, b]', `group: [a, b]\n    cell: [${CELLS.join(', ')}]`),
      });
      const step = async (bundle: string, inputs: Record<string, string>) => {
        const run = await runBundle(bundle, inputs, { workspace: project });
        expect(run.stdout, bundle).not.toContain('::error::');
        expect(run.code, bundle).toBe(0);
        return run;
      };
      const validated = await step('basic-model-validate', { stage: 'main' });
      expect(validated.outputs['models-passed']).toBe('56');
      const packaged = await step('package-artifacts', {});
      const registered = await step('register-model', {
        environment: 'prod',
        artifact: packaged.outputs['artifact-name']!,
      });
      expect(registered.outputs['model-version']!.split(',')).toEqual(Array(56).fill('1'));
      expect(registered.summary).toContain('56 new, 0 already registered, 0 refused');
      const published = await step('publish-scoring-pipeline', {
        environment: 'prod',
        version: 'latest',
        trigger: 'true',
      });
      expect(published.outputs['rows-scored']!.split(',')).toEqual(Array(56).fill('4'));
      const promoted = await step('promote-release', { environment: 'prod' });
      expect(promoted.outputs.decision!.split(',')).toEqual(Array(56).fill('promoted'));
      expect(promoted.summary).toContain('| `tiny-b-c28` | 🏆 promoted | 1 | – |');
      const again = await step('register-model', {
        environment: 'prod',
        artifact: packaged.outputs['artifact-name']!,
      });
      expect(again.outputs.created!.split(',')).toEqual(Array(56).fill('false'));

      const prod = await openLocalPlatform({
        environment: 'prod',
        stateDir: path.join(project, '.mlops/prod'),
      });
      expect((await prod.registry.names()).length).toBe(56);
      const champions = await Promise.all(
        CELLS.map((c) => prod.registry.list(`tiny-a-${c}`, { tags: { stage: 'champion' } })),
      );
      expect(champions.every((c) => c.length === 1)).toBe(true);
      const ledger = await prod.ledger.verify();
      expect(ledger).toEqual({ ok: true, events: 56 * 4, problems: [] });
    },
  );
});
