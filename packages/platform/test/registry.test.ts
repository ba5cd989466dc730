import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { ConfigurationError } from '@mlops/foundation';
import { describe, expect, it } from 'vitest';
import { openLocalPlatform, type Platform } from '../src/index.js';
import { sourceDir, tempDir } from './support/processes.js';

const NOW = new Date('2026-11-22T10:00:00.000Z');

async function platform(stateDir?: string): Promise<Platform> {
  return openLocalPlatform({
    environment: 'dev',
    stateDir: stateDir ?? (await tempDir()),
    now: () => NOW,
  });
}

async function register(p: Platform, digest: string, tags: Record<string, string> = {}) {
  return p.registry.register({
    name: 'demand-north',
    sourceDir: await sourceDir({ 'model.txt': `model ${digest}` }),
    contentDigest: digest,
    tags,
    properties: { manifest_digest: `manifest-${digest}` },
  });
}

describe('local registry', () => {
  it('registers versions 1, 2, 3 with their files, tags and properties', async () => {
    const p = await platform();
    const results = [await register(p, 'a'), await register(p, 'b'), await register(p, 'c')];
    expect(results.map((r) => [r.version.version, r.created])).toEqual([
      [1, true],
      [2, true],
      [3, true],
    ]);
    const second = results[1]!.version;
    expect(second).toEqual({
      name: 'demand-north',
      version: 2,
      id: 'dev/demand-north/2',
      createdAt: '2026-11-22T10:00:00.000Z',
      tags: { content_digest: 'b' },
      properties: { manifest_digest: 'manifest-b' },
      path: path.join(p.location, 'registry', 'demand-north', '2', 'files'),
    });
    expect(await readFile(path.join(second.path, 'model.txt'), 'utf8')).toBe('model b');
    expect(await p.registry.get({ name: 'demand-north', version: 2 })).toEqual(second);
    expect(await p.registry.get({ name: 'demand-north', version: 4 })).toBeUndefined();
  });

  it('copies the files: changing the source afterwards leaves the version as it was', async () => {
    const p = await platform();
    const source = await sourceDir({ 'model.txt': 'first' });
    const { version } = await p.registry.register({
      name: 'm',
      sourceDir: source,
      contentDigest: 'd1',
      tags: {},
      properties: {},
    });
    await writeFile(path.join(source, 'model.txt'), 'changed');
    await writeFile(path.join(source, 'extra.txt'), 'new');
    expect(await readFile(path.join(version.path, 'model.txt'), 'utf8')).toBe('first');
    await expect(readFile(path.join(version.path, 'extra.txt'))).rejects.toThrow(/ENOENT/);
  });

  it('returns the existing version for the same content digest, copying nothing', async () => {
    const p = await platform();
    const first = await register(p, 'same', { stage: 'candidate' });
    const again = await p.registry.register({
      name: 'demand-north',
      sourceDir: await sourceDir({ 'model.txt': 'other bytes' }),
      contentDigest: 'same',
      tags: { stage: 'champion' },
      properties: { manifest_digest: 'other' },
    });
    expect(again).toEqual({ version: first.version, created: false });
    expect(await readFile(path.join(first.version.path, 'model.txt'), 'utf8')).toBe('model same');
    expect(await p.registry.list('demand-north')).toHaveLength(1);
    expect(await readdir(path.join(p.location, 'staging'))).toEqual([]);
  });

  it('lists versions oldest first, filtered by tags, and the model names', async () => {
    const p = await platform();
    await register(p, 'a', { stage: 'archived', git_sha: 'x' });
    await register(p, 'b', { stage: 'candidate', git_sha: 'x' });
    await register(p, 'c', { stage: 'candidate', git_sha: 'y' });
    await p.registry.register({
      name: 'another.model_2',
      sourceDir: await sourceDir({ 'm.bin': '1' }),
      contentDigest: 'z',
      tags: {},
      properties: {},
    });
    const versions = (filter?: Record<string, string>) =>
      p.registry
        .list('demand-north', filter && { tags: filter })
        .then((list) => list.map((v) => v.version));
    expect(await versions()).toEqual([1, 2, 3]);
    expect(await versions({ stage: 'candidate' })).toEqual([2, 3]);
    expect(await versions({ stage: 'candidate', git_sha: 'x' })).toEqual([2]);
    expect(await versions({ stage: 'champion' })).toEqual([]);
    expect(await p.registry.list('never-registered')).toEqual([]);
    expect(await p.registry.names()).toEqual(['another.model_2', 'demand-north']);
  });

  it('sets, changes and removes tags on several versions at once', async () => {
    const p = await platform();
    await register(p, 'a', { stage: 'champion', run_url: 'u1' });
    await register(p, 'b', { stage: 'candidate' });
    await p.registry.setTags([
      { name: 'demand-north', version: 1, tags: { stage: 'archived', run_url: null } },
      { name: 'demand-north', version: 2, tags: { stage: 'champion', mape: '0.31' } },
    ]);
    const [one, two] = await p.registry.list('demand-north');
    expect(one?.tags).toEqual({ stage: 'archived', content_digest: 'a' });
    expect(two?.tags).toEqual({ stage: 'champion', mape: '0.31', content_digest: 'b' });
  });

  it('changes no version when one of the changes names a version that does not exist', async () => {
    const p = await platform();
    await register(p, 'a', { stage: 'champion' });
    const attempt = p.registry.setTags([
      { name: 'demand-north', version: 1, tags: { stage: 'archived' } },
      { name: 'demand-north', version: 7, tags: { stage: 'champion' } },
    ]);
    await expect(attempt).rejects.toThrow(
      new ConfigurationError('cannot tag demand-north version 7: it is not registered in dev'),
    );
    expect((await p.registry.get({ name: 'demand-north', version: 1 }))?.tags.stage).toBe(
      'champion',
    );
  });

  it('keeps properties as registered', async () => {
    const p = await platform();
    const { version } = await register(p, 'a');
    version.properties.manifest_digest = 'edited in memory';
    await p.registry.setTags([{ name: 'demand-north', version: 1, tags: { stage: 'champion' } }]);
    await register(p, 'a');
    const stored = await p.registry.get({ name: 'demand-north', version: 1 });
    expect(stored?.properties).toEqual({ manifest_digest: 'manifest-a' });
    expect(stored?.tags.stage).toBe('champion');
  });

  it('rejects an invalid model name with one actionable line', async () => {
    const p = await platform();
    const attempt = p.registry.register({
      name: '../escape',
      sourceDir: await sourceDir({}),
      contentDigest: 'd',
      tags: {},
      properties: {},
    });
    await expect(attempt).rejects.toBeInstanceOf(ConfigurationError);
    await expect(attempt).rejects.toThrow(
      `invalid model name "../escape": use letters, digits, '-', '_' and '.', ` +
        'starting with a letter or digit, at most 255 characters',
    );
    await expect(p.registry.list('a'.repeat(256))).rejects.toThrow(/invalid model name/);
    expect(await p.registry.names()).toEqual([]);
  });

  it('keeps two state folders apart: two workspaces', async () => {
    const dev = await platform();
    const prod = await openLocalPlatform({ environment: 'prod', stateDir: await tempDir() });
    await register(dev, 'a');
    expect(await prod.registry.names()).toEqual([]);
    const { version } = await register(prod, 'a');
    expect(version.id).toBe('prod/demand-north/1');
  });
});
