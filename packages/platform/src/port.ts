/**
 * The platform port: what the flow needs from an ML platform. Stages, actions
 * and the CLI see only this; the local backend (files) and the Azure ML
 * backend (ARM) implement it, and nobody above branches on which one it is.
 */

/** Lifecycle tag of a model version (tag `stage`). */
export type ModelStage = 'candidate' | 'champion' | 'archived';

export interface ModelRef {
  name: string;
  version: number;
}

export interface ModelVersion extends ModelRef {
  /** Identity in this environment: local "<environment>/<name>/<version>", Azure the ARM id. */
  id: string;
  /** ISO time of registration. */
  createdAt: string;
  /** Mutable: stage, git_sha, data_digest, content_digest, run_url, metric values. */
  tags: Record<string, string>;
  /** Immutable once registered: manifest_digest, and for copies the source version's id. */
  properties: Record<string, string>;
  /**
   * Where the version's files are: a folder (local) or the platform's URI of
   * them (Azure ML). Jobs take it as an input; `Registry.download` gives a folder.
   */
  path: string;
}

export interface RegisterRequest {
  name: string;
  /** Folder whose files (recursively) become the version's files; copied, not moved. */
  sourceDir: string;
  /** Digest of those files. A version whose tag content_digest equals it is returned instead. */
  contentDigest: string;
  tags: Record<string, string>;
  properties: Record<string, string>;
}

export interface TagChange extends ModelRef {
  /** A string sets the tag, null removes it. */
  tags: Record<string, string | null>;
}

export interface Registry {
  /** Next integer version; idempotent by content digest (`created: false` for an existing one). */
  register(request: RegisterRequest): Promise<{ version: ModelVersion; created: boolean }>;
  get(ref: ModelRef): Promise<ModelVersion | undefined>;
  /** Versions of a model, oldest first; with `tags`, only those carrying all of them. */
  list(name: string, filter?: { tags?: Record<string, string> }): Promise<ModelVersion[]>;
  /** Names of the models with at least one version, sorted. */
  names(): Promise<string[]>;
  /** Applies tag changes to several versions: all of them or none, never a mix. */
  setTags(changes: readonly TagChange[]): Promise<void>;
  /** A folder on this machine holding the version's files (fetched once, then reused). */
  download(version: ModelVersion): Promise<string>;
}

export interface PipelineDefinition {
  name: string;
  /** The model version the pipeline scores with. */
  model: ModelRef;
  /** The score command line, run in `codeDir`. */
  command: string;
  codeDir: string;
  /** Batch input: a folder holding score.csv (local) or a data URI. */
  input: string;
  /** Where runs write predictions: one sub-folder per run. */
  output: string;
  /** Extra environment of the score command. */
  env: Record<string, string>;
  /** Cron schedule, recorded for the platform's scheduler. */
  schedule?: string;
}

export interface Pipeline extends PipelineDefinition {
  /** Digest of the definition: re-publishing the same definition changes nothing. */
  digest: string;
  /** Incremented on every change. */
  revision: number;
  updatedAt: string;
}

export type RunState = 'queued' | 'running' | 'succeeded' | 'failed' | 'canceled' | 'timed-out';
export const TERMINAL_STATES: readonly RunState[] = [
  'succeeded',
  'failed',
  'canceled',
  'timed-out',
];

export interface PipelineRun {
  id: string;
  pipeline: string;
  model: ModelRef;
  state: RunState;
  startedAt: string;
  endedAt?: string;
  /** Folder (or URI) holding this run's predictions.csv. */
  output: string;
  /** Why it failed, was canceled or timed out. */
  message?: string;
}

export interface Pipelines {
  /** Creates or updates; `changed: false` when the stored definition is the same. */
  createOrUpdate(definition: PipelineDefinition): Promise<{ pipeline: Pipeline; changed: boolean }>;
  get(name: string): Promise<Pipeline | undefined>;
  list(): Promise<Pipeline[]>;
  /** Starts a run over the pipeline's input (or `input`); returns at once. */
  trigger(name: string, options?: { input?: string }): Promise<PipelineRun>;
  getRun(id: string): Promise<PipelineRun | undefined>;
  /** Waits for a terminal state; past `timeoutMs` cancels the run and reports `timed-out`. */
  waitRun(
    id: string,
    options: { timeoutMs: number; onState?: (run: PipelineRun) => void },
  ): Promise<PipelineRun>;
  /** Runs of a pipeline, oldest first. */
  runs(name: string): Promise<PipelineRun[]>;
}

