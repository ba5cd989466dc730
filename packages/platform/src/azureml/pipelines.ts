import { randomBytes } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { BatchDeployment, BatchEndpoint, JobBase } from '@azure/arm-machinelearning';
import { ConfigurationError } from '@mlops/foundation';
import { canonicalJson, sha256 } from '../local/digest.js';
import type { Pipeline, PipelineDefinition, PipelineRun, Pipelines, ModelRef } from '../port.js';
import { BATCH_DRIVER, BATCH_DRIVER_SOURCE } from './drivers.js';
import type { AzureContext } from './context.js';
import { postJson } from './data-plane.js';
import { isNotFound } from './errors.js';
import { downloadOutput, failureMessage, runState, waitForJob } from './jobs.js';
import { strings } from './registry.js';
import { uploadCode, uploadFolder } from './uploads.js';

const SCORE_COMMAND = 'MLOPS_SCORE_COMMAND';
/** How many recent run ids an endpoint keeps in its tags. */
const KEPT_RUNS = 5;
const OUTPUT = 'score';

/** What a run needs to be finished in this process: its remote output and local folder. */
interface RunRecord {
  pipeline: string;
  model: ModelRef;
  outputPath: string;
  output: string;
}

/**
 * Scoring pipelines as batch endpoints: one endpoint per pipeline, one
 * deployment per model version (so earlier versions stay deployable), the
 * endpoint's default deployment the one that scores. The definition is kept
 * in the endpoint's tags and the deployment's environment, so `get` reads it
 * back from Azure and re-publishing the same one changes nothing.
 */
export class AzurePipelines implements Pipelines {
  private readonly runsHere = new Map<string, RunRecord>();

  constructor(private readonly context: AzureContext) {}

  async createOrUpdate(
    definition: PipelineDefinition,
  ): Promise<{ pipeline: Pipeline; changed: boolean }> {
    const { context } = this;
    const { client, rg, ws, options } = context;
    const compute = context.need(options.compute, 'compute', `pipeline ${definition.name}`);
    const environmentId = context.need(
      options.jobEnvironment,
      'job-environment',
      `pipeline ${definition.name}`,
    );
    // A pipeline read back names its code by asset id: re-pointing keeps that code.
    const codeId = isCodeVersionId(definition.codeDir)
      ? definition.codeDir
      : await uploadCode(context, definition.codeDir, [
          { path: BATCH_DRIVER, source: Buffer.from(BATCH_DRIVER_SOURCE) },
        ]);
    const digest = sha256(
      canonicalJson({
        model: definition.model,
        command: definition.command,
        env: definition.env,
        schedule: definition.schedule,
        code: codeId,
        compute,
        environmentId,
      }),
    );
    const endpoint = endpointName(definition.name);
    const current = await this.endpoint(endpoint);
    const tags = strings(current?.tags);
    const deployment = `v${definition.model.version}`;
    if (current && tags.mlops_digest === digest) {
      const pipeline = await this.toPipeline(current);
      if (pipeline) return { pipeline, changed: false };
    }
    const location = await context.location();
    if (!current)
      await context.call(`creating batch endpoint ${endpoint}`, () =>
        client.batchEndpoints.beginCreateOrUpdateAndWait(
          rg,
          ws,
          endpoint,
          {
            location,
            properties: { authMode: 'AADToken', description: `Scores ${definition.model.name}` },
            tags: { mlops_pipeline: definition.name },
          },
          context.lro,
        ),
      );
    await context.call(`deploying ${definition.model.name} v${definition.model.version}`, () =>
      client.batchDeployments.beginCreateOrUpdateAndWait(
        rg,
        ws,
        endpoint,
        deployment,
        {
          location,
          properties: {
            model: {
              referenceType: 'Id',
              assetId: `${context.workspaceId}/models/${definition.model.name}/versions/${definition.model.version}`,
            },
            codeConfiguration: { codeId, scoringScript: BATCH_DRIVER },
            environmentId,
            compute: `${context.workspaceId}/computes/${compute}`,
            environmentVariables: { ...definition.env, [SCORE_COMMAND]: definition.command },
            // One mini-batch: the score command sees the whole input at once.
            miniBatchSize: 1000,
            outputAction: 'SummaryOnly',
            outputFileName: 'predictions.csv',
            resources: { instanceCount: 1 },
            retrySettings: { maxRetries: 1, timeout: 'PT30M' },
          },
        },
        context.lro,
      ),
    );
    const revision = Number(tags.mlops_revision ?? 0) + 1;
    const updatedAt = context.now().toISOString();
    await context.call(`pointing batch endpoint ${endpoint} at ${deployment}`, () =>
      client.batchEndpoints.beginCreateOrUpdateAndWait(
        rg,
        ws,
        endpoint,
        {
          location,
          properties: {
            authMode: 'AADToken',
            description: `Scores ${definition.model.name}`,
            defaults: { deploymentName: deployment },
          },
          tags: {
            ...tags,
            mlops_pipeline: definition.name,
            mlops_digest: digest,
            mlops_revision: String(revision),
            mlops_model: definition.model.name,
            mlops_version: String(definition.model.version),
            mlops_input: definition.input,
            mlops_output: definition.output,
            mlops_updated: updatedAt,
            ...(definition.schedule && { mlops_schedule: definition.schedule }),
          },
        },
        context.lro,
      ),
    );
    return {
      pipeline: { ...definition, codeDir: codeId, digest, revision, updatedAt },
      changed: true,
    };
  }

