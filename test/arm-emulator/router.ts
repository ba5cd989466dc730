import { setTimeout as delay } from 'node:timers/promises';
import { ArmFailure, armError, badRequest } from './arm-errors.js';
import {
  assetKindOf,
  containerId,
  deleteResource,
  getContainer,
  getVersion,
  listContainers,
  listVersions,
  putContainer,
  putVersionSync,
  versionId,
} from './assets.js';
import type { ArmCall, EmulatorContext } from './context.js';
import { endpointKindOf, handleEndpoints, handleScoring } from './endpoints.js';
import type { EntraService, GithubOidcService } from './identity.js';
import { handleJobs, type JobRunner } from './jobs.js';
import { handleRegistry, publishModel } from './registry.js';
import { PROVIDER, type ScopeState, type WorkspaceState } from './state.js';
import type { EmuRequest, EmuResponse, Json, RecordedRequest } from './types.js';
import { handleWorkspace } from './workspace.js';

/*
 * One entry point for every request, whatever the transport: record it, apply transport
 * faults, then hand it to its service. For ARM: authenticate, find the workspace/registry
 * (case-insensitive, like ARM), authorise the client's scopes, parse the body, dispatch.
 */

export interface Services {
  entra: EntraService;
  oidc: GithubOidcService;
  jobs: JobRunner;
}

export class Router {
  readonly requests: RecordedRequest[] = [];

  constructor(
    private readonly ctx: EmulatorContext,
    private readonly services: Services,
  ) {}

  async handle(req: EmuRequest): Promise<EmuResponse> {
    const started = Date.now();
    const record: RecordedRequest = {
      service: req.service,
      method: req.method,
      path: req.url.pathname,
      apiVersion: req.url.searchParams.get('api-version') ?? undefined,
      status: 0,
      ms: 0,
    };
    this.requests.push(record);
    const res = await this.answer(req);
    record.status = res.reset ? 0 : res.status;
    record.ms = Date.now() - started;
    return res;
  }

  private async answer(req: EmuRequest): Promise<EmuResponse> {
    const { faults } = this.ctx;
    const target = { service: req.service, method: req.method, path: req.url.pathname };
    const latency = faults.take(['latency'], target);
    const extra = (latency?.ms ?? 0) + (req.service === 'arm' ? faults.armLatencyMs : 0);
    if (extra > 0) await delay(extra);
    const injected = faults.take(['status', 'reset'], target);
    if (injected?.kind === 'reset') return { status: 0, headers: {}, reset: true };
    if (injected?.kind === 'status')
      return injectedStatus(req, injected.status, injected.retryAfter, injected.message);
    try {
      switch (req.service) {
        case 'arm':
          return await this.arm(req);
        case 'login':
          return this.services.entra.handle(req);
        case 'oidc':
          return this.services.oidc.handle(req);
        case 'blob':
          return this.ctx.blob.handle(req);
        case 'scoring':
          return await handleScoring(this.ctx, this.services.jobs, req);
      }
    } catch (err) {
      if (err instanceof ArmFailure) return err.response;
      return armError(
        500,
        'InternalServerError',
        `arm-emulator bug: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`,
      );
    }
  }

  private async arm(req: EmuRequest): Promise<EmuResponse> {
    const { ctx } = this;
    const arm = [
      ctx.urls.arm,
      'https://management.azure.com',
      'https://management.core.windows.net',
    ];
    const auth = ctx.issuer.verify(req.headers.authorization, arm);
    if (!auth.ok) {
      return armError(401, auth.code, auth.message, {
        headers: {
          'www-authenticate': `Bearer authorization_uri="${ctx.urls.login}/${ctx.tenantId}", error="invalid_token", error_description="${auth.message.replace(/"/g, "'")}"`,
        },
      });
    }
    const apiVersion = req.url.searchParams.get('api-version');
    if (!apiVersion) {
      return armError(
        400,
        'MissingApiVersionParameter',
        'The api-version query parameter (?api-version=) is required for all requests.',
      );
    }
    const segments = req.url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
    const lower = segments.map((s) => s.toLowerCase());
    // Operation status/results: /subscriptions/{s}/providers/{P}/locations/{l}/mfeOperations{Status,Results}/{id}
    if (
      lower[0] === 'subscriptions' &&
      lower[2] === 'providers' &&
      lower[4] === 'locations' &&
      segments[7]
    ) {
      if (lower[6] === 'mfeoperationsstatus')
        return ctx.lro.poll('status', segments[7], req.url.origin);
      if (lower[6] === 'mfeoperationresults')
        return ctx.lro.poll('result', segments[7], req.url.origin);
    }
    if (
      lower[0] !== 'subscriptions' ||
      lower[2] !== 'resourcegroups' ||
      lower[4] !== 'providers' ||
      lower[5] !== PROVIDER.toLowerCase() ||
      (lower[6] !== 'workspaces' && lower[6] !== 'registries') ||
      !segments[7]
    ) {
      return armError(
        404,
        'InvalidResourceType',
        `The resource type could not be found for path '${req.url.pathname}'.`,
      );
    }
    const [, sub = '', , rg = '', , , type = '', name = ''] = segments;
    const scopes: ScopeState[] = lower[6] === 'workspaces' ? ctx.workspaces : ctx.registries;
    const scope = scopes.find(
      (s) =>
        s.subscriptionId.toLowerCase() === sub.toLowerCase() &&
        s.resourceGroup.toLowerCase() === rg.toLowerCase() &&
        s.name.toLowerCase() === name.toLowerCase(),
    );
    if (!scope) {
      return armError(
        404,
        'ResourceNotFound',
        `The Resource '${PROVIDER}/${type}/${name}' under resource group '${rg}' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix`,
      );
    }
    const rest = segments.slice(8);
    const client = ctx.clients?.find((c) => c.clientId === auth.claims.appid);
    if (
      client?.scopes &&
      !client.scopes.some((s) => s.toLowerCase() === scope.name.toLowerCase())
    ) {
      const action = `${PROVIDER}/${lower[6]}/${actionOf(req.method, rest)}`;
      return armError(
        403,
        'AuthorizationFailed',
        `The client '${auth.claims.appid}' with object id '${auth.claims.oid}' does not have authorization to perform action '${action}' over scope '${scope.id}${rest.length ? `/${rest.join('/')}` : ''}' or the scope is invalid. If access was recently granted, please refresh your credentials.`,
      );
    }
    let body: Json = {};
    const text = req.body.toString('utf8').trim();
    if (text) {
      try {
        const parsed: unknown = JSON.parse(text);
        if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
          return badRequest('body', 'must be a JSON object.');
        body = parsed as Json;
      } catch {
        return badRequest('body', 'is not valid JSON.');
      }
    }
    const call: ArmCall = {
      ctx,
      req,
      origin: req.url.origin,
      clientId: auth.claims.appid,
      apiVersion,
      scope,
      rest,
      body,
    };
    const res =
      scope.kind === 'registry' ? handleRegistry(call, scope) : await this.workspace(call, scope);
    return (
      res ??
      armError(
        404,
        'NoRegisteredProviderFound',
        `No route for ${req.method} ${req.url.pathname} in the emulator (api-version ${apiVersion}).`,
      )
    );
  }

