import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { HttpClient } from '@azure/core-rest-pipeline';
import { containerId } from './assets.js';
import { BlobService, PUBLIC_BLOB_SUFFIX, type BlobLocation } from './blob.js';
import type { EmulatorContext, EmulatorUrls } from './context.js';
import { endpointId, type EndpointKind } from './endpoints.js';
import { FaultController } from './faults.js';
import { EntraService, GithubOidcService, TokenIssuer } from './identity.js';
import { createInProcessClient } from './in-process.js';
import { JobRunner, jobId, logBlobPath } from './jobs.js';
import { LroManager } from './lro.js';
import { Router } from './router.js';
import { listen, type ServiceServer } from './server.js';
import {
  accountNameFor,
  registryId,
  ResourceStore,
  workspaceId,
  type RegistryState,
  type WorkspaceState,
} from './state.js';
import { createTls } from './tls.js';
import type { ArmEmulatorOptions, ArmResource, RecordedRequest, Service } from './types.js';

export type { FaultController, FaultHandle, FaultKind, FaultRule } from './faults.js';
export type {
  ArmEmulatorOptions,
  ArmResource,
  EmulatedClient,
  EmulatedRegistry,
  EmulatedWorkspace,
  RecordedRequest,
  Service,
} from './types.js';
export type { BlobLocation } from './blob.js';

/*
 * A stateful local emulator of the Azure ML ARM API and the services around it (Entra,
 * GitHub OIDC, Blob storage, endpoint scoring), driven by the real Azure SDKs. See README.md.
 */

const IN_PROCESS_OIDC_HOST = 'pipelines.actions.githubusercontent.com';

export interface DatastoreInfo {
  accountName: string;
  containerName: string;
  /** Base64 account key (what listSecrets returns). */
  key: string;
  /** `https://<account>.blob.core.windows.net` in-process, `https://127.0.0.1:<port>/<account>` in server mode. */
  accountUrl: string;
}

/** Read access to the emulator's state, for assertions. */
export interface EmulatorState {
  /** Versions of a workspace asset (models, data, codes, environments), in creation order. */
  versions(
    workspace: string,
    kind: 'models' | 'data' | 'codes' | 'environments',
    name: string,
  ): ArmResource[];
  modelVersions(workspace: string, name: string): ArmResource[];
  containers(workspace: string, kind: 'models' | 'data' | 'codes' | 'environments'): ArmResource[];
  registryVersions(registry: string, name: string): ArmResource[];
  jobs(workspace: string): ArmResource[];
  job(workspace: string, name: string): ArmResource | undefined;
  /** The job's std_log.txt, once written. */
  jobLog(workspace: string, name: string): string | undefined;
  endpoints(workspace: string, kind: EndpointKind): ArmResource[];
  deployments(workspace: string, kind: EndpointKind, endpoint: string): ArmResource[];
  /** Any resource by ARM id (case-insensitive). */
  resource(id: string): ArmResource | undefined;
  datastore(workspace: string): DatastoreInfo;
  /** Storage account of a registry. */
  registryStorage(registry: string): { accountName: string; key: string; accountUrl: string };
  /** Blob names under a prefix. */
  blobs(account: string, container: string, prefix?: string): string[];
  blob(account: string, container: string, name: string): Buffer | undefined;
  /** Writes a blob directly (test setup without going through the SDK). */
  putBlob(location: BlobLocation, data: Buffer | string): void;
}

export interface ArmEmulator {
  httpClient: HttpClient;
  urls: EmulatorUrls;
  caFile?: string;
  oidc: { requestUrl: string; requestToken: string; subject: string };
  /** A token the emulator accepts for `clientId`; without `scope` every service accepts it. */
  issueToken(clientId: string, scope?: string): string;
  faults: FaultController;
  requests: RecordedRequest[];
  state: EmulatorState;
  close(): Promise<void>;
}

