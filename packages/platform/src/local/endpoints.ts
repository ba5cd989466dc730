import { mkdir, readFile, writeFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { ConfigurationError } from '@mlops/foundation';
import type { OnlineDefinition, OnlineEndpoint, OnlineEndpoints, ModelRef } from '../port.js';
import { checkTraffic } from '../traffic.js';
import type { LocalContext } from './context.js';
import { canonicalJson, sha256 } from './digest.js';
import { readJson, writeJson } from './files.js';
import type { LocalJobs } from './jobs.js';
import { withLock } from './lock.js';
import { checkName } from './names.js';
import type { LocalRegistry } from './registry.js';

/** How long one request may take: the score command runs per request here. */
const REQUEST_MS = 120_000;

interface DeploymentRecord extends OnlineDefinition {
  deployment: string;
  digest: string;
}

interface EndpointRecord {
  name: string;
  traffic: Record<string, number>;
  deployments: DeploymentRecord[];
}

/**
 * Online endpoints as `endpoints/<name>.json`: deployments and the traffic
 * split between them. A request runs the deployment's score command as a
 * job on the request's rows, which is what a managed deployment does per call.
 */
export class LocalEndpoints implements OnlineEndpoints {
  constructor(
    private readonly context: LocalContext,
    private readonly registry: LocalRegistry,
    private readonly jobs: LocalJobs,
  ) {}

  async deploy(
    definition: OnlineDefinition,
  ): Promise<{ endpoint: OnlineEndpoint; deployment: string; changed: boolean }> {
    checkName('endpoint', definition.name);
    await this.model(definition.name, definition.model);
    const deployment = `v${definition.model.version}`;
    const record: DeploymentRecord = {
      name: definition.name,
      model: { name: definition.model.name, version: definition.model.version },
      command: definition.command,
      codeDir: definition.codeDir,
      env: { ...definition.env },
      deployment,
      digest: '',
    };
    record.digest = sha256(canonicalJson({ ...record, digest: undefined }));
    return withLock(this.context.stateDir, async () => {
      const current = (await this.read(definition.name)) ?? {
        name: definition.name,
        traffic: {},
        deployments: [],
      };
      const existing = current.deployments.find((d) => d.deployment === deployment);
      if (existing?.digest === record.digest)
        return { endpoint: toEndpoint(current), deployment, changed: false };
      const next: EndpointRecord = {
        ...current,
        deployments: [...current.deployments.filter((d) => d.deployment !== deployment), record],
      };
      await writeJson(this.file(definition.name), next);
      return { endpoint: toEndpoint(next), deployment, changed: true };
    });
  }

  async invoke(name: string, deployment: string, csv: string): Promise<string> {
    const record = await this.read(name);
    const target = record?.deployments.find((d) => d.deployment === deployment);
    if (!target)
      throw new ConfigurationError(
        `endpoint ${name} in ${this.context.environment} has no deployment ${deployment}: deploy it first`,
      );
    const model = await this.model(name, target.model);
    const id = await this.jobs.reserveId('request');
    const dir = path.join(this.context.stateDir, 'requests', id);
    await mkdir(path.join(dir, 'input'), { recursive: true });
    await writeFile(path.join(dir, 'input', 'score.csv'), csv);
    try {
      const job = await this.jobs.start(id, {
        name: `request ${name}/${deployment}`,
        command: target.command,
        codeDir: target.codeDir,
        env: { ...target.env, MLOPS_MODEL_NAME: target.model.name },
        inputs: { MLOPS_MODEL_DIR: model.path, MLOPS_DATA_DIR: path.join(dir, 'input') },
        outputDir: path.join(dir, 'output'),
      });
      const done = await this.jobs.wait(job.id, { timeoutMs: REQUEST_MS });
      if (done.state !== 'succeeded')
        throw new Error(
          `request to ${name}/${deployment} ${done.state}: ${done.message ?? ''} (log ${done.log})`,
        );
      return await readFile(path.join(dir, 'output', 'predictions.csv'), 'utf8');
    } finally {
      await rm(path.join(dir, 'input'), { recursive: true, force: true });
    }
  }

  async setTraffic(name: string, traffic: Record<string, number>): Promise<OnlineEndpoint> {
    return withLock(this.context.stateDir, async () => {
      const record = await this.read(name);
      if (!record)
        throw new ConfigurationError(
          `endpoint ${name} is not in ${this.context.environment}: deploy to it first`,
        );
      checkTraffic(
        name,
        traffic,
        record.deployments.map((d) => d.deployment),
      );
      const next = { ...record, traffic: { ...traffic } };
      await writeJson(this.file(name), next);
      return toEndpoint(next);
    });
  }

  async get(name: string): Promise<OnlineEndpoint | undefined> {
    const record = await this.read(name);
    return record && toEndpoint(record);
  }

  private async model(endpoint: string, ref: ModelRef) {
    const model = await this.registry.get(ref);
    if (!model)
      throw new ConfigurationError(
        `endpoint ${endpoint} would serve ${ref.name} version ${ref.version}, which is not registered in ${this.context.environment}`,
      );
    return model;
  }

  private read(name: string): Promise<EndpointRecord | undefined> {
    checkName('endpoint', name);
    return readJson<EndpointRecord>(this.file(name));
  }

  private file(name: string): string {
    return path.join(this.context.stateDir, 'endpoints', `${name}.json`);
  }
}

function toEndpoint(record: EndpointRecord): OnlineEndpoint {
  return {
    name: record.name,
    traffic: { ...record.traffic },
    deployments: record.deployments.map((d) => ({ name: d.deployment, model: d.model })),
  };
}
