import type { BlobService } from './blob.js';
import type { FaultController } from './faults.js';
import type { TokenIssuer } from './identity.js';
import type { LroManager } from './lro.js';
import type { RegistryState, ResourceStore, ScopeState, WorkspaceState } from './state.js';
import type { EmulatedClient, EmuRequest, Json } from './types.js';

/* What every handler can reach: the emulator's parts, and one parsed ARM call. */

export interface EmulatorUrls {
  arm: string;
  login: string;
  blob: string;
  scoring: string;
  oidc: string;
}

export interface EmulatorContext {
  tenantId: string;
  mode: 'in-process' | 'server';
  stepMs: number;
  store: ResourceStore;
  blob: BlobService;
  issuer: TokenIssuer;
  faults: FaultController;
  lro: LroManager;
  workspaces: WorkspaceState[];
  registries: RegistryState[];
  clients?: EmulatedClient[];
  urls: EmulatorUrls;
  /** Root of the temp dirs jobs run in. */
  workRoot: string;
  /** Background executions (jobs, scoring), awaited by close(). */
  running: Set<Promise<unknown>>;
}

export interface ArmCall {
  ctx: EmulatorContext;
  req: EmuRequest;
  /** Origin the request came to: links we emit (nextLink, Location) stay on it. */
  origin: string;
  clientId: string;
  apiVersion: string;
  scope: ScopeState;
  /** Path segments after the workspace/registry name, as sent. */
  rest: string[];
  /** Parsed JSON body ({} when empty). */
  body: Json;
}

export function isWorkspace(scope: ScopeState): scope is WorkspaceState {
  return scope.kind === 'workspace';
}
