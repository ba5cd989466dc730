import path from 'node:path';
import type { TokenCredential } from '@azure/core-auth';
import { createPipelineRequest, type HttpClient } from '@azure/core-rest-pipeline';
import { AzureMachineLearningWorkspaces } from '@azure/arm-machinelearning';
import type { StoragePipelineOptions } from '@azure/storage-blob';
import { ConfigurationError } from '@mlops/foundation';
import { azureProblem, httpFailure, type Scope } from './errors.js';
import { openStorage, type Storage } from './storage.js';

export interface AzureMlOptions {
  /** The environment name from mlops.yaml. */
  environment: string;
  subscriptionId: string;
  resourceGroup: string;
  workspace: string;
  credential: TokenCredential;
  /** For messages about roles. */
  clientId?: string;
  /** ARM endpoint of a sovereign cloud; default the public one. */
  armEndpoint?: string;
  /** Compute cluster for jobs and batch deployments. */
  compute?: string;
  /** Azure ML environment (asset id or azureml: reference) jobs and deployments run in. */
  jobEnvironment?: string;
  /** VM size of online deployments; default Standard_DS3_v2. */
  instanceType?: string;
  /** Folder on this machine for downloaded model files and job outputs. */
  cacheDir: string;
  now?: () => Date;
  /** Status polling interval of jobs and long-running operations. */
  pollMs?: number;
  /** Hides a secret from logs (core.setSecret on a runner). */
  mask?: (secret: string) => void;
  /** Tests: answers every request (the ARM emulator in-process). */
  httpClient?: HttpClient;
  /** The same for the blob client, which takes the older request-policy form. */
  storageHttpClient?: StoragePipelineOptions['httpClient'];
}

const PUBLIC_ARM = 'https://management.azure.com';
/** The REST version the SDK speaks; raw calls use the same. */
const ARM_API_VERSION = '2022-10-01';

/** What every part of the Azure backend shares: the client, the coordinates, error wording. */
export class AzureContext {
  readonly client: AzureMachineLearningWorkspaces;
  readonly rg: string;
  readonly ws: string;
  readonly scope: Scope;
  /** ARM id of the workspace: the prefix of every asset id. */
  readonly workspaceId: string;
  readonly pollMs: number;
  readonly now: () => Date;
  private readonly endpoint: string;
  private storagePromise?: Promise<Storage>;
  private locationPromise?: Promise<string>;

  constructor(readonly options: AzureMlOptions) {
    const endpoint = (options.armEndpoint ?? PUBLIC_ARM).replace(/\/+$/, '');
    this.endpoint = endpoint;
    this.client = new AzureMachineLearningWorkspaces(options.credential, options.subscriptionId, {
      endpoint,
      credentialScopes: [`${endpoint}/.default`],
      ...(options.httpClient && { httpClient: options.httpClient }),
    });
    this.rg = options.resourceGroup;
    this.ws = options.workspace;
    this.workspaceId = `/subscriptions/${options.subscriptionId}/resourceGroups/${this.rg}/providers/Microsoft.MachineLearningServices/workspaces/${this.ws}`;
    this.scope = {
      subject: `environment "${options.environment}"`,
      workspace: `workspace ${this.ws} (resource group ${this.rg}, subscription ${options.subscriptionId})`,
      clientId: options.clientId,
    };
    this.pollMs = options.pollMs ?? 5_000;
    this.now = options.now ?? (() => new Date());
  }

  /** Runs an Azure call; a failure becomes one line saying what was being done. */
  async call<T>(doing: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (error) {
      throw azureProblem(error, doing, this.scope);
    }
  }

  /**
   * A raw ARM call through the client's own pipeline (sign-in, retries), for
   * bodies the SDK's models would mangle: 2.x drops the fields of job inputs
   * and outputs when serializing them.
   */
  async arm(
    method: 'GET' | 'PUT' | 'POST',
    resourcePath: string,
    body?: unknown,
  ): Promise<unknown> {
    const request = createPipelineRequest({
      url: `${this.endpoint}${resourcePath}?api-version=${ARM_API_VERSION}`,
      method,
      ...(body !== undefined && { body: JSON.stringify(body) }),
    });
    request.headers.set('Content-Type', 'application/json');
    const response = await this.client.sendRequest(request);
    const text = response.bodyAsText ?? '';
    if (response.status >= 300) throw httpFailure(response.status, text);
    return text ? (JSON.parse(text) as unknown) : undefined;
  }

  /** A failed Azure call as one line saying what was being done. */
  problem(error: unknown, doing: string): Error {
    return azureProblem(error, doing, this.scope);
  }

  /** A folder of the local cache for this workspace: `models`, `jobs`, … */
  cacheDir(kind: string): string {
    return path.join(this.options.cacheDir, this.ws, kind);
  }

  /** Long-running operations poll at our pace, not the SDK's 2 s default. */
  get lro(): { updateIntervalInMs: number } {
    return { updateIntervalInMs: Math.min(this.pollMs, 2_000) };
  }

  /** The workspace's region: endpoints are created there. */
  location(): Promise<string> {
    this.locationPromise ??= this.call('reading the workspace', async () => {
      const workspace = await this.client.workspaces.get(this.rg, this.ws);
      return workspace.location ?? '';
    });
    return this.locationPromise;
  }

  storage(): Promise<Storage> {
    this.storagePromise ??= openStorage(this).catch((error: unknown) => {
      this.storagePromise = undefined;
      throw error;
    });
    return this.storagePromise;
  }

  /** A setting only some operations need, e.g. the compute of a job. */
  need(value: string | undefined, key: string, forWhat: string): string {
    if (value) return value;
    throw new ConfigurationError(
      `${this.scope.subject} has no ${key}, which ${forWhat} needs: set environments.${this.options.environment}.${key} in mlops.yaml`,
    );
  }
}
