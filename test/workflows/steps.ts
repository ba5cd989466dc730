import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { cp, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import picomatch from 'picomatch';
import { parse as parseYaml } from 'yaml';
import { asString, interpolate, type Json, type Scope } from './expressions.js';
import { resolveSelf } from './files.js';
import { annotations, parseCommandFile } from './runner-files.js';

/** What one step did. `kind` says how: run for real, stubbed, or skipped. */
export interface StepResult {
  name: string;
  id?: string;
  uses?: string;
  kind: 'action' | 'run' | 'stub' | 'skipped-third-party' | 'not-run';
  /** success, failure, or skipped (its `if:` was false). */
  outcome: 'success' | 'failure' | 'skipped';
  outputs: Record<string, string>;
  stdout: string;
  stderr: string;
  summary: string;
  annotations: { level: string; message: string }[];
  /** For stubbed and skipped third-party steps: what the executor did instead. */
  note?: string;
}

/** Everything a step runs with, prepared by the job. */
export interface StepEnvironment {
  workspace: string;
  runnerTemp: string;
  /** The process environment of the step (runner variables + env: of workflow, job and step). */
  env: Record<string, string>;
  /** Per-run folder of the upload/download-artifact stub. */
  artifactsDir: string;
  scope: Scope;
  timeoutMs: number;
}

export interface StepFiles {
  output: string;
  env: string;
  path: string;
  summary: string;
}

async function stepFiles(runnerTemp: string): Promise<StepFiles> {
  const dir = path.join(runnerTemp, '_runner_file_commands', randomUUID());
  await mkdir(dir, { recursive: true });
  const files = {
    output: path.join(dir, 'output'),
    env: path.join(dir, 'env'),
    path: path.join(dir, 'path'),
    summary: path.join(dir, 'summary'),
  };
  for (const file of Object.values(files)) await writeFile(file, '');
  return files;
}

/** What the step left in the runner files: outputs, env and PATH for later steps, summary. */
export interface StepEffects {
  outputs: Record<string, string>;
  env: Record<string, string>;
  path: string[];
  summary: string;
}

async function readEffects(files: StepFiles): Promise<StepEffects> {
  return {
    outputs: parseCommandFile(await readFile(files.output, 'utf8')),
    env: parseCommandFile(await readFile(files.env, 'utf8')),
    path: (await readFile(files.path, 'utf8')).split('\n').filter(Boolean),
    summary: await readFile(files.summary, 'utf8'),
  };
}

function fileEnv(files: StepFiles): Record<string, string> {
  return {
    GITHUB_OUTPUT: files.output,
    GITHUB_ENV: files.env,
    GITHUB_PATH: files.path,
    GITHUB_STEP_SUMMARY: files.summary,
  };
}

function spawnAndWait(
  command: string,
  args: string[],
  options: { cwd: string; env: Record<string, string>; timeoutMs: number },
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: options.cwd, env: options.env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => {
      stderr += `\nthe step timed out after ${options.timeoutMs / 60_000} minutes\n`;
      child.kill('SIGKILL');
    }, options.timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

interface ActionDefinition {
  inputs?: Record<string, { default?: string; required?: boolean }>;
  runs: { using: string; main: string };
}

/**
 * Runs one of this repository's actions from its bundle, as the runner runs
 * a node action: inputs as INPUT_<NAME> (with the action.yml defaults), the
 * workspace as the working directory, outputs and summary through files.
 */
export async function runOwnAction(
  uses: string,
  withValues: Record<string, Json>,
  stepEnv: StepEnvironment,
): Promise<Omit<StepResult, 'name' | 'id' | 'uses'> & { effects: StepEffects }> {
  const actionDir = resolveSelf(uses)!;
  const definitionFile = ['action.yml', 'action.yaml']
    .map((f) => path.join(actionDir, f))
    .find((f) => existsSync(f));
  if (!definitionFile) throw new Error(`${uses}: no action.yml in ${actionDir}`);
  const action = parseYaml(await readFile(definitionFile, 'utf8')) as ActionDefinition;
  if (!/^node\d+$/.test(action.runs.using)) {
    throw new Error(`${uses}: runs.using ${action.runs.using} is not supported by the executor`);
  }
  const inputs: Record<string, string> = {};
  for (const [name, input] of Object.entries(action.inputs ?? {})) {
    if (input.default !== undefined)
      inputs[name] = asString(interpolate(input.default, stepEnv.scope));
  }
  for (const [name, value] of Object.entries(withValues)) {
    if (!(name in (action.inputs ?? {}))) {
      // The runner only warns; a test should see it.
      return failed(
        `Unexpected input '${name}' for ${uses}: valid inputs are ${Object.keys(action.inputs ?? {}).join(', ')}`,
      );
    }
    inputs[name] = asString(value);
  }
  const files = await stepFiles(stepEnv.runnerTemp);
  const env: Record<string, string> = { ...stepEnv.env, ...fileEnv(files) };
  for (const [name, value] of Object.entries(inputs))
    env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] = value;
  const run = await spawnAndWait(process.execPath, [path.resolve(actionDir, action.runs.main)], {
    cwd: stepEnv.workspace,
    env,
    timeoutMs: stepEnv.timeoutMs,
  });
  const effects = await readEffects(files);
  return {
    kind: 'action',
    outcome: run.code === 0 ? 'success' : 'failure',
    outputs: effects.outputs,
    stdout: run.stdout,
    stderr: run.stderr,
    summary: effects.summary,
    annotations: annotations(run.stdout),
    effects,
  };
}

/** `shell:` as the runner maps it; the default on Linux is `bash -e {0}`. */
function shellCommand(shell: string | undefined, script: string): [string, string[]] {
  const templates: Record<string, string> = {
    '': 'bash -e {0}',
    bash: 'bash --noprofile --norc -eo pipefail {0}',
    sh: 'sh -e {0}',
    python: 'python3 {0}',
  };
  const template = templates[shell ?? ''] ?? (shell!.includes('{0}') ? shell! : `${shell} {0}`);
  const [command, ...args] = template.split(/\s+/).map((a) => (a === '{0}' ? script : a));
  return [command!, args];
}

/** A `run:` step: the script (already interpolated, as the runner does) in a temp file. */
export async function runScript(
  script: string,
  options: { shell?: string; workingDirectory?: string },
  stepEnv: StepEnvironment,
): Promise<Omit<StepResult, 'name' | 'id' | 'uses'> & { effects: StepEffects }> {
  const files = await stepFiles(stepEnv.runnerTemp);
  const scriptFile = path.join(stepEnv.runnerTemp, `${randomUUID()}.sh`);
  await writeFile(scriptFile, script);
  const [command, args] = shellCommand(options.shell, scriptFile);
  const cwd = path.resolve(stepEnv.workspace, options.workingDirectory ?? '.');
  const run = await spawnAndWait(command, args, {
    cwd,
    env: { ...stepEnv.env, ...fileEnv(files) },
    timeoutMs: stepEnv.timeoutMs,
  });
  const effects = await readEffects(files);
  return {
    kind: 'run',
    outcome: run.code === 0 ? 'success' : 'failure',
    outputs: effects.outputs,
    stdout: run.stdout,
    stderr: run.stderr,
    summary: effects.summary,
    annotations: annotations(run.stdout),
    effects,
  };
}

function failed(
  message: string,
): Omit<StepResult, 'name' | 'id' | 'uses'> & { effects: StepEffects } {
  return {
    kind: 'action',
    outcome: 'failure',
    outputs: {},
    stdout: `::error::${message}\n`,
    stderr: '',
    summary: '',
    annotations: [{ level: 'error', message }],
    effects: { outputs: {}, env: {}, path: [], summary: '' },
  };
}

/** The action name of a `uses:` without its ref: `actions/checkout@sha` -> `actions/checkout`. */
export function actionName(uses: string): string {
  return uses.split('@')[0]!;
}

/**
 * Third-party steps: checkout and setup-* are skipped (the workspace is the
 * project, the tools are on this machine); upload/download-artifact are stubbed
 * with a per-run folder keyed by artifact name; anything else is skipped.
 * Every one says so in its note.
 */
export async function runThirdParty(
  uses: string,
  withValues: Record<string, Json>,
  stepEnv: StepEnvironment,
): Promise<Omit<StepResult, 'name' | 'id' | 'uses'>> {
  const base = { outputs: {}, stdout: '', stderr: '', summary: '', annotations: [] };
  const name = actionName(uses);
  const inputs = Object.fromEntries(Object.entries(withValues).map(([k, v]) => [k, asString(v)]));
  if (name === 'actions/checkout') {
    // The workspace is the project; a `ref:` is checked out in it, as a checkout of that ref would be.
    if (inputs.ref) {
      const run = await spawnAndWait('git', ['checkout', '-q', inputs.ref], {
        cwd: stepEnv.workspace,
        env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: stepEnv.env.HOME ?? '/tmp' },
        timeoutMs: 60_000,
      });
      const note = `skipped ${uses}: the workspace is the project (git checkout ${inputs.ref}${run.code === 0 ? '' : ' failed'})`;
      return {
        ...base,
        stderr: run.stderr,
        kind: 'skipped-third-party',
        outcome: run.code === 0 ? 'success' : 'failure',
        note,
      };
    }
    return {
      ...base,
      kind: 'skipped-third-party',
      outcome: 'success',
      note: `skipped ${uses}: the workspace is the project`,
    };
  }
  if (name === 'actions/upload-artifact') {
    const artifact = inputs.name || 'artifact';
    const target = path.join(stepEnv.artifactsDir, artifact);
    if (existsSync(target) && inputs.overwrite !== 'true') {
      return {
        ...base,
        kind: 'stub',
        outcome: 'failure',
        note: `stubbed ${uses}: artifact ${artifact} already exists in this run`,
      };
    }
    const copied = await copyIntoArtifact(stepEnv.workspace, inputs.path ?? '', target);
    if (copied.length === 0 && inputs['if-no-files-found'] === 'error') {
      return {
        ...base,
        kind: 'stub',
        outcome: 'failure',
        note: `stubbed ${uses}: no files found for ${artifact} (${inputs.path})`,
      };
    }
    return {
      ...base,
      kind: 'stub',
      outcome: 'success',
      outputs: { 'artifact-id': artifact, 'artifact-url': `file://${target}` },
      note: `stubbed ${uses}: copied ${copied.length} file(s) into artifact ${artifact} (${target})`,
    };
  }
  if (name === 'actions/download-artifact') {
    const into = path.resolve(stepEnv.workspace, inputs.path || '.');
    // `run-id:` reads another run's artifacts (from the shared artifacts root).
    const runDir = inputs['run-id']
      ? path.join(path.dirname(stepEnv.artifactsDir), inputs['run-id'])
      : stepEnv.artifactsDir;
    const all = existsSync(runDir) ? readdirSync(runDir).sort() : [];
    const names = inputs.name
      ? [inputs.name]
      : inputs.pattern
        ? all.filter((n) => picomatch.isMatch(n, inputs.pattern!))
        : all;
    const single = !!inputs.name || inputs['merge-multiple'] === 'true';
    for (const artifact of names) {
      const source = path.join(runDir, artifact);
      if (!existsSync(source)) {
        return {
          ...base,
          kind: 'stub',
          outcome: 'failure',
          note: `stubbed ${uses}: no artifact ${artifact} in run ${path.basename(runDir)}`,
        };
      }
      await cp(source, single ? into : path.join(into, artifact), { recursive: true });
    }
    return {
      ...base,
      kind: 'stub',
      outcome: 'success',
      outputs: { 'download-path': into },
      note: `stubbed ${uses}: copied artifact(s) ${names.join(', ') || '(none)'} into ${into}`,
    };
  }
  const why = /^actions\/setup-/.test(name)
    ? 'the tools are already on this machine'
    : 'a third-party action the executor does not run';
  return {
    ...base,
    kind: 'skipped-third-party',
    outcome: 'success',
    note: `skipped ${uses}: ${why}`,
  };
}

