import { spawnSync } from 'node:child_process';

/** Wall time of one run of a command, in ms. */
export function time(
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv = process.env,
  cwd = process.cwd(),
): number {
  const started = process.hrtime.bigint();
  const result = spawnSync(command, args, { cwd, env, stdio: 'ignore' });
  if (result.error) throw result.error;
  return Number(process.hrtime.bigint() - started) / 1e6;
}

export function median(samples: number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Interleaves the measured command with the baseline so drift hits both alike. */
export function compare(
  runs: number,
  measured: () => number,
  baseline: () => number,
): { measured: number; baseline: number; ratio: number } {
  const m: number[] = [];
  const b: number[] = [];
  measured();
  baseline();
  for (let i = 0; i < runs; i++) {
    b.push(baseline());
    m.push(measured());
  }
  return { measured: median(m), baseline: median(b), ratio: median(m) / median(b) };
}
