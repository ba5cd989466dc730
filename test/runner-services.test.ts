import { spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { DefaultArtifactClient } from '@actions/artifact';
import { restoreCache, saveCache } from '@actions/cache';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  createRuntimeToken,
  startRunnerServices,
  type RunnerServices,
} from './runner-services/index.js';

let services: RunnerServices;
let root: string;

beforeAll(async () => {
  services = await startRunnerServices();
  root = await mkdtemp(path.join(os.tmpdir(), 'runner-services-'));
});

afterAll(async () => {
  await services?.close();
  if (root) await rm(root, { recursive: true, force: true });
});

beforeEach(async () => {
  services.clearRequests();
  // process.env is restored after each test by test/setup/isolate.ts.
  Object.assign(process.env, services.env);
  delete process.env.GITHUB_SERVER_URL;
  delete process.env.ACTIONS_CACHE_MODE;
  process.env.GITHUB_WORKSPACE = path.join(root, 'workspace');
  process.env.RUNNER_TEMP = path.join(root, 'runner-temp');
  await mkdir(process.env.GITHUB_WORKSPACE, { recursive: true });
  await mkdir(process.env.RUNNER_TEMP, { recursive: true });
});

const sha256 = (data: Buffer): string => createHash('sha256').update(data).digest('hex');

/** relative path -> sha256 of every file under `dir`. */
async function digestTree(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const full = path.join(entry.parentPath, entry.name);
    out[path.relative(dir, full)] = sha256(await readFile(full));
  }
  return out;
}

async function writeTree(dir: string, files: Record<string, Buffer | string>): Promise<string[]> {
  const written: string[] = [];
  for (const [name, content] of Object.entries(files)) {
    const file = path.join(dir, name);
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, content);
    written.push(file);
  }
  return written;
}