/**
 * The upload-artifact layout: one folder uploads its contents, one file itself,
 * several paths keep their paths below the closest common folder.
 */
async function copyIntoArtifact(
  workspace: string,
  spec: string,
  target: string,
): Promise<string[]> {
  const patterns = spec
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('!'));
  const files: string[] = [];
  for (const pattern of patterns) {
    const absolute = path.resolve(workspace, pattern);
    if (!/[*?[{]/.test(pattern)) {
      if (existsSync(absolute)) files.push(...walk(absolute));
      continue;
    }
    const isMatch = picomatch(absolute, { dot: true });
    const root = absolute.slice(0, absolute.search(/[*?[{]/)).replace(/[^/]*$/, '') || '/';
    if (existsSync(root)) files.push(...walk(root).filter((f) => isMatch(f)));
  }
  if (files.length === 0) return [];
  const common =
    patterns.length === 1 &&
    !/[*?[{]/.test(patterns[0]!) &&
    statSync(path.resolve(workspace, patterns[0]!)).isDirectory()
      ? path.resolve(workspace, patterns[0]!)
      : commonFolder(files);
  for (const file of files) {
    const to = path.join(target, path.relative(common, file));
    await mkdir(path.dirname(to), { recursive: true });
    await cp(file, to);
  }
  return files;
}

function walk(file: string): string[] {
  if (!statSync(file).isDirectory()) return [file];
  return readdirSync(file).flatMap((name) => walk(path.join(file, name)));
}

function commonFolder(files: string[]): string {
  let common = path.dirname(files[0]!);
  while (!files.every((f) => f.startsWith(common + path.sep))) common = path.dirname(common);
  return common;
}
