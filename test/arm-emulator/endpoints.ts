import { randomBytes, randomUUID } from 'node:crypto';
import { mkdir, readdir } from 'node:fs/promises';
import path from 'node:path';
import { ArmFailure, badRequest, json, notFound } from './arm-errors.js';
import { page } from './assets.js';
import { downloadCode, jobWorkDir, resolveUri, runScoring, stringEnv } from './compute.js';
import type { ArmCall, EmulatorContext } from './context.js';
import { jobId, studioUrl, type JobRunner } from './jobs.js';
import { PROVIDER, systemData, type WorkspaceState } from './state.js';
import type { ArmResource, EmuRequest, EmuResponse, Json } from './types.js';

/*
 * Batch and managed online endpoints and their deployments (long-running PUT/PATCH/DELETE),
 * and their data plane: batch invoke (creates a scoring job) and online score (routes by
 * traffic or the azureml-model-deployment header and runs the scoring script).
 */

export type EndpointKind = 'batch' | 'online';
const SEGMENT: Record<EndpointKind, string> = {
  batch: 'batchEndpoints',
  online: 'onlineEndpoints',
};
const NAME_RULE = /^[a-zA-Z][a-zA-Z0-9-]{0,30}[a-zA-Z0-9]$/;

export function endpointKindOf(segment: string | undefined): EndpointKind | undefined {
  const lower = segment?.toLowerCase();
  if (lower === 'batchendpoints') return 'batch';
  if (lower === 'onlineendpoints') return 'online';
  return undefined;
}

export function endpointId(ws: WorkspaceState, kind: EndpointKind, name: string): string {
  return `${ws.id}/${SEGMENT[kind]}/${name}`;
}

export function scoringUri(
  ctx: EmulatorContext,
  ws: WorkspaceState,
  kind: EndpointKind,
  name: string,
): string {
  const tail = kind === 'batch' ? 'jobs' : 'score';
  if (ctx.mode === 'server') return `${ctx.urls.scoring}/${ws.name}/${name}/${tail}`;
  return `https://${name.toLowerCase()}.${ws.location}.inference.ml.azure.com/${tail}`;
}

/** Keys of online endpoints (authMode Key), by endpoint id. */
const keys = new WeakMap<
  EmulatorContext,
  Map<string, { primaryKey: string; secondaryKey: string }>
>();

function keysOf(ctx: EmulatorContext, id: string): { primaryKey: string; secondaryKey: string } {
  let map = keys.get(ctx);
  if (!map) keys.set(ctx, (map = new Map()));
  let k = map.get(id.toLowerCase());
  if (!k) {
    k = {
      primaryKey: randomBytes(24).toString('base64url'),
      secondaryKey: randomBytes(24).toString('base64url'),
    };
    map.set(id.toLowerCase(), k);
  }
  return k;
}

/** Starts an LRO that flips provisioningState when it finishes. */
function startLro(
  call: ArmCall,
  ws: WorkspaceState,
  resource: ArmResource,
  onSucceeded: () => void,
  result?: () => unknown,
): ReturnType<EmulatorContext['lro']['start']> {
  const fault = call.ctx.faults.take(['lro-failed'], {
    service: 'arm',
    method: call.req.method,
    path: call.req.url.pathname,
  });
  return call.ctx.lro.start({
    subscriptionId: ws.subscriptionId,
    location: ws.location,
    apiVersion: call.apiVersion,
    resourceId: resource.id,
    failMessage: fault?.message,
    onSucceeded,
    onFailed: () => {
      resource.properties.provisioningState = 'Failed';
    },
    result,
  });
}

/** The read-only ids ARM fills into a managed identity block. */
function completeIdentity(identity: Json | undefined, tenantId: string): Json | undefined {
  if (!identity) return identity;
  identity.principalId ??= randomUUID();
  identity.tenantId ??= tenantId;
  const assigned = identity.userAssignedIdentities as Record<string, Json> | undefined;
  for (const [key, value] of Object.entries(assigned ?? {})) {
    if (assigned) assigned[key] = { principalId: randomUUID(), clientId: randomUUID(), ...value };
  }
  return identity;
}

