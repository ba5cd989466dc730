/*
 * Shapes shared by the emulator's modules: one request/response form for both transports
 * (in-process HttpClient and the TLS servers), and the public option types.
 */

export type Service = 'arm' | 'login' | 'blob' | 'scoring' | 'oidc';

export interface EmulatedWorkspace {
  subscriptionId: string;
  resourceGroup: string;
  name: string;
  /** Default 'westeurope'. */
  location?: string;
}

export interface EmulatedRegistry {
  subscriptionId: string;
  resourceGroup: string;
  name: string;
  location?: string;
}

export interface EmulatedClient {
  clientId: string;
  secret?: string;
  /** Federated credential: the GitHub OIDC subject it trusts; undefined = any subject. */
  subject?: string;
  /** Workspace/registry names it may touch on ARM; undefined = all. */
  scopes?: string[];
}

export interface ArmEmulatorOptions {
  tenantId: string;
  workspaces: EmulatedWorkspace[];
  registries?: EmulatedRegistry[];
  clients?: EmulatedClient[];
  /** 'in-process' (default): only `httpClient`; 'server': also listen with TLS on 127.0.0.1. */
  mode?: 'in-process' | 'server';
  /** Jobs/batch/online executions: how many ms each state is held (default 20). */
  stepMs?: number;
  /** How many polls an LRO answers InProgress before Succeeded (default 1). */
  lroPolls?: number;
}

export interface RecordedRequest {
  service: Service;
  method: string;
  /** Path without the query. */
  path: string;
  apiVersion?: string;
  /** 0 when the connection was reset by a fault. */
  status: number;
  ms: number;
}

/** A request as every handler sees it, whatever transport brought it. */
export interface EmuRequest {
  service: Service;
  method: string;
  url: URL;
  /** Lower-cased names. */
  headers: Record<string, string>;
  body: Buffer;
}

export interface EmuResponse {
  status: number;
  headers: Record<string, string>;
  body?: Buffer | string;
  /** Drop the connection instead of answering (fault 'reset'). */
  reset?: boolean;
}

export type Json = Record<string, unknown>;

export interface SystemData {
  createdAt: string;
  createdBy: string;
  createdByType: string;
  lastModifiedAt: string;
  lastModifiedBy: string;
  lastModifiedByType: string;
}

/** An ARM resource as stored and returned. */
export interface ArmResource {
  id: string;
  name: string;
  type: string;
  properties: Json;
  systemData: SystemData;
  tags?: Record<string, string>;
  location?: string;
  kind?: string;
  identity?: Json;
  sku?: Json;
}
