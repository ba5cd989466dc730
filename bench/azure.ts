/**
 * Azure backend benchmarks, against baselines measured in the same run:
 *  1. registering the 56 models of a package in an emulated Azure ML workspace
 *     through the register-model bundle (real SDK, TLS to the local ARM
 *     emulator) with --latency ms added to every ARM and blob request: wall
 *     time against the ideal for the stage's concurrency (every request at
 *     the injected latency, the lanes never idle), and requests per model;
 *  2. cold start on the local backend, this tree's bundles against those of
 *     --before (default: the last commit before the Azure backend), on a
 *     trivial input and on a run that opens the local platform.
 * Nothing is asserted.
 * Usage: npx tsx bench/azure.ts [--latency 50] [--runs 7] [--before da2d842]
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { REGISTER_CONCURRENCY } from '@mlops/stages';
import { azureEnvironments, azureRunnerEnv, startAzure } from '../test/support/azure.js';
import { runBundle } from '../test/support/bundle.js';
import { compare, time } from './measure.js';
import { tinyProject } from '../test/support/project.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const { values } = parseArgs({
  options: {
    latency: { type: 'string', default: '50' },
    runs: { type: 'string', default: '7' },
    before: { type: 'string', default: 'da2d842' },
  },
});
const latency = Number(values.latency);
const runs = Number(values.runs);
const results: Record<string, unknown> = {
  date: new Date().toISOString(),
  node: process.version,
  cpus: os.availableParallelism(),
};

const CELLS = Array.from({ length: 28 }, (_, i) => `c${String(i + 1).padStart(2, '0')}`);

async function registerBenchmark(): Promise<void> {
  const emu = await startAzure();
  try {
    const project = await tinyProject({
      git: true,
      config: (t) =>
        t
          .replace('name: tiny-{group}', 'name: tiny-{group}-{cell}')
          .replace('group: [a, b]', `group: [a, b]\n    cell: [${CELLS.join(', ')}]`)
          .replace(/^environments:[\s\S]*$/m, azureEnvironments(emu)),
    });
    const local = async (bundle: string, inputs: Record<string, string>) => {
      const run = await runBundle(bundle, inputs, { workspace: project });
      if (run.code !== 0) throw new Error(`${bundle} failed: ${run.stdout}`);
      return run;
    };
    await local('basic-model-validate', { stage: 'main' });
    const artifact = (await local('package-artifacts', {})).outputs['artifact-name']!;
    emu.faults.latency(latency);
    emu.faults.add({ service: 'blob', path: '/', kind: 'latency', ms: latency, times: Infinity });
    const register = async () => {
      const first = emu.requests.length;
      const started = performance.now();
      const run = await runBundle(
        'register-model',
        { environment: 'dev', artifact },
        { workspace: project, env: azureRunnerEnv(emu) },
      );
      const ms = performance.now() - started;
      if (run.code !== 0) throw new Error(`register-model failed: ${run.stdout}`);
      const requests = emu.requests.slice(first);
      const count = (service: string) => requests.filter((r) => r.service === service).length;
      return { ms, arm: count('arm'), blob: count('blob'), login: count('login') };
    };
    const fresh = await register();
    const again = await register();
    const models = 56;
    const describe = (r: typeof fresh) => {
      const total = r.arm + r.blob;
      const ideal = (total * latency) / REGISTER_CONCURRENCY;
      return {
        wallMs: Math.round(r.ms),
        idealMs: Math.round(ideal),
        ratioToIdeal: Number((r.ms / ideal).toFixed(2)),
        armPerModel: Number((r.arm / models).toFixed(2)),
        blobPerModel: Number((r.blob / models).toFixed(2)),
        signIns: r.login,
      };
    };
    results.register56 = {
      latencyMs: latency,
      concurrency: REGISTER_CONCURRENCY,
      fresh: describe(fresh),
      again: describe(again),
    };
    console.log(
      `Register 56 models, ${latency} ms per request, concurrency ${REGISTER_CONCURRENCY}:`,
    );
    for (const [name, r] of Object.entries({ fresh: describe(fresh), again: describe(again) })) {
      console.log(
        `  ${name.padEnd(6)} ${(r.wallMs / 1000).toFixed(2)} s vs ideal ${(r.idealMs / 1000).toFixed(2)} s  ×${r.ratioToIdeal}  ARM ${r.armPerModel}/model, blob ${r.blobPerModel}/model, ${r.signIns} sign-in requests`,
      );
    }
  } finally {
    await emu.close();
  }
}

async function coldStartBenchmark(): Promise<void> {
  const before = await mkdtemp(path.join(os.tmpdir(), 'mlops-dist-before-'));
  execFileSync('bash', ['-c', `git archive ${values.before} dist | tar -x -C "${before}"`], {
    cwd: root,
  });
  const project = await tinyProject({ git: true });
  const env = (inputs: Record<string, string>) => ({
    PATH: process.env.PATH,
    GITHUB_OUTPUT: '/dev/null',
    GITHUB_STEP_SUMMARY: '/dev/null',
    ...Object.fromEntries(Object.entries(inputs).map(([k, v]) => [`INPUT_${k.toUpperCase()}`, v])),
  });
  const cases = {
    // Loads the bundle, fails at once on the missing config.
    trivial: { bundle: 'register-model', env: env({ config: 'missing.yaml' }), cwd: os.tmpdir() },
    // Opens the local platform and finds nothing to publish.
    'local platform': {
      bundle: 'publish-scoring-pipeline',
      env: env({ environment: 'dev', config: 'mlops.yaml', 'working-directory': '.' }),
      cwd: project,
    },
  };
  const coldStart: Record<string, unknown> = {};
  console.log(
    `\nCold start on the local backend, median of ${runs} (ms; this tree vs ${values.before}):`,
  );
  for (const [name, c] of Object.entries(cases)) {
    const now = () =>
      time(process.execPath, [path.join(root, 'dist', c.bundle, 'index.js')], c.env, c.cwd);
    const then = () =>
      time(process.execPath, [path.join(before, 'dist', c.bundle, 'index.js')], c.env, c.cwd);
    const measured = compare(runs, now, then);
    const r = { after: measured.measured, before: measured.baseline, ratio: measured.ratio };
    coldStart[`${c.bundle} (${name})`] = r;
    console.log(
      `  ${`${c.bundle} (${name})`.padEnd(42)} ${r.after.toFixed(1).padStart(7)} vs ${r.before.toFixed(1).padStart(7)}  ×${r.ratio.toFixed(3)}`,
    );
  }
  results.coldStart = coldStart;
}

await registerBenchmark();
await coldStartBenchmark();
mkdirSync(path.join(root, 'bench/results'), { recursive: true });
const file = path.join(root, 'bench/results', `azure-${Date.now()}.json`);
writeFileSync(file, JSON.stringify(results, null, 2) + '\n');
console.log(`\nwrote ${path.relative(root, file)}`);
