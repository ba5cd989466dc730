import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import picomatch from 'picomatch';
import { defineAction } from '@mlops/action-kit';
import { loadConfig, type LoadedConfig, type ModelSpec } from '@mlops/config';
import { ConfigurationError, type Block } from '@mlops/foundation';
import { plural } from './format.js';

const run = promisify(execFile);

/** Jobs the matrix is spread over at most by default: 56 models make 8 jobs of 7. */
const DEFAULT_MAX_JOBS = '8';
const LISTED_FILES = 50;

export interface PlanInputs {
  workingDirectory: string;
  config: string;
  base?: string;
  maxJobs: number;
}

/** Why a changed file matters: the models it re-validates. */
export interface ChangedFile {
  file: string;
  /** 'all' for shared files (config, sample, packaged code), else the models whose paths match. */
  affects: 'all' | string[];
}

export interface Plan {
  base: string;
  /** Set when the base could not be diffed against, so every model runs. */
  fallback?: string;
  changed: ChangedFile[];
  models: string[];
  jobs: string[][];
}

export const plan = defineAction<PlanInputs>({
  name: 'plan',
  title: 'Plan',
  description:
    'Finds the models whose code or data changed since a base commit (all models when shared code, the sample or the config changed) and spreads them over a job matrix for basic-model-validate.',
  inputs: {
    base: {
      description:
        'Git ref or sha to compare with (git diff base...HEAD); empty for the pull request’s base branch (GITHUB_BASE_REF, needs fetch-depth: 0), else HEAD~1.',
    },
    'max-jobs': {
      description: 'Most matrix jobs to spread the models over (models are split evenly).',
      default: DEFAULT_MAX_JOBS,
    },
  },
  outputs: {
    matrix: 'Job matrix as JSON: {"include":[{"models":"<comma-separated names>"}, …]}.',
    models: 'The models to validate, comma-separated.',
    any: 'true when at least one model is to be validated, else false.',
  },
  parseInputs: (read) => ({
    workingDirectory: read.string('working-directory'),
    config: read.string('config'),
    base: read.optional('base'),
    maxJobs: read.integer('max-jobs', { min: 1, max: 256 }),
  }),
  execute: async (inputs, deps) => {
    const loaded = await loadConfig({
      workingDirectory: inputs.workingDirectory,
      config: inputs.config,
    });
    const baseRef = deps.baseEnv.GITHUB_BASE_REF?.trim();
    const result = await planModels(loaded, {
      base: inputs.base,
      defaults: baseRef ? [`origin/${baseRef}`, baseRef] : ['HEAD~1'],
      maxJobs: inputs.maxJobs,
    });
    return {
      outputs: {
        matrix: JSON.stringify({ include: result.jobs.map((j) => ({ models: j.join(',') })) }),
        models: result.models.join(','),
        any: String(result.models.length > 0),
      },
      report: renderPlan(result, loaded.models.length),
    };
  },
});

/** Which models a change since `base` (or the first default that resolves) re-validates. */
export async function planModels(
  loaded: LoadedConfig,
  options: { base?: string; defaults: string[]; maxJobs: number },
): Promise<Plan> {
  const all = loaded.models.map((m) => m.name);
  let base: string | undefined = options.base;
  if (base !== undefined) {
    if (!(await resolves(loaded.projectDir, base))) {
      throw new ConfigurationError(
        `input 'base': "${base}" is not a commit in ${loaded.projectDir} (fetch it first, e.g. actions/checkout with fetch-depth: 0)`,
      );
    }
  } else {
    for (const candidate of options.defaults) {
      if (await resolves(loaded.projectDir, candidate)) {
        base = candidate;
        break;
      }
    }
  }
  if (base === undefined) {
    const tried = options.defaults.join(' or ');
    return {
      base: tried,
      fallback: `${tried} is not in this checkout (shallow clone?), so every model runs`,
      changed: [],
      models: all,
      jobs: chunk(all, options.maxJobs),
    };
  }
  const files = await changedFiles(loaded.projectDir, base);
  const changed = files.map((file) => ({ file, affects: affects(file, loaded) }));
  const picked = new Set<string>();
  for (const c of changed) for (const m of c.affects === 'all' ? all : c.affects) picked.add(m);
  const models = all.filter((m) => picked.has(m));
  return { base, changed, models, jobs: chunk(models, options.maxJobs) };
}