function stringRecord(value: unknown): Record<string, string> {
  return stringEnv(value);
}

function checkAsset(call: ArmCall, field: string, ref: unknown, segment: 'models' | 'codes'): void {
  if (typeof ref !== 'string' || !ref) throw new ArmFailure(badRequest(field, 'is required.'));
  const id = ref.replace(/^azureml:/, '');
  const ok = id.startsWith('/')
    ? call.ctx.store.get(id) !== undefined &&
      new RegExp(`/${segment}/[^/]+/versions/[^/]+$`, 'i').test(id)
    : /^azureml:\/\/registries\//i.test(ref) && tryResolve(call, ref);
  if (!ok)
    throw new ArmFailure(
      badRequest(
        field,
        `'${ref}' does not refer to an existing ${segment === 'models' ? 'model' : 'code'} version.`,
      ),
    );
}

function tryResolve(call: ArmCall, ref: string): boolean {
  try {
    resolveUri(call.ctx, undefined, ref);
    return true;
  } catch {
    return false;
  }
}

export function handleEndpoints(
  call: ArmCall,
  ws: WorkspaceState,
  kind: EndpointKind,
): EmuResponse | undefined {
  const [, name, sub, dname, extra] = call.rest;
  const m = call.req.method;
  const { store } = call.ctx;
  if (name === undefined)
    return m === 'GET' ? page(call, store.children(ws.id, SEGMENT[kind])) : undefined;
  const id = endpointId(ws, kind, name);
  const endpoint = store.get(id);
  if (sub === undefined) {
    if (m === 'GET') {
      call.ctx.lro.touch(id);
      return endpoint ? json(200, endpoint) : notFound(`${kind} endpoint`, name);
    }
    if (m === 'PUT') return putEndpoint(call, ws, kind, name, endpoint);
    if (m === 'PATCH') {
      if (!endpoint) return notFound(`${kind} endpoint`, name);
      for (const k of ['tags', 'identity', 'kind', 'sku'] as const) {
        if (call.body[k] !== undefined) (endpoint as unknown as Json)[k] = call.body[k];
      }
      endpoint.properties.provisioningState = 'Updating';
      const op = startLro(
        call,
        ws,
        endpoint,
        () => (endpoint.properties.provisioningState = 'Succeeded'),
        () => endpoint,
      );
      return json(202, undefined, {
        location: call.ctx.lro.resultUrl(call.origin, op),
        'retry-after': '0',
      });
    }
    if (m === 'DELETE') {
      if (!endpoint) return json(204, undefined);
      endpoint.properties.provisioningState = 'Deleting';
      const op = startLro(call, ws, endpoint, () => store.delete(id));
      return json(202, undefined, {
        location: call.ctx.lro.resultUrl(call.origin, op),
        'retry-after': '0',
      });
    }
    return undefined;
  }
  const lowerSub = sub.toLowerCase();
  if (kind === 'online' && lowerSub === 'listkeys' && m === 'POST' && dname === undefined) {
    if (!endpoint) return notFound('online endpoint', name);
    return json(200, keysOf(call.ctx, id));
  }
  if (lowerSub !== 'deployments' || extra !== undefined) return undefined;
  if (!endpoint) return notFound(`${kind} endpoint`, name);
  if (dname === undefined)
    return m === 'GET' ? page(call, store.children(id, 'deployments')) : undefined;
  const did = `${id}/deployments/${dname}`;
  const deployment = store.get(did);
  if (m === 'GET') {
    call.ctx.lro.touch(did);
    return deployment ? json(200, deployment) : notFound(`${kind} deployment`, dname);
  }
  if (m === 'PUT') return putDeployment(call, ws, kind, endpoint, dname, deployment);
  if (m === 'DELETE') {
    if (!deployment) return json(204, undefined);
    const traffic = (endpoint.properties.traffic ?? {}) as Record<string, number>;
    if (kind === 'online' && (traffic[deployment.name] ?? 0) > 0) {
      return badRequest(
        'deploymentName',
        `deployment '${dname}' still receives ${traffic[deployment.name]}% of the traffic: set it to 0 first.`,
      );
    }
    deployment.properties.provisioningState = 'Deleting';
    const op = startLro(call, ws, deployment, () => {
      store.delete(did);
      deploymentCache.get(call.ctx)?.delete(did.toLowerCase());
    });
    return json(202, undefined, {
      location: call.ctx.lro.resultUrl(call.origin, op),
      'retry-after': '0',
    });
  }
  if (m === 'PATCH') {
    if (!deployment) return notFound(`${kind} deployment`, dname);
    if (call.body.tags !== undefined) deployment.tags = stringRecord(call.body.tags);
    deployment.properties.provisioningState = 'Updating';
    const op = startLro(
      call,
      ws,
      deployment,
      () => (deployment.properties.provisioningState = 'Succeeded'),
      () => deployment,
    );
    return json(202, undefined, {
      location: call.ctx.lro.resultUrl(call.origin, op),
      'retry-after': '0',
    });
  }
  return undefined;
}

