import { stat } from 'node:fs/promises';
import path from 'node:path';
import { ConfigurationError } from '@mlops/foundation';
import type {
  Job,
  ModelRef,
  ModelVersion,
  Pipeline,
  PipelineDefinition,
  PipelineRun,
  Pipelines,
} from '../port.js';
import type { LocalContext } from './context.js';
import { canonicalJson, sha256 } from './digest.js';
import { entries, readJson, writeJson } from './files.js';
import type { LocalJobs } from './jobs.js';
import { withLock } from './lock.js';
import { checkName, isId } from './names.js';
import type { LocalRegistry } from './registry.js';

/** `runs/<id>.json`; the run's job has the same id and holds its state. */
interface RunRecord {
  id: string;
  pipeline: string;
  model: ModelRef;
  input: string;
  output: string;
  startedAt: string;
}

/**
 * Batch scoring pipelines as `pipelines/<name>.json`; a run is a job that
 * runs the pipeline's command with the model version and the input folder.
 */
export class LocalPipelines implements Pipelines {
  constructor(
    private readonly context: LocalContext,
    private readonly registry: LocalRegistry,
    private readonly jobs: LocalJobs,
  ) {}

  async createOrUpdate(
    input: PipelineDefinition,
  ): Promise<{ pipeline: Pipeline; changed: boolean }> {
    checkName('pipeline', input.name);
    // Only the definition's own fields count, whatever else the caller's object carries.
    const definition: PipelineDefinition = {
      name: input.name,
      model: { name: input.model.name, version: input.model.version },
      command: input.command,
      codeDir: input.codeDir,
      input: input.input,
      output: input.output,
      env: { ...input.env },
      ...(input.schedule !== undefined && { schedule: input.schedule }),
    };
    await this.modelOf(definition);
    const digest = sha256(canonicalJson(definition));
    return withLock(this.context.stateDir, async () => {
      const current = await this.get(definition.name);
      if (current?.digest === digest) return { pipeline: current, changed: false };
      const pipeline: Pipeline = {
        ...definition,
        digest,
        revision: (current?.revision ?? 0) + 1,
        updatedAt: this.context.now().toISOString(),
      };
      await writeJson(this.pipelineFile(definition.name), pipeline);
      return { pipeline, changed: true };
    });
  }

  async get(name: string): Promise<Pipeline | undefined> {
    checkName('pipeline', name);
    return readJson<Pipeline>(this.pipelineFile(name));
  }

  async list(): Promise<Pipeline[]> {
    const names = (await entries(path.join(this.context.stateDir, 'pipelines')))
      .filter((file) => file.endsWith('.json'))
      .map((file) => file.slice(0, -'.json'.length))
      .sort();
    const pipelines = await Promise.all(names.map((name) => this.get(name)));
    return pipelines.filter((pipeline) => pipeline !== undefined);
  }

  async trigger(name: string, options?: { input?: string }): Promise<PipelineRun> {
    const pipeline = await this.get(name);
    if (!pipeline) {
      throw new ConfigurationError(
        `pipeline ${name} is not published in ${this.context.environment}: publish it first`,
      );
    }
    const model = await this.modelOf(pipeline);
    const input = path.resolve(options?.input ?? pipeline.input);
    if (!(await stat(input).catch(() => undefined))?.isDirectory()) {
      throw new ConfigurationError(
        `cannot run pipeline ${name}: the input folder ${input} does not exist`,
      );
    }
    const id = await this.jobs.reserveId('run');
    const output = path.join(path.resolve(pipeline.output), id);
    const job = await this.jobs.start(id, {
      name: `score ${name}`,
      command: pipeline.command,
      codeDir: pipeline.codeDir,
      outputDir: output,
      env: {
        ...pipeline.env,
        MLOPS_MODEL_NAME: model.name,
        MLOPS_MODEL_VERSION: String(model.version),
      },
      inputs: { MLOPS_MODEL_DIR: model.path, MLOPS_DATA_DIR: input },
    });
    const record: RunRecord = {
      id,
      pipeline: name,
      model: pipeline.model,
      input,
      output,
      startedAt: job.startedAt,
    };
    await writeJson(this.runFile(id), record);
    return toRun(record, job);
  }

  async getRun(id: string): Promise<PipelineRun | undefined> {
    const record = isId(id) ? await readJson<RunRecord>(this.runFile(id)) : undefined;
    return record && toRun(record, await this.jobs.get(id));
  }

  async waitRun(
    id: string,
    options: { timeoutMs: number; onState?: (run: PipelineRun) => void },
  ): Promise<PipelineRun> {
    const record = isId(id) ? await readJson<RunRecord>(this.runFile(id)) : undefined;
    if (!record) {
      throw new ConfigurationError(
        `pipeline run ${id} does not exist in ${this.context.environment}`,
      );
    }
    const job = await this.jobs.wait(id, {
      timeoutMs: options.timeoutMs,
      onState: (job) => options.onState?.(toRun(record, job)),
    });
    return toRun(record, job);
  }

  async runs(name: string): Promise<PipelineRun[]> {
    checkName('pipeline', name);
    const dir = path.join(this.context.stateDir, 'runs');
    const records: RunRecord[] = [];
    for (const file of await entries(dir)) {
      const record = file.endsWith('.json')
        ? await readJson<RunRecord>(path.join(dir, file))
        : undefined;
      if (record?.pipeline === name) records.push(record);
    }
    records.sort((a, b) => a.startedAt.localeCompare(b.startedAt) || a.id.localeCompare(b.id));
    return Promise.all(
      records.map(async (record) => toRun(record, await this.jobs.get(record.id))),
    );
  }

  /** The registered version a pipeline scores with. */
  private async modelOf(definition: PipelineDefinition): Promise<ModelVersion> {
    const model = await this.registry.get(definition.model);
    if (!model) {
      throw new ConfigurationError(
        `pipeline ${definition.name} scores with ${definition.model.name} version ` +
          `${definition.model.version}, which is not registered in ${this.context.environment}`,
      );
    }
    return model;
  }

  private pipelineFile(name: string): string {
    return path.join(this.context.stateDir, 'pipelines', `${name}.json`);
  }

  private runFile(id: string): string {
    return path.join(this.context.stateDir, 'runs', `${id}.json`);
  }
}

function toRun(record: RunRecord, job: Job | undefined): PipelineRun {
  const message = job ? job.message : `the run's job record ${record.id} is missing`;
  return {
    id: record.id,
    pipeline: record.pipeline,
    model: record.model,
    state: job?.state ?? 'failed',
    startedAt: record.startedAt,
    ...(job?.endedAt !== undefined && { endedAt: job.endedAt }),
    output: record.output,
    ...(message !== undefined && { message }),
  };
}
