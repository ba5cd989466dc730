import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { relativeName, resolveSelf, TEMPLATES_DIR, WORKFLOWS_DIR } from './files.js';

/** A workflow file as YAML gives it, typed as far as the checks read it. */
export interface Workflow {
  name?: string;
  on: Record<string, unknown>;
  permissions?: Permissions;
  concurrency?: string | { group: string; 'cancel-in-progress'?: boolean | string };
  env?: Record<string, unknown>;
  jobs: Record<string, WorkflowJob>;
}

export type Permissions = string | Record<string, string>;

export interface WorkflowJob {
  needs?: string | string[];
  if?: string | boolean;
  uses?: string;
  with?: Record<string, unknown>;
  secrets?: unknown;
  strategy?: { matrix?: unknown };
  environment?: unknown;
  permissions?: Permissions;
  concurrency?: unknown;
  outputs?: Record<string, string>;
  'timeout-minutes'?: number;
  steps?: WorkflowStep[];
}

export interface WorkflowStep {
  id?: string;
  name?: string;
  if?: string;
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
  env?: Record<string, unknown>;
}

export function loadWorkflow(file: string): Workflow {
  const workflow = parseYaml(readFileSync(file, 'utf8')) as Workflow;
  // `on: push` and `on: [push, pull_request]` as a mapping.
  const on = workflow.on as unknown;
  if (typeof on === 'string') workflow.on = { [on]: null };
  else if (Array.isArray(on)) workflow.on = Object.fromEntries(on.map((e: string) => [e, null]));
  return workflow;
}

export const template = (name: string): string => path.join(TEMPLATES_DIR, name);
export const reusable = (name: string): string => path.join(WORKFLOWS_DIR, name);

/** A job as it runs: reusable workflow calls replaced by the jobs of the called workflow. */
export interface FlatJob {
  /** `mlops/deliver` for a job of a called workflow. */
  path: string;
  job: WorkflowJob;
  /** The file that defines the job. */
  file: string;
  /** For a called workflow's job: the caller's job and file. */
  caller?: { job: WorkflowJob; file: string };
}

/** Every job a workflow runs, with this repository's reusable workflows expanded (one level). */
export function flatJobs(file: string): FlatJob[] {
  const workflow = loadWorkflow(file);
  return Object.entries(workflow.jobs).flatMap(([id, job]): FlatJob[] => {
    const target = job.uses ? resolveSelf(job.uses) : undefined;
    if (!job.uses) return [{ path: id, job, file: relativeName(file) }];
    if (!target)
      throw new Error(`${relativeName(file)}: job ${id} calls ${job.uses}, not this repository`);
    const called = loadWorkflow(target);
    return Object.entries(called.jobs).map(([innerId, inner]) => ({
      path: `${id}/${innerId}`,
      job: inner,
      file: relativeName(target),
      caller: { job, file: relativeName(file) },
    }));
  });
}

/** The action a step uses, without owner prefix and ref: `package-artifacts`, `actions/checkout`. */
export function actionOf(step: WorkflowStep): string | undefined {
  if (!step.uses) return undefined;
  const own = /^[^/]+\/mlops-actions\/actions\/([^@]+)@/.exec(step.uses);
  if (own) return own[1];
  if (/^[^/]+\/mlops-actions@/.test(step.uses))
    return `root-action:${String(step.with?.step ?? '')}`;
  return step.uses.split('@')[0];
}

export function needsOf(job: WorkflowJob): string[] {
  return job.needs === undefined ? [] : Array.isArray(job.needs) ? job.needs : [job.needs];
}