function putEndpoint(
  call: ArmCall,
  ws: WorkspaceState,
  kind: EndpointKind,
  name: string,
  existing: ArmResource | undefined,
): EmuResponse {
  if (!NAME_RULE.test(name)) {
    return badRequest(
      'endpointName',
      `'${name}' is not a valid endpoint name: use 3-32 characters, letters, digits and '-', starting with a letter and not ending with '-'.`,
    );
  }
  const props = (call.body.properties ?? {}) as Json;
  if (typeof props !== 'object') return badRequest('properties', 'must be an object.');
  const authMode = props.authMode ?? (kind === 'batch' ? 'AADToken' : 'Key');
  const allowed = ['AADToken', 'AMLToken', 'Key'];
  if (!allowed.includes(String(authMode))) {
    return badRequest(
      'properties.authMode',
      `'${String(authMode)}' is not one of ${allowed.join(', ')}.`,
    );
  }
  const id = endpointId(ws, kind, name);
  if (kind === 'online') {
    const traffic = (props.traffic ?? {}) as Json;
    const deployments = call.ctx.store.children(id, 'deployments').map((d) => d.name.toLowerCase());
    let sum = 0;
    for (const [d, pct] of Object.entries(traffic)) {
      if (typeof pct !== 'number' || !Number.isInteger(pct) || pct < 0 || pct > 100) {
        return badRequest(
          `properties.traffic.${d}`,
          `'${String(pct)}' is not a whole percentage between 0 and 100.`,
        );
      }
      if (!deployments.includes(d.toLowerCase())) {
        return badRequest(
          'properties.traffic',
          `deployment '${d}' does not exist in endpoint '${name}'.`,
        );
      }
      sum += pct;
    }
    if (sum !== 0 && sum !== 100) {
      return badRequest(
        'properties.traffic',
        `the percentages add up to ${sum}: they must add up to 0 or 100.`,
      );
    }
  }
  const resource: ArmResource = {
    id,
    name: existing?.name ?? name,
    type: `${PROVIDER}/workspaces/${SEGMENT[kind]}`,
    location: String(call.body.location ?? ws.location),
    kind: typeof call.body.kind === 'string' ? call.body.kind : undefined,
    tags: stringRecord(call.body.tags),
    identity: (call.body.identity as Json | undefined) ?? { type: 'SystemAssigned' },
    properties: {
      description: null,
      properties: {},
      ...props,
      authMode,
      scoringUri: scoringUri(call.ctx, ws, kind, name),
      swaggerUri: `${scoringUri(call.ctx, ws, kind, name).replace(/\/(score|jobs)$/, '')}/swagger.json`,
      ...(kind === 'batch'
        ? { defaults: (props.defaults as Json | undefined) ?? { deploymentName: null } }
        : {}),
      ...(kind === 'online'
        ? {
            traffic: props.traffic ?? {},
            publicNetworkAccess: props.publicNetworkAccess ?? 'Enabled',
          }
        : {}),
      provisioningState: existing ? 'Updating' : 'Creating',
    },
    systemData: systemData(call.clientId, existing?.systemData),
  };
  if (call.body.sku !== undefined) resource.sku = call.body.sku as Json;
  completeIdentity(resource.identity, call.ctx.tenantId);
  call.ctx.store.put(resource);
  const op = startLro(
    call,
    ws,
    resource,
    () => (resource.properties.provisioningState = 'Succeeded'),
  );
  return json(existing ? 200 : 201, resource, {
    'azure-asyncoperation': call.ctx.lro.statusUrl(call.origin, op),
  });
}

