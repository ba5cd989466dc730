import { randomUUID } from 'node:crypto';
import { armError, badRequest, json, notFound } from './arm-errors.js';
import {
  getContainer,
  getVersion,
  listContainers,
  listVersions,
  putContainer,
  upsertVersion,
  versionId,
} from './assets.js';
import { resolveUri, UserError } from './compute.js';
import type { ArmCall } from './context.js';
import { PROVIDER, type RegistryState, type WorkspaceState } from './state.js';
import type { EmuResponse } from './types.js';

/*
 * Registries (api-version 2024-04-01): model containers/versions, where a version PUT is
 * long-running, and startPendingUpload, which hands out a SAS for a fresh container in the
 * registry's storage account. Also the workspace -> registry publish operation.
 */

export function handleRegistry(call: ArmCall, reg: RegistryState): EmuResponse | undefined {
  const [kind, name, versions, version, action] = call.rest;
  const m = call.req.method;
  if (kind === undefined) {
    if (m !== 'GET') return undefined;
    return json(200, {
      id: reg.id,
      name: reg.name,
      type: `${PROVIDER}/registries`,
      location: reg.location,
      tags: {},
      properties: {
        discoveryUrl: `https://${reg.location}.api.azureml.ms/registrymanagement/v1.0/registries/${reg.name}/discovery`,
        mlFlowRegistryUri: `azureml://${reg.location}.api.azureml.ms/mlflow/v1.0${reg.id}`,
        regionDetails: [{ location: reg.location, storageAccountDetails: [] }],
        publicNetworkAccess: 'Enabled',
      },
    });
  }
  if (kind.toLowerCase() !== 'models') return undefined;
  if (name === undefined) return m === 'GET' ? listContainers(call, 'models') : undefined;
  if (versions === undefined) {
    if (m === 'GET') return getContainer(call, 'models', name);
    if (m === 'PUT') return putContainer(call, 'models', name);
    return undefined;
  }
  if (versions.toLowerCase() !== 'versions') return undefined;
  if (version === undefined) return m === 'GET' ? listVersions(call, 'models', name) : undefined;
  if (action !== undefined) {
    if (action.toLowerCase() !== 'startpendingupload' || m !== 'POST') return undefined;
    const type = call.body.pendingUploadType ?? 'TemporaryBlobReference';
    if (type !== 'TemporaryBlobReference') {
      return badRequest(
        'pendingUploadType',
        `'${String(type)}' is not supported: use TemporaryBlobReference.`,
      );
    }
    const uploadId =
      typeof call.body.pendingUploadId === 'string' ? call.body.pendingUploadId : randomUUID();
    const container = `pending-${uploadId.toLowerCase().replace(/[^a-z0-9-]/g, '')}`.slice(0, 63);
    const loc = { account: reg.account.name, container, path: '' };
    const blobUri = `${call.ctx.blob.accountUrl(reg.account.name)}/${container}`;
    return json(200, {
      blobReferenceForConsumption: {
        blobUri,
        storageAccountArmId: `/subscriptions/${reg.subscriptionId}/resourceGroups/${reg.resourceGroup}/providers/Microsoft.Storage/storageAccounts/${reg.account.name}`,
        credential: {
          credentialType: 'SAS',
          sasUri: call.ctx.blob.sasUrl(loc, 'racwdl', 3600_000, 'c'),
        },
      },
      pendingUploadId: uploadId,
      pendingUploadType: 'TemporaryBlobReference',
    });
  }
  if (m === 'GET') {
    call.ctx.lro.touch(versionId(reg, 'models', name, version));
    return getVersion(call, 'models', name, version);
  }
  if (m !== 'PUT') return undefined;
  const { resource, created } = upsertVersion(call, 'models', name, version);
  resource.properties.provisioningState = created ? 'Creating' : 'Updating';
  const fault = call.ctx.faults.take(['lro-failed'], {
    service: 'arm',
    method: 'PUT',
    path: call.req.url.pathname,
  });
  const op = call.ctx.lro.start({
    subscriptionId: reg.subscriptionId,
    location: reg.location,
    apiVersion: call.apiVersion,
    resourceId: resource.id,
    failMessage: fault?.message,
    onSucceeded: () => (resource.properties.provisioningState = 'Succeeded'),
    onFailed: () => (resource.properties.provisioningState = 'Failed'),
  });
  // The service answers 201 with both headers; clients poll Azure-AsyncOperation, then GET.
  return json(created ? 201 : 200, resource, {
    'azure-asyncoperation': call.ctx.lro.statusUrl(call.origin, op),
    location: call.ctx.lro.resultUrl(call.origin, op),
    'retry-after': '0',
  });
}

/** POST .../workspaces/{ws}/models/{n}/versions/{v}/publish: copies a version into a registry. */
export async function publishModel(
  call: ArmCall,
  ws: WorkspaceState,
  name: string,
  version: string,
): Promise<EmuResponse> {
  const source = call.ctx.store.get(versionId(ws, 'models', name, version));
  if (!source) return notFound('model version', `${name}:${version}`);
  const { registryName, destinationName, destinationVersion } = call.body as Record<
    string,
    unknown
  >;
  for (const [field, value] of Object.entries({
    registryName,
    destinationName,
    destinationVersion,
  })) {
    if (typeof value !== 'string' || !value) return badRequest(field, 'is required.');
  }
  const reg = call.ctx.registries.find(
    (r) => r.name.toLowerCase() === String(registryName).toLowerCase(),
  );
  if (!reg) return notFound('registry', String(registryName));
  const destName = String(destinationName);
  const destVersion = String(destinationVersion);
  if (call.ctx.store.get(versionId(reg, 'models', destName, destVersion))) {
    return armError(
      409,
      'UserError',
      `Model ${destName}:${destVersion} already exists in registry '${reg.name}'.`,
    );
  }
  // Copy the files into the registry's storage, so the registry version stands on its own.
  const container = `models-${randomUUID()}`;
  const dest = { account: reg.account.name, container, path: '' };
  const srcUri = source.properties.modelUri;
  if (typeof srcUri === 'string' && srcUri) {
    try {
      const src = resolveUri(call.ctx, ws, srcUri);
      const names = call.ctx.blob.list(src);
      const base = names.includes(src.path)
        ? src.path.slice(0, src.path.lastIndexOf('/') + 1)
        : src.path.replace(/\/?$/, '/');
      for (const blobName of names) {
        const data = call.ctx.blob.get({ ...src, path: blobName });
        if (data) call.ctx.blob.put({ ...dest, path: blobName.slice(base.length) }, data);
      }
    } catch (err) {
      if (!(err instanceof UserError)) throw err;
      return badRequest('modelUri', err.message);
    }
  }
  const regCall: ArmCall = {
    ...call,
    scope: reg,
    body: {
      properties: {
        ...source.properties,
        modelUri: `${call.ctx.blob.accountUrl(reg.account.name)}/${container}/`,
      },
    },
  };
  const { resource } = upsertVersion(regCall, 'models', destName, destVersion);
  resource.properties.provisioningState = 'Succeeded';
  const op = call.ctx.lro.start({
    subscriptionId: ws.subscriptionId,
    location: ws.location,
    apiVersion: call.apiVersion,
    resourceId: `${source.id}/publish`,
    onSucceeded: () => undefined,
    onFailed: () => undefined,
  });
  return json(202, undefined, {
    location: call.ctx.lro.resultUrl(call.origin, op),
    'retry-after': '0',
  });
}
