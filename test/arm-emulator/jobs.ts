import { setTimeout as delay } from 'node:timers/promises';
import { ArmFailure, armError, badRequest, json, notFound } from './arm-errors.js';
import { page, stable } from './assets.js';
import { executeCommandJob, UserError, type Execution } from './compute.js';
import type { ArmCall, EmulatorContext } from './context.js';
import { defaultStore, PROVIDER, systemData, type WorkspaceState } from './state.js';
import type { ArmResource, EmuResponse, Json } from './types.js';

/*
 * Jobs: the ARM resource, its status machine and cancellation. Every job (command, pipeline,
 * batch scoring) walks NotStarted -> Queued -> Preparing -> Running -> Finalizing ->
 * Completed | Failed, holding each state `stepMs`; cancel goes CancelRequested -> Canceled.
 * The work itself runs in compute.ts; its output becomes the job's std_log.txt blob.
 */

export const TERMINAL = new Set(['Completed', 'Failed', 'Canceled', 'NotResponding', 'Paused']);
const INPUT_TYPES = [
  'literal',
  'uri_file',
  'uri_folder',
  'mltable',
  'custom_model',
  'mlflow_model',
  'triton_model',
];
const OUTPUT_TYPES = [
  'uri_file',
  'uri_folder',
  'mltable',
  'custom_model',
  'mlflow_model',
  'triton_model',
];
const JOB_TYPES = ['Command', 'Pipeline', 'Sweep', 'AutoML'];

export type JobWork = (
  signal: AbortSignal,
) => Promise<Execution & { outputs?: Record<string, unknown> }>;

export function jobId(ws: WorkspaceState, name: string): string {
  return `${ws.id}/jobs/${name}`;
}

export function studioUrl(ctx: EmulatorContext, ws: WorkspaceState, name: string): string {
  return `https://ml.azure.com/runs/${encodeURIComponent(name)}?wsid=${ws.id}&tid=${ctx.tenantId}`;
}

export function logBlobPath(name: string): string {
  return `azureml/ExperimentRun/dcid.${name}/user_logs/std_log.txt`;
}

export class JobRunner {
  private readonly cancels = new Map<string, AbortController>();

  constructor(private readonly ctx: EmulatorContext) {}

  /** Runs `work` through the status machine in the background. */
  start(ws: WorkspaceState, job: ArmResource, work: JobWork): void {
    const controller = new AbortController();
    this.cancels.set(job.id.toLowerCase(), controller);
    const done = this.lifecycle(ws, job, work, controller).finally(() => {
      this.cancels.delete(job.id.toLowerCase());
      this.ctx.running.delete(done);
    });
    this.ctx.running.add(done);
  }

  /** Requests cancellation; false when the job is already finished. */
  cancel(job: ArmResource): boolean {
    if (TERMINAL.has(String(job.properties.status))) return false;
    job.properties.status = 'CancelRequested';
    this.cancels.get(job.id.toLowerCase())?.abort();
    return true;
  }

  /** Aborts everything still running (close). */
  abortAll(): void {
    for (const c of this.cancels.values()) c.abort();
  }

  private async lifecycle(
    ws: WorkspaceState,
    job: ArmResource,
    work: JobWork,
    controller: AbortController,
  ): Promise<void> {
    const { ctx } = this;
    const props = job.properties;
    const signal = controller.signal;
    const fault = ctx.faults.take(['job-failed', 'job-canceled'], {
      path: job.name,
      altPath: typeof props.displayName === 'string' ? props.displayName : undefined,
    });
    const set = (status: string): void => {
      if (props.status !== 'CancelRequested' || status === 'Canceled') props.status = status;
    };
    const finishCanceled = async (): Promise<void> => {
      props.status = 'CancelRequested';
      await delay(ctx.stepMs);
      props.status = 'Canceled';
      setEnd(props);
    };
    try {
      for (const status of ['Queued', 'Preparing', 'Running']) {
        await delay(ctx.stepMs);
        if (signal.aborted) return await finishCanceled();
        set(status);
      }
      props.startTimeUtc = new Date().toISOString();
      if (fault?.kind === 'job-canceled') {
        await delay(ctx.stepMs);
        return await finishCanceled();
      }
      let result: Execution & { outputs?: Record<string, unknown> };
      try {
        result = await work(signal);
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        result = {
          exitCode: 1,
          log: `${err instanceof UserError ? 'UserError' : 'SystemError'}: ${message}\n`,
        };
      }
      await delay(ctx.stepMs);
      if (signal.aborted) {
        this.writeLog(ws, job.name, result.log);
        return await finishCanceled();
      }
      set('Finalizing');
      let log = result.log;
      let failed = result.exitCode !== 0;
      let message = failed
        ? `Execution failed: the process exited with code ${result.exitCode}.`
        : undefined;
      if (fault?.kind === 'job-failed') {
        failed = true;
        message = fault.message;
        log += `\n${fault.message}\n`;
      }
      this.writeLog(ws, job.name, log);
      await delay(ctx.stepMs);
      if (failed) {
        props.error = { code: 'UserError', message, details: [] };
        set('Failed');
      } else {
        set('Completed');
      }
      setEnd(props);
    } catch (err) {
      props.error = { code: 'SystemError', message: String(err) };
      props.status = 'Failed';
    }
  }