function putDeployment(
  call: ArmCall,
  ws: WorkspaceState,
  kind: EndpointKind,
  endpoint: ArmResource,
  name: string,
  existing: ArmResource | undefined,
): EmuResponse {
  if (!NAME_RULE.test(name)) {
    return badRequest(
      'deploymentName',
      `'${name}' is not a valid deployment name: use 3-32 characters, letters, digits and '-', starting with a letter.`,
    );
  }
  const props = (call.body.properties ?? {}) as Json;
  if (kind === 'batch') {
    const model = props.model as Json | undefined;
    if (model !== undefined) checkAsset(call, 'properties.model.assetId', model.assetId, 'models');
  } else {
    if (
      props.endpointComputeType !== undefined &&
      !['Managed', 'Kubernetes', 'AzureMLCompute'].includes(String(props.endpointComputeType))
    ) {
      return badRequest(
        'properties.endpointComputeType',
        `'${String(props.endpointComputeType)}' is not one of Managed, Kubernetes.`,
      );
    }
    if (props.model !== undefined) checkAsset(call, 'properties.model', props.model, 'models');
  }
  const code = props.codeConfiguration as Json | undefined;
  if (code !== undefined) {
    checkAsset(call, 'properties.codeConfiguration.codeId', code.codeId, 'codes');
    if (typeof code.scoringScript !== 'string' || !code.scoringScript) {
      return badRequest('properties.codeConfiguration.scoringScript', 'is required.');
    }
  }
  const did = `${endpoint.id}/deployments/${name}`;
  const defaults: Json =
    kind === 'batch'
      ? {
          outputAction: 'AppendRow',
          outputFileName: 'predictions.csv',
          miniBatchSize: 10,
          errorThreshold: -1,
          loggingLevel: 'Info',
          maxConcurrencyPerInstance: 1,
        }
      : {
          endpointComputeType: 'Managed',
          scaleSettings: { scaleType: 'Default' },
          appInsightsEnabled: false,
        };
  const resource: ArmResource = {
    id: did,
    name: existing?.name ?? name,
    type: `${PROVIDER}/workspaces/${SEGMENT[kind]}/deployments`,
    location: String(call.body.location ?? endpoint.location ?? ws.location),
    kind: typeof call.body.kind === 'string' ? call.body.kind : undefined,
    tags: stringRecord(call.body.tags),
    properties: {
      description: null,
      properties: {},
      environmentVariables: {},
      ...defaults,
      ...props,
      provisioningState: existing ? 'Updating' : 'Creating',
    },
    systemData: systemData(call.clientId, existing?.systemData),
  };
  if (call.body.identity !== undefined)
    resource.identity = completeIdentity(call.body.identity as Json, call.ctx.tenantId);
  if (call.body.sku !== undefined) resource.sku = call.body.sku as Json;
  call.ctx.store.put(resource);
  deploymentCache.get(call.ctx)?.delete(did.toLowerCase());
  const op = startLro(
    call,
    ws,
    resource,
    () => (resource.properties.provisioningState = 'Succeeded'),
  );
  return json(existing ? 200 : 201, resource, {
    'azure-asyncoperation': call.ctx.lro.statusUrl(call.origin, op),
  });
}