  async get(name: string): Promise<Pipeline | undefined> {
    const endpoint = await this.endpoint(endpointName(name));
    return endpoint && this.toPipeline(endpoint);
  }

  async list(): Promise<Pipeline[]> {
    const { client, rg, ws } = this.context;
    const endpoints = await this.context.call('listing batch endpoints', async () => {
      const found: BatchEndpoint[] = [];
      for await (const endpoint of client.batchEndpoints.list(rg, ws)) found.push(endpoint);
      return found;
    });
    const pipelines = await Promise.all(
      endpoints.filter((e) => e.tags?.mlops_pipeline).map((e) => this.toPipeline(e)),
    );
    return pipelines
      .filter((p): p is Pipeline => p !== undefined)
      .sort((a, b) => (a.name < b.name ? -1 : 1));
  }

  async trigger(name: string, options?: { input?: string }): Promise<PipelineRun> {
    const { context } = this;
    const endpoint = await this.endpoint(endpointName(name));
    const pipeline = endpoint && (await this.toPipeline(endpoint));
    if (!pipeline)
      throw new ConfigurationError(
        `cannot run pipeline ${name}: it is not published in ${context.scope.workspace}: publish it first`,
      );
    const scoringUri = endpoint.properties.scoringUri;
    if (!scoringUri) throw new Error(`batch endpoint ${endpointName(name)} has no scoring URI yet`);
    const input = await uploadFolder(context, path.resolve(options?.input ?? pipeline.input));
    const storage = await context.storage();
    const outputPath = `mlops-batch/${endpointName(name)}/${randomBytes(6).toString('hex')}`;
    const job = await context.call(`starting a run of ${name}`, () =>
      invokeBatch(context, scoringUri, {
        properties: {
          InputData: { input: { JobInputType: 'UriFolder', Uri: input } },
          OutputData: {
            [OUTPUT]: { JobOutputType: 'UriFolder', Uri: `${storage.uri(outputPath)}/` },
          },
        },
      }),
    );
    const record: RunRecord = {
      pipeline: name,
      model: pipeline.model,
      outputPath,
      output: path.join(path.resolve(pipeline.output), job),
    };
    this.runsHere.set(job, record);
    await this.remember(endpoint, job);
    return (
      (await this.getRun(job)) ?? {
        id: job,
        pipeline: name,
        model: pipeline.model,
        state: 'queued',
        startedAt: context.now().toISOString(),
        output: record.output,
      }
    );
  }

  async getRun(id: string): Promise<PipelineRun | undefined> {
    const job = await this.context.client.jobs
      .get(this.context.rg, this.context.ws, id)
      .catch((error: unknown) => {
        if (isNotFound(error)) return undefined;
        throw this.context.problem(error, `reading run ${id}`);
      });
    return job && this.toRun(job);
  }

  async waitRun(
    id: string,
    options: { timeoutMs: number; onState?: (run: PipelineRun) => void },
  ): Promise<PipelineRun> {
    const finished = await waitForJob(this.context, id, {
      timeoutMs: options.timeoutMs,
      onState: options.onState && ((job) => options.onState?.(this.toRun(job))),
    });
    const run = this.toRun(finished.job);
    if (finished.timedOut)
      return {
        ...run,
        state: 'timed-out',
        message: `no result after ${Math.round(options.timeoutMs / 1000)} s: run canceled`,
      };
    if (run.state !== 'succeeded')
      return { ...run, message: await failureMessage(this.context, finished.job) };
    await mkdir(run.output, { recursive: true });
    const record = this.runsHere.get(id);
    if (record) await (await this.context.storage()).download(record.outputPath, run.output);
    else await downloadOutput(this.context, finished.job, OUTPUT, run.output);
    return { ...run, endedAt: run.endedAt ?? this.context.now().toISOString() };
  }

