import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, open, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ConfigurationError } from '@mlops/foundation';
import { TERMINAL_STATES, type Job, type Jobs, type JobSpec, type RunState } from '../port.js';
import type { LocalContext } from './context.js';
import { readJson, writeJson } from './files.js';
import { withLock } from './lock.js';
import { isId, newId } from './names.js';
import { isAlive, killGroup } from './processes.js';

/** `jobs/<id>/job.json`: the state is `running` until a terminal state is recorded. */
interface JobRecord {
  id: string;
  name: string;
  command: string;
  codeDir: string;
  outputDir: string;
  pid: number;
  state: RunState;
  startedAt: string;
  endedAt?: string;
  message?: string;
}

type Outcome = Pick<JobRecord, 'state' | 'message'>;

const POLL_MS = 100;
/** How much of the log end is read for a failure's last line. */
const LOG_TAIL_BYTES = 8_192;

/*
 * Runs the command (the second argument, so no quoting can break it) in a
 * subshell that cannot exit the wrapper, then records its status: written
 * aside and renamed, so a reader sees the whole number or none.
 */
const WRAPPER = [
  'exit_file=$1; command=$2; set --',
  '(eval "$command")',
  'status=$?',
  'printf "%s\\n" "$status" > "$exit_file.tmp" && mv -f "$exit_file.tmp" "$exit_file"',
].join('\n');

/**
 * Jobs as detached local processes, each the leader of its own process group
 * so that it outlives the submitting process and a cancel stops all of it.
 * `jobs/<id>/` holds job.json, log.txt (stdout and stderr) and exit-code.
 */
export class LocalJobs implements Jobs {
  constructor(private readonly context: LocalContext) {}

  async submit(spec: JobSpec): Promise<Job> {
    return this.start(await this.reserveId('job'), spec);
  }

