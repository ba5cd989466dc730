/**
 * Delivery benchmarks: the package-artifacts and register-model stages run
 * in-process (as the CLI runs them) on copies of the tiny fixture project,
 * reported against baselines measured in the same run:
 *  1. cold packaging of a generated tree (default 1 GB of random model files)
 *     against `tar -cf - <same files> | sha256sum`; also against the same pipe
 *     into `openssl dgst -sha256` (OpenSSL's sha256, the one node uses; GNU
 *     sha256sum may not use the CPU's SHA instructions), and against the same
 *     work as the stage done by shell tools (hash each file, write the tar, hash it);
 *  2. re-packaging right after, with nothing changed, against the cold packaging;
 *  3. registering all 56 models of a package into a fresh local environment,
 *     and again (idempotent), per model; plus registering the two large models
 *     of benchmark 1 into a fresh environment, and again.
 * Numbers are medians of --runs; nothing is asserted.
 * Usage: npx tsx bench/delivery.ts [--size-gb 1] [--runs 3] [--skip-large-register]
 */
import { spawnSync } from 'node:child_process';
import { randomFillSync } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { InputReader, type ActionDefinition, type ActionResult } from '@mlops/action-kit';
import type { Manifest } from '@mlops/artifacts';
import { basicModelValidate, packageArtifacts, registerModel } from '@mlops/stages';
import { recordingDeps } from '../test/support/deps.js';
import { tinyProject } from '../test/support/project.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const { values } = parseArgs({
  options: {
    'size-gb': { type: 'string', default: '1' },
    runs: { type: 'string', default: '3' },
    'skip-large-register': { type: 'boolean', default: false },
  },
});
const sizeGb = Number(values['size-gb']);
const runs = Number(values.runs);
if (!(sizeGb > 0) || !Number.isInteger(runs) || runs < 1) {
  throw new Error('--size-gb must be a positive number and --runs a positive integer');
}

const MIB = 1024 * 1024;
/** The generated tree: these models, each with filesPerModel files of FILE_MIB (16 at 1 GB). */
const LARGE_MODELS = ['tiny-a', 'tiny-b'];
const FILE_MIB = 32;
const filesPerModel = Math.max(1, Math.round((sizeGb * 1024) / FILE_MIB / LARGE_MODELS.length));
const GROUPS = ['a', 'b'];
const CELLS = Array.from({ length: 28 }, (_, i) => `c${String(i + 1).padStart(2, '0')}`);

interface StageRun {
  ms: number;
  result: ActionResult;
  progress: string[];
}

/** Runs an action in-process on a project, the way the CLI does, and times it. */
async function stage(
  definition: unknown,
  project: string,
  inputs: Record<string, string> = {},
): Promise<StageRun> {
  const action = definition as ActionDefinition;
  const read = new InputReader(
    action.inputs,
    (name) => ({ 'working-directory': project, ...inputs })[name] ?? '',
  );
  const parsed = action.parseInputs(read);
  const deps = recordingDeps(project);
  const started = performance.now();
  const result = await action.execute(parsed, deps);
  const ms = performance.now() - started;
  if (result.failure) throw new Error(`${action.name} failed: ${result.failure}`);
  return { ms, result, progress: deps.progressLines };
}

/** Times a shell script (`bash -c script name args…`), failing on any failed command. */
function shell(script: string, args: string[]): number {
  const started = performance.now();
  const result = spawnSync('bash', ['-c', `set -euo pipefail; ${script}`, 'bench', ...args], {
    stdio: ['ignore', 'ignore', 'pipe'],
    maxBuffer: 64 * MIB,
  });
  const ms = performance.now() - started;
  if (result.error) throw result.error;
  if (result.status !== 0) throw new Error(`shell baseline failed: ${String(result.stderr)}`);
  return ms;
}

/** Flushes dirty pages (untimed), so one measurement's writeback does not land in the next. */
function settle(): void {
  spawnSync('sync', [], { stdio: 'ignore' });
}