  private writeLog(ws: WorkspaceState, name: string, log: string): void {
    this.ctx.blob.put(defaultStore(ws, logBlobPath(name)), Buffer.from(log, 'utf8'));
  }
}

function setEnd(props: Json): void {
  props.endTimeUtc = new Date().toISOString();
}

function asRecord(field: string, value: unknown): Record<string, Json> {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new ArmFailure(badRequest(field, 'must be an object.'));
  }
  for (const [k, v] of Object.entries(value as Json)) {
    if (typeof v !== 'object' || v === null)
      throw new ArmFailure(badRequest(`${field}.${k}`, 'must be an object.'));
  }
  return value as Record<string, Json>;
}

/** The properties of a new job, validated, with defaults the service fills in. */
export function newJobProperties(
  call: ArmCall,
  ws: WorkspaceState,
  name: string,
  props: Json,
): Json {
  const jobType = props.jobType;
  if (typeof jobType !== 'string' || !JOB_TYPES.includes(jobType)) {
    throw new ArmFailure(
      badRequest(
        'properties.jobType',
        `'${String(jobType)}' is not one of ${JOB_TYPES.join(', ')}.`,
      ),
    );
  }
  if (jobType === 'Command') {
    if (typeof props.command !== 'string' || !props.command.trim()) {
      throw new ArmFailure(badRequest('properties.command', 'is required for a Command job.'));
    }
    if (typeof props.environmentId !== 'string' || !props.environmentId) {
      throw new ArmFailure(
        badRequest('properties.environmentId', 'is required for a Command job.'),
      );
    }
    if (props.codeId !== undefined && props.codeId !== null) {
      const codeId = String(props.codeId).replace(/^azureml:/, '');
      if (!call.ctx.store.get(codeId) || !/\/codes\/[^/]+\/versions\/[^/]+$/i.test(codeId)) {
        throw new ArmFailure(
          badRequest(
            'properties.codeId',
            `'${String(props.codeId)}' is not an existing code version.`,
          ),
        );
      }
    }
  }
  const inputs = asRecord('properties.inputs', props.inputs);
  for (const [k, input] of Object.entries(inputs)) {
    const type = String(input.jobInputType);
    if (!INPUT_TYPES.includes(type)) {
      throw new ArmFailure(
        badRequest(
          `properties.inputs.${k}.jobInputType`,
          `'${type}' is not one of ${INPUT_TYPES.join(', ')}.`,
        ),
      );
    }
    if (type !== 'literal' && (typeof input.uri !== 'string' || !input.uri)) {
      throw new ArmFailure(badRequest(`properties.inputs.${k}.uri`, 'is required.'));
    }
  }
  const outputs: Record<string, Json> = {};
  for (const [k, output] of Object.entries(asRecord('properties.outputs', props.outputs))) {
    const type = String(output.jobOutputType ?? 'uri_folder');
    if (!OUTPUT_TYPES.includes(type)) {
      throw new ArmFailure(
        badRequest(
          `properties.outputs.${k}.jobOutputType`,
          `'${type}' is not one of ${OUTPUT_TYPES.join(', ')}.`,
        ),
      );
    }
    const defaultUri = `azureml://datastores/workspaceblobstore/paths/azureml/${name}/${k}/`;
    outputs[k] = {
      mode: 'ReadWriteMount',
      ...output,
      jobOutputType: type,
      uri: output.uri ?? defaultUri,
    };
  }
  const studio = studioUrl(call.ctx, ws, name);
  const services: Json = {};
  for (const [k, v] of Object.entries((props.services ?? {}) as Record<string, Json>)) {
    services[k] = { status: null, errorMessage: null, ...v };
  }
  return {
    description: null,
    computeId: null,
    isArchived: false,
    ...props,
    tags: props.tags ?? {},
    properties: props.properties ?? {},
    displayName: props.displayName ?? name,
    experimentName: props.experimentName ?? 'Default',
    inputs,
    outputs,
    status: 'NotStarted',
    ...(jobType === 'Command' ? { parameters: props.parameters ?? {} } : {}),
    services: {
      ...services,
      Studio: {
        jobServiceType: 'Studio',
        endpoint: studio,
        status: null,
        port: null,
        properties: null,
      },
      Tracking: {
        jobServiceType: 'Tracking',
        endpoint: `azureml://${ws.location}.api.azureml.ms/mlflow/v1.0${ws.id}?`,
        status: null,
        port: null,
        properties: null,
      },
    },
  };
}

