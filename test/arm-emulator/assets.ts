import { ArmFailure, armError, badRequest, json, notFound } from './arm-errors.js';
import { isWorkspace, type ArmCall } from './context.js';
import { PROVIDER, systemData, type ScopeState } from './state.js';
import type { ArmResource, EmuResponse, Json } from './types.js';

/*
 * Asset containers and versions (models, data, codes, environments), shared by workspaces
 * and registries. Versions are write-once except tags, description and isArchived; a
 * version PUT creates its container when missing, as the service does.
 */

export const ASSET_KINDS = ['models', 'data', 'codes', 'environments'] as const;
export type AssetKind = (typeof ASSET_KINDS)[number];

/** Fields of a version that a later PUT may not change. */
const IMMUTABLE: Record<AssetKind, string[]> = {
  models: ['properties', 'modelUri', 'modelType'],
  data: ['properties', 'dataUri', 'dataType'],
  codes: ['properties', 'codeUri'],
  environments: ['properties', 'image', 'condaFile', 'build'],
};

const PAGE_SIZE = 10;

export function assetKindOf(segment: string | undefined): AssetKind | undefined {
  const lower = segment?.toLowerCase();
  return ASSET_KINDS.find((k) => k === lower);
}

function scopeType(scope: ScopeState): string {
  return `${PROVIDER}/${isWorkspaceScope(scope) ? 'workspaces' : 'registries'}`;
}

function isWorkspaceScope(scope: ScopeState): boolean {
  return scope.kind === 'workspace';
}

export function containerId(scope: ScopeState, kind: AssetKind, name: string): string {
  return `${scope.id}/${kind}/${name}`;
}

export function versionId(
  scope: ScopeState,
  kind: AssetKind,
  name: string,
  version: string,
): string {
  return `${containerId(scope, kind, name)}/versions/${version}`;
}

/** Adds the read-only fields computed from the versions. */
function decorateContainer(
  call: Pick<ArmCall, 'ctx'>,
  res: ArmResource,
  kind: AssetKind,
): ArmResource {
  if (kind !== 'models' && kind !== 'data') return res;
  const versions = call.ctx.store.children(res.id, 'versions');
  const numeric = versions.map((v) => Number(v.name)).filter((n) => Number.isInteger(n));
  const latest = versions.at(-1)?.name;
  const properties: Json = { ...res.properties };
  if (latest !== undefined) properties.latestVersion = latest;
  properties.nextVersion = String(numeric.length ? Math.max(...numeric) + 1 : 1);
  return { ...res, properties };
}

function validName(field: string, value: string): void {
  if (!/^[a-zA-Z0-9][a-zA-Z0-9._-]{0,254}$/.test(value)) {
    throw new ArmFailure(
      badRequest(
        field,
        `'${value}' is not a valid name: use letters, digits, '.', '_' and '-', starting with a letter or digit.`,
      ),
    );
  }
}

function propertiesOf(body: Json): Json {
  const properties = body.properties;
  if (properties === undefined || properties === null) return {};
  if (typeof properties !== 'object' || Array.isArray(properties)) {
    throw new ArmFailure(badRequest('properties', 'must be an object.'));
  }
  return properties as Json;
}

function stringMap(field: string, value: unknown): Record<string, string> {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new ArmFailure(badRequest(field, 'must be an object of strings.'));
  }
  return Object.fromEntries(Object.entries(value as Json).map(([k, v]) => [k, String(v)]));
}

export function putContainer(call: ArmCall, kind: AssetKind, name: string): EmuResponse {
  validName('name', name);
  const id = containerId(call.scope, kind, name);
  const existing = call.ctx.store.get(id);
  const props = propertiesOf(call.body);
  const resource: ArmResource = {
    id,
    name: existing?.name ?? name,
    type: `${scopeType(call.scope)}/${kind}`,
    properties: {
      ...props,
      description: props.description ?? existing?.properties.description ?? null,
      tags: stringMap('properties.tags', props.tags),
      properties: stringMap('properties.properties', props.properties),
      isArchived: props.isArchived === true,
      ...(isWorkspaceScope(call.scope) ? {} : { provisioningState: 'Succeeded' }),
    },
    systemData: systemData(call.clientId, existing?.systemData),
  };
  call.ctx.store.put(resource);
  return json(existing ? 200 : 201, decorateContainer(call, resource, kind));
}

