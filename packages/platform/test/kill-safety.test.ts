import { appendFile, readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, it } from 'vitest';
import { openLocalPlatform, type Platform } from '../src/index.js';
import { runWorker, sourceDir, tempDir } from './support/processes.js';

/*
 * A worker process SIGKILLs itself at a named point of a write. Where it dies
 * holding the writer lock, the next writer waits for the lock to go stale
 * (10 s), so these tests run concurrently.
 */
const TIMEOUT = 90_000;

async function open(stateDir: string): Promise<Platform> {
  return openLocalPlatform({ environment: 'dev', stateDir });
}

async function register(p: Platform, digest: string, tags: Record<string, string> = {}) {
  return p.registry.register({
    name: 'm',
    sourceDir: await sourceDir({ 'model.txt': digest }),
    contentDigest: digest,
    tags,
    properties: {},
  });
}

const storedTags = async (p: Platform, version: number): Promise<Record<string, string>> =>
  (
    JSON.parse(
      await readFile(
        path.join(p.location, 'registry', 'm', String(version), 'version.json'),
        'utf8',
      ),
    ) as { tags: Record<string, string> }
  ).tags;

const staging = (p: Platform): Promise<string[]> =>
  readdir(path.join(p.location, 'staging')).catch(() => []);

describe.concurrent('a process killed in the middle of a write', () => {
  it(
    'register, killed with its files staged: no version; the re-run registers version 1',
    async ({ expect }) => {
      const stateDir = await tempDir();
      const killed = await runWorker(
        { action: 'register', stateDir, name: 'm', digest: 'd1' },
        { killAt: 'register:staged' },
      );
      expect(killed.signal).toBe('SIGKILL');
      const p = await open(stateDir);
      expect(await staging(p)).toHaveLength(1);
      expect(await p.registry.list('m')).toEqual([]);
      expect(await p.registry.names()).toEqual([]);
      const rerun = await register(p, 'd1');
      expect([rerun.version.version, rerun.created]).toEqual([1, true]);
      expect(await staging(p)).toEqual([]);
    },
    TIMEOUT,
  );

  it(
    'register, killed after the version appeared: the version is whole and the re-run reuses it',
    async ({ expect }) => {
      const stateDir = await tempDir();
      const killed = await runWorker(
        { action: 'register', stateDir, name: 'm', digest: 'd1' },
        { killAt: 'register:renamed' },
      );
      expect(killed.signal).toBe('SIGKILL');
      const p = await open(stateDir);
      const [version] = await p.registry.list('m');
      expect(version).toMatchObject({
        version: 1,
        tags: { stage: 'candidate', content_digest: 'd1' },
      });
      expect(await readFile(path.join(version!.path, 'model.txt'), 'utf8')).toBe('d1');
      const rerun = await register(p, 'd1');
      expect([rerun.version.version, rerun.created]).toEqual([1, false]);
      // The killed holder's lock goes stale and the next writer takes over.
      const next = await register(p, 'd2');
      expect([next.version.version, next.created]).toEqual([2, true]);
      expect((await p.registry.list('m')).map((v) => v.version)).toEqual([1, 2]);
    },
    TIMEOUT,
  );

  for (const point of ['set-tags:journaled', 'set-tags:applied-one'] as const) {
    it(
      `setTags on two versions, killed at ${point}: readers see both changed, the next writer finishes it`,
      async ({ expect }) => {
        const stateDir = await tempDir();
        const p = await open(stateDir);
        await register(p, 'd1', { stage: 'champion' });
        await register(p, 'd2', { stage: 'candidate' });
        const killed = await runWorker(
          {
            action: 'set-tags',
            stateDir,
            changes: [
              { name: 'm', version: 1, tags: { stage: 'archived' } },
              { name: 'm', version: 2, tags: { stage: 'champion' } },
            ],
          },
          { killAt: point },
        );
        expect(killed.signal).toBe('SIGKILL');
        // On disk the change is not (fully) applied; the journal holds all of it.
        const applied = point === 'set-tags:applied-one' ? 'archived' : 'champion';
        expect((await storedTags(p, 1)).stage).toBe(applied);
        expect((await storedTags(p, 2)).stage).toBe('candidate');
        const stages = async () => (await p.registry.list('m')).map((v) => v.tags.stage);
        expect(await stages()).toEqual(['archived', 'champion']);
        expect(await p.registry.list('m', { tags: { stage: 'champion' } })).toHaveLength(1);

        await register(p, 'd3');
        expect(await storedTags(p, 1)).toEqual({ stage: 'archived', content_digest: 'd1' });
        expect(await storedTags(p, 2)).toEqual({ stage: 'champion', content_digest: 'd2' });
        await expect(readFile(path.join(stateDir, 'tags-journal.json'))).rejects.toThrow(/ENOENT/);
        expect(await stages()).toEqual(['archived', 'champion', undefined]);
      },
      TIMEOUT,
    );
  }

  it(
    'ledger append, killed midway through a line: the torn line is dropped, then cut off',
    async ({ expect }) => {
      const p = await open(await tempDir());
      const entry = { kind: 'register' as const, actor: 'ci', details: {} };
      await p.ledger.append({ ...entry, reason: 'one' });
      const second = await p.ledger.append({ ...entry, reason: 'two' });
      const file = path.join(p.location, 'ledger.jsonl');
      // What a kill between the first bytes of a write and its newline leaves.
      await appendFile(file, '{"seq":3,"at":"2026-11-22T10:');
      expect((await p.ledger.list()).map((e) => e.reason)).toEqual(['one', 'two']);
      expect(await p.ledger.verify()).toEqual({ ok: true, events: 2, problems: [] });

      const third = await p.ledger.append({ ...entry, reason: 'three' });
      expect([third.seq, third.prev]).toEqual([3, second.hash]);
      const lines = (await readFile(file, 'utf8')).split('\n');
      expect(lines).toHaveLength(4);
      expect(lines.map((line) => (line ? (JSON.parse(line) as { seq: number }).seq : ''))).toEqual([
        1,
        2,
        3,
        '',
      ]);
      expect(await p.ledger.verify()).toEqual({ ok: true, events: 3, problems: [] });
    },
    TIMEOUT,
  );
});