  async runs(name: string): Promise<PipelineRun[]> {
    const endpoint = await this.endpoint(endpointName(name));
    const ids = (endpoint?.tags?.mlops_runs ?? '').split(',').filter(Boolean);
    const runs = await Promise.all(ids.map((id) => this.getRun(id)));
    return runs.filter((r): r is PipelineRun => r !== undefined);
  }

  private async endpoint(name: string): Promise<BatchEndpoint | undefined> {
    const { client, rg, ws } = this.context;
    return client.batchEndpoints.get(rg, ws, name).catch((error: unknown) => {
      if (isNotFound(error)) return undefined;
      throw this.context.problem(error, `reading batch endpoint ${name}`);
    });
  }

  private async toPipeline(endpoint: BatchEndpoint): Promise<Pipeline | undefined> {
    const tags = strings(endpoint.tags);
    const deploymentName = endpoint.properties.defaults?.deploymentName;
    if (!tags.mlops_pipeline || !tags.mlops_digest || !deploymentName) return undefined;
    const { client, rg, ws } = this.context;
    const deployment: BatchDeployment | undefined = await client.batchDeployments
      .get(rg, ws, endpoint.name ?? '', deploymentName)
      .catch((error: unknown) => {
        if (isNotFound(error)) return undefined;
        throw this.context.problem(error, `reading deployment ${deploymentName}`);
      });
    if (!deployment) return undefined;
    const { [SCORE_COMMAND]: command = '', ...env } = strings(
      deployment.properties.environmentVariables,
    );
    return {
      name: tags.mlops_pipeline,
      model: { name: tags.mlops_model ?? '', version: Number(tags.mlops_version) },
      command,
      codeDir: deployment.properties.codeConfiguration?.codeId ?? '',
      input: tags.mlops_input ?? '',
      output: tags.mlops_output ?? '',
      env,
      ...(tags.mlops_schedule && { schedule: tags.mlops_schedule }),
      digest: tags.mlops_digest,
      revision: Number(tags.mlops_revision ?? 1),
      updatedAt: tags.mlops_updated ?? '',
    };
  }

  private toRun(job: JobBase): PipelineRun {
    const id = job.name ?? '';
    const record = this.runsHere.get(id);
    const state = runState(job.properties.status);
    return {
      id,
      pipeline: record?.pipeline ?? job.properties.displayName ?? '',
      model: record?.model ?? { name: '', version: 0 },
      state,
      startedAt: (job.systemData?.createdAt ?? this.context.now()).toISOString(),
      ...(state !== 'queued' &&
        state !== 'running' &&
        job.systemData?.lastModifiedAt && { endedAt: job.systemData.lastModifiedAt.toISOString() }),
      output: record?.output ?? '',
    };
  }

  /** Keeps the newest run ids on the endpoint, so `runs` works from any machine. */
  private async remember(endpoint: BatchEndpoint, run: string): Promise<void> {
    if (!endpoint.name) return;
    const tags = strings(endpoint.tags);
    const runs = [...(tags.mlops_runs ?? '').split(',').filter(Boolean), run].slice(-KEPT_RUNS);
    const { client, rg, ws } = this.context;
    await this.context.call(`tagging batch endpoint ${endpoint.name}`, () =>
      client.batchEndpoints.beginUpdateAndWait(
        rg,
        ws,
        endpoint.name ?? '',
        { tags: { ...tags, mlops_runs: runs.join(',') } },
        this.context.lro,
      ),
    );
  }
}

function isCodeVersionId(codeDir: string): boolean {
  return /^\/subscriptions\/.+\/codes\/[^/]+\/versions\/[^/]+$/i.test(codeDir);
}

/** Starts a batch scoring job on the endpoint's data plane; returns the job's name. */
async function invokeBatch(
  context: AzureContext,
  scoringUri: string,
  body: unknown,
): Promise<string> {
  const answer = (await postJson(context, scoringUri, body)) as { name?: string; id?: string };
  const name = answer.name ?? answer.id?.split('/').at(-1);
  if (!name) throw new Error(`the batch endpoint answered without a job name`);
  return name;
}

/** Endpoint names are 3–32 characters: long pipeline names keep a readable head and a hash. */
export function endpointName(pipeline: string): string {
  const clean = pipeline.toLowerCase().replace(/[^a-z0-9-]+/g, '-');
  if (clean.length <= 32 && /^[a-z][a-z0-9-]*[a-z0-9]$/.test(clean)) return clean;
  const head = clean
    .slice(0, 23)
    .replace(/^[^a-z]+/, 'p')
    .replace(/-+$/, '');
  return `${head}-${sha256(pipeline).slice(0, 8)}`;
}
