import { json, notFound } from './arm-errors.js';
import type { ArmCall, EmulatorContext } from './context.js';
import { objectIdOf } from './identity.js';
import { PROVIDER, type WorkspaceState } from './state.js';
import type { ArmResource, EmuResponse } from './types.js';

/* The workspace resource and its one datastore (workspaceblobstore, AzureBlob + account key). */

export const DEFAULT_DATASTORE = 'workspaceblobstore';

export function workspaceResource(ctx: EmulatorContext, ws: WorkspaceState): ArmResource {
  const rgId = `/subscriptions/${ws.subscriptionId}/resourceGroups/${ws.resourceGroup}`;
  return {
    id: ws.id,
    name: ws.name,
    type: `${PROVIDER}/workspaces`,
    location: ws.location,
    tags: {},
    sku: { name: 'Basic', tier: 'Basic' },
    identity: {
      principalId: objectIdOf(`workspace:${ws.id}`),
      tenantId: ctx.tenantId,
      type: 'SystemAssigned',
      userAssignedIdentities: {},
    },
    properties: {
      workspaceId: ws.workspaceGuid,
      friendlyName: ws.name,
      description: '',
      keyVault: `${rgId}/providers/Microsoft.KeyVault/vaults/kv${ws.account.name.slice(5, 20)}`,
      applicationInsights: `${rgId}/providers/microsoft.insights/components/ai${ws.account.name.slice(5)}`,
      containerRegistry: `${rgId}/providers/Microsoft.ContainerRegistry/registries/cr${ws.account.name.slice(5)}`,
      storageAccount: `${rgId}/providers/Microsoft.Storage/storageAccounts/${ws.account.name}`,
      discoveryUrl: `https://${ws.location}.api.azureml.ms/discovery`,
      mlFlowTrackingUri: `azureml://${ws.location}.api.azureml.ms/mlflow/v1.0${ws.id}`,
      provisioningState: 'Succeeded',
      encryption: {
        status: 'Disabled',
        identity: { userAssignedIdentity: '' },
        keyVaultProperties: { keyVaultArmId: '', keyIdentifier: '', identityClientId: '' },
      },
      hbiWorkspace: false,
      serviceProvisionedResourceGroup: `${ws.name}_${ws.workspaceGuid.replace(/-/g, '').slice(0, 16)}`,
      privateLinkCount: 0,
      imageBuildCompute: '',
      allowPublicAccessWhenBehindVnet: false,
      publicNetworkAccess: 'Enabled',
      privateEndpointConnections: [
        {
          id: `${ws.id}/privateEndpointConnections/none`,
          name: 'none',
          type: `${PROVIDER}/workspaces/privateEndpointConnections`,
          properties: {
            provisioningState: 'Succeeded',
            privateEndpoint: { id: `${rgId}/providers/Microsoft.Network/privateEndpoints/none` },
            privateLinkServiceConnectionState: {
              status: 'Approved',
              description: 'Emulated: no private networking.',
              actionsRequired: 'None',
            },
          },
        },
      ],
      sharedPrivateLinkResources: [
        {
          name: 'none',
          properties: {
            privateLinkResourceId: `${rgId}/providers/Microsoft.Storage/storageAccounts/${ws.account.name}/privateLinkResources/blob`,
            groupId: 'blob',
            requestMessage: '',
            status: 'Approved',
          },
        },
      ],
      notebookInfo: {},
      storageHnsEnabled: false,
      v1LegacyMode: false,
    },
    systemData: {
      createdAt: '2024-01-01T00:00:00.000Z',
      createdBy: 'arm-emulator',
      createdByType: 'Application',
      lastModifiedAt: '2024-01-01T00:00:00.000Z',
      lastModifiedBy: 'arm-emulator',
      lastModifiedByType: 'Application',
    },
  };
}

export function datastoreResource(ctx: EmulatorContext, ws: WorkspaceState): ArmResource {
  const endpoint = ctx.blob.serverOrigin ? new URL(ctx.blob.serverOrigin).host : 'core.windows.net';
  return {
    id: `${ws.id}/datastores/${DEFAULT_DATASTORE}`,
    name: DEFAULT_DATASTORE,
    type: `${PROVIDER}/workspaces/datastores`,
    properties: {
      description: null,
      tags: {},
      properties: {},
      isDefault: true,
      credentials: { credentialsType: 'AccountKey' },
      datastoreType: 'AzureBlob',
      accountName: ws.account.name,
      containerName: ws.containerName,
      endpoint,
      protocol: 'https',
      serviceDataAccessAuthIdentity: 'None',
    },
    systemData: workspaceResource(ctx, ws).systemData,
  };
}

export function handleWorkspace(call: ArmCall, ws: WorkspaceState): EmuResponse | undefined {
  const [first, name, action] = call.rest;
  const m = call.req.method;
  if (first === undefined && m === 'GET') return json(200, workspaceResource(call.ctx, ws));
  if (first?.toLowerCase() !== 'datastores') return undefined;
  if (name === undefined && m === 'GET') {
    return json(200, { value: [datastoreResource(call.ctx, ws)] });
  }
  if (name !== undefined && name.toLowerCase() !== DEFAULT_DATASTORE) {
    return notFound('datastore', name);
  }
  if (action === undefined && m === 'GET') return json(200, datastoreResource(call.ctx, ws));
  if (action?.toLowerCase() === 'listsecrets' && m === 'POST') {
    return json(200, { secretsType: 'AccountKey', key: ws.account.key });
  }
  return undefined;
}
