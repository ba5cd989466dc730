import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { BlobLocation } from './blob.js';
import type { EmulatorContext } from './context.js';
import { defaultStore, type WorkspaceState } from './state.js';
import type { ArmResource, Json } from './types.js';
import { DEFAULT_DATASTORE } from './workspace.js';

/*
 * Executing work on the emulator's "compute": command jobs run `bash -c` in a temp dir with
 * the code and inputs downloaded from emulated storage; batch and online deployments run the
 * scoring script's init()/run() through a small Python harness. Everything is spawned, so
 * jobs never block the event loop and run concurrently.
 */

export class UserError extends Error {}

/** Where an input/output/code URI points in emulated storage. */
export function resolveUri(
  ctx: EmulatorContext,
  ws: WorkspaceState | undefined,
  uri: string,
  depth = 0,
): BlobLocation {
  if (depth > 5) throw new UserError(`URI ${uri} refers to itself`);
  const datastorePath = (
    store: string,
    p: string,
    target: WorkspaceState | undefined,
  ): BlobLocation => {
    if (!target) throw new UserError(`cannot resolve ${uri}: no workspace`);
    if (store.toLowerCase() !== DEFAULT_DATASTORE) {
      throw new UserError(
        `datastore '${store}' does not exist in workspace '${target.name}' (only ${DEFAULT_DATASTORE})`,
      );
    }
    return defaultStore(target, decodeURIComponent(p));
  };
  let m =
    /^azureml:\/\/subscriptions\/[^/]+\/resource[gG]roups\/[^/]+\/(?:providers\/Microsoft\.MachineLearningServices\/)?workspaces\/([^/]+)\/datastores\/([^/]+)\/paths\/(.*)$/i.exec(
      uri,
    );
  if (m) {
    const target = ctx.workspaces.find((w) => w.name.toLowerCase() === m?.[1]?.toLowerCase());
    return datastorePath(m[2] ?? '', m[3] ?? '', target);
  }
  m = /^azureml:\/\/datastores\/([^/]+)\/paths\/(.*)$/i.exec(uri);
  if (m) return datastorePath(m[1] ?? '', m[2] ?? '', ws);
  m = /^azureml:\/\/registries\/([^/]+)\/(models|data)\/([^/]+)\/versions\/([^/]+)$/i.exec(uri);
  if (m) {
    const reg = ctx.registries.find((r) => r.name.toLowerCase() === m?.[1]?.toLowerCase());
    const asset = reg && ctx.store.get(`${reg.id}/${m[2]}/${m[3]}/versions/${m[4]}`);
    if (!asset) throw new UserError(`registry asset ${uri} does not exist`);
    return resolveUri(ctx, ws, assetUri(asset, uri), depth + 1);
  }
  if (uri.startsWith('azureml:') && !uri.startsWith('azureml://')) {
    const ref = uri.slice('azureml:'.length);
    const asset = ref.startsWith('/') ? ctx.store.get(ref) : findNamedAsset(ctx, ws, ref);
    if (!asset) throw new UserError(`asset ${uri} does not exist`);
    return resolveUri(ctx, ws, assetUri(asset, uri), depth + 1);
  }
  if (uri.startsWith('/subscriptions/')) {
    const asset = ctx.store.get(uri);
    if (!asset) throw new UserError(`asset ${uri} does not exist`);
    return resolveUri(ctx, ws, assetUri(asset, uri), depth + 1);
  }
  if (/^https:\/\//i.test(uri)) {
    const loc = ctx.blob.parseUrl(uri);
    if (loc) return loc;
  }
  throw new UserError(
    `cannot resolve URI '${uri}': not a datastore path, asset reference or emulated blob URL`,
  );
}

function assetUri(asset: ArmResource, ref: string): string {
  const p = asset.properties;
  const uri = p.dataUri ?? p.modelUri ?? p.codeUri;
  if (typeof uri !== 'string' || !uri) throw new UserError(`asset ${ref} has no URI`);
  return uri;
}

