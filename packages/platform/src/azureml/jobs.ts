import { randomBytes } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import type { JobBase } from '@azure/arm-machinelearning';
import { TERMINAL_STATES, type Job, type Jobs, type JobSpec, type RunState } from '../port.js';
import type { AzureContext } from './context.js';
import { firstLine, isNotFound } from './errors.js';
import { uploadCode, uploadFolder } from './uploads.js';

/** The output every suite job writes to (MLOPS_OUTPUT_DIR). */
export const OUTPUT = 'mlops_output';

/** Azure ML job states as the port's. */
export function runState(status: string | undefined): RunState {
  switch (status) {
    case 'Completed':
      return 'succeeded';
    case 'Failed':
    case 'NotResponding':
      return 'failed';
    case 'Canceled':
      return 'canceled';
    case 'Running':
    case 'Finalizing':
    case 'CancelRequested':
      return 'running';
    default:
      return 'queued';
  }
}

/**
 * Command jobs on the environment's compute. Local folders the job reads are
 * uploaded (once per content) and mounted as inputs; the output folder is
 * downloaded into `outputDir` when the job completes, so callers read
 * results the same way on both backends.
 */
export class AzureJobs implements Jobs {
  /** Local output folders of the jobs this process submitted. */
  private readonly outputDirs = new Map<string, string>();

  constructor(private readonly context: AzureContext) {}

  async submit(spec: JobSpec): Promise<Job> {
    const { context } = this;
    const { options } = context;
    const compute = context.need(options.compute, 'compute', `job "${spec.name}"`);
    const environmentId = context.need(
      options.jobEnvironment,
      'job-environment',
      `job "${spec.name}"`,
    );
    const codeId = await uploadCode(context, spec.codeDir);
    const inputs: Record<string, { jobInputType: 'uri_folder'; uri: string }> = {};
    const exports: string[] = [];
    for (const [variable, value] of Object.entries(spec.inputs)) {
      const input = variable.toLowerCase();
      inputs[input] = {
        jobInputType: 'uri_folder',
        uri: value.startsWith('azureml:') ? value : await uploadFolder(context, value),
      };
      exports.push(`export ${variable}="\${{inputs.${input}}}"`);
    }
    exports.push(`export MLOPS_OUTPUT_DIR="\${{outputs.${OUTPUT}}}"`);
    const name = jobName(spec.name);
    await context.call(`submitting job "${spec.name}"`, () =>
      context.arm('PUT', `${context.workspaceId}/jobs/${name}`, {
        properties: {
          jobType: 'Command',
          displayName: spec.name,
          experimentName: spec.model?.name ?? 'mlops',
          command: [...exports, spec.command].join('\n'),
          codeId,
          environmentId,
          computeId: `${context.workspaceId}/computes/${compute}`,
          // Only what the job is given: the runner's own environment stays on the runner.
          environmentVariables: { ...spec.env },
          inputs,
          outputs: { [OUTPUT]: { jobOutputType: 'uri_folder', mode: 'ReadWriteMount' } },
          tags: {
            mlops_job: spec.name,
            ...(spec.model && {
              mlops_model: spec.model.name,
              mlops_version: String(spec.model.version),
            }),
          },
        },
      }),
    );
    this.outputDirs.set(name, spec.outputDir);
    const created = await this.read(name);
    if (!created) throw new Error(`job ${name} was accepted but cannot be read back`);
    return this.toJob(created);
  }

  async get(id: string): Promise<Job | undefined> {
    const found = await this.read(id);
    return found && this.toJob(found);
  }

  async wait(
    id: string,
    options: { timeoutMs: number; onState?: (job: Job) => void },
  ): Promise<Job> {
    const finished = await waitForJob(this.context, id, {
      timeoutMs: options.timeoutMs,
      onState: options.onState && ((found) => options.onState?.(this.toJob(found))),
    });
    const job = this.toJob(finished.job);
    if (finished.timedOut)
      return {
        ...job,
        state: 'timed-out',
        message: `no result after ${Math.round(options.timeoutMs / 1000)} s: job canceled`,
      };
    if (job.state === 'succeeded') {
      await mkdir(job.outputDir, { recursive: true });
      await downloadOutput(this.context, finished.job, OUTPUT, job.outputDir);
      return job;
    }
    return { ...job, message: await failureMessage(this.context, finished.job) };
  }

