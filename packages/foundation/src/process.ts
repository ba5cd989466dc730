import { spawn } from 'node:child_process';

export interface CommandRequest {
  /** A shell command line, as written in mlops.yaml. */
  command: string;
  cwd: string;
  /** The complete environment of the child (callers merge their base env). */
  env: Record<string, string | undefined>;
  timeoutMs?: number;
  /** Receives output as it arrives, line by line. */
  onLine?: (line: string, stream: 'stdout' | 'stderr') => void;
}

export interface CommandResult {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  durationMs: number;
  /** The last lines of stdout and stderr interleaved, for error messages. */
  tail: string[];
}

export type CommandRunner = (request: CommandRequest) => Promise<CommandResult>;

const TAIL_LINES = 40;

/**
 * Runs a command line in its own process group so that a timeout stops the
 * whole tree (a training script's worker processes included).
 */
export const runCommand: CommandRunner = (request) =>
  new Promise((resolve, reject) => {
    const started = Date.now();
    const child = spawn('/bin/sh', ['-c', request.command], {
      cwd: request.cwd,
      env: request.env,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const tail: string[] = [];
    let timedOut = false;
    const pending = { stdout: '', stderr: '' };
    const take = (stream: 'stdout' | 'stderr', chunk: Buffer): void => {
      const lines = (pending[stream] + chunk.toString('utf8')).split(/\r?\n/);
      pending[stream] = lines.pop() ?? '';
      for (const line of lines) emit(line, stream);
    };
    const emit = (line: string, stream: 'stdout' | 'stderr'): void => {
      tail.push(line);
      if (tail.length > TAIL_LINES) tail.shift();
      request.onLine?.(line, stream);
    };
    child.stdout.on('data', (c: Buffer) => take('stdout', c));
    child.stderr.on('data', (c: Buffer) => take('stderr', c));
    const timer =
      request.timeoutMs === undefined
        ? undefined
        : setTimeout(() => {
            timedOut = true;
            killGroup(child.pid);
          }, request.timeoutMs);
    child.on('error', (error) => {
      if (timer) clearTimeout(timer);
      reject(error);
    });
    child.on('close', (exitCode, signal) => {
      if (timer) clearTimeout(timer);
      for (const stream of ['stdout', 'stderr'] as const) {
        if (pending[stream]) emit(pending[stream], stream);
      }
      resolve({ exitCode, signal, timedOut, durationMs: Date.now() - started, tail });
    });
  });

function killGroup(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // Already gone.
  }
}