/** `name:version` (or `name@latest`): a data asset first, then a model. */
function findNamedAsset(
  ctx: EmulatorContext,
  ws: WorkspaceState | undefined,
  ref: string,
): ArmResource | undefined {
  if (!ws) return undefined;
  const [, name, version] = /^([^:@]+)(?:[:@](.+))?$/.exec(ref) ?? [];
  for (const kind of ['data', 'models']) {
    const versions = ctx.store.children(`${ws.id}/${kind}/${name}`, 'versions');
    const hit =
      version === undefined || version === 'latest'
        ? versions.at(-1)
        : versions.find((v) => v.name === version);
    if (hit) return hit;
  }
  return undefined;
}

export interface Execution {
  exitCode: number;
  log: string;
}

/** Runs `bash -c command`; output (stdout+stderr, interleaved) is returned as the log. */
export function runProcess(
  file: string,
  args: string[],
  options: { cwd: string; env: NodeJS.ProcessEnv; signal?: AbortSignal; stdin?: string },
): Promise<Execution> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    const child = spawn(file, args, {
      cwd: options.cwd,
      env: options.env,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const onAbort = (): void => {
      child.kill('SIGKILL');
    };
    options.signal?.addEventListener('abort', onAbort, { once: true });
    child.stdout.on('data', (c: Buffer) => chunks.push(c));
    child.stderr.on('data', (c: Buffer) => chunks.push(c));
    child.on('error', (err) => {
      chunks.push(Buffer.from(`${err.message}\n`));
    });
    child.on('close', (code, sig) => {
      options.signal?.removeEventListener('abort', onAbort);
      resolve({ exitCode: code ?? (sig ? 137 : 1), log: Buffer.concat(chunks).toString('utf8') });
    });
    child.stdin.on('error', () => undefined);
    child.stdin.end(options.stdin ?? '');
  });
}

export function jobWorkDir(ctx: EmulatorContext, name: string): Promise<string> {
  return mkdtemp(path.join(ctx.workRoot, `${name.replace(/[^a-zA-Z0-9_-]/g, '_').slice(0, 40)}-`));
}

/** Downloads a code asset (ARM id of a code version, `azureml:` ref or URI) into `dir`. */
export async function downloadCode(
  ctx: EmulatorContext,
  ws: WorkspaceState,
  codeId: string,
  dir: string,
): Promise<void> {
  const id = codeId.replace(/^azureml:/, '');
  const asset = id.startsWith('/') ? ctx.store.get(id) : undefined;
  const uri = asset ? assetUri(asset, codeId) : codeId;
  await ctx.blob.download(resolveUri(ctx, ws, uri), dir);
}

export interface CommandJobResult extends Execution {
  outputs: Record<string, BlobLocation>;
}

/** The command job body: code, inputs, `${{...}}` substitution, bash, outputs. */
export async function executeCommandJob(
  ctx: EmulatorContext,
  ws: WorkspaceState,
  job: ArmResource,
  signal: AbortSignal,
): Promise<CommandJobResult> {
  const props = job.properties;
  const work = await jobWorkDir(ctx, job.name);
  const codeDir = path.join(work, 'code');
  await mkdir(codeDir, { recursive: true });
  if (typeof props.codeId === 'string' && props.codeId)
    await downloadCode(ctx, ws, props.codeId, codeDir);
  const values = new Map<string, string>();
  for (const [name, input] of Object.entries((props.inputs ?? {}) as Record<string, Json>)) {
    const type = String(input.jobInputType ?? '').toLowerCase();
    if (type === 'literal') {
      values.set(`inputs.${name}`, String(input.value ?? ''));
      continue;
    }
    const uri = String(input.uri ?? '');
    const got = await ctx.blob.download(resolveUri(ctx, ws, uri), path.join(work, 'inputs', name));
    values.set(`inputs.${name}`, got.path);
  }
  const outputs: Record<string, BlobLocation> = {};
  for (const [name, output] of Object.entries((props.outputs ?? {}) as Record<string, Json>)) {
    const dir = path.join(work, 'outputs', name);
    await mkdir(dir, { recursive: true });
    values.set(`outputs.${name}`, dir);
    outputs[name] = resolveUri(ctx, ws, String(output.uri));
  }
  const command = String(props.command ?? '').replace(
    /\$\{\{\s*([a-zA-Z0-9_.]+)\s*\}\}/g,
    (whole, key: string) => {
      const value = values.get(key);
      if (value === undefined)
        throw new UserError(`command refers to ${whole}, which the job does not define`);
      return value;
    },
  );
  const env = {
    ...process.env,
    ...stringEnv(props.environmentVariables),
    AZUREML_RUN_ID: job.name,
    AZUREML_ARM_WORKSPACE_NAME: ws.name,
  };
  const run = await runProcess('bash', ['-c', command], { cwd: codeDir, env, signal });
  if (run.exitCode === 0) {
    for (const [name, loc] of Object.entries(outputs))
      await ctx.blob.upload(path.join(work, 'outputs', name), loc);
  }
  return { ...run, outputs };
}