  async cancel(id: string): Promise<Job> {
    await this.context.call(`canceling job ${id}`, () =>
      this.context.client.jobs.beginCancelAndWait(
        this.context.rg,
        this.context.ws,
        id,
        this.context.lro,
      ),
    );
    const found = await this.read(id);
    if (!found) throw new Error(`job ${id} is not in ${this.context.scope.workspace}`);
    return this.toJob(found);
  }

  private async read(id: string): Promise<JobBase | undefined> {
    return this.context.client.jobs.get(this.context.rg, this.context.ws, id).catch((error) => {
      if (isNotFound(error)) return undefined;
      throw this.context.problem(error, `reading job ${id}`);
    });
  }

  private toJob(found: JobBase): Job {
    const name = found.name ?? '';
    const url = studioUrl(found);
    return {
      id: name,
      name: found.properties.displayName ?? name,
      state: runState(found.properties.status),
      startedAt: (found.systemData?.createdAt ?? new Date()).toISOString(),
      ...(found.systemData?.lastModifiedAt &&
        TERMINAL_STATES.includes(runState(found.properties.status)) && {
          endedAt: found.systemData.lastModifiedAt.toISOString(),
        }),
      outputDir: this.outputDirs.get(name) ?? '',
      log: url ?? found.id ?? name,
      ...(url && { url }),
    };
  }
}

/** Polls a job until it ends; past the timeout cancels it and says so. */
export async function waitForJob(
  context: AzureContext,
  name: string,
  options: { timeoutMs: number; onState?: (job: JobBase) => void },
): Promise<{ job: JobBase; timedOut: boolean }> {
  const deadline = Date.now() + options.timeoutMs;
  let last: string | undefined;
  for (;;) {
    const job = await context.call(`reading job ${name}`, () =>
      context.client.jobs.get(context.rg, context.ws, name),
    );
    const status = job.properties.status;
    if (status !== last) {
      last = status;
      options.onState?.(job);
    }
    if (TERMINAL_STATES.includes(runState(status))) return { job, timedOut: false };
    if (Date.now() >= deadline) {
      await context.call(`canceling job ${name}`, () =>
        context.client.jobs.beginCancelAndWait(context.rg, context.ws, name, context.lro),
      );
      return { job, timedOut: true };
    }
    await sleep(Math.min(context.pollMs, Math.max(0, deadline - Date.now())));
  }
}

/** Downloads a job output into a local folder. */
export async function downloadOutput(
  context: AzureContext,
  job: JobBase,
  output: string,
  dir: string,
): Promise<void> {
  const outputs = (job.properties as { outputs?: Record<string, { uri?: string } | null> }).outputs;
  const storage = await context.storage();
  const uri = outputs?.[output]?.uri;
  const blobPath = uri ? storage.pathOf(uri) : `azureml/${job.name}/${output}`;
  if (blobPath === undefined)
    throw new Error(
      `output ${output} of job ${job.name} is at ${uri}, outside the default datastore`,
    );
  await storage.download(blobPath, dir);
}

/** Why a job did not complete: its state, the last line of its log and where to look. */
export async function failureMessage(context: AzureContext, job: JobBase): Promise<string> {
  const storage = await context.storage();
  const log = await storage
    .readText(`azureml/ExperimentRun/dcid.${job.name}/user_logs/std_log.txt`)
    .catch(() => undefined);
  const tail = log
    ?.split('\n')
    .map((line) => line.trim())
    .filter(Boolean)
    .at(-1);
  const where = studioUrl(job) ?? job.id;
  return `${job.properties.status}${tail ? `: ${firstLine(tail)}` : ''} (see ${where})`;
}

function studioUrl(job: JobBase): string | undefined {
  return job.properties.services?.Studio?.endpoint ?? undefined;
}

/** A job name ARM accepts and a person can read: mlops-<what>-<random>. */
function jobName(display: string): string {
  const slug = display
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
    .slice(0, 60);
  return `mlops-${slug}-${randomBytes(4).toString('hex')}`;
}
