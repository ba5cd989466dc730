import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { openLocalPlatform, type Job, type JobSpec, type Platform } from '../src/index.js';
import { livingMembers, runWorker, tempDir } from './support/processes.js';

async function platform(stateDir?: string): Promise<Platform> {
  return openLocalPlatform({
    environment: 'dev',
    stateDir: stateDir ?? (await tempDir()),
    baseEnv: { PATH: process.env.PATH, SHARED: 'base', OVERRIDDEN: 'base' },
  });
}

async function spec(command: string): Promise<JobSpec> {
  const root = await tempDir();
  return {
    name: 'train demand-north',
    command,
    codeDir: root,
    env: { OVERRIDDEN: 'job' },
    inputs: {},
    outputDir: path.join(root, 'out'),
  };
}

describe('local jobs', () => {
  it('runs any command line as written, in the code folder, with the merged environment', async () => {
    const p = await platform();
    const job = await p.jobs.submit(
      await spec(
        `printf '%s|%s|%s|%s\\n' "$SHARED" "$OVERRIDDEN" "$1" "it's \\"quoted\\"" > "$MLOPS_OUTPUT_DIR/out.txt"; ` +
          'pwd >> "$MLOPS_OUTPUT_DIR/out.txt"; echo done; exit 0',
      ),
    );
    expect(job).toMatchObject({ name: 'train demand-north', state: 'running' });
    expect(job.log).toBe(path.join(p.location, 'jobs', job.id, 'log.txt'));
    const done = await p.jobs.wait(job.id, { timeoutMs: 30_000 });
    expect(done.state).toBe('succeeded');
    expect(await readFile(path.join(done.outputDir, 'out.txt'), 'utf8')).toBe(
      `base|job||it's "quoted"\n${path.dirname(done.outputDir)}\n`,
    );
    expect(await readFile(done.log, 'utf8')).toBe('done\n');
  });

  it('keeps running after the submitting process exits', async () => {
    const stateDir = await tempDir();
    const codeDir = await tempDir();
    const outputDir = path.join(codeDir, 'out');
    const submitted = await runWorker({
      action: 'submit',
      stateDir,
      command: 'sleep 1; echo finished > "$MLOPS_OUTPUT_DIR/done.txt"',
      codeDir,
      outputDir,
    });
    expect(submitted).toMatchObject({ code: 0, signal: null });
    const job = JSON.parse(submitted.stdout) as Job;
    const p = await platform(stateDir);
    expect(await p.jobs.wait(job.id, { timeoutMs: 30_000 })).toMatchObject({ state: 'succeeded' });
    expect(await readFile(path.join(outputDir, 'done.txt'), 'utf8')).toBe('finished\n');
  });

  it('reports a job whose process was killed from outside as failed', async () => {
    const p = await platform();
    const job = await p.jobs.submit(await spec('sleep 30'));
    const { pid } = JSON.parse(
      await readFile(path.join(p.location, 'jobs', job.id, 'job.json'), 'utf8'),
    ) as { pid: number };
    process.kill(-pid, 'SIGKILL');
    for (let i = 0; i < 50 && livingMembers(pid).length > 0; i++) await sleep(20);
    expect(await p.jobs.wait(job.id, { timeoutMs: 30_000 })).toMatchObject({
      state: 'failed',
      message: 'the job process ended without an exit code (killed?)',
    });
  });

  it('knows no job by an unknown or malformed id', async () => {
    const p = await platform();
    expect(await p.jobs.get('job-20261122T000000-abcd')).toBeUndefined();
    expect(await p.jobs.get('../../etc')).toBeUndefined();
    await expect(p.jobs.cancel('job-20261122T000000-abcd')).rejects.toThrow(
      `job job-20261122T000000-abcd does not exist in ${p.location}`,
    );
  });
});