describe('runner services fake with the real @actions/artifact', () => {
  it('uploads in several blocks, lists, gets, downloads byte-identical files, deletes', async () => {
    const source = path.join(root, 'artifact-src');
    const files = await writeTree(source, {
      'model.bin': randomBytes(9 * 1024 * 1024 + 123), // > 8 MiB even zipped: 2 blocks
      'metrics/scores.json': JSON.stringify({ auc: 0.91 }),
      'README.txt': 'hello\n'.repeat(1000),
    });
    const client = new DefaultArtifactClient();

    const uploaded = await client.uploadArtifact('model', files, source);
    const [stored] = services.artifacts();
    expect(stored?.blob).toBeDefined();
    expect(uploaded).toEqual({
      id: stored?.id,
      size: stored?.blob?.length,
      digest: sha256(stored?.blob ?? Buffer.alloc(0)),
    });
    expect(uploaded.size).toBeGreaterThan(9 * 1024 * 1024);
    expect(stored).toMatchObject({
      name: 'model',
      finalized: true,
      mimeType: 'application/zip',
      blobContentType: 'application/zip',
      digest: `sha256:${uploaded.digest}`,
    });
    expect(services.blobCalls('PutBlock')).toHaveLength(2);
    expect(services.blobCalls('PutBlockList')).toHaveLength(1);
    expect(services.twirpCalls('CreateArtifact')[0]?.body).toMatchObject({
      workflow_run_backend_id: services.runBackendId,
      workflow_job_run_backend_id: services.jobBackendId,
      name: 'model',
      version: 7,
      mime_type: 'application/zip',
    });

    const listed = await client.listArtifacts();
    expect(listed.artifacts).toEqual([
      expect.objectContaining({
        id: uploaded.id,
        name: 'model',
        size: uploaded.size,
        digest: `sha256:${uploaded.digest}`,
      }),
    ]);
    const { artifact } = await client.getArtifact('model');
    expect(artifact.id).toBe(uploaded.id);
    expect(artifact.createdAt).toBeInstanceOf(Date);

    const target = path.join(root, 'artifact-dl');
    const downloaded = await client.downloadArtifact(artifact.id, {
      path: target,
      expectedHash: artifact.digest,
    });
    expect(downloaded).toEqual({ downloadPath: target, digestMismatch: false });
    expect(await digestTree(target)).toEqual(await digestTree(source));
    expect(services.blobCalls('GetBlob').at(-1)?.status).toBe(200);

    await expect(client.deleteArtifact('model')).resolves.toEqual({ id: uploaded.id });
    await expect(client.listArtifacts()).resolves.toEqual({ artifacts: [] });
    expect(services.artifacts()).toEqual([]);
  });

  it('fails fast on an injected 400 from CreateArtifact, before any upload', async () => {
    const source = path.join(root, 'artifact-fault');
    const files = await writeTree(source, { 'a.txt': 'a' });
    services.failNext('CreateArtifact', 400, { message: 'artifact quota exceeded' });

    const started = Date.now();
    await expect(new DefaultArtifactClient().uploadArtifact('x', files, source)).rejects.toThrow(
      /CreateArtifact.*\(400\).*artifact quota exceeded/,
    );
    expect(Date.now() - started).toBeLessThan(2000);
    expect(services.twirpCalls('CreateArtifact')).toMatchObject([{ status: 400, injected: true }]);
    expect(services.blobCalls()).toEqual([]);
    // One-shot: the next upload goes through.
    await expect(
      new DefaultArtifactClient().uploadArtifact('x', files, source),
    ).resolves.toMatchObject({ size: expect.any(Number) });
    await new DefaultArtifactClient().deleteArtifact('x');
  });

  it('answers 401 to a missing or foreign token, and the client gives up at once', async () => {
    const endpoint = `${services.url}/twirp/github.actions.results.api.v1.ArtifactService/ListArtifacts`;
    const body = JSON.stringify({
      workflow_run_backend_id: services.runBackendId,
      workflow_job_run_backend_id: services.jobBackendId,
    });
    const foreign = createRuntimeToken('other-run', 'other-job');
    for (const authorization of [undefined, 'Bearer not-a-jwt', `Bearer ${foreign}`]) {
      const response = await fetch(endpoint, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(authorization ? { authorization } : {}),
        },
        body,
      });
      expect(response.status).toBe(401);
      expect(await response.json()).toMatchObject({ code: 'unauthenticated' });
    }
    const ok = await fetch(endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${services.token}` },
      body,
    });
    expect(ok.status).toBe(200);

    process.env.ACTIONS_RUNTIME_TOKEN = foreign;
    await expect(new DefaultArtifactClient().listArtifacts()).rejects.toThrow(/\(401\)/);
  });
});

describe('runner services fake with the real @actions/cache', () => {
  const zstd = spawnSync('zstd', ['--version']).status === 0;

  it('saves, restores by exact key and by newest restore-key prefix, misses, refuses a re-save', async () => {
    const dir = path.join(process.env.GITHUB_WORKSPACE ?? '', 'deps');
    const paths = [dir]; // absolute: no dependence on process.cwd()
    await writeTree(dir, {
      'lib/a.bin': randomBytes(200_000),
      'lib/nested/b.txt': 'b\n'.repeat(500),
      'c.json': '{}',
    });
    const first = await digestTree(dir);

    const id = await saveCache(paths, 'deps-linux-1');
    expect(id).toBeGreaterThan(0);
    const [entry] = services.cacheEntries();
    expect(entry).toMatchObject({ id, key: 'deps-linux-1', finalized: true });
    expect(entry?.size).toBe(entry?.blob?.length);
    const magic = entry?.blob?.subarray(0, 4).toString('hex');
    expect(magic).toBe(zstd ? '28b52ffd' : expect.stringMatching(/^1f8b/));
    expect(services.blobCalls('PutBlob')).toHaveLength(1); // < 128 MiB: one shot
    expect(services.blobCalls('PutBlock')).toHaveLength(0);

    await rm(dir, { recursive: true });
    await expect(restoreCache(paths, 'deps-linux-1')).resolves.toBe('deps-linux-1');
    expect(await digestTree(dir)).toEqual(first);

    // A newer entry under the same prefix wins a restore-key match.
    await writeFile(path.join(dir, 'c.json'), '{"v":2}');
    const second = await digestTree(dir);
    expect(await saveCache(paths, 'deps-linux-2')).toBeGreaterThan(id);
    await rm(dir, { recursive: true });
    await expect(restoreCache(paths, 'deps-linux-3', ['deps-mac-', 'deps-linux-'])).resolves.toBe(
      'deps-linux-2',
    );
    expect(await digestTree(dir)).toEqual(second);
    expect(services.twirpCalls('GetCacheEntryDownloadURL').at(-1)?.body).toMatchObject({
      key: 'deps-linux-3',
      restore_keys: ['deps-mac-', 'deps-linux-'],
      version: entry?.version,
    });

    // Unknown key, and a known key under another version (other paths): misses.
    await expect(restoreCache(paths, 'nothing-here', ['nothing-'])).resolves.toBeUndefined();
    await expect(restoreCache([`${dir}/lib`], 'deps-linux-1')).resolves.toBeUndefined();

    // Same key again: the service answers 409, the client returns -1 and uploads nothing.
    const uploadsBefore = services.blobCalls().filter((r) => r.method === 'PUT').length;
    await expect(saveCache(paths, 'deps-linux-1')).resolves.toBe(-1);
    expect(services.twirpCalls('CreateCacheEntry').at(-1)?.status).toBe(409);
    expect(services.blobCalls().filter((r) => r.method === 'PUT')).toHaveLength(uploadsBefore);
    expect(services.cacheEntries()).toHaveLength(2);
  });

  it('a failed blob upload (injected 403) makes saveCache return -1 without finalizing', async () => {
    const dir = path.join(process.env.GITHUB_WORKSPACE ?? '', 'faulty');
    await writeTree(dir, { 'f.txt': 'f' });
    services.failNext('PutBlob', 403);
    const started = Date.now();
    await expect(saveCache([dir], 'faulty-1')).resolves.toBe(-1);
    expect(Date.now() - started).toBeLessThan(5000);
    expect(services.blobCalls('PutBlob')).toMatchObject([{ status: 403, injected: true }]);
    expect(services.twirpCalls('FinalizeCacheEntryUpload')).toEqual([]);
    expect(services.cacheEntries().find((e) => e.key === 'faulty-1')).toMatchObject({
      finalized: false,
    });
    await expect(restoreCache([dir], 'faulty-1')).resolves.toBeUndefined();
  });
});

describe('runner services fake: blob endpoint', () => {
  it('serves Range and HEAD on a signed URL and refuses a bad signature', async () => {
    const twirp = async (method: string, body: object): Promise<Record<string, string>> => {
      const response = await fetch(
        `${services.url}/twirp/github.actions.results.api.v1.CacheService/${method}`,
        {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            authorization: `Bearer ${services.token}`,
          },
          body: JSON.stringify(body),
        },
      );
      expect(response.status).toBe(200);
      return (await response.json()) as Record<string, string>;
    };
    const data = Buffer.from('0123456789abcdef');
    const entry = { key: 'raw-blob', version: 'v-raw' };
    const { signed_upload_url: uploadUrl = '' } = await twirp('CreateCacheEntry', entry);
    const put = await fetch(uploadUrl, {
      method: 'PUT',
      headers: { 'x-ms-blob-type': 'BlockBlob' },
      body: data,
    });
    expect(put.status).toBe(201);
    expect(put.headers.get('content-md5')).toBe(createHash('md5').update(data).digest('base64'));
    expect(put.headers.get('etag')).toBeTruthy();
    await twirp('FinalizeCacheEntryUpload', { ...entry, size_bytes: String(data.length) });
    const { signed_download_url: downloadUrl = '' } = await twirp('GetCacheEntryDownloadURL', {
      ...entry,
      restore_keys: [],
    });

    const ranged = await fetch(downloadUrl, { headers: { range: 'bytes=4-7' } });
    expect(ranged.status).toBe(206);
    expect(ranged.headers.get('content-range')).toBe('bytes 4-7/16');
    expect(await ranged.text()).toBe('4567');
    const head = await fetch(downloadUrl, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers.get('content-length')).toBe('16');

    const forged = new URL(downloadUrl);
    forged.searchParams.set('sig', 'forged');
    const refused = await fetch(forged);
    expect(refused.status).toBe(403);
    expect(refused.headers.get('x-ms-error-code')).toBe('AuthenticationFailed');
    // A read-only URL cannot write.
    const readOnlyPut = await fetch(downloadUrl, {
      method: 'PUT',
      headers: { 'x-ms-blob-type': 'BlockBlob' },
      body: 'x',
    });
    expect(readOnlyPut.status).toBe(403);
  });
});
