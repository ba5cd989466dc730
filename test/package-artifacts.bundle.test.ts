import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { DefaultArtifactClient } from '@actions/artifact';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBundle } from './support/bundle.js';
import { tempDir, tinyProject } from './support/project.js';
import { startRunnerServices, type RunnerServices } from './runner-services/index.js';

let services: RunnerServices;

beforeAll(async () => {
  services = await startRunnerServices();
});
afterAll(async () => services?.close());

/** A runner job: the fake's services, a run id, the project as the workspace. */
function runnerEnv(): Record<string, string> {
  return {
    ...services.env,
    GITHUB_RUN_ID: '7001',
    GITHUB_RUN_ATTEMPT: '1',
    GITHUB_REPOSITORY: 'acme/forecasting',
    GITHUB_SHA: 'a'.repeat(40),
    GITHUB_REF: 'refs/heads/main',
  };
}

async function trainedProject(): Promise<string> {
  const project = await tinyProject({ git: true });
  const trained = await runBundle(
    'basic-model-validate',
    { stage: 'main' },
    { workspace: project },
  );
  expect(trained.code).toBe(0);
  return project;
}

describe('dist/package-artifacts on a runner', () => {
  it('uploads the package with @actions/artifact, and it downloads byte-identical', async () => {
    const project = await trainedProject();
    const run = await runBundle('package-artifacts', {}, { workspace: project, env: runnerEnv() });
    expect(run.code).toBe(0);
    const name = run.outputs['artifact-name']!;
    const stored = services.artifacts().find((a) => a.name === name);
    expect(stored).toBeDefined();
    expect(run.outputs['artifact-id']).toBe(String(stored!.id));
    expect(run.summary).toContain(
      `https://github.com/acme/forecasting/actions/runs/7001/artifacts/${stored!.id}`,
    );

    Object.assign(process.env, services.env, { GITHUB_WORKSPACE: project });
    delete process.env.GITHUB_SERVER_URL;
    const into = await tempDir();
    await new DefaultArtifactClient().downloadArtifact(stored!.id, { path: into });
    expect((await readdir(into)).sort()).toEqual([
      'archive.sha256',
      'manifest.json',
      `${name}.tar`,
    ]);
    const tar = await readFile(path.join(into, `${name}.tar`));
    expect(createHash('sha256').update(tar).digest('hex')).toBe(run.outputs.digest);
    const manifest = JSON.parse(await readFile(path.join(into, 'manifest.json'), 'utf8'));
    expect(manifest.git.sha).toBe('a'.repeat(40));
    expect(manifest.run).toEqual({
      id: '7001-1',
      url: 'https://github.com/acme/forecasting/actions/runs/7001',
    });
  });

  it('does not upload again, and carries file digests to the next job through the cache', async () => {
    const first = await trainedProject();
    services.clearRequests();
    const one = await runBundle(
      'package-artifacts',
      { name: 'pkg-cached' },
      { workspace: first, env: runnerEnv() },
    );
    expect(one.code).toBe(0);
    expect(services.twirpCalls('CreateArtifact')).toHaveLength(1);
    expect(services.cacheEntries().some((e) => e.key.startsWith('mlops-digests-'))).toBe(true);

    // A new job: a fresh checkout (no local digest cache), the same run, the same package name.
    const second = await trainedProject();
    services.clearRequests();
    const two = await runBundle(
      'package-artifacts',
      { name: 'pkg-cached' },
      { workspace: second, env: runnerEnv() },
    );
    expect(two.code).toBe(0);
    expect(two.outputs.digest).toBe(one.outputs.digest);
    expect(services.twirpCalls('CreateArtifact')).toHaveLength(0);
    expect(services.twirpCalls('GetCacheEntryDownloadURL')).toHaveLength(1);
    // Tracked files hit by git object id; the freshly trained model files are new to this checkout.
    expect(two.summary).toContain('file digests: 7 from the cache, 2 computed');
  });
});
