import { execFile } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import type { LoadedConfig } from '@mlops/config';
import { ConfigurationError } from '@mlops/foundation';
import { WORKFLOW_TEMPLATES } from './workflow-templates.js';

const run = promisify(execFile);

const REPO_PATTERN = /^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/;

export interface InitOptions {
  /** owner/name of the mlops-actions repository the workflows use; absent keeps OWNER. */
  actionsRepo?: string;
  /** The config path as given, relative to the project folder. */
  config: string;
  force: boolean;
}

export type InitOutcome = 'wrote' | 'overwrote' | 'kept' | 'refused';

export interface InitResult {
  root: string;
  files: { file: string; outcome: InitOutcome }[];
  notes: string[];
}

/** The environments the templates deliver to: dev and prod, or what the config calls them. */
export function deliveryNames(loaded: LoadedConfig): {
  dev: string;
  prod: string;
  notes: string[];
} {
  const names = Object.keys(loaded.config.environments).filter((n) => n !== 'local');
  const notes: string[] = [];
  let dev = names.includes('dev') ? 'dev' : undefined;
  let prod = names.includes('prod') ? 'prod' : undefined;
  const others = names.filter((n) => n !== dev && n !== prod);
  if (!dev && !prod && others.length === 2) [dev, prod] = others;
  else if (!dev && prod && others.length === 1) dev = others[0];
  else if (dev && !prod && others.length === 1) prod = others[0];
  for (const [role, name] of [
    ['dev', dev],
    ['prod', prod],
  ] as const) {
    if (!name) {
      notes.push(
        `${path.basename(loaded.file)} has no ${role} environment: the workflows use "${role}"; add environments.${role} (see "Adopting the suite" in the mlops-actions README)`,
      );
    }
  }
  return { dev: dev ?? 'dev', prod: prod ?? 'prod', notes };
}

/** A YAML scalar: plain when that reads the same, else double-quoted. */
function scalar(value: string): string {
  return /^[A-Za-z0-9_./-]+$/.test(value) ? value : JSON.stringify(value);
}

/** A template filled in for one project. */
export function fillTemplate(
  text: string,
  fill: {
    workingDirectory: string;
    config: string;
    dev: string;
    prod: string;
    actionsRepo?: string;
  },
): string {
  const env = (name: string) => (name === 'dev' ? fill.dev : fill.prod);
  let out = text
    .replace(/^(\s+working-directory: ).*$/gm, `$1${scalar(fill.workingDirectory)}`)
    .replace(/^(\s+config: ).*$/gm, `$1${scalar(fill.config)}`)
    .replace(
      /^(\s+environment: )(dev|prod)$/gm,
      (_, key: string, name: string) => key + scalar(env(name)),
    )
    .replace(/mlops-deliver-(dev|prod)$/gm, (_, name: string) => `mlops-deliver-${env(name)}`)
    .replace(/^(\s+options: )\[prod\]$/gm, `$1[${scalar(fill.prod)}]`)
    .replace(/^(\s+type: choice\n\s+options: .*\n\s+default: )prod$/gm, `$1${scalar(fill.prod)}`);
  if (fill.actionsRepo) out = out.replaceAll('OWNER/mlops-actions/', `${fill.actionsRepo}/`);
  return out;
}

async function repositoryRoot(dir: string): Promise<string | undefined> {
  try {
    const { stdout } = await run('git', ['rev-parse', '--show-toplevel'], { cwd: dir });
    return stdout.trim();
  } catch {
    return undefined;
  }
}

/**
 * Writes the workflow templates into the repository's .github/workflows/,
 * filled from the project's config. A file that differs from what would be
 * written is left alone unless `force`.
 */
export async function initWorkflows(
  loaded: LoadedConfig,
  options: InitOptions,
): Promise<InitResult> {
  if (options.actionsRepo !== undefined && !REPO_PATTERN.test(options.actionsRepo)) {
    throw new ConfigurationError(
      `--actions-repo must be "owner/name" of the mlops-actions repository, got "${options.actionsRepo}"`,
    );
  }
  const notes: string[] = [];
  const gitRoot = await repositoryRoot(loaded.projectDir);
  const root = gitRoot ?? loaded.projectDir;
  if (!gitRoot) {
    notes.push(
      `${loaded.projectDir} is not in a git repository: the workflows go to its .github/workflows/, so make it the repository root`,
    );
  }
  const workingDirectory = path.relative(root, loaded.projectDir).split(path.sep).join('/') || '.';
  const { dev, prod, notes: envNotes } = deliveryNames(loaded);
  notes.push(...envNotes);
  if (!options.actionsRepo) {
    notes.push(
      'the workflows use OWNER/mlops-actions: pass --actions-repo <owner>/<name> to fill it in',
    );
  }
  const fill = {
    workingDirectory,
    config: path.posix.normalize(options.config.split(path.sep).join('/')),
    dev,
    prod,
    actionsRepo: options.actionsRepo,
  };
  const dir = path.join(root, '.github', 'workflows');
  await mkdir(dir, { recursive: true });
  const files: InitResult['files'] = [];
  for (const [name, template] of Object.entries(WORKFLOW_TEMPLATES)) {
    const file = path.join(dir, name);
    const text = fillTemplate(template, fill);
    const current = await readFile(file, 'utf8').catch(() => undefined);
    const outcome: InitOutcome =
      current === undefined
        ? 'wrote'
        : current === text
          ? 'kept'
          : options.force
            ? 'overwrote'
            : 'refused';
    if (outcome === 'wrote' || outcome === 'overwrote') await writeFile(file, text);
    files.push({ file: path.relative(root, file).split(path.sep).join('/'), outcome });
  }
  return { root, files, notes };
}