export function handleJobs(
  call: ArmCall,
  ws: WorkspaceState,
  runner: JobRunner,
): EmuResponse | undefined {
  const [, name, action] = call.rest;
  const m = call.req.method;
  const { store } = call.ctx;
  if (name === undefined) {
    if (m !== 'GET') return undefined;
    let jobs = store.children(ws.id, 'jobs');
    const q = call.req.url.searchParams;
    const jobType = q.get('jobType');
    if (jobType)
      jobs = jobs.filter(
        (j) => String(j.properties.jobType).toLowerCase() === jobType.toLowerCase(),
      );
    const tag = q.get('tag');
    if (tag) jobs = jobs.filter((j) => tag in ((j.properties.tags ?? {}) as Json));
    return page(call, [...jobs].reverse());
  }
  const id = jobId(ws, name);
  const existing = store.get(id);
  if (action !== undefined) {
    if (action.toLowerCase() !== 'cancel' || m !== 'POST') return undefined;
    if (!existing) return notFound('job', name);
    runner.cancel(existing);
    const op = call.ctx.lro.start({
      subscriptionId: ws.subscriptionId,
      location: ws.location,
      apiVersion: call.apiVersion,
      resourceId: `${id}/cancel`,
      onSucceeded: () => undefined,
      onFailed: () => undefined,
    });
    return json(202, undefined, {
      location: call.ctx.lro.resultUrl(call.origin, op),
      'retry-after': '0',
    });
  }
  if (m === 'GET') return existing ? json(200, existing) : notFound('job', name);
  if (m === 'DELETE') {
    if (!existing) return json(204, undefined);
    runner.cancel(existing);
    store.delete(id);
    return json(200, undefined);
  }
  if (m !== 'PUT') return undefined;
  const props = (call.body.properties ?? undefined) as Json | undefined;
  if (!props || typeof props !== 'object') return badRequest('properties', 'is required.');
  if (existing) {
    // Jobs are immutable once submitted, apart from these.
    const mutable = ['tags', 'description', 'displayName', 'isArchived', 'properties', 'services'];
    const changed = Object.keys(props).filter(
      (k) => !mutable.includes(k) && stable(props[k]) !== stable(existing.properties[k]),
    );
    if (changed.length > 0 && changed.some((k) => k !== 'outputs' && k !== 'inputs')) {
      return armError(
        409,
        'UserError',
        `Job '${name}' already exists; its ${changed.join(', ')} cannot be changed.`,
      );
    }
    for (const k of ['tags', 'description', 'displayName', 'isArchived']) {
      if (k in props) existing.properties[k] = props[k];
    }
    existing.systemData = systemData(call.clientId, existing.systemData);
    return json(200, existing);
  }
  const resource: ArmResource = {
    id,
    name,
    type: `${PROVIDER}/workspaces/jobs`,
    properties: newJobProperties(call, ws, name, props),
    systemData: systemData(call.clientId),
  };
  store.put(resource);
  runner.start(ws, resource, jobWork(call.ctx, ws, resource));
  return json(201, resource);
}

/** What a submitted job runs: a command, the simple children of a pipeline, or nothing. */
function jobWork(ctx: EmulatorContext, ws: WorkspaceState, job: ArmResource): JobWork {
  const type = job.properties.jobType;
  if (type === 'Command') return (signal) => executeCommandJob(ctx, ws, job, signal);
  if (type === 'Pipeline') {
    return async (signal) => {
      let log = '';
      const children = Object.entries((job.properties.jobs ?? {}) as Record<string, Json>);
      for (const [childName, child] of children) {
        const command = child.command;
        // Only self-contained command steps run; bindings between steps are not emulated.
        if (typeof command !== 'string' || command.includes('${{')) {
          log += `[${childName}] skipped (not a self-contained command step)\n`;
          continue;
        }
        const childJob: ArmResource = {
          ...job,
          name: `${job.name}_${childName}`,
          properties: {
            command,
            codeId: child.codeId ?? child.code,
            environmentVariables: child.environment_variables ?? child.environmentVariables,
          },
        };
        const result = await executeCommandJob(ctx, ws, childJob, signal);
        log += `[${childName}]\n${result.log}`;
        if (result.exitCode !== 0) return { exitCode: result.exitCode, log };
      }
      return { exitCode: 0, log };
    };
  }
  return () =>
    Promise.resolve({
      exitCode: 0,
      log: `${String(type)} jobs are accepted and complete without running.\n`,
    });
}
