/*
 * A second process on the same state folder, for the concurrency and kill
 * tests: `node --import tsx worker.ts '<json task>'`. With a barrier file it
 * prints "ready" and starts only once the file exists, so workers overlap.
 * MLOPS_TEST_KILL_AT=<fault point> makes it SIGKILL itself at that point.
 */
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { openLocalPlatform, type LedgerEntry, type TagChange } from '../../src/index.js';

export type Task = { stateDir: string; barrier?: string } & (
  | { action: 'register'; name: string; digest: string }
  | { action: 'set-tags'; changes: TagChange[]; times?: number }
  | { action: 'append'; entry: LedgerEntry }
  | { action: 'submit'; command: string; codeDir: string; outputDir: string }
);

const task = JSON.parse(process.argv[2] ?? '{}') as Task;
const killAt = process.env.MLOPS_TEST_KILL_AT;
const platform = await openLocalPlatform({
  environment: 'dev',
  stateDir: task.stateDir,
  baseEnv: { PATH: process.env.PATH },
  faults: (point) => {
    if (point === killAt) process.kill(process.pid, 'SIGKILL');
  },
});

if (task.barrier) {
  console.log('ready');
  while (!existsSync(task.barrier)) await sleep(5);
}

switch (task.action) {
  case 'register': {
    const source = mkdtempSync(path.join(os.tmpdir(), 'mlops-worker-source-'));
    writeFileSync(path.join(source, 'model.txt'), task.digest);
    const result = await platform.registry.register({
      name: task.name,
      sourceDir: source,
      contentDigest: task.digest,
      tags: { stage: 'candidate' },
      properties: {},
    });
    console.log(JSON.stringify(result));
    break;
  }
  case 'set-tags':
    for (let i = 0; i < (task.times ?? 1); i++) await platform.registry.setTags(task.changes);
    break;
  case 'append':
    console.log(JSON.stringify(await platform.ledger.append(task.entry)));
    break;
  case 'submit': {
    const { command, codeDir, outputDir } = task;
    console.log(
      JSON.stringify(
        await platform.jobs.submit({
          name: 'detached',
          command,
          codeDir,
          outputDir,
          env: {},
          inputs: {},
        }),
      ),
    );
    break;
  }
}