  private async workspace(call: ArmCall, ws: WorkspaceState): Promise<EmuResponse | undefined> {
    const [first, name, versions, version, action] = call.rest;
    const m = call.req.method;
    const kind = assetKindOf(first);
    if (kind) {
      if (name === undefined) return m === 'GET' ? listContainers(call, kind) : undefined;
      if (versions === undefined) {
        if (m === 'GET') return getContainer(call, kind, name);
        if (m === 'PUT') return putContainer(call, kind, name);
        if (m === 'DELETE') return deleteResource(call, containerId(ws, kind, name));
        return undefined;
      }
      if (versions.toLowerCase() !== 'versions') return undefined;
      if (version === undefined) return m === 'GET' ? listVersions(call, kind, name) : undefined;
      if (action !== undefined) {
        if (kind === 'models' && action.toLowerCase() === 'publish' && m === 'POST')
          return publishModel(call, ws, name, version);
        return undefined;
      }
      if (m === 'GET') return getVersion(call, kind, name, version);
      if (m === 'PUT') return putVersionSync(call, kind, name, version);
      if (m === 'DELETE') return deleteResource(call, versionId(ws, kind, name, version));
      return undefined;
    }
    const lower = first?.toLowerCase();
    if (lower === 'jobs') return handleJobs(call, ws, this.services.jobs);
    const endpointKind = endpointKindOf(first);
    if (endpointKind) return handleEndpoints(call, ws, endpointKind);
    return handleWorkspace(call, ws);
  }
}

/** `models/versions/write`, `datastores/listSecrets/action`, `read` for the workspace itself. */
function actionOf(method: string, rest: string[]): string {
  const types = rest.filter((_, i) => i % 2 === 0);
  const isAction = method === 'POST' && rest.length % 2 === 1;
  const verb = isAction
    ? 'action'
    : method === 'GET' || method === 'HEAD'
      ? 'read'
      : method === 'DELETE'
        ? 'delete'
        : 'write';
  return [...types, verb].join('/');
}

function injectedStatus(
  req: EmuRequest,
  status: number,
  retryAfter?: number,
  message?: string,
): EmuResponse {
  const headers: Record<string, string> = {};
  if (retryAfter !== undefined) headers['retry-after'] = String(retryAfter);
  if (status === 429 && retryAfter !== undefined) {
    const kind = req.method === 'GET' || req.method === 'HEAD' ? 'reads' : 'writes';
    headers[`x-ms-ratelimit-remaining-subscription-${kind}`] = '0';
  }
  const code =
    status === 429
      ? 'TooManyRequests'
      : status === 503
        ? 'ServiceUnavailable'
        : status >= 500
          ? 'InternalServerError'
          : 'InjectedFault';
  const text =
    message ??
    (status === 429
      ? 'The request is being throttled as the limit has been reached for operation type. Please retry after the time given in the Retry-After header.'
      : `Injected fault: status ${status}.`);
  if (req.service === 'blob') {
    const body = `<?xml version="1.0" encoding="utf-8"?><Error><Code>${code}</Code><Message>${text}</Message></Error>`;
    return {
      status,
      headers: { ...headers, 'content-type': 'application/xml', 'x-ms-error-code': code },
      body,
    };
  }
  return armError(status, code, text, { headers });
}