  /** A new id and its folder, created exclusively: two submitters never share one. */
  async reserveId(prefix: string): Promise<string> {
    await mkdir(path.join(this.context.stateDir, 'jobs'), { recursive: true });
    for (;;) {
      const id = newId(prefix, this.context.now());
      try {
        await mkdir(this.dir(id));
        return id;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
    }
  }

  /** Starts the job in a folder from reserveId. */
  async start(id: string, spec: JobSpec): Promise<Job> {
    const codeDir = await stat(spec.codeDir).catch(() => undefined);
    if (!codeDir?.isDirectory()) {
      throw new ConfigurationError(
        `cannot run ${spec.name}: the code folder ${spec.codeDir} does not exist`,
      );
    }
    const outputDir = path.resolve(spec.outputDir);
    await mkdir(outputDir, { recursive: true });
    const log = await open(this.logFile(id), 'a');
    try {
      const child = spawn(
        '/bin/sh',
        ['-c', WRAPPER, 'mlops-job', this.exitFile(id), spec.command],
        {
          cwd: spec.codeDir,
          env: {
            ...this.context.baseEnv,
            ...spec.env,
            ...spec.inputs,
            MLOPS_OUTPUT_DIR: outputDir,
          },
          detached: true,
          stdio: ['ignore', log.fd, log.fd],
        },
      );
      await once(child, 'spawn');
      child.unref();
      const record: JobRecord = {
        id,
        name: spec.name,
        command: spec.command,
        codeDir: spec.codeDir,
        outputDir,
        pid: child.pid!,
        state: 'running',
        startedAt: this.context.now().toISOString(),
      };
      await writeJson(this.recordFile(id), record);
      return this.toJob(record);
    } finally {
      await log.close();
    }
  }

  async get(id: string): Promise<Job | undefined> {
    const record = isId(id) ? await readJson<JobRecord>(this.recordFile(id)) : undefined;
    if (!record) return undefined;
    if (isTerminal(record.state) || (await this.observe(record)).state === 'running') {
      return this.toJob(record);
    }
    return this.toJob(await this.settle(id));
  }

  async wait(
    id: string,
    options: { timeoutMs: number; onState?: (job: Job) => void },
  ): Promise<Job> {
    const deadline = Date.now() + options.timeoutMs;
    let reported: RunState | undefined;
    const report = (job: Job): Job => {
      if (job.state !== reported) options.onState?.(job);
      reported = job.state;
      return job;
    };
    for (;;) {
      const job = report(await this.require(id));
      if (isTerminal(job.state)) return job;
      const left = deadline - Date.now();
      if (left <= 0) {
        return report(
          this.toJob(
            await this.settle(id, {
              state: 'timed-out',
              message: `timed out after ${options.timeoutMs} ms`,
            }),
          ),
        );
      }
      await sleep(Math.min(POLL_MS, left));
    }
  }

  async cancel(id: string): Promise<Job> {
    await this.require(id);
    return this.toJob(await this.settle(id, { state: 'canceled', message: 'canceled' }));
  }

  /**
   * Records the job's terminal state once, under the lock: what the files say
   * if it has ended, else `stop` (then its process group is killed). A state
   * recorded first, by any process, stays.
   */
  private settle(id: string, stop?: Outcome): Promise<JobRecord> {
    return withLock(this.context.stateDir, async () => {
      const record = (await readJson<JobRecord>(this.recordFile(id)))!;
      if (isTerminal(record.state)) return record;
      const observed = await this.observe(record);
      const outcome = observed.state === 'running' ? stop : observed;
      if (!outcome) return record;
      const settled: JobRecord = {
        ...record,
        ...outcome,
        endedAt: this.context.now().toISOString(),
      };
      // Recorded before the kill, so nobody reads the killed job as failed meanwhile.
      await writeJson(this.recordFile(id), settled);
      if (observed.state === 'running') killGroup(record.pid);
      return settled;
    });
  }

  /** What the exit code and the process say about a job recorded as running. */
  private async observe(record: JobRecord): Promise<Outcome> {
    // Liveness first: the wrapper writes the exit code before it exits.
    const alive = isAlive(record.pid);
    const status = await this.exitStatus(record.id);
    if (status === 0) return { state: 'succeeded' };
    if (status !== undefined) {
      const line = await this.lastLogLine(record.id);
      return { state: 'failed', message: line ? `exited ${status}: ${line}` : `exited ${status}` };
    }
    if (alive) return { state: 'running' };
    return { state: 'failed', message: 'the job process ended without an exit code (killed?)' };
  }

  private async exitStatus(id: string): Promise<number | undefined> {
    try {
      return Number((await readFile(this.exitFile(id), 'utf8')).trim());
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  }

  private async lastLogLine(id: string): Promise<string | undefined> {
    const log = await open(this.logFile(id), 'r');
    try {
      const { size } = await log.stat();
      const length = Math.min(size, LOG_TAIL_BYTES);
      const { buffer } = await log.read(Buffer.alloc(length), 0, length, size - length);
      return buffer
        .toString('utf8')
        .split(/\r?\n/)
        .map((line) => line.trim())
        .findLast((line) => line !== '');
    } finally {
      await log.close();
    }
  }

  private async require(id: string): Promise<Job> {
    const job = await this.get(id);
    if (!job) throw new ConfigurationError(`job ${id} does not exist in ${this.context.stateDir}`);
    return job;
  }

  private dir(id: string): string {
    return path.join(this.context.stateDir, 'jobs', id);
  }

  private recordFile(id: string): string {
    return path.join(this.dir(id), 'job.json');
  }

  private logFile(id: string): string {
    return path.join(this.dir(id), 'log.txt');
  }

  private exitFile(id: string): string {
    return path.join(this.dir(id), 'exit-code');
  }

  private toJob(record: JobRecord): Job {
    return {
      id: record.id,
      name: record.name,
      state: record.state,
      startedAt: record.startedAt,
      ...(record.endedAt !== undefined && { endedAt: record.endedAt }),
      outputDir: record.outputDir,
      log: this.logFile(record.id),
      ...(record.message !== undefined && { message: record.message }),
    };
  }
}

export function isTerminal(state: RunState): boolean {
  return TERMINAL_STATES.includes(state);
}