// ---------------------------------------------------------------- data plane

interface Located {
  ws: WorkspaceState;
  endpoint: ArmResource;
  tail: string;
}

/** Finds the endpoint a scoring URL names (either URL form). */
function locate(ctx: EmulatorContext, req: EmuRequest): Located | undefined {
  const host = /^([^.]+)\.([^.]+)\.inference\.ml\.azure\.com$/i.exec(req.url.hostname);
  const segments = req.url.pathname.split('/').filter(Boolean);
  const find = (ws: WorkspaceState, name: string, tail: string): Located | undefined => {
    const kind: EndpointKind = tail === 'jobs' ? 'batch' : 'online';
    const endpoint = ctx.store.get(endpointId(ws, kind, name));
    return endpoint ? { ws, endpoint, tail } : undefined;
  };
  if (host) {
    const [, name = '', location = ''] = host;
    const tail = segments.join('/').toLowerCase();
    for (const ws of ctx.workspaces) {
      if (ws.location.toLowerCase() !== location.toLowerCase()) continue;
      const hit = find(ws, name, tail);
      if (hit) return hit;
    }
    return undefined;
  }
  const [wsName, name, ...rest] = segments;
  const ws = ctx.workspaces.find((w) => w.name.toLowerCase() === wsName?.toLowerCase());
  return ws && name ? find(ws, name, rest.join('/').toLowerCase()) : undefined;
}

function plain(status: number, message: string, headers: Record<string, string> = {}): EmuResponse {
  return {
    status,
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({
      error: { code: status === 401 ? 'Unauthorized' : 'UserError', message },
    }),
  };
}

export async function handleScoring(
  ctx: EmulatorContext,
  runner: JobRunner,
  req: EmuRequest,
): Promise<EmuResponse> {
  const hit = locate(ctx, req);
  if (!hit) return plain(404, `No endpoint at ${req.url.pathname}.`);
  const { ws, endpoint, tail } = hit;
  if (req.method !== 'POST' || (tail !== 'jobs' && tail !== 'score')) {
    return plain(405, `${req.method} ${req.url.pathname} is not served.`);
  }
  const keyPair = tail === 'score' ? keysOf(ctx, endpoint.id) : undefined;
  const auth = req.headers.authorization ?? '';
  const keyOk =
    keyPair !== undefined &&
    (auth === `Bearer ${keyPair.primaryKey}` || auth === `Bearer ${keyPair.secondaryKey}`);
  if (!keyOk) {
    const check = ctx.issuer.verify(auth, ['https://ml.azure.com']);
    if (!check.ok) return plain(401, check.message, { 'www-authenticate': 'Bearer' });
  }
  if (endpoint.properties.provisioningState !== 'Succeeded') {
    return plain(
      409,
      `Endpoint '${endpoint.name}' is ${String(endpoint.properties.provisioningState)}, not Succeeded.`,
    );
  }
  return tail === 'jobs'
    ? invokeBatch(ctx, runner, ws, endpoint, req)
    : scoreOnline(ctx, ws, endpoint, req);
}

