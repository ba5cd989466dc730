import { createHash, randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { BLOB_OPS, BlobStore, type BlobOp, type BlobResponse } from './blob-store.js';
import { checkBearer, createRuntimeToken } from './token.js';

/*
 * A local fake of the GitHub runner's results services, for tests: the real
 * @actions/artifact (v4 backend) and @actions/cache (service v2) talk to it unmocked.
 *
 *   POST /twirp/github.actions.results.api.v1.ArtifactService/<Method>   (JSON Twirp)
 *   POST /twirp/github.actions.results.api.v1.CacheService/<Method>      (JSON Twirp)
 *   PUT|GET|HEAD /devstoreaccount1/<container>/<blob>?sig=…               (Azure Block Blob)
 *
 * See README.md in this folder for the environment a client process needs.
 */

export { createRuntimeToken } from './token.js';
export type { BlobOp } from './blob-store.js';

const ARTIFACT_SERVICE = 'github.actions.results.api.v1.ArtifactService';
const CACHE_SERVICE = 'github.actions.results.api.v1.CacheService';

export const ARTIFACT_METHODS = [
  'CreateArtifact',
  'FinalizeArtifact',
  'ListArtifacts',
  'GetSignedArtifactURL',
  'DeleteArtifact',
] as const;
export const CACHE_METHODS = [
  'CreateCacheEntry',
  'FinalizeCacheEntryUpload',
  'GetCacheEntryDownloadURL',
] as const;
export type TwirpMethod = (typeof ARTIFACT_METHODS)[number] | (typeof CACHE_METHODS)[number];
/** What `failNext` can target: a Twirp method or a blob operation. */
export type FaultTarget = TwirpMethod | BlobOp;

export interface RecordedRequest {
  /** HTTP method. */
  method: string;
  /** URL path, without the query. */
  path: string;
  /** Query parameters (for blob requests: comp, blockid, the fake SAS fields). */
  query: Record<string, string>;
  kind: 'twirp' | 'blob' | 'other';
  /** Short Twirp service name, e.g. `ArtifactService`. */
  service?: 'ArtifactService' | 'CacheService';
  /** Twirp method name, e.g. `CreateArtifact`. */
  twirpMethod?: string;
  /** Blob operation, e.g. `PutBlock`. */
  blobOp?: BlobOp;
  /** The parsed JSON body of a Twirp request (the raw text when it was not JSON). */
  body?: unknown;
  /** Request headers as received (lower-case names). */
  headers: http.IncomingHttpHeaders;
  /** Request body size in bytes. */
  bytes: number;
  /** Status the fake answered. */
  status: number;
  /** True when the answer came from `failNext`. */
  injected?: boolean;
}

export interface ArtifactRecord {
  id: number;
  name: string;
  /** Size reported at finalize (equal to the blob size; checked). */
  size: number;
  /** `sha256:<hex>` as sent at finalize (checked against the blob). */
  digest?: string;
  createdAt: Date;
  finalized: boolean;
  /** mime_type sent to CreateArtifact. */
  mimeType?: string;
  runBackendId: string;
  jobBackendId: string;
  /** The uploaded bytes (a zip unless uploaded with skipArchive), once committed. */
  blob?: Buffer;
  /** Content type the blob was stored with. */
  blobContentType?: string;
}

export interface CacheEntryRecord {
  id: number;
  key: string;
  version: string;
  /** size_bytes sent at finalize (equal to the blob size; checked). */
  size: number;
  createdAt: Date;
  finalized: boolean;
  /** The archive (tar.zst or tar.gz), once committed. */
  blob?: Buffer;
}

export interface FailOptions {
  /** Twirp `msg` or blob error message. */
  message?: string;
  /** How many consecutive matching requests fail (default 1). */
  times?: number;
}

export interface RunnerServicesOptions {
  runBackendId?: string;
  jobBackendId?: string;
}

export interface RunnerServices {
  /** Origin of the fake, e.g. `http://127.0.0.1:41234`. */
  url: string;
  runBackendId: string;
  jobBackendId: string;
  /** The ACTIONS_RUNTIME_TOKEN the fake accepts (an unsigned JWT). */
  token: string;
  /**
   * ACTIONS_RUNTIME_TOKEN, ACTIONS_RESULTS_URL and ACTIONS_CACHE_SERVICE_V2. GITHUB_WORKSPACE
   * (artifact root / cache working directory) and RUNNER_TEMP (cache archive dir) are the
   * caller's; GITHUB_SERVER_URL must stay unset or github.com.
   */
  env: Readonly<Record<string, string>>;
  /** Every request received, in arrival order. */
  requests: RecordedRequest[];
  /** Recorded Twirp calls, optionally of one method. */
  twirpCalls(method?: TwirpMethod): RecordedRequest[];
  /** Recorded blob requests, optionally of one operation. */
  blobCalls(op?: BlobOp): RecordedRequest[];
  artifacts(): ArtifactRecord[];
  cacheEntries(): CacheEntryRecord[];
  /**
   * Answer the next matching request(s) with `status` (a Twirp JSON error, or an Azure XML
   * error for blob ops). The clients retry 429/5xx for ~30 s: use 4xx for fast failures.
   */
  failNext(target: FaultTarget, status: number, options?: FailOptions): void;
  /** Forget recorded requests (state and pending faults are kept). */
  clearRequests(): void;
  close(): Promise<void>;
}

interface ArtifactState {
  id: number;
  name: string;
  size: number;
  digest?: string;
  createdAt: Date;
  finalized: boolean;
  mimeType?: string;
  runBackendId: string;
  jobBackendId: string;
  blobName: string;
}

interface CacheState {
  id: number;
  seq: number;
  key: string;
  version: string;
  size: number;
  createdAt: Date;
  finalized: boolean;
  blobName: string;
}

class TwirpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const TWIRP_CODES: Record<number, string> = {
  400: 'invalid_argument',
  401: 'unauthenticated',
  403: 'permission_denied',
  404: 'not_found',
  408: 'deadline_exceeded',
  409: 'already_exists',
  412: 'failed_precondition',
  429: 'resource_exhausted',
  500: 'internal',
  501: 'unimplemented',
  503: 'unavailable',
};

const ARTIFACT_CONTAINER = 'actions-results';
const CACHE_CONTAINER = 'actions-cache';

/** Starts the fake on 127.0.0.1 with a random port. */
export async function startRunnerServices(
  options: RunnerServicesOptions = {},
): Promise<RunnerServices> {
  const runBackendId = options.runBackendId ?? randomUUID();
  const jobBackendId = options.jobBackendId ?? randomUUID();
  const token = createRuntimeToken(runBackendId, jobBackendId);

  const requests: RecordedRequest[] = [];
  const faults = new Map<string, { status: number; message?: string; remaining: number }[]>();
  const artifacts: ArtifactState[] = [];
  const cache: CacheState[] = [];
  let nextArtifactId = 1;
  let nextCacheId = 1;
  let seq = 0;
  // Assigned once the server listens.
  let blobs = new BlobStore('http://127.0.0.1');

  function takeFault(target: string): { status: number; message?: string } | undefined {
    const queue = faults.get(target);
    const fault = queue?.[0];
    if (!queue || !fault) return undefined;
    if (--fault.remaining <= 0) queue.shift();
    return fault;
  }

  // ---- ArtifactService -------------------------------------------------------------------

  function checkIds(body: Record<string, unknown>): void {
    const run = str(body, 'workflow_run_backend_id');
    const job = str(body, 'workflow_job_run_backend_id');
    if (!run || !job) {
      throw new TwirpError(400, 'invalid_argument', 'workflow run/job backend ids are required');
    }
    if (run !== runBackendId || job !== jobBackendId) {
      throw new TwirpError(403, 'permission_denied', 'backend ids do not match the token');
    }
  }

  function finalizedArtifact(name: string): ArtifactState {
    const found = artifacts.filter((a) => a.finalized && a.name === name).at(-1);
    if (!found) throw new TwirpError(404, 'not_found', `artifact not found: ${name}`);
    return found;
  }

  function artifactMethod(method: string, body: Record<string, unknown>): unknown {
    checkIds(body);
    switch (method) {
      case 'CreateArtifact': {
        const name = str(body, 'name');
        if (!name) throw new TwirpError(400, 'invalid_argument', 'name is required');
        if (artifacts.some((a) => a.finalized && a.name === name)) {
          throw new TwirpError(
            409,
            'already_exists',
            'an artifact with this name already exists on the workflow run',
          );
        }
        // A pending upload of the same name is replaced.
        for (const stale of artifacts.filter((a) => !a.finalized && a.name === name)) {
          artifacts.splice(artifacts.indexOf(stale), 1);
          blobs.delete(ARTIFACT_CONTAINER, stale.blobName);
        }
        const id = nextArtifactId++;
        const artifact: ArtifactState = {
          id,
          name,
          size: 0,
          createdAt: new Date(),
          finalized: false,
          mimeType: str(body, 'mime_type'),
          runBackendId,
          jobBackendId,
          blobName: `${runBackendId}/${jobBackendId}/artifact-${id}`,
        };
        artifacts.push(artifact);
        return {
          ok: true,
          signed_upload_url: blobs.signedUrl(ARTIFACT_CONTAINER, artifact.blobName, 'cw'),
        };
      }
      case 'FinalizeArtifact': {
        const name = str(body, 'name') ?? '';
        const artifact = artifacts.find((a) => !a.finalized && a.name === name);
        if (!artifact) throw new TwirpError(404, 'not_found', `no pending artifact: ${name}`);
        const blob = blobs.get(ARTIFACT_CONTAINER, artifact.blobName);
        if (!blob) throw new TwirpError(412, 'failed_precondition', 'no blob was uploaded');
        const size = Number(str(body, 'size') ?? NaN);
        if (size !== blob.data.length) {
          throw new TwirpError(
            400,
            'invalid_argument',
            `size ${String(size)} does not match the uploaded ${blob.data.length} bytes`,
          );
        }
        const hash = str(body, 'hash');
        if (hash !== undefined && hash !== `sha256:${sha256(blob.data)}`) {
          throw new TwirpError(400, 'invalid_argument', `hash ${hash} does not match the blob`);
        }
        artifact.size = size;
        artifact.digest = hash;
        artifact.finalized = true;
        return { ok: true, artifact_id: String(artifact.id) };
      }
      case 'ListArtifacts': {
        const nameFilter = str(body, 'name_filter');
        const idFilter = str(body, 'id_filter');
        const listed = artifacts.filter(
          (a) =>
            a.finalized &&
            a.runBackendId === runBackendId &&
            (nameFilter === undefined || a.name === nameFilter) &&
            (idFilter === undefined || String(a.id) === idFilter),
        );
        return {
          artifacts: listed.map((a) => ({
            workflow_run_backend_id: a.runBackendId,
            workflow_job_run_backend_id: a.jobBackendId,
            database_id: String(a.id),
            name: a.name,
            size: String(a.size),
            created_at: a.createdAt.toISOString(),
            ...(a.digest ? { digest: a.digest } : {}),
          })),
        };
      }
      case 'GetSignedArtifactURL': {
        const artifact = finalizedArtifact(str(body, 'name') ?? '');
        const blob = blobs.get(ARTIFACT_CONTAINER, artifact.blobName);
        if (blob) {
          const fileName =
            artifact.mimeType === 'application/zip' ? `${artifact.name}.zip` : artifact.name;
          blob.contentDisposition =
            `attachment; filename="${fileName.replace(/[^\x20-\x7e]|"/g, '_')}"; ` +
            `filename*=UTF-8''${encodeURIComponent(fileName)}`;
        }
        return { signed_url: blobs.signedUrl(ARTIFACT_CONTAINER, artifact.blobName, 'r') };
      }
      case 'DeleteArtifact': {
        const artifact = finalizedArtifact(str(body, 'name') ?? '');
        artifacts.splice(artifacts.indexOf(artifact), 1);
        blobs.delete(ARTIFACT_CONTAINER, artifact.blobName);
        return { ok: true, artifact_id: String(artifact.id) };
      }
      default:
        throw new TwirpError(404, 'bad_route', `no such method: ${ARTIFACT_SERVICE}/${method}`);
    }
  }

  // ---- CacheService ----------------------------------------------------------------------

  function cacheMethod(method: string, body: Record<string, unknown>): unknown {
    const key = str(body, 'key');
    const version = str(body, 'version');
    if (!key || key.length > 512 || key.includes(',')) {
      throw new TwirpError(400, 'invalid_argument', 'key is missing or invalid');
    }
    if (!version) throw new TwirpError(400, 'invalid_argument', 'version is required');
    switch (method) {
      case 'CreateCacheEntry': {
        if (cache.some((e) => e.key === key && e.version === version)) {
          throw new TwirpError(
            409,
            'already_exists',
            'cache entry with the same key, version, and scope already exists',
          );
        }
        const id = nextCacheId++;
        const entry: CacheState = {
          id,
          seq: seq++,
          key,
          version,
          size: 0,
          createdAt: new Date(),
          finalized: false,
          blobName: `cache-${id}`,
        };
        cache.push(entry);
        return {
          ok: true,
          signed_upload_url: blobs.signedUrl(CACHE_CONTAINER, entry.blobName, 'cw'),
        };
      }
      case 'FinalizeCacheEntryUpload': {
        const entry = cache.find((e) => !e.finalized && e.key === key && e.version === version);
        if (!entry) throw new TwirpError(404, 'not_found', `no pending cache entry: ${key}`);
        const blob = blobs.get(CACHE_CONTAINER, entry.blobName);
        if (!blob) throw new TwirpError(412, 'failed_precondition', 'no blob was uploaded');
        const size = Number(str(body, 'size_bytes') ?? NaN);
        if (size !== blob.data.length) {
          throw new TwirpError(
            400,
            'invalid_argument',
            `size_bytes ${String(size)} does not match the uploaded ${blob.data.length} bytes`,
          );
        }
        entry.size = size;
        entry.finalized = true;
        entry.seq = seq++;
        return { ok: true, entry_id: String(entry.id) };
      }
      case 'GetCacheEntryDownloadURL': {
        const candidates = cache
          .filter((e) => e.finalized && e.version === version)
          .sort((a, b) => b.seq - a.seq);
        const restoreKeys = Array.isArray(field(body, 'restore_keys'))
          ? (field(body, 'restore_keys') as unknown[]).filter(
              (k): k is string => typeof k === 'string',
            )
          : [];
        let match = candidates.find((e) => e.key === key);
        for (const prefix of restoreKeys) {
          if (match) break;
          match = candidates.find((e) => e.key.startsWith(prefix));
        }
        if (!match) return { ok: false, signed_download_url: '', matched_key: '' };
        return {
          ok: true,
          signed_download_url: blobs.signedUrl(CACHE_CONTAINER, match.blobName, 'r'),
          matched_key: match.key,
        };
      }
      default:
        throw new TwirpError(404, 'bad_route', `no such method: ${CACHE_SERVICE}/${method}`);
    }
  }

  // ---- HTTP ------------------------------------------------------------------------------

  function handleTwirp(
    req: http.IncomingMessage,
    record: RecordedRequest,
    raw: Buffer,
  ): { status: number; body: unknown } {
    const match = /^\/twirp\/([\w.]+)\/(\w+)$/.exec(record.path);
    const service = match?.[1];
    const method = match?.[2] ?? '';
    record.twirpMethod = method;
    if (service === ARTIFACT_SERVICE) record.service = 'ArtifactService';
    else if (service === CACHE_SERVICE) record.service = 'CacheService';
    const text = raw.toString('utf8');
    try {
      record.body = JSON.parse(text);
    } catch {
      record.body = text;
    }
    try {
      if (!record.service || req.method !== 'POST') {
        throw new TwirpError(404, 'bad_route', `no handler for ${req.method} ${record.path}`);
      }
      const auth = checkBearer(req.headers.authorization, runBackendId, jobBackendId);
      if (!auth.ok) throw new TwirpError(401, 'unauthenticated', auth.reason);
      const fault = takeFault(method);
      if (fault) {
        record.injected = true;
        throw new TwirpError(
          fault.status,
          TWIRP_CODES[fault.status] ?? 'unknown',
          fault.message ?? `injected failure (${fault.status}) for ${method}`,
        );
      }
      if (!String(req.headers['content-type'] ?? '').startsWith('application/json')) {
        throw new TwirpError(404, 'bad_route', 'only application/json is served');
      }
      if (typeof record.body !== 'object' || record.body === null) {
        throw new TwirpError(400, 'malformed', 'the body is not a JSON object');
      }
      const body = record.body as Record<string, unknown>;
      const result =
        record.service === 'ArtifactService'
          ? artifactMethod(method, body)
          : cacheMethod(method, body);
      return { status: 200, body: result };
    } catch (error) {
      if (error instanceof TwirpError) {
        return { status: error.status, body: { code: error.code, msg: error.message } };
      }
      return { status: 500, body: { code: 'internal', msg: String(error) } };
    }
  }

  function handleBlob(
    req: http.IncomingMessage,
    url: URL,
    record: RecordedRequest,
    raw: Buffer,
  ): BlobResponse {
    const op = BlobStore.classify(req.method ?? '', url, req.headers);
    record.blobOp = op;
    const fault = op ? takeFault(op) : undefined;
    if (fault && op) {
      record.injected = true;
      return blobs.error(
        req.headers,
        fault.status,
        fault.status >= 500 ? 'InternalError' : 'InjectedFailure',
        fault.message ?? `injected failure (${fault.status}) for ${op}`,
      );
    }
    return blobs.handle(op, url, req.headers, raw);
  }

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('error', () => res.destroy());
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const record: RecordedRequest = {
        method: req.method ?? '',
        path: url.pathname,
        query: Object.fromEntries(url.searchParams),
        kind: url.pathname.startsWith('/twirp/')
          ? 'twirp'
          : url.pathname.startsWith('/devstoreaccount1/')
            ? 'blob'
            : 'other',
        headers: req.headers,
        bytes: raw.length,
        status: 0,
      };
      requests.push(record);
      if (record.kind === 'blob') {
        const answer = handleBlob(req, url, record, raw);
        record.status = answer.status;
        res.writeHead(answer.status, answer.headers);
        res.end(req.method === 'HEAD' ? undefined : answer.body);
        return;
      }
      const answer =
        record.kind === 'twirp'
          ? handleTwirp(req, record, raw)
          : { status: 404, body: { code: 'bad_route', msg: `no route for ${url.pathname}` } };
      record.status = answer.status;
      const text = JSON.stringify(answer.body);
      res.writeHead(answer.status, {
        'content-type': 'application/json',
        'content-length': String(Buffer.byteLength(text)),
      });
      res.end(text);
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  blobs = new BlobStore(url);

  const knownTargets = new Set<string>([...ARTIFACT_METHODS, ...CACHE_METHODS, ...BLOB_OPS]);

  return {
    url,
    runBackendId,
    jobBackendId,
    token,
    env: Object.freeze({
      ACTIONS_RUNTIME_TOKEN: token,
      ACTIONS_RESULTS_URL: `${url}/`,
      ACTIONS_CACHE_SERVICE_V2: 'true',
    }),
    requests,
    twirpCalls: (method) =>
      requests.filter((r) => r.kind === 'twirp' && (!method || r.twirpMethod === method)),
    blobCalls: (op) => requests.filter((r) => r.kind === 'blob' && (!op || r.blobOp === op)),
    artifacts: () =>
      artifacts.map(({ blobName, ...a }) => {
        const blob = blobs.get(ARTIFACT_CONTAINER, blobName);
        return { ...a, blob: blob?.data, blobContentType: blob?.contentType };
      }),
    cacheEntries: () =>
      cache.map(({ blobName, seq: _seq, ...e }) => ({
        ...e,
        blob: blobs.get(CACHE_CONTAINER, blobName)?.data,
      })),
    failNext(target, status, failOptions = {}) {
      if (!knownTargets.has(target)) throw new Error(`failNext: unknown target ${target}`);
      if (!Number.isInteger(status) || status < 400 || status > 599) {
        throw new Error(`failNext: status must be 4xx or 5xx, got ${status}`);
      }
      let queue = faults.get(target);
      if (!queue) faults.set(target, (queue = []));
      queue.push({ status, message: failOptions.message, remaining: failOptions.times ?? 1 });
    },
    clearRequests: () => void requests.splice(0),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

/** A body field by its proto name or its lowerCamel JSON name, as Twirp JSON accepts both. */
function field(body: Record<string, unknown>, protoName: string): unknown {
  if (protoName in body) return body[protoName];
  return body[protoName.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase())];
}

/** A string (or int64-as-number) field; wrapper types arrive as their bare value. */
function str(body: Record<string, unknown>, protoName: string): string | undefined {
  const value = field(body, protoName);
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  return undefined;
}

function sha256(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}