function median(samples: number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** One table line: a measurement, optionally against what it is compared with. */
function row(label: string, value: number, against?: { ms: number; what: string }): void {
  const compared = against
    ? `  vs ${against.ms.toFixed(1).padStart(8)}  ×${(value / against.ms).toFixed(2)} ${against.what}`
    : '';
  console.log(`  ${label.padEnd(48)} ${value.toFixed(1).padStart(9)}${compared}`);
}

/** The project's parent temp folder (tinyProject makes `<tmp>/mlops-tiny-…/project`). */
const temps: string[] = [];
async function project(edit: Parameters<typeof tinyProject>[0] = {}): Promise<string> {
  const dir = await tinyProject({ ...edit, git: true });
  temps.push(path.dirname(dir));
  return dir;
}

const results: Record<string, unknown> = {
  date: new Date().toISOString(),
  node: process.version,
  cpus: os.availableParallelism(),
  sizeGb,
  runs,
};

try {
  // 1 and 2: packaging the generated tree, cold and unchanged.
  const big = await project();
  await stage(basicModelValidate, big, { stage: 'main' });
  const validated = path.join(big, '.mlops/validate/main');
  const chunk = Buffer.alloc(FILE_MIB * MIB);
  const generatedStart = performance.now();
  for (const model of LARGE_MODELS) {
    const dir = path.join(validated, model, 'train', 'model');
    await mkdir(dir, { recursive: true });
    for (let i = 0; i < filesPerModel; i++) {
      randomFillSync(chunk);
      await writeFile(path.join(dir, `weights-${String(i).padStart(3, '0')}.bin`), chunk);
    }
  }
  settle();
  const totalBytes = LARGE_MODELS.length * filesPerModel * FILE_MIB * MIB;
  console.log(
    `Generated ${LARGE_MODELS.length} models × ${filesPerModel} files × ${FILE_MIB} MiB = ${(totalBytes / 1024 ** 3).toFixed(2)} GiB of random bytes in ${((performance.now() - generatedStart) / 1000).toFixed(1)} s`,
  );

  const fresh = async (): Promise<void> => {
    await rm(path.join(big, '.mlops/artifacts'), { recursive: true, force: true });
    await rm(path.join(big, '.mlops/cache'), { recursive: true, force: true });
    settle();
  };
  const cold = async (): Promise<StageRun> => {
    await fresh();
    const run = await stage(packageArtifacts, big);
    // (A file digested twice in one run, e.g. the sample as code and as data, counts a hit.)
    if (!run.progress.some((line) => line.startsWith('Wrote'))) {
      throw new Error(`the cold packaging reused the package: ${run.progress.join(' | ')}`);
    }
    return run;
  };
  const warm = async (): Promise<StageRun> => {
    const run = await stage(packageArtifacts, big);
    if (!run.progress.some((line) => line.startsWith('Reused') && / 0 computed$/.test(line))) {
      throw new Error(`the re-packaging was not a reuse: ${run.progress.join(' | ')}`);
    }
    return run;
  };

  // A warm-up packaging, whose manifest names the files the shell baselines archive.
  const first = await cold();
  const manifest = JSON.parse(await readFile(first.result.outputs.manifest!, 'utf8')) as Manifest;
  const files = [
    ...manifest.code.files.map((f) => f.path.slice('code/'.length)),
    ...manifest.models.flatMap((m) =>
      m.files.map((f) =>
        path
          .relative(
            big,
            path.join(
              validated,
              m.name,
              'train',
              'model',
              f.path.slice(`models/${m.name}/`.length),
            ),
          )
          .split(path.sep)
          .join('/'),
      ),
    ),
  ];
  const listFile = path.join(path.dirname(big), 'files.txt');
  await writeFile(listFile, files.join('\n') + '\n');
  const tarFile = path.join(path.dirname(big), 'baseline.tar');
  const tarSha = (): number => {
    settle();
    return shell('tar -cf - -C "$1" "${@:2}" | sha256sum >/dev/null', [big, ...files]);
  };
  // The same pipeline with OpenSSL's sha256 (SHA-NI where the CPU has it), like node's.
  const hasOpenssl = spawnSync('openssl', ['version'], { stdio: 'ignore' }).status === 0;
  const tarOpenssl = (): number => {
    settle();
    return shell('tar -cf - -C "$1" "${@:2}" | openssl dgst -sha256 >/dev/null', [big, ...files]);
  };
  // What the stage does, by shell tools: digest every file, write the tar, digest the tar.
  const equivalent = (): number => {
    settle();
    const elapsed = shell(
      'cd "$1"; xargs -d "\\n" sha256sum <"$2" >/dev/null; tar -cf "$3" -T "$2"; sha256sum "$3" >/dev/null',
      [big, listFile, tarFile],
    );
    spawnSync('rm', ['-f', tarFile]);
    return elapsed;
  };
  await warm();
  tarSha();
  if (hasOpenssl) tarOpenssl();
  equivalent();

  // Interleaved so drift hits all alike.
  const samples = {
    cold: [] as number[],
    warm: [] as number[],
    tar: [] as number[],
    ssl: [] as number[],
    eq: [] as number[],
  };
  let progress: { cold: string[]; warm: string[] } = { cold: [], warm: [] };
  for (let i = 0; i < runs; i++) {
    samples.tar.push(tarSha());
    if (hasOpenssl) samples.ssl.push(tarOpenssl());
    const c = await cold();
    settle();
    const w = await warm();
    samples.cold.push(c.ms);
    samples.warm.push(w.ms);
    samples.eq.push(equivalent());
    progress = { cold: c.progress, warm: w.progress };
    console.log(
      `  run ${i + 1}: cold ${c.ms.toFixed(0)} ms, unchanged ${w.ms.toFixed(0)} ms, tar|sha256sum ${samples.tar[i]!.toFixed(0)} ms${hasOpenssl ? `, tar|openssl ${samples.ssl[i]!.toFixed(0)} ms` : ''}, shell equivalent ${samples.eq[i]!.toFixed(0)} ms`,
    );
  }
  const packaging = {
    files: files.length,
    bytes: totalBytes,
    archiveBytes: Number(/\((\d+) bytes/.exec(progress.cold.join('\n'))?.[1] ?? 0),
    coldMs: median(samples.cold),
    tarSha256sumMs: median(samples.tar),
    tarOpensslMs: hasOpenssl ? median(samples.ssl) : null,
    shellEquivalentMs: median(samples.eq),
    ratioToTarSha256sum: median(samples.cold) / median(samples.tar),
    ratioToTarOpenssl: hasOpenssl ? median(samples.cold) / median(samples.ssl) : null,
    ratioToShellEquivalent: median(samples.cold) / median(samples.eq),
    coldMiBps: totalBytes / MIB / (median(samples.cold) / 1000),
    samples: {
      cold: samples.cold,
      tarSha256sum: samples.tar,
      tarOpenssl: samples.ssl,
      shellEquivalent: samples.eq,
    },
    progress: progress.cold,
  };
  const repackaging = {
    ms: median(samples.warm),
    ratioToCold: median(samples.warm) / median(samples.cold),
    samples: samples.warm,
    progress: progress.warm,
  };
  results.packaging = packaging;
  results.repackaging = repackaging;
  console.log(
    `\nPackaging ${files.length} files, ${(totalBytes / 1024 ** 3).toFixed(2)} GiB, median of ${runs} (ms):`,
  );
  row('tar -cf - <same files> | sha256sum', packaging.tarSha256sumMs);
  if (hasOpenssl) row('tar -cf - <same files> | openssl dgst -sha256', median(samples.ssl));
  row('sha256sum files; tar -cf x.tar; sha256sum x.tar', packaging.shellEquivalentMs);
  row('package-artifacts, cold (no cache, no package)', packaging.coldMs, {
    ms: packaging.tarSha256sumMs,
    what: 'of tar | sha256sum',
  });
  if (hasOpenssl) row('', packaging.coldMs, { ms: median(samples.ssl), what: 'of tar | openssl' });
  row('', packaging.coldMs, { ms: packaging.shellEquivalentMs, what: 'of the shell equivalent' });
  row('package-artifacts again, unchanged', repackaging.ms, {
    ms: packaging.coldMs,
    what: 'of cold',
  });

  // The large package registered: extraction, verification and copies of 1 GB.
  if (!values['skip-large-register']) {
    const large = { first: [] as number[], again: [] as number[] };
    for (let i = 0; i < runs; i++) {
      await rm(path.join(big, '.mlops/local'), { recursive: true, force: true });
      settle();
      large.first.push((await stage(registerModel, big)).ms);
      settle();
      large.again.push((await stage(registerModel, big)).ms);
    }
    results.registerLarge = {
      models: LARGE_MODELS.length,
      bytes: totalBytes,
      freshMs: median(large.first),
      againMs: median(large.again),
      ratioToTarSha256sum: median(large.first) / median(samples.tar),
      samples: large,
    };
    console.log(
      `\nRegistering the ${LARGE_MODELS.length} models of that package, median of ${runs} (ms):`,
    );
    row('register-model, fresh environment', median(large.first), {
      ms: median(samples.tar),
      what: 'of tar | sha256sum',
    });
    row('register-model again, all registered', median(large.again), {
      ms: median(large.first),
      what: 'of fresh',
    });
  }
  await rm(path.dirname(big), { recursive: true, force: true });

  // 3: 56 models, all trained on the same rows (cell is no data column, so it selects none).
  const matrix = await project({
    config: (text) =>
      text.replace(
        /models:\n {2}name: tiny-\{group\}\n {2}matrix:\n {4}group: \[a, b\]\n/,
        `models:\n  name: tiny-{group}-{cell}\n  matrix:\n    group: [${GROUPS.join(', ')}]\n    cell: [${CELLS.join(', ')}]\n`,
      ),
  });
  const count = GROUPS.length * CELLS.length;
  const validation = await stage(basicModelValidate, matrix, { stage: 'main' });
  if (validation.result.outputs['models-passed'] !== String(count)) {
    throw new Error(
      `expected ${count} trained models, got ${JSON.stringify(validation.result.outputs)}`,
    );
  }
  const packaged = await stage(packageArtifacts, matrix);
  console.log(
    `\nTrained ${count} models in ${(validation.ms / 1000).toFixed(1)} s, packaged in ${packaged.ms.toFixed(0)} ms`,
  );
  const register = { first: [] as number[], again: [] as number[] };
  for (let i = 0; i < runs; i++) {
    await rm(path.join(matrix, '.mlops/local'), { recursive: true, force: true });
    settle();
    const first = await stage(registerModel, matrix);
    const again = await stage(registerModel, matrix);
    const created = (run: StageRun): string[] => run.result.outputs.created!.split(',');
    if (created(first).length !== count || created(first).some((c) => c !== 'true'))
      throw new Error(`the first registration did not create ${count} versions`);
    if (created(again).length !== count || created(again).some((c) => c !== 'false'))
      throw new Error('the second registration created versions');
    register.first.push(first.ms);
    register.again.push(again.ms);
    console.log(`  run ${i + 1}: fresh ${first.ms.toFixed(0)} ms, again ${again.ms.toFixed(0)} ms`);
  }
  const registering = {
    models: count,
    trainMs: validation.ms,
    packageMs: packaged.ms,
    freshMs: median(register.first),
    freshPerModelMs: median(register.first) / count,
    againMs: median(register.again),
    againPerModelMs: median(register.again) / count,
    againRatioToFresh: median(register.again) / median(register.first),
    samples: register,
  };
  results.register = registering;
  console.log(`\nRegistering ${count} models of one package, median of ${runs} (ms):`);
  row('register-model, fresh environment', registering.freshMs);
  row('  per model', registering.freshPerModelMs);
  row('register-model again, all registered', registering.againMs, {
    ms: registering.freshMs,
    what: 'of fresh',
  });
  row('  per model', registering.againPerModelMs);
} finally {
  for (const dir of temps) await rm(dir, { recursive: true, force: true });
}

mkdirSync(path.join(root, 'bench/results'), { recursive: true });
const file = path.join(root, 'bench/results', `delivery-${Date.now()}.json`);
writeFileSync(file, JSON.stringify(results, null, 2) + '\n');
console.log(`\nwrote ${path.relative(root, file)}`);