export function stringEnv(value: unknown): Record<string, string> {
  if (!value || typeof value !== 'object') return {};
  return Object.fromEntries(Object.entries(value as Json).map(([k, v]) => [k, String(v)]));
}

/*
 * The scoring harness: imports the scoring script, calls init() then run() once. Batch mode
 * passes every input file as one mini-batch and, for AppendRow, appends the returned rows to
 * the output file (list items one per line; a list/tuple row space-separated; a DataFrame's
 * rows space-separated). Online mode passes the raw request body and writes the result as JSON.
 */
const HARNESS = String.raw`
import importlib.util, json, os, sys
mode, code_dir, script, result_path = sys.argv[1:5]
sys.path.insert(0, code_dir)
spec = importlib.util.spec_from_file_location("score", os.path.join(code_dir, script))
module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(module)
if hasattr(module, "init"):
    module.init()
if mode == "batch":
    files = json.load(open(sys.argv[5]))
    action, out_file = sys.argv[6], sys.argv[7]
    result = module.run(files)
    if action.lower() == "appendrow" and result is not None:
        rows = result.values.tolist() if hasattr(result, "columns") else list(result)
        with open(os.path.join(os.environ["AZUREML_BI_OUTPUT_PATH"], out_file), "a") as f:
            for row in rows:
                f.write((" ".join(str(c) for c in row) if isinstance(row, (list, tuple)) else str(row)) + "\n")
    with open(result_path, "w") as f:
        json.dump({"rows": len(result) if hasattr(result, "__len__") else None}, f)
else:
    body = sys.stdin.read()
    result = module.run(body)
    with open(result_path, "w") as f:
        f.write(result if isinstance(result, str) else json.dumps(result))
`;

const harnesses = new WeakMap<EmulatorContext, Promise<string>>();

/** The harness file, written once per emulator (its work root goes away on close). */
function harness(ctx: EmulatorContext): Promise<string> {
  let file = harnesses.get(ctx);
  if (!file) {
    const target = path.join(ctx.workRoot, 'scoring_harness.py');
    file = writeFile(target, HARNESS).then(() => target);
    harnesses.set(ctx, file);
  }
  return file;
}

export const PYTHON = '/usr/bin/python3';

export async function runScoring(
  ctx: EmulatorContext,
  options: {
    mode: 'batch' | 'online';
    codeDir: string;
    script: string;
    env: NodeJS.ProcessEnv;
    files?: string[];
    body?: string;
    outputAction?: string;
    outputFile?: string;
    signal?: AbortSignal;
  },
): Promise<Execution & { result?: string }> {
  const work = await mkdtemp(path.join(ctx.workRoot, `score-`));
  const resultPath = path.join(work, 'result.json');
  const args = [await harness(ctx), options.mode, options.codeDir, options.script, resultPath];
  if (options.mode === 'batch') {
    const list = path.join(work, 'files.json');
    await writeFile(list, JSON.stringify(options.files ?? []));
    args.push(list, options.outputAction ?? 'AppendRow', options.outputFile ?? 'predictions.csv');
  }
  const run = await runProcess(PYTHON, args, {
    cwd: options.codeDir,
    env: options.env,
    signal: options.signal,
    stdin: options.body,
  });
  const result = await readFile(resultPath, 'utf8').catch(() => undefined);
  return { ...run, result };
}
