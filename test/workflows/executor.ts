import { randomUUID } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { startRunnerServices } from '../runner-services/index.js';
import { tempDir } from '../support/project.js';
import { asString, condition, interpolate, type Json, type Scope } from './expressions.js';
import { isReusableWorkflowRef, relativeName, resolveSelf } from './files.js';
import { expandMatrix } from './matrix.js';
import {
  runOwnAction,
  runScript,
  runThirdParty,
  type StepEnvironment,
  type StepResult,
} from './steps.js';

/*
 * A local executor for this repository's workflows: jobs in `needs` order,
 * `if:`, matrices, reusable workflows (this repository's, resolved locally),
 * job/step outputs and env, our actions from their bundles, `run:` steps in
 * bash; third-party steps skipped or stubbed, each named in the log.
 */

export type { StepResult } from './steps.js';

export interface WorkflowEvent {
  /** github.event_name: push, pull_request, schedule, workflow_dispatch, repository_dispatch… */
  name: string;
  payload?: Record<string, Json>;
}

export interface ExecuteOptions {
  /** The project: the checkout every job works in. */
  workspace: string;
  event: WorkflowEvent;
  /** workflow_dispatch / workflow_call inputs. */
  inputs?: Record<string, string | boolean | number>;
  /** Overrides of the github context (ref, sha, repository, …). */
  github?: Record<string, Json>;
  vars?: Record<string, string>;
  /** Extra process environment for every step (e.g. PATH). */
  env?: Record<string, string>;
  /**
   * A folder shared by several runs for the upload/download-artifact stub
   * (`<folder>/<run id>/<artifact>`), so a download with `run-id:` finds an
   * artifact of an earlier run. Default: a folder of this run only.
   */
  artifactsRoot?: string;
  /** Each log line as it happens, e.g. console.log when debugging. */
  onLog?: (line: string) => void;
}

export interface JobResult {
  /** The job's id, with the calling job in front for reusable workflows: `deliver/validate`. */
  path: string;
  /** With matrix values: `models (a,b)`. */
  name: string;
  result: 'success' | 'failure' | 'skipped';
  outputs: Record<string, string>;
  environment?: string;
  permissions?: Json;
  matrix?: Record<string, Json>;
  /** The workflow file the job is defined in. */
  workflow: string;
  steps: StepResult[];
}

export interface WorkflowRun {
  workflow: string;
  conclusion: 'success' | 'failure';
  /** Every job that was considered, reusable-workflow jobs included, in the order they ran. */
  jobs: JobResult[];
  /** on.workflow_call outputs, for a called workflow. */
  outputs: Record<string, string>;
  log: string[];
  /** Where the upload/download-artifact stub keeps this run's artifacts. */
  artifactsDir: string;
  /** The artifacts our actions uploaded through @actions/artifact to the runner-service fake. */
  serviceArtifacts: string[];
}

interface WorkflowFile {
  on?: unknown;
  env?: Record<string, unknown>;
  defaults?: { run?: { shell?: string; 'working-directory'?: string } };
  permissions?: Json;
  jobs: Record<string, JobDefinition>;
}

interface JobDefinition {
  name?: string;
  needs?: string | string[];
  if?: string | boolean;
  uses?: string;
  with?: Record<string, unknown>;
  strategy?: { matrix?: unknown; 'fail-fast'?: boolean };
  environment?: unknown;
  permissions?: Json;
  env?: Record<string, unknown>;
  defaults?: { run?: { shell?: string; 'working-directory'?: string } };
  outputs?: Record<string, string>;
  'timeout-minutes'?: number;
  'continue-on-error'?: boolean;
  steps?: StepDefinition[];
}

interface StepDefinition {
  id?: string;
  name?: string;
  if?: string | boolean;
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
  env?: Record<string, unknown>;
  shell?: string;
  'working-directory'?: string;
  'continue-on-error'?: boolean | string;
}

interface RunState {
  options: ExecuteOptions;
  runDir: string;
  artifactsDir: string;
  serviceEnv: Record<string, string>;
  github: Record<string, Json>;
  jobs: JobResult[];
  log: string[];
}