function pickDeployment(
  ctx: EmulatorContext,
  endpoint: ArmResource,
  req: EmuRequest,
): ArmResource | string {
  const named = req.headers['azureml-model-deployment'];
  const deployments = ctx.store.children(endpoint.id, 'deployments');
  if (named) {
    return (
      deployments.find((d) => d.name.toLowerCase() === named.toLowerCase()) ??
      `Deployment '${named}' does not exist in endpoint '${endpoint.name}'.`
    );
  }
  if (endpoint.type.endsWith('batchEndpoints')) {
    const name = (endpoint.properties.defaults as Json | undefined)?.deploymentName;
    if (typeof name !== 'string' || !name)
      return `Endpoint '${endpoint.name}' has no default deployment: set properties.defaults.deploymentName or send azureml-model-deployment.`;
    return (
      deployments.find((d) => d.name.toLowerCase() === name.toLowerCase()) ??
      `The default deployment '${name}' does not exist.`
    );
  }
  const traffic = Object.entries(
    (endpoint.properties.traffic ?? {}) as Record<string, number>,
  ).filter(([, p]) => p > 0);
  const total = traffic.reduce((s, [, p]) => s + p, 0);
  if (total === 0) return `Endpoint '${endpoint.name}' sends no traffic to any deployment.`;
  let roll = Math.random() * total;
  for (const [name, pct] of traffic) {
    roll -= pct;
    if (roll < 0)
      return (
        deployments.find((d) => d.name.toLowerCase() === name.toLowerCase()) ??
        `Deployment '${name}' does not exist.`
      );
  }
  return `Endpoint '${endpoint.name}' has no routable deployment.`;
}

/** Code and model of a deployment, downloaded once. */
const deploymentCache = new WeakMap<
  EmulatorContext,
  Map<string, Promise<{ codeDir: string; modelDir: string }>>
>();

function prepareDeployment(
  ctx: EmulatorContext,
  ws: WorkspaceState,
  deployment: ArmResource,
): Promise<{ codeDir: string; modelDir: string }> {
  let cache = deploymentCache.get(ctx);
  if (!cache) deploymentCache.set(ctx, (cache = new Map()));
  const key = deployment.id.toLowerCase();
  let ready = cache.get(key);
  if (!ready) {
    ready = (async () => {
      const work = await jobWorkDir(ctx, `deployment-${deployment.name}`);
      const codeDir = path.join(work, 'code');
      const modelDir = path.join(work, 'model');
      await mkdir(codeDir, { recursive: true });
      await mkdir(modelDir, { recursive: true });
      const props = deployment.properties;
      const code = props.codeConfiguration as Json | undefined;
      if (typeof code?.codeId === 'string') await downloadCode(ctx, ws, code.codeId, codeDir);
      const model =
        typeof props.model === 'string' ? props.model : (props.model as Json | undefined)?.assetId;
      if (typeof model === 'string') await ctx.blob.download(resolveUri(ctx, ws, model), modelDir);
      return { codeDir, modelDir };
    })();
    ready.catch(() => cache?.delete(key));
    cache.set(key, ready);
  }
  return ready;
}

async function scoreOnline(
  ctx: EmulatorContext,
  ws: WorkspaceState,
  endpoint: ArmResource,
  req: EmuRequest,
): Promise<EmuResponse> {
  const deployment = pickDeployment(ctx, endpoint, req);
  if (typeof deployment === 'string') return plain(404, deployment);
  const { codeDir, modelDir } = await prepareDeployment(ctx, ws, deployment);
  const code = (deployment.properties.codeConfiguration ?? {}) as Json;
  const run = await runScoring(ctx, {
    mode: 'online',
    codeDir,
    script: String(code.scoringScript ?? 'score.py'),
    body: req.body.toString('utf8'),
    env: {
      ...process.env,
      ...stringEnv(deployment.properties.environmentVariables),
      AZUREML_MODEL_DIR: modelDir,
    },
  });
  const headers = {
    'content-type': 'application/json',
    'azureml-model-deployment': deployment.name,
    'x-request-id': randomUUID(),
  };
  if (run.exitCode !== 0 || run.result === undefined) {
    return {
      status: 500,
      headers,
      body: JSON.stringify({
        message: 'An unexpected error occurred in scoring script. Check the logs for more info.',
        log: run.log,
      }),
    };
  }
  return { status: 200, headers, body: run.result };
}

