import { randomUUID } from 'node:crypto';
import type { BlobLocation, StorageAccount } from './blob.js';
import type { ArmResource, EmulatedRegistry, EmulatedWorkspace, SystemData } from './types.js';

/*
 * The emulator's state: ARM resources in one map keyed by lower-cased id (ARM ids are
 * case-insensitive), plus the workspaces and registries given at start and their storage.
 */

export const PROVIDER = 'Microsoft.MachineLearningServices';

export interface WorkspaceState extends Required<EmulatedWorkspace> {
  kind: 'workspace';
  /** `/subscriptions/{s}/resourceGroups/{rg}/providers/Microsoft.MachineLearningServices/workspaces/{ws}` */
  id: string;
  account: StorageAccount;
  /** The default datastore's container (`azureml-blobstore-<uuid>`). */
  containerName: string;
  workspaceGuid: string;
}

export interface RegistryState extends Required<EmulatedRegistry> {
  kind: 'registry';
  id: string;
  account: StorageAccount;
  containerName: string;
}

export type ScopeState = WorkspaceState | RegistryState;

export function workspaceId(ws: EmulatedWorkspace): string {
  return `/subscriptions/${ws.subscriptionId}/resourceGroups/${ws.resourceGroup}/providers/${PROVIDER}/workspaces/${ws.name}`;
}

export function registryId(r: EmulatedRegistry): string {
  return `/subscriptions/${r.subscriptionId}/resourceGroups/${r.resourceGroup}/providers/${PROVIDER}/registries/${r.name}`;
}

/** Storage account names are 3-24 lower-case alphanumerics. */
export function accountNameFor(prefix: string, name: string): string {
  return `${prefix}${name.toLowerCase().replace(/[^a-z0-9]/g, '')}`.slice(0, 24);
}

export function defaultStore(ws: WorkspaceState, p: string): BlobLocation {
  return { account: ws.account.name, container: ws.containerName, path: p };
}

export function systemData(clientId: string, previous?: SystemData): SystemData {
  const now = new Date().toISOString();
  return {
    createdAt: previous?.createdAt ?? now,
    createdBy: previous?.createdBy ?? clientId,
    createdByType: previous?.createdByType ?? 'Application',
    lastModifiedAt: now,
    lastModifiedBy: clientId,
    lastModifiedByType: 'Application',
  };
}

export class ResourceStore {
  private readonly items = new Map<string, { resource: ArmResource; seq: number }>();
  private seq = 0;

  get(id: string): ArmResource | undefined {
    return this.items.get(id.toLowerCase())?.resource;
  }

  put(resource: ArmResource): void {
    const key = resource.id.toLowerCase();
    const seq = this.items.get(key)?.seq ?? ++this.seq;
    this.items.set(key, { resource, seq });
  }

  delete(id: string): boolean {
    const key = id.toLowerCase();
    const had = this.items.delete(key);
    // Children go with their parent (a container takes its versions, an endpoint its deployments).
    for (const k of [...this.items.keys()]) if (k.startsWith(`${key}/`)) this.items.delete(k);
    return had;
  }

  /** Direct children `${parentId}/${segment}/{name}`, in creation order. */
  children(parentId: string, segment: string): ArmResource[] {
    const head = `${parentId}/${segment}/`.toLowerCase();
    return [...this.items.entries()]
      .filter(([k]) => k.startsWith(head) && !k.slice(head.length).includes('/'))
      .sort((a, b) => a[1].seq - b[1].seq)
      .map(([, v]) => v.resource);
  }

  /** Creation order, for `createdtime` sorting when timestamps tie. */
  seqOf(id: string): number {
    return this.items.get(id.toLowerCase())?.seq ?? 0;
  }
}

export function newGuid(): string {
  return randomUUID();
}
