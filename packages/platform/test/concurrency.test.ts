import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openLocalPlatform, type ModelVersion, type TagChange } from '../src/index.js';
import { runTogether, sourceDir, tempDir, type WorkerResult } from './support/processes.js';

const TIMEOUT = 60_000;

function outputs<T>(results: WorkerResult[]): T[] {
  for (const result of results) expect(result, result.stderr).toMatchObject({ code: 0 });
  return results.map((result) => JSON.parse(result.stdout) as T);
}

describe('local platform shared by several processes', () => {
  it(
    'gives processes registering at once distinct versions and loses none',
    async () => {
      const stateDir = await tempDir();
      const digests = ['d1', 'd2', 'd3', 'd4', 'd5', 'd6'];
      const results = await runTogether(
        digests.map((digest) => ({ action: 'register', stateDir, name: 'm', digest })),
        path.join(stateDir, '..', `${path.basename(stateDir)}.go`),
      );
      const registered = outputs<{ version: ModelVersion; created: boolean }>(results);
      expect(registered.every((r) => r.created)).toBe(true);
      expect(registered.map((r) => r.version.version).sort()).toEqual([1, 2, 3, 4, 5, 6]);
      const p = await openLocalPlatform({ environment: 'dev', stateDir });
      const versions = await p.registry.list('m');
      expect(versions.map((v) => v.version)).toEqual([1, 2, 3, 4, 5, 6]);
      for (const version of versions) {
        const digest = version.tags.content_digest!;
        expect(await readFile(path.join(version.path, 'model.txt'), 'utf8')).toBe(digest);
      }
      expect(versions.map((v) => v.tags.content_digest).sort()).toEqual(digests);
    },
    TIMEOUT,
  );

  it(
    'registers one version when processes register the same content at once',
    async () => {
      const stateDir = await tempDir();
      const results = await runTogether(
        [1, 2, 3, 4].map(() => ({ action: 'register', stateDir, name: 'm', digest: 'same' })),
        path.join(stateDir, '..', `${path.basename(stateDir)}.go`),
      );
      const registered = outputs<{ version: ModelVersion; created: boolean }>(results);
      expect(registered.filter((r) => r.created)).toHaveLength(1);
      expect(new Set(registered.map((r) => r.version.id))).toEqual(new Set(['dev/m/1']));
    },
    TIMEOUT,
  );

  it(
    'loses no tag when processes tag the same version at once',
    async () => {
      const stateDir = await tempDir();
      const p = await openLocalPlatform({ environment: 'dev', stateDir });
      await p.registry.register({
        name: 'm',
        sourceDir: await sourceDir({ 'model.txt': 'x' }),
        contentDigest: 'x',
        tags: {},
        properties: {},
      });
      const tags = ['t1', 't2', 't3', 't4', 't5', 't6'];
      const results = await runTogether(
        tags.map((tag) => ({
          action: 'set-tags',
          stateDir,
          changes: [{ name: 'm', version: 1, tags: { [tag]: `value-${tag}` } }],
        })),
        path.join(stateDir, '..', `${path.basename(stateDir)}.go`),
      );
      for (const result of results) expect(result, result.stderr).toMatchObject({ code: 0 });
      const version = await p.registry.get({ name: 'm', version: 1 });
      expect(version?.tags).toEqual({
        content_digest: 'x',
        ...Object.fromEntries(tags.map((tag) => [tag, `value-${tag}`])),
      });
    },
    TIMEOUT,
  );

  it(
    'never shows a reader half of a multi-version tag change',
    async () => {
      const stateDir = await tempDir();
      const p = await openLocalPlatform({ environment: 'dev', stateDir });
      for (const digest of ['a', 'b']) {
        await p.registry.register({
          name: 'm',
          sourceDir: await sourceDir({ 'model.txt': digest }),
          contentDigest: digest,
          tags: { stage: digest === 'a' ? 'champion' : 'archived' },
          properties: {},
        });
      }
      const swap = (champion: number): TagChange[] => [
        { name: 'm', version: champion, tags: { stage: 'champion' } },
        { name: 'm', version: 3 - champion, tags: { stage: 'archived' } },
      ];
      const barrier = path.join(stateDir, '..', `${path.basename(stateDir)}.go`);
      const writers = runTogether(
        [1, 2, 1, 2].map((champion) => ({
          action: 'set-tags',
          stateDir,
          changes: swap(champion),
          times: 20,
        })),
        barrier,
      );
      let finished = false;
      void writers.finally(() => (finished = true));
      const champions: number[] = [];
      while (!finished || champions.length === 0) {
        const versions = await p.registry.list('m', { tags: { stage: 'champion' } });
        champions.push(versions.length);
      }
      for (const result of await writers) expect(result, result.stderr).toMatchObject({ code: 0 });
      expect(champions.filter((count) => count !== 1)).toEqual([]);
    },
    TIMEOUT,
  );

  it(
    'keeps one unbroken ledger chain when processes append at once',
    async () => {
      const stateDir = await tempDir();
      const reasons = ['r1', 'r2', 'r3', 'r4', 'r5'];
      const results = await runTogether(
        reasons.map((reason) => ({
          action: 'append',
          stateDir,
          entry: { kind: 'promote', actor: 'ci', reason, details: {} },
        })),
        path.join(stateDir, '..', `${path.basename(stateDir)}.go`),
      );
      outputs(results);
      const p = await openLocalPlatform({ environment: 'dev', stateDir });
      const events = await p.ledger.list();
      expect(events.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5]);
      expect(events.map((e) => e.reason).sort()).toEqual(reasons);
      expect(await p.ledger.verify()).toEqual({ ok: true, events: 5, problems: [] });
    },
    TIMEOUT,
  );
});