/** Runs a workflow file for an event, the way GitHub would, on this machine. */
export async function executeWorkflow(file: string, options: ExecuteOptions): Promise<WorkflowRun> {
  const runDir = await tempDir('mlops-workflow-run-');
  const services = await startRunnerServices();
  const runId = String(Date.now());
  const github: Record<string, Json> = {
    event_name: options.event.name,
    event: options.event.payload ?? {},
    ref: 'refs/heads/main',
    sha: '0000000000000000000000000000000000000000',
    repository: 'example/project',
    repository_owner: 'example',
    actor: 'local',
    run_id: runId,
    run_number: '1',
    run_attempt: '1',
    server_url: 'https://github.com',
    api_url: 'https://api.github.com',
    head_ref: '',
    base_ref: '',
    workspace: options.workspace,
    token: '',
    ...options.github,
  };
  github.ref_name ??= String(github.ref).replace(/^refs\/(heads|tags)\//, '');
  const state: RunState = {
    options,
    runDir,
    artifactsDir: path.join(options.artifactsRoot ?? path.join(runDir, 'artifacts'), runId),
    serviceEnv: services.env,
    github,
    jobs: [],
    log: [],
  };
  try {
    const { outputs, conclusion } = await runWorkflowFile(file, '', options.inputs ?? {}, state);
    return {
      workflow: relativeName(file),
      conclusion,
      jobs: state.jobs,
      outputs,
      log: state.log,
      artifactsDir: state.artifactsDir,
      serviceArtifacts: services
        .artifacts()
        .filter((a) => a.finalized)
        .map((a) => a.name),
    };
  } finally {
    await services.close();
  }
}

function say(state: RunState, line: string): void {
  state.log.push(line);
  state.options.onLog?.(line);
}

/** The inputs context: declared inputs with defaults, typed (booleans stay booleans). */
function typedInputs(
  declared: unknown,
  given: Record<string, Json>,
  where: string,
): Record<string, Json> {
  const definitions = (declared ?? {}) as Record<
    string,
    { type?: string; default?: Json; required?: boolean }
  >;
  const inputs: Record<string, Json> = {};
  for (const name of Object.keys(given)) {
    if (!(name in definitions)) throw new Error(`${where}: input ${name} is not defined`);
  }
  for (const [name, def] of Object.entries(definitions)) {
    let value = given[name] ?? def.default ?? null;
    if (value === null && def.required) throw new Error(`${where}: input ${name} is required`);
    if (def.type === 'boolean') value = value === true || value === 'true';
    else if (def.type === 'number') value = value === null ? null : Number(value);
    else value = value === null ? '' : asString(value);
    inputs[name] = value;
  }
  return inputs;
}

function triggerInputs(on: unknown, event: string): unknown {
  if (on && typeof on === 'object' && !Array.isArray(on)) {
    const config = (on as Record<string, { inputs?: unknown } | null>)[event];
    return config?.inputs;
  }
  return undefined;
}

async function runWorkflowFile(
  file: string,
  prefix: string,
  given: Record<string, Json>,
  state: RunState,
): Promise<{ outputs: Record<string, string>; conclusion: 'success' | 'failure' }> {
  const workflow = parseYaml(await readFile(file, 'utf8')) as WorkflowFile;
  const name = relativeName(file);
  const called = prefix !== '';
  const declared = triggerInputs(
    workflow.on,
    called ? 'workflow_call' : (state.github.event_name as string),
  );
  const inputs = typedInputs(declared, given, name);
  const vars: Record<string, Json> = { ...state.options.vars };
  say(state, `${called ? `[${prefix}] calling` : 'running'} ${name} (${state.github.event_name})`);

  const done = new Map<string, JobResult>();
  const order = Object.keys(workflow.jobs);
  const pending = new Set(order);
  while (pending.size > 0) {
    const ready = order.filter(
      (id) => pending.has(id) && needsOf(workflow.jobs[id]!).every((n) => done.has(n)),
    );
    if (ready.length === 0)
      throw new Error(`${name}: jobs ${[...pending].join(', ')} wait on each other`);
    for (const id of ready) {
      pending.delete(id);
      done.set(id, await runJob(id, workflow, { file, prefix, inputs, vars, done }, state));
    }
  }
  const jobsContext = Object.fromEntries(
    [...done].map(([id, job]) => [id, { result: job.result, outputs: job.outputs }]),
  );
  const outputs: Record<string, string> = {};
  const callConfig = (
    workflow.on as Record<string, { outputs?: Record<string, { value: string }> }>
  )?.workflow_call;
  if (called && callConfig?.outputs) {
    const scope = scopeOf(
      state,
      { github: state.github, inputs, vars, jobs: jobsContext },
      () => true,
    );
    for (const [key, output] of Object.entries(callConfig.outputs)) {
      outputs[key] = asString(interpolate(output.value, scope));
    }
  }
  const conclusion = [...done.values()].some((j) => j.result === 'failure') ? 'failure' : 'success';
  say(state, `${called ? `[${prefix}] ` : ''}${name}: ${conclusion}`);
  return { outputs, conclusion };
}

function needsOf(job: JobDefinition): string[] {
  return job.needs === undefined ? [] : Array.isArray(job.needs) ? job.needs : [job.needs];
}

function scopeOf(state: RunState, contexts: Record<string, Json>, success: () => boolean): Scope {
  return {
    contexts: {
      secrets: {},
      runner: { os: 'Linux', arch: 'X64', temp: '', name: 'local' },
      ...contexts,
    },
    success,
    workspace: state.options.workspace,
  };
}

interface WorkflowScope {
  file: string;
  prefix: string;
  inputs: Record<string, Json>;
  vars: Record<string, Json>;
  done: Map<string, JobResult>;
}

async function runJob(
  id: string,
  workflow: WorkflowFile,
  where: WorkflowScope,
  state: RunState,
): Promise<JobResult> {
  const job = workflow.jobs[id]!;
  const jobPath = where.prefix ? `${where.prefix}/${id}` : id;
  const needs = Object.fromEntries(
    needsOf(job).map((n) => {
      const r = where.done.get(n)!;
      return [n, { result: r.result, outputs: r.outputs }];
    }),
  );
  const base = { github: state.github, inputs: where.inputs, vars: where.vars, needs };
  const needsSucceeded = () => Object.values(needs).every((n) => n.result === 'success');
  const jobScope = scopeOf(state, base, needsSucceeded);
  const workflowName = relativeName(where.file);
  const skipped = (): JobResult => {
    say(state, `[${jobPath}] skipped (if: ${job.if ?? 'success()'})`);
    const result: JobResult = {
      path: jobPath,
      name: id,
      result: 'skipped',
      outputs: {},
      workflow: workflowName,
      steps: [],
    };
    state.jobs.push(result);
    return result;
  };
  if (!condition(job.if, jobScope)) return skipped();

  const combinations =
    job.strategy?.matrix === undefined
      ? [undefined]
      : expandMatrix(interpolate(job.strategy.matrix, jobScope));
  if (combinations.length === 0) {
    say(state, `[${jobPath}] failed: the matrix has no combinations`);
    const result: JobResult = {
      path: jobPath,
      name: id,
      result: 'failure',
      outputs: {},
      workflow: workflowName,
      steps: [],
    };
    state.jobs.push(result);
    return result;
  }
  const legs: JobResult[] = [];
  for (const [index, matrix] of combinations.entries()) {
    const name = matrix
      ? `${id} (${Object.values(matrix)
          .map((v) => asString(v))
          .join(', ')})`
      : id;
    const strategy = {
      'job-index': index,
      'job-total': combinations.length,
      'fail-fast': job.strategy?.['fail-fast'] ?? true,
      'max-parallel': combinations.length,
    };
    const contexts = { ...base, matrix: matrix ?? {}, strategy };
    const leg = job.uses
      ? await runCalledWorkflow(jobPath, name, job, contexts, state, needsSucceeded, workflowName)
      : await runSteps(jobPath, name, job, workflow, contexts, state, needsSucceeded, workflowName);
    if (matrix) leg.matrix = matrix;
    legs.push(leg);
    state.jobs.push(leg);
  }
  // A matrix job's outputs: the last leg that set each one.
  const outputs: Record<string, string> = {};
  for (const leg of legs)
    for (const [k, v] of Object.entries(leg.outputs)) if (v !== '') outputs[k] = v;
  const result =
    legs.some((l) => l.result === 'failure') && !job['continue-on-error'] ? 'failure' : 'success';
  return {
    path: jobPath,
    name: id,
    result,
    outputs,
    workflow: workflowName,
    steps: legs.flatMap((l) => l.steps),
  };
}

async function runCalledWorkflow(
  jobPath: string,
  name: string,
  job: JobDefinition,
  contexts: Record<string, Json>,
  state: RunState,
  needsSucceeded: () => boolean,
  workflowName: string,
): Promise<JobResult> {
  const uses = job.uses!;
  const target =
    resolveSelf(uses) ??
    (uses.startsWith('./') ? path.resolve(state.options.workspace, uses) : undefined);
  if (!target || !isReusableWorkflowRef(uses)) {
    throw new Error(
      `${jobPath}: cannot run ${uses}: only this repository's reusable workflows are resolved`,
    );
  }
  const scope = scopeOf(state, contexts, needsSucceeded);
  const given = interpolate(job.with ?? {}, scope) as Record<string, Json>;
  const called = await runWorkflowFile(target, jobPath, given, state);
  return {
    path: jobPath,
    name,
    result: called.conclusion,
    outputs: called.outputs,
    permissions: job.permissions,
    workflow: workflowName,
    steps: [],
  };
}

async function runSteps(
  jobPath: string,
  name: string,
  job: JobDefinition,
  workflow: WorkflowFile,
  jobContexts: Record<string, Json>,
  state: RunState,
  needsSucceeded: () => boolean,
  workflowName: string,
): Promise<JobResult> {
  let contexts = jobContexts;
  const label =
    name === jobPath.split('/').pop() ? jobPath : `${jobPath.replace(/[^/]+$/, '')}${name}`;
  const steps: StepResult[] = [];
  const stepsContext: Record<string, Json> = {};
  let failedStep = false;
  const stepSucceeded = () => !failedStep;
  const runnerTemp = path.join(state.runDir, 'runner', randomUUID());
  await mkdir(runnerTemp, { recursive: true });
  contexts = { ...contexts, runner: { os: 'Linux', arch: 'X64', name: 'local', temp: runnerTemp } };
  const jobScope = scopeOf(state, contexts, needsSucceeded);
  const environment =
    job.environment === undefined ? undefined : interpolate(job.environment, jobScope);
  const environmentName =
    environment === undefined
      ? undefined
      : typeof environment === 'object' && environment !== null && !Array.isArray(environment)
        ? asString(environment.name ?? '')
        : asString(environment);
  say(state, `[${label}] started${environmentName ? ` in environment ${environmentName}` : ''}`);

  const eventPath = path.join(runnerTemp, 'event.json');
  await writeFile(eventPath, JSON.stringify(state.github.event));
  const envContext: Record<string, string> = {};
  const addEnv = (values: unknown, scope: Scope) => {
    for (const [k, v] of Object.entries(
      (interpolate(values ?? {}, scope) ?? {}) as Record<string, Json>,
    )) {
      envContext[k] = asString(v);
    }
  };
  addEnv(workflow.env, jobScope);
  addEnv(job.env, scopeOf(state, { ...contexts, env: { ...envContext } }, needsSucceeded));
  const extraPath: string[] = [];
  const timeoutMs = (job['timeout-minutes'] ?? 360) * 60_000;
  const defaults = { ...workflow.defaults?.run, ...job.defaults?.run };

  for (const [index, step] of (job.steps ?? []).entries()) {
    const stepScope = () =>
      scopeOf(
        state,
        {
          ...contexts,
          env: { ...envContext },
          steps: stepsContext,
          job: { status: failedStep ? 'failure' : 'success' },
        },
        stepSucceeded,
      );
    const stepName = asString(
      interpolate(
        step.name ?? (step.uses ? step.uses : `Run ${String(step.run).split('\n')[0]}`),
        stepScope(),
      ),
    );
    const recordStep = (result: Omit<StepResult, 'name' | 'id' | 'uses'>): StepResult => {
      const full: StepResult = { name: stepName, id: step.id, uses: step.uses, ...result };
      steps.push(full);
      if (step.id) {
        stepsContext[step.id] = {
          outputs: full.outputs,
          outcome: full.outcome,
          conclusion:
            full.outcome === 'failure' && isTrue(step['continue-on-error'])
              ? 'success'
              : full.outcome,
        };
      }
      if (full.outcome === 'failure' && !isTrue(step['continue-on-error'])) failedStep = true;
      const status =
        full.outcome === 'skipped'
          ? `not run (if: ${String(step.if ?? 'success()')})`
          : full.outcome === 'success'
            ? 'ok'
            : 'FAILED';
      say(
        state,
        `[${label}] step ${index + 1} ${full.note ? `${full.outcome === 'failure' ? 'FAILED ' : ''}${full.note}` : `${status}: ${stepName}`}`,
      );
      if (full.outcome === 'failure') {
        for (const a of full.annotations) say(state, `[${label}]   ${a.level}: ${a.message}`);
        if (full.stderr.trim())
          say(
            state,
            `[${label}]   stderr: ${full.stderr.trim().split('\n').slice(-5).join(' | ')}`,
          );
      }
      return full;
    };
    if (!condition(step.if, stepScope())) {
      recordStep({
        kind: 'not-run',
        outcome: 'skipped',
        outputs: {},
        stdout: '',
        stderr: '',
        summary: '',
        annotations: [],
      });
      continue;
    }
    const scope = stepScope();
    const stepEnvVars: Record<string, string> = { ...envContext };
    for (const [k, v] of Object.entries(
      (interpolate(step.env ?? {}, scope) ?? {}) as Record<string, Json>,
    )) {
      stepEnvVars[k] = asString(v);
    }
    const stepEnv: StepEnvironment = {
      workspace: state.options.workspace,
      runnerTemp,
      artifactsDir: state.artifactsDir,
      scope: scopeOf(state, { ...scope.contexts, env: stepEnvVars }, stepSucceeded),
      timeoutMs,
      env: {
        ...runnerEnv(state, runnerTemp, eventPath, jobPath, extraPath),
        ...stepEnvVars,
      },
    };
    try {
      if (step.run !== undefined) {
        const script = asString(interpolate(step.run, stepEnv.scope));
        const workingDirectory = step['working-directory'] ?? defaults['working-directory'];
        const result = await runScript(
          script,
          {
            shell: step.shell ?? defaults.shell,
            workingDirectory:
              workingDirectory === undefined
                ? undefined
                : asString(interpolate(workingDirectory, stepEnv.scope)),
          },
          stepEnv,
        );
        Object.assign(envContext, result.effects.env);
        extraPath.unshift(...result.effects.path);
        recordStep(result);
      } else if (step.uses !== undefined) {
        const withValues = interpolate(step.with ?? {}, stepEnv.scope) as Record<string, Json>;
        if (resolveSelf(step.uses)) {
          const result = await runOwnAction(step.uses, withValues, stepEnv);
          Object.assign(envContext, result.effects.env);
          extraPath.unshift(...result.effects.path);
          recordStep(result);
        } else {
          recordStep(await runThirdParty(step.uses, withValues, stepEnv));
        }
      } else {
        throw new Error('a step needs run: or uses:');
      }
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      recordStep({
        kind: 'run',
        outcome: 'failure',
        outputs: {},
        stdout: '',
        stderr: message,
        summary: '',
        annotations: [{ level: 'error', message }],
      });
    }
  }

  const outputs: Record<string, string> = {};
  const outScope = scopeOf(
    state,
    { ...contexts, env: { ...envContext }, steps: stepsContext },
    stepSucceeded,
  );
  for (const [key, value] of Object.entries(job.outputs ?? {}))
    outputs[key] = asString(interpolate(value, outScope));
  const result = failedStep ? 'failure' : 'success';
  say(state, `[${label}] ${result}`);
  return {
    path: jobPath,
    name,
    result,
    outputs,
    environment: environmentName,
    permissions: job.permissions ?? workflow.permissions,
    workflow: workflowName,
    steps,
  };
}

function isTrue(value: unknown): boolean {
  return value === true || value === 'true';
}

/** The variables the runner sets for every step (GITHUB_SERVER_URL stays unset: see test/runner-services). */
function runnerEnv(
  state: RunState,
  runnerTemp: string,
  eventPath: string,
  jobPath: string,
  extraPath: string[],
): Record<string, string> {
  const g = state.github;
  return {
    PATH: [...extraPath, process.env.PATH ?? '/usr/bin:/bin'].join(':'),
    HOME: process.env.HOME ?? runnerTemp,
    CI: 'true',
    GITHUB_ACTIONS: 'true',
    GITHUB_WORKSPACE: state.options.workspace,
    GITHUB_EVENT_NAME: asString(g.event_name ?? ''),
    GITHUB_EVENT_PATH: eventPath,
    GITHUB_REF: asString(g.ref ?? ''),
    GITHUB_REF_NAME: asString(g.ref_name ?? ''),
    GITHUB_SHA: asString(g.sha ?? ''),
    GITHUB_REPOSITORY: asString(g.repository ?? ''),
    GITHUB_REPOSITORY_OWNER: asString(g.repository_owner ?? ''),
    GITHUB_RUN_ID: asString(g.run_id ?? ''),
    GITHUB_RUN_NUMBER: asString(g.run_number ?? ''),
    GITHUB_RUN_ATTEMPT: asString(g.run_attempt ?? ''),
    GITHUB_ACTOR: asString(g.actor ?? ''),
    GITHUB_HEAD_REF: asString(g.head_ref ?? ''),
    GITHUB_BASE_REF: asString(g.base_ref ?? ''),
    GITHUB_API_URL: asString(g.api_url ?? ''),
    GITHUB_JOB: jobPath.split('/').pop()!,
    RUNNER_TEMP: runnerTemp,
    RUNNER_OS: 'Linux',
    RUNNER_ARCH: 'X64',
    ...state.serviceEnv,
    ...state.options.env,
  };
}