/**
 * The rule: a file matching a model's `paths` re-validates that model; any
 * other change to the config, the data sample, the environment lock files or
 * the packaged code (package.code) re-validates every model; anything else
 * (outside the packaged code) re-validates none.
 */
export function affects(file: string, loaded: LoadedConfig): 'all' | string[] {
  const own = loaded.models.filter((m) => matchesPaths(m, file)).map((m) => m.name);
  if (own.length) return own;
  const { config, projectDir } = loaded;
  const exact = [
    path.relative(projectDir, loaded.file),
    config.data.sample,
    ...config.package.environment,
  ].map(normalize);
  if (exact.includes(file)) return 'all';
  const code = config.package.code.map(normalize);
  return code.some((c) => c === '' || file === c || file.startsWith(`${c}/`)) ? 'all' : [];
}

function matchesPaths(model: ModelSpec, file: string): boolean {
  return model.paths.length > 0 && picomatch(model.paths.map(normalize), { dot: true })(file);
}

/** Relative and '/'-separated without './' or a trailing slash; '.' becomes ''. */
function normalize(p: string): string {
  const n = path.posix.normalize(p.split(path.sep).join('/')).replace(/\/+$/, '');
  return n === '.' ? '' : n.replace(/^\.\//, '');
}

/** Spreads models evenly over at most `maxJobs` jobs, in config order. */
export function chunk(models: string[], maxJobs: number): string[][] {
  if (models.length === 0) return [];
  const size = Math.ceil(models.length / Math.min(maxJobs, models.length));
  const jobs: string[][] = [];
  for (let i = 0; i < models.length; i += size) jobs.push(models.slice(i, i + size));
  return jobs;
}

async function git(cwd: string, args: string[]): Promise<string> {
  try {
    const { stdout } = await run('git', args, { cwd, maxBuffer: 64 * 1024 * 1024 });
    return stdout;
  } catch (error) {
    const stderr = String((error as { stderr?: string }).stderr ?? '').trim();
    if (/not a git repository/.test(stderr)) {
      throw new ConfigurationError(
        `${cwd} is not in a git checkout: plan compares commits (run it in a clone)`,
      );
    }
    throw new Error(`git ${args.join(' ')} failed in ${cwd}: ${stderr || String(error)}`);
  }
}

async function resolves(cwd: string, ref: string): Promise<boolean> {
  if (ref.startsWith('-')) return false;
  return git(cwd, ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`]).then(
    () => true,
    (error: unknown) => {
      if (error instanceof ConfigurationError) throw error;
      return false;
    },
  );
}

/** Files changed since the merge base with `base`, relative to the project folder. */
async function changedFiles(cwd: string, base: string): Promise<string[]> {
  const out = await git(cwd, ['diff', '--name-only', '--relative', '-z', `${base}...HEAD`, '--']);
  return out.split('\0').filter(Boolean);
}

function renderPlan(plan: Plan, total: number): Block[] {
  const blocks: Block[] = [{ kind: 'heading', text: 'Plan: models to validate' }];
  if (plan.fallback) {
    blocks.push({ kind: 'text', text: `⚠️ ${plan.fallback}.` });
  } else {
    const shared = plan.changed.filter((c) => c.affects === 'all').length;
    blocks.push({
      kind: 'text',
      text: `${plural(plan.changed.length, 'file')} changed since \`${plan.base}\`${shared ? ` (${shared} shared, so every model runs)` : ''}: **${plan.models.length} of ${total} models** in ${plural(plan.jobs.length, 'job')}.`,
    });
    if (plan.changed.length) {
      blocks.push({
        kind: 'table',
        headers: ['Changed file', 'Re-validates'],
        rows: plan.changed
          .slice(0, LISTED_FILES)
          .map((c) => [
            `\`${c.file}\``,
            c.affects === 'all'
              ? 'all models'
              : c.affects.length
                ? c.affects.map((m) => `\`${m}\``).join(', ')
                : 'none (not packaged code)',
          ]),
      });
      if (plan.changed.length > LISTED_FILES)
        blocks.push({ kind: 'text', text: `… and ${plan.changed.length - LISTED_FILES} more.` });
    }
  }
  if (plan.jobs.length) {
    blocks.push({
      kind: 'table',
      headers: ['Job', 'Models'],
      rows: plan.jobs.map((job, i) => [i + 1, job.map((m) => `\`${m}\``).join(', ')]),
    });
  } else {
    blocks.push({ kind: 'text', text: 'No model is affected: model validation is skipped.' });
  }
  return blocks;
}