/** Creates or updates a version; the caller decides how to answer (sync or LRO). */
export function upsertVersion(
  call: ArmCall,
  kind: AssetKind,
  name: string,
  version: string,
): { resource: ArmResource; created: boolean } {
  validName('name', name);
  validName('version', version);
  const { store } = call.ctx;
  const props = propertiesOf(call.body);
  validateVersion(kind, props);
  const cid = containerId(call.scope, kind, name);
  if (!store.get(cid)) {
    store.put({
      id: cid,
      name,
      type: `${scopeType(call.scope)}/${kind}`,
      properties: { description: null, tags: {}, properties: {}, isArchived: false },
      systemData: systemData(call.clientId),
    });
  }
  const id = versionId(call.scope, kind, name, version);
  const existing = store.get(id);
  const next: Json = {
    ...props,
    description: props.description ?? null,
    tags: stringMap('properties.tags', props.tags),
    properties: stringMap('properties.properties', props.properties),
    isArchived: props.isArchived === true,
    isAnonymous: props.isAnonymous === true,
  };
  if (kind === 'models' && next.modelType === undefined) next.modelType = 'custom_model';
  if (kind === 'environments') next.environmentType = 'UserCreated';
  if (!isWorkspaceScope(call.scope)) next.provisioningState = 'Succeeded';
  if (existing) {
    for (const field of IMMUTABLE[kind]) {
      if (
        field in props &&
        stable(existing.properties[field] ?? {}) !== stable(next[field] ?? {})
      ) {
        throw new ArmFailure(
          armError(
            409,
            'UserError',
            `The ${field} of ${kind} '${name}' version '${version}' is immutable and cannot be changed: only tags, description and isArchived can be updated.`,
            { details: [{ code: 'Conflict', message: `${field} is immutable`, target: field }] },
          ),
        );
      }
    }
  }
  const resource: ArmResource = {
    id,
    name: existing?.name ?? version,
    type: `${scopeType(call.scope)}/${kind}/versions`,
    properties: existing
      ? { ...existing.properties, ...pick(next, ['tags', 'description', 'isArchived']) }
      : next,
    systemData: systemData(call.clientId, existing?.systemData),
  };
  store.put(resource);
  return { resource, created: !existing };
}

function validateVersion(kind: AssetKind, props: Json): void {
  const str = (field: string, required: boolean): void => {
    const value = props[field];
    if (value === undefined || value === null) {
      if (required) throw new ArmFailure(badRequest(`properties.${field}`, 'is required.'));
      return;
    }
    if (typeof value !== 'string' || value === '') {
      throw new ArmFailure(badRequest(`properties.${field}`, 'must be a non-empty string.'));
    }
  };
  if (kind === 'models') str('modelUri', false);
  if (kind === 'data') {
    str('dataUri', true);
    str('dataType', true);
    if (!['uri_file', 'uri_folder', 'mltable'].includes(String(props.dataType))) {
      throw new ArmFailure(
        badRequest(
          'properties.dataType',
          `'${String(props.dataType)}' is not one of uri_file, uri_folder, mltable.`,
        ),
      );
    }
  }
  if (kind === 'codes') str('codeUri', false);
  if (kind === 'environments' && props.image === undefined && props.build === undefined) {
    throw new ArmFailure(
      badRequest('properties.image', 'an environment needs an image or a build.'),
    );
  }
}

export function putVersionSync(
  call: ArmCall,
  kind: AssetKind,
  name: string,
  version: string,
): EmuResponse {
  const { resource, created } = upsertVersion(call, kind, name, version);
  return json(created ? 201 : 200, resource);
}

export function getContainer(call: ArmCall, kind: AssetKind, name: string): EmuResponse {
  const res = call.ctx.store.get(containerId(call.scope, kind, name));
  if (!res) return notFound(`${kind} container`, name);
  return json(200, decorateContainer(call, res, kind));
}

export function getVersion(
  call: ArmCall,
  kind: AssetKind,
  name: string,
  version: string,
): EmuResponse {
  const res = call.ctx.store.get(versionId(call.scope, kind, name, version));
  if (!res) return notFound(`${kind} version`, `${name}:${version}`);
  return json(200, res);
}