async function invokeBatch(
  ctx: EmulatorContext,
  runner: JobRunner,
  ws: WorkspaceState,
  endpoint: ArmResource,
  req: EmuRequest,
): Promise<EmuResponse> {
  let body: Json;
  try {
    body = JSON.parse(req.body.toString('utf8') || '{}') as Json;
  } catch {
    return plain(400, 'The request body is not JSON.');
  }
  const props = (body.properties ?? {}) as Json;
  const inputData = (props.InputData ?? props.inputData ?? {}) as Record<string, Json>;
  if (Object.keys(inputData).length === 0)
    return plain(400, 'properties.InputData: at least one input is required.');
  const deployment = pickDeployment(ctx, endpoint, req);
  if (typeof deployment === 'string') return plain(400, deployment);
  const name = `batchjob-${randomUUID()}`;
  const inputs: Record<string, Json> = {};
  for (const [k, v] of Object.entries(inputData)) {
    const type = String(v.JobInputType ?? v.jobInputType ?? 'UriFolder');
    const uri = v.Uri ?? v.uri;
    if (typeof uri !== 'string' || !uri)
      return plain(400, `properties.InputData.${k}.Uri is required.`);
    inputs[k] = { jobInputType: type.toLowerCase() === 'urifile' ? 'uri_file' : 'uri_folder', uri };
  }
  const outputData = (props.OutputData ?? props.outputData ?? {}) as Record<string, Json>;
  const [outName = 'score', out] = Object.entries(outputData)[0] ?? [];
  const outputUri = String(
    out?.Uri ??
      out?.uri ??
      `azureml://datastores/workspaceblobstore/paths/azureml/${name}/${outName}/`,
  );
  const job: ArmResource = {
    id: jobId(ws, name),
    name,
    type: `${PROVIDER}/workspaces/jobs`,
    properties: {
      jobType: 'Pipeline',
      displayName: name,
      experimentName: endpoint.name,
      description: null,
      status: 'NotStarted',
      isArchived: false,
      computeId: deployment.properties.compute ?? null,
      tags: {},
      properties: {
        'azureml.batchrun': 'true',
        'azureml.endpointname': endpoint.name,
        'azureml.deploymentname': deployment.name,
      },
      inputs,
      outputs: { [outName]: { jobOutputType: 'uri_folder', mode: 'Upload', uri: outputUri } },
      services: { Studio: { jobServiceType: 'Studio', endpoint: studioUrl(ctx, ws, name) } },
    },
    systemData: systemData('batch-endpoint'),
  };
  ctx.store.put(job);
  runner.start(ws, job, async (signal) => {
    const { codeDir, modelDir } = await prepareDeployment(ctx, ws, deployment);
    const work = await jobWorkDir(ctx, name);
    const files: string[] = [];
    for (const [k, input] of Object.entries(inputs)) {
      const got = await ctx.blob.download(
        resolveUri(ctx, ws, String(input.uri)),
        path.join(work, 'inputs', k),
      );
      files.push(...(got.kind === 'file' ? [got.path] : await listFiles(got.path)));
    }
    const outDir = path.join(work, 'output');
    await mkdir(outDir, { recursive: true });
    const dprops = deployment.properties;
    const code = (dprops.codeConfiguration ?? {}) as Json;
    const run = await runScoring(ctx, {
      mode: 'batch',
      codeDir,
      script: String(code.scoringScript ?? 'score.py'),
      files,
      outputAction: String(dprops.outputAction ?? 'AppendRow'),
      outputFile: String(dprops.outputFileName ?? 'predictions.csv'),
      signal,
      env: {
        ...process.env,
        ...stringEnv(dprops.environmentVariables),
        AZUREML_MODEL_DIR: modelDir,
        AZUREML_BI_OUTPUT_PATH: outDir,
      },
    });
    if (run.exitCode === 0) await ctx.blob.upload(outDir, resolveUri(ctx, ws, outputUri));
    return run;
  });
  return {
    status: 200,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(job),
  };
}

async function listFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await listFiles(full)));
    else out.push(full);
  }
  return out.sort();
}
