/**
 * Benchmarks, reported as ratios against a baseline measured in the same run:
 *  - cold start: each bundle in dist/ from process start to exit on a trivial
 *    input, against `node -e ''`;
 *  - overhead: `mlops flow pr` on the example project against the same lint,
 *    test, train and score commands run directly from a shell script.
 * Usage: npm run bench [-- --runs 7 --overhead-runs 1 --skip-overhead]
 */
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { compare, time } from './measure.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const example = path.join(root, 'examples/demand-forecasting');
const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '7' },
    'overhead-runs': { type: 'string', default: '1' },
    'skip-overhead': { type: 'boolean', default: false },
  },
});

const runs = Number(values.runs);
const results: Record<string, unknown> = {
  date: new Date().toISOString(),
  node: process.version,
  cpus: os.availableParallelism(),
};

// Cold start: a trivial input that loads the whole bundle and exits at once
// (the config file does not exist; the CLI prints its help).
const trivialEnv = {
  PATH: process.env.PATH,
  INPUT_CONFIG: 'missing.yaml',
  INPUT_STEP: 'lint-and-test',
  GITHUB_OUTPUT: '/dev/null',
  GITHUB_STEP_SUMMARY: '/dev/null',
};
const node = (): number => time(process.execPath, ['-e', ''], trivialEnv);
const coldStart: Record<string, unknown> = {};
for (const bundle of readdirSync(path.join(root, 'dist')).sort()) {
  const args = [
    path.join(root, 'dist', bundle, 'index.js'),
    ...(bundle === 'cli' ? ['--help'] : []),
  ];
  coldStart[bundle] = compare(
    runs,
    () => time(process.execPath, args, trivialEnv, os.tmpdir()),
    node,
  );
}
results.coldStart = coldStart;
console.log(`Cold start, median of ${runs} (ms; ratio to node -e ''):`);
for (const [bundle, r] of Object.entries(coldStart) as [
  string,
  { measured: number; baseline: number; ratio: number },
][]) {
  console.log(
    `  ${bundle.padEnd(22)} ${r.measured.toFixed(1).padStart(7)}  vs ${r.baseline.toFixed(1).padStart(6)}  ×${r.ratio.toFixed(2)}`,
  );
}

if (!values['skip-overhead']) {
  const cli = path.join(root, 'dist/cli/index.js');
  const flow = (): number =>
    time(process.execPath, [cli, 'flow', 'pr', '--working-directory', example]);
  // The direct script needs each model's prepared data: one flow run leaves it.
  flow();
  const direct = (): number =>
    time('bash', [
      path.join(root, 'bench/direct-pr.sh'),
      example,
      String(os.availableParallelism()),
    ]);
  const overhead = compare(Number(values['overhead-runs']), flow, direct);
  results.overhead = overhead;
  console.log(
    `\nmlops flow pr vs the same commands from a shell script (s): ${(overhead.measured / 1000).toFixed(1)} vs ${(overhead.baseline / 1000).toFixed(1)}  ×${overhead.ratio.toFixed(3)}`,
  );
}

mkdirSync(path.join(root, 'bench/results'), { recursive: true });
const file = path.join(root, 'bench/results', `bench-${Date.now()}.json`);
writeFileSync(file, JSON.stringify(results, null, 2) + '\n');
console.log(`\nwrote ${path.relative(root, file)}`);