export async function startArmEmulator(options: ArmEmulatorOptions): Promise<ArmEmulator> {
  const mode = options.mode ?? 'in-process';
  const workRoot = await mkdtemp(path.join(os.tmpdir(), 'arm-emulator-'));
  const issuer = new TokenIssuer(options.tenantId);
  const faults = new FaultController();
  const blob = new BlobService(issuer);
  const oidcPath = `/${randomBytes(6).toString('hex')}/00000000-0000-0000-0000-000000000000/_apis/distributedtask/hubs/Actions/plans/${randomUUID()}/jobs/${randomUUID()}/idtoken`;
  const urls: EmulatorUrls = {
    arm: 'https://management.azure.com',
    login: 'https://login.microsoftonline.com',
    blob: `https://blob.core.windows.net`,
    scoring: 'https://inference.ml.azure.com',
    oidc: `https://${IN_PROCESS_OIDC_HOST}`,
  };
  const oidcService = new GithubOidcService(
    randomBytes(24).toString('base64url'),
    'repo:acme/repo:ref:refs/heads/main',
  );

  // Server mode listens before any state exists, so URLs put into state use the real ports.
  let route: (
    req: import('./types.js').EmuRequest,
  ) => Promise<import('./types.js').EmuResponse> = () =>
    Promise.reject(new Error('arm-emulator is starting'));
  const servers: ServiceServer[] = [];
  let caFile: string | undefined;
  if (mode === 'server') {
    const tls = await createTls(workRoot);
    caFile = tls.caFile;
    for (const service of ['arm', 'login', 'blob', 'scoring', 'oidc'] as const) {
      const server = await listen(service, tls, (req) => route(req));
      servers.push(server);
      urls[service] = server.origin;
    }
    blob.serverOrigin = urls.blob;
  }

  const workspaces: WorkspaceState[] = options.workspaces.map((ws) => {
    const location = ws.location ?? 'westeurope';
    return {
      ...ws,
      location,
      kind: 'workspace',
      id: workspaceId(ws),
      account: blob.addAccount(accountNameFor('mlops', ws.name)),
      containerName: `azureml-blobstore-${randomUUID()}`,
      workspaceGuid: randomUUID(),
    };
  });
  const registries: RegistryState[] = (options.registries ?? []).map((r) => ({
    ...r,
    location: r.location ?? 'westeurope',
    kind: 'registry',
    id: registryId(r),
    account: blob.addAccount(accountNameFor('reg', r.name)),
    containerName: 'registry',
  }));

  const ctx: EmulatorContext = {
    tenantId: options.tenantId,
    mode,
    stepMs: options.stepMs ?? 20,
    store: new ResourceStore(),
    blob,
    issuer,
    faults,
    lro: new LroManager(options.lroPolls ?? 1),
    workspaces,
    registries,
    clients: options.clients,
    urls,
    workRoot,
    running: new Set(),
  };
  const jobs = new JobRunner(ctx);
  const router = new Router(ctx, {
    entra: new EntraService(options.tenantId, options.clients, issuer),
    oidc: oidcService,
    jobs,
  });
  route = (req) => router.handle(req);

  const byPort = new Map(servers.map((s) => [String(s.port), s.service]));
  const serviceOf = (url: URL): Service | undefined => {
    const host = url.hostname.toLowerCase();
    if (host === '127.0.0.1' || host === 'localhost') return byPort.get(url.port);
    if (host === 'management.azure.com') return 'arm';
    if (host === 'login.microsoftonline.com') return 'login';
    if (host.endsWith(PUBLIC_BLOB_SUFFIX)) return 'blob';
    if (host.endsWith('.inference.ml.azure.com')) return 'scoring';
    if (host === IN_PROCESS_OIDC_HOST) return 'oidc';
    return undefined;
  };

  const wsByName = (name: string): WorkspaceState => {
    const ws = workspaces.find((w) => w.name.toLowerCase() === name.toLowerCase());
    if (!ws) throw new Error(`arm-emulator: no workspace '${name}'`);
    return ws;
  };
  const regByName = (name: string): RegistryState => {
    const reg = registries.find((r) => r.name.toLowerCase() === name.toLowerCase());
    if (!reg) throw new Error(`arm-emulator: no registry '${name}'`);
    return reg;
  };
  const state: EmulatorState = {
    versions: (w, kind, name) =>
      ctx.store.children(containerId(wsByName(w), kind, name), 'versions'),
    modelVersions: (w, name) =>
      ctx.store.children(containerId(wsByName(w), 'models', name), 'versions'),
    containers: (w, kind) => ctx.store.children(wsByName(w).id, kind),
    registryVersions: (r, name) =>
      ctx.store.children(containerId(regByName(r), 'models', name), 'versions'),
    jobs: (w) => ctx.store.children(wsByName(w).id, 'jobs'),
    job: (w, name) => ctx.store.get(jobId(wsByName(w), name)),
    jobLog: (w, name) => {
      const ws = wsByName(w);
      return blob
        .get({ account: ws.account.name, container: ws.containerName, path: logBlobPath(name) })
        ?.toString('utf8');
    },
    endpoints: (w, kind) =>
      ctx.store.children(wsByName(w).id, kind === 'batch' ? 'batchEndpoints' : 'onlineEndpoints'),
    deployments: (w, kind, e) =>
      ctx.store.children(endpointId(wsByName(w), kind, e), 'deployments'),
    resource: (id) => ctx.store.get(id),
    datastore: (w) => {
      const ws = wsByName(w);
      return {
        accountName: ws.account.name,
        containerName: ws.containerName,
        key: ws.account.key,
        accountUrl: blob.accountUrl(ws.account.name),
      };
    },
    registryStorage: (r) => {
      const reg = regByName(r);
      return {
        accountName: reg.account.name,
        key: reg.account.key,
        accountUrl: blob.accountUrl(reg.account.name),
      };
    },
    blobs: (account, container, prefix = '') => blob.list({ account, container, path: prefix }),
    blob: (account, container, name) => blob.get({ account, container, path: name }),
    putBlob: (loc, data) => blob.put(loc, Buffer.from(data)),
  };

  const oidc = {
    requestUrl: `${urls.oidc}${oidcPath}?api-version=2.0`,
    requestToken: oidcService.requestToken,
    get subject(): string {
      return oidcService.subject;
    },
    set subject(value: string) {
      oidcService.subject = value;
    },
  };

  return {
    httpClient: createInProcessClient(serviceOf, route),
    urls,
    caFile,
    oidc,
    issueToken: (clientId, scope) => issuer.issue(clientId, scope),
    faults,
    requests: router.requests,
    state,
    async close() {
      jobs.abortAll();
      await Promise.allSettled([...ctx.running]);
      await Promise.all(servers.map((s) => s.close()));
      await rm(workRoot, { recursive: true, force: true });
    },
  };
}