/** A real-time endpoint: one deployment per model version, traffic split between them. */
export interface OnlineDefinition {
  /** Endpoint name, e.g. `<model>-online`. */
  name: string;
  model: ModelRef;
  /** The score command line, run in `codeDir` on each request's rows. */
  command: string;
  codeDir: string;
  env: Record<string, string>;
}

export interface OnlineEndpoint {
  name: string;
  /** Percent of requests by deployment name (absent = 0). */
  traffic: Record<string, number>;
  deployments: { name: string; model: ModelRef }[];
}

export interface OnlineEndpoints {
  /**
   * Creates the endpoint when missing and the model version's deployment
   * (create-or-update); traffic is left as it is, so a new deployment starts at 0 %.
   */
  deploy(
    definition: OnlineDefinition,
  ): Promise<{ endpoint: OnlineEndpoint; deployment: string; changed: boolean }>;
  /** Scores CSV rows (header first, the batch columns) on one deployment: predictions.csv text. */
  invoke(name: string, deployment: string, csv: string): Promise<string>;
  /** Sets the split: percentages over existing deployments that sum to 100. */
  setTraffic(name: string, traffic: Record<string, number>): Promise<OnlineEndpoint>;
  get(name: string): Promise<OnlineEndpoint | undefined>;
}

export interface JobSpec {
  /** Shown in logs and summaries, e.g. "train demand-north-east-large-fast". */
  name: string;
  /** A shell command line, run in `codeDir`. */
  command: string;
  codeDir: string;
  env: Record<string, string>;
  /**
   * What the job reads, by the environment variable that names it: a local
   * folder (uploaded where the job runs) or a model version's `path`.
   */
  inputs: Record<string, string>;
  /** Folder the job's output ends up in (exported as MLOPS_OUTPUT_DIR). */
  outputDir: string;
  /** The model version this job produces or scores, for the platform's lineage. */
  model?: ModelRef;
}

export interface Job {
  id: string;
  name: string;
  state: RunState;
  startedAt: string;
  endedAt?: string;
  outputDir: string;
  /** The job's log, for failures: a file path (local) or a URL. */
  log: string;
  /** Where the platform shows the job (a URL), when it has such a page. */
  url?: string;
  /** Why it failed, was canceled or timed out. */
  message?: string;
}

export interface Jobs {
  /** Starts the job and returns at once. */
  submit(spec: JobSpec): Promise<Job>;
  get(id: string): Promise<Job | undefined>;
  /** Waits for a terminal state; past `timeoutMs` cancels the job and reports `timed-out`. */
  wait(id: string, options: { timeoutMs: number; onState?: (job: Job) => void }): Promise<Job>;
  cancel(id: string): Promise<Job>;
}

export type LedgerKind =
  'register' | 'publish' | 'trigger' | 'promote' | 'skip' | 'force' | 'rollback';

export interface LedgerEntry {
  kind: LedgerKind;
  model?: ModelRef;
  /** Who: the GitHub actor or the local user. */
  actor: string;
  runUrl?: string;
  reason: string;
  /** Anything else worth keeping: both models' metrics, the old champion, … */
  details: Record<string, unknown>;
}

export interface LedgerEvent extends LedgerEntry {
  /** 1, 2, 3, … in append order. */
  seq: number;
  at: string;
  /** Hash of the previous event ("" for the first): tampering breaks the chain. */
  prev: string;
  /** sha256 over this event's other fields and `prev`. */
  hash: string;
}

export interface Ledger {
  append(entry: LedgerEntry): Promise<LedgerEvent>;
  /** Events in order; with `model`, only those about that model name. */
  list(filter?: { model?: string }): Promise<LedgerEvent[]>;
  /** Re-computes the chain; every broken link or edited event is a problem. */
  verify(): Promise<{ ok: boolean; events: number; problems: string[] }>;
}

export interface Platform {
  /** The environment name from mlops.yaml (local, dev, prod, …). */
  environment: string;
  backend: 'local' | 'azureml';
  /** Where the environment's state lives, for messages: a folder or a workspace id. */
  location: string;
  registry: Registry;
  pipelines: Pipelines;
  endpoints: OnlineEndpoints;
  jobs: Jobs;
  ledger: Ledger;
}
