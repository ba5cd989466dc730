import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Task } from './worker.js';

const REPO_ROOT = fileURLToPath(new URL('../../../..', import.meta.url));
const WORKER = fileURLToPath(new URL('./worker.ts', import.meta.url));

export async function tempDir(prefix = 'mlops-platform-'): Promise<string> {
  return mkdtemp(path.join(os.tmpdir(), prefix));
}

/** A folder holding `files` (relative path -> text). */
export async function sourceDir(files: Record<string, string>): Promise<string> {
  const dir = await tempDir('mlops-source-');
  for (const [name, text] of Object.entries(files)) {
    await writeFile(path.join(dir, name), text);
  }
  return dir;
}

export interface WorkerResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface Worker {
  /** Resolves once the worker waits at its barrier. */
  ready: Promise<void>;
  done: Promise<WorkerResult>;
}

/** Runs test/support/worker.ts in its own Node process. */
export function startWorker(task: Task, options: { killAt?: string } = {}): Worker {
  const child = spawn(process.execPath, ['--import', 'tsx', WORKER, JSON.stringify(task)], {
    cwd: REPO_ROOT,
    env: { PATH: process.env.PATH, MLOPS_TEST_KILL_AT: options.killAt },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  let markReady: () => void;
  const ready = new Promise<void>((resolve) => (markReady = resolve));
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
    if (stdout.startsWith('ready\n')) markReady();
  });
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const done = new Promise<WorkerResult>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => {
      markReady();
      resolve({ code, signal, stdout: stdout.replace(/^ready\n/, ''), stderr });
    });
  });
  return { ready, done };
}

export async function runWorker(
  task: Task,
  options: { killAt?: string } = {},
): Promise<WorkerResult> {
  return startWorker(task, options).done;
}

/** Runs the tasks in parallel processes, started together once all are loaded. */
export async function runTogether(tasks: Task[], barrier: string): Promise<WorkerResult[]> {
  const workers = tasks.map((task) => startWorker({ ...task, barrier }));
  await Promise.all(workers.map((worker) => worker.ready));
  await writeFile(barrier, '');
  return Promise.all(workers.map((worker) => worker.done));
}

/**
 * Processes of the group led by `pgid` that still run. A zombie counts as
 * dead: this machine's init does not reap orphans promptly.
 */
export function livingMembers(pgid: number): number[] {
  const members: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue;
    }
    // Fields after the parenthesised command: state, ppid, pgrp, …
    const [state, , pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(pgrp) === pgid && state !== 'Z') members.push(Number(entry));
  }
  return members;
}