export function deleteResource(call: ArmCall, id: string): EmuResponse {
  const existed = call.ctx.store.delete(id);
  return json(existed ? 200 : 204, undefined);
}

export function listContainers(call: ArmCall, kind: AssetKind): EmuResponse {
  const items = call.ctx.store
    .children(call.scope.id, kind)
    .map((r) => decorateContainer(call, r, kind));
  return page(call, filterArchived(call, items));
}

export function listVersions(call: ArmCall, kind: AssetKind, name: string): EmuResponse {
  const { store } = call.ctx;
  const q = call.req.url.searchParams;
  let items = filterArchived(call, store.children(containerId(call.scope, kind, name), 'versions'));
  // Model versions take `tags`, data versions `$tags` (as the 2022-10-01 spec names them).
  const tags = q.get('tags') ?? q.get('$tags');
  if (tags) items = items.filter((r) => matchesFilter(r.properties.tags, tags));
  const properties = q.get('properties');
  if (properties) items = items.filter((r) => matchesFilter(r.properties.properties, properties));
  const version = q.get('version');
  if (version) items = items.filter((r) => r.name === version);
  const order = (q.get('$orderBy') ?? q.get('$orderby') ?? '').trim().toLowerCase();
  if (order) {
    const [field, dir = 'asc'] = order.split(/\s+/);
    if (field !== 'createdtime' && field !== 'createdat') {
      return badRequest(
        '$orderBy',
        `'${order}' is not supported: use 'createdtime desc' or 'createdtime asc'.`,
      );
    }
    items = [...items].sort((a, b) => store.seqOf(a.id) - store.seqOf(b.id));
    if (dir === 'desc') items.reverse();
  }
  return page(call, items);
}

function filterArchived(call: ArmCall, items: ArmResource[]): ArmResource[] {
  const view = (call.req.url.searchParams.get('listViewType') ?? 'ActiveOnly').toLowerCase();
  if (view === 'all') return items;
  const archived = view === 'archivedonly';
  return items.filter((r) => (r.properties.isArchived === true) === archived);
}

/** `k1,k2=v2`: every listed key present, and equal where a value is given. */
export function matchesFilter(map: unknown, filter: string): boolean {
  const values = (typeof map === 'object' && map !== null ? map : {}) as Record<string, unknown>;
  return filter
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean)
    .every((part) => {
      const eq = part.indexOf('=');
      if (eq < 0) return part in values;
      return (
        String(values[part.slice(0, eq)]) === part.slice(eq + 1) && part.slice(0, eq) in values
      );
    });
}

/**
 * One page of a list: `$skip` is the offset token; `$top` caps the total across pages.
 * nextLink stays on the origin the request came to.
 */
export function page(call: Pick<ArmCall, 'req' | 'origin'>, items: unknown[]): EmuResponse {
  const q = call.req.url.searchParams;
  const skip = Number(q.get('$skip') ?? '0') || 0;
  const topRaw = q.get('$top');
  const top = topRaw === null ? Infinity : Number(topRaw);
  if (!(top >= 0)) return badRequest('$top', `'${topRaw}' is not a non-negative integer.`);
  const end = Math.min(items.length, top, skip + PAGE_SIZE);
  const value = items.slice(skip, end);
  const body: Json = { value };
  if (end < Math.min(items.length, top)) {
    const next = new URL(`${call.origin}${call.req.url.pathname}${call.req.url.search}`);
    next.searchParams.set('$skip', String(end));
    body.nextLink = next.toString();
  }
  return json(200, body);
}

function pick(obj: Json, keys: string[]): Json {
  return Object.fromEntries(keys.filter((k) => k in obj).map((k) => [k, obj[k]]));
}

/** JSON with sorted keys, to compare bodies regardless of key order. */
export function stable(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stable).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${stable((value as Json)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** The asset an `azureml:<name>:<version>` or ARM id reference names, if it exists. */
export function findAsset(call: Pick<ArmCall, 'ctx'>, ref: string): ArmResource | undefined {
  const id = ref.replace(/^azureml:/, '');
  if (id.startsWith('/')) return call.ctx.store.get(id);
  return undefined;
}

export { isWorkspace };
