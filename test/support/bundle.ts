import { spawn } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { REPO_ROOT, tempDir } from './project.js';

export interface BundleRun {
  code: number | null;
  stdout: string;
  stderr: string;
  outputs: Record<string, string>;
  summary: string;
}

/** Parses the GITHUB_OUTPUT file the way the runner does (name<<delimiter blocks). */
export function parseOutputFile(text: string): Record<string, string> {
  const outputs: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const match = /^([^<=]+)<<(.+)$/.exec(lines[i] ?? '');
    if (!match) continue;
    const [, name, delimiter] = match;
    const value: string[] = [];
    for (i++; i < lines.length && lines[i] !== delimiter; i++) value.push(lines[i] ?? '');
    outputs[name!] = value.join('\n');
  }
  return outputs;
}

/**
 * Runs `node dist/<bundle>/index.js` as the runner does: inputs as INPUT_*,
 * outputs and summary through files, the workspace as the working directory.
 */
export async function runBundle(
  bundle: string,
  inputs: Record<string, string>,
  options: { workspace: string; env?: Record<string, string>; killAfterMs?: number },
): Promise<BundleRun> {
  const runnerDir = await tempDir('mlops-runner-');
  const outputFile = path.join(runnerDir, 'output');
  const summaryFile = path.join(runnerDir, 'summary');
  await mkdir(path.join(runnerDir, 'temp'));
  await writeFile(outputFile, '');
  await writeFile(summaryFile, '');
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: process.env.HOME ?? runnerDir,
    GITHUB_ACTIONS: 'true',
    GITHUB_WORKSPACE: options.workspace,
    GITHUB_OUTPUT: outputFile,
    GITHUB_STEP_SUMMARY: summaryFile,
    RUNNER_TEMP: path.join(runnerDir, 'temp'),
    ...Object.fromEntries(Object.entries(inputs).map(([k, v]) => [`INPUT_${k.toUpperCase()}`, v])),
    ...options.env,
  };
  const { code, stdout, stderr } = await runNode(
    [path.join(REPO_ROOT, 'dist', bundle, 'index.js')],
    { cwd: options.workspace, env, killAfterMs: options.killAfterMs },
  );
  return {
    code,
    stdout,
    stderr,
    outputs: parseOutputFile(await readFile(outputFile, 'utf8')),
    summary: await readFile(summaryFile, 'utf8'),
  };
}

/** Runs the CLI bundle with arguments. */
export function runCli(args: string[], cwd = REPO_ROOT): Promise<ProcessRun> {
  return runNode([path.join(REPO_ROOT, 'dist/cli/index.js'), ...args], { cwd });
}

type ProcessRun = Omit<BundleRun, 'outputs' | 'summary'>;

/** Runs node; `killAfterMs` SIGKILLs it then, as a crash or a cancelled job would. */
async function runNode(
  args: string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv; killAfterMs?: number },
): Promise<ProcessRun> {
  const child = spawn(process.execPath, args, { cwd: options.cwd, env: options.env });
  const timer =
    options.killAfterMs === undefined
      ? undefined
      : setTimeout(() => child.kill('SIGKILL'), options.killAfterMs);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  clearTimeout(timer);
  return { code, stdout, stderr };
}
