export const id = 47;
export const ids = [47];
export const modules = {

/***/ 82047:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {


// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  openAzurePlatform: () => (/* reexport */ openAzurePlatform),
  signIn: () => (/* reexport */ signIn)
});

// UNUSED EXPORTS: FEDERATION_AUDIENCE, LEDGER_ASSET, endpointName

// EXTERNAL MODULE: external "node:path"
var external_node_path_ = __webpack_require__(76760);
var external_node_path_default = /*#__PURE__*/__webpack_require__.n(external_node_path_);
// EXTERNAL MODULE: ./node_modules/@azure/core-rest-pipeline/dist/esm/index.js + 80 modules
var esm = __webpack_require__(30869);
// EXTERNAL MODULE: ./node_modules/@azure/arm-machinelearning/dist/index.js
var dist = __webpack_require__(34789);
// EXTERNAL MODULE: ./packages/foundation/src/errors.ts
var errors = __webpack_require__(208);
;// CONCATENATED MODULE: ./packages/platform/src/azureml/errors.ts

/** Signed URLs, keys and tokens never reach a log or a message. */
function redact(text) {
    return text
        .replace(/([?&](?:sig|se|skoid|sktid|st)=)[^&\s"']+/gi, '$1REDACTED')
        .replace(/(Bearer|SharedKey)\s+[^\s"']+/gi, '$1 REDACTED')
        .replace(/(AccountKey=)[^;\s"']+/gi, '$1REDACTED');
}
/**
 * One line for a failed Azure call: what we were doing, and for the errors a
 * person can fix (sign-in, role, wrong coordinates) what to do.
 */
function azureProblem(error, doing, scope) {
    if ((0,errors/* isConfigurationError */.p0)(error))
        return error;
    const rest = error;
    const detail = redact(firstLine((0,errors/* messageOf */.bD)(error)));
    const who = scope.clientId ? `identity ${scope.clientId}` : 'the signed-in identity';
    if (rest.statusCode === 403 || rest.code === 'AuthorizationFailed')
        return new errors/* ConfigurationError */.j1(`${scope.subject}: ${who} has no access to ${scope.workspace} (${doing}): give it the "AzureML Data Scientist" role on the workspace`);
    if (rest.statusCode === 401)
        return new errors/* ConfigurationError */.j1(`${scope.subject}: Azure did not accept the sign-in of ${who} (${detail}): check tenant-id and client-id`);
    if (rest.statusCode === 404 && /workspace/i.test(`${rest.code} ${detail}`))
        return new errors/* ConfigurationError */.j1(`${scope.subject}: ${scope.workspace} does not exist: check subscription-id, resource-group and workspace in mlops.yaml`);
    const code = rest.code && !detail.includes(rest.code) ? `${rest.code}: ` : '';
    return new Error(`${doing} in ${scope.workspace} failed: ${code}${detail}`);
}
/** A failed HTTP answer as the error the SDK would throw: status, and ARM's code and message. */
function httpFailure(status, text) {
    let error;
    try {
        error = JSON.parse(text).error;
    }
    catch {
        error = undefined;
    }
    return Object.assign(new Error(error?.message ?? (text || `HTTP ${status}`)), {
        statusCode: status,
        code: error?.code,
    });
}
function firstLine(text) {
    return (text.split('\n').find((line) => line.trim()) ?? text).trim();
}
/** RestError's status, for the calls where "not there" is an answer. */
function isNotFound(error) {
    return error.statusCode === 404;
}
function isConflict(error) {
    return error.statusCode === 409;
}

// EXTERNAL MODULE: external "node:fs/promises"
var promises_ = __webpack_require__(51455);
// EXTERNAL MODULE: ./node_modules/@azure/storage-blob/dist/esm/index.js + 153 modules
var dist_esm = __webpack_require__(70728);
// EXTERNAL MODULE: ./node_modules/p-limit/index.js + 1 modules
var p_limit = __webpack_require__(70370);
;// CONCATENATED MODULE: ./packages/foundation/src/parallel.ts

/**
 * Maps with at most `concurrency` calls in flight. Results keep input order;
 * a rejection in one call does not stop the others (callers catch per item).
 */
async function mapLimit(items, concurrency, fn) {
    const limit = (0,p_limit/* default */.A)(Math.max(1, Math.floor(concurrency)));
    return Promise.all(items.map((item, index) => limit(() => fn(item, index))));
}

;// CONCATENATED MODULE: ./packages/platform/src/azureml/storage.ts




const TRANSFERS = 8;
/**
 * The workspace's default datastore: where model files, code snapshots and
 * job inputs are uploaded (content-addressed, so nothing is uploaded twice)
 * and where job outputs and logs are read back.
 */
class Storage {
    container;
    datastore;
    context;
    constructor(container, datastore, context) {
        this.container = container;
        this.datastore = datastore;
        this.context = context;
    }
    /** `azureml://` URI of a path in this datastore, as models and job inputs name it. */
    uri(blobPath) {
        const { subscriptionId, resourceGroup, workspace } = this.context.options;
        return `azureml://subscriptions/${subscriptionId}/resourcegroups/${resourceGroup}/workspaces/${workspace}/datastores/${this.datastore}/paths/${blobPath}`;
    }
    /** The path in this datastore an `azureml://` URI names, or undefined for another store. */
    pathOf(uri) {
        const match = /^azureml:\/\/(?:.*\/)?datastores\/([^/]+)\/paths\/(.*)$/i.exec(uri);
        return match && match[1] === this.datastore ? match[2] : undefined;
    }
    /** Uploads the files under `prefix`, skipping those already there (same path and size). */
    async upload(prefix, files) {
        const base = prefix.replace(/\/*$/, '/');
        const present = await this.sizes(base);
        const missing = [];
        for (const file of files) {
            const size = typeof file.source === 'string' ? (await (0,promises_.stat)(file.source)).size : file.source.length;
            if (present.get(`${base}${file.path}`) !== size)
                missing.push({ file, size });
        }
        await mapLimit(missing, TRANSFERS, async ({ file }) => {
            const blob = this.container.getBlockBlobClient(`${base}${file.path}`);
            await this.context.call(`uploading ${file.path}`, () => typeof file.source === 'string'
                ? blob.uploadFile(file.source)
                : blob.uploadData(file.source));
        });
        return { uploaded: missing.length };
    }
    /** Downloads every blob under `prefix` into `dir`, keeping the relative paths. */
    async download(prefix, dir) {
        const base = prefix.replace(/\/*$/, '/');
        const names = [...(await this.sizes(base)).keys()];
        await mapLimit(names, TRANSFERS, async (name) => {
            const target = external_node_path_default().join(dir, ...name.slice(base.length).split('/'));
            if (!target.startsWith(external_node_path_default().resolve(dir) + (external_node_path_default()).sep))
                return;
            await (0,promises_.mkdir)(external_node_path_default().dirname(target), { recursive: true });
            await this.context.call(`downloading ${name}`, () => this.container.getBlobClient(name).downloadToFile(target));
        });
        return names.length;
    }
    /** A text blob, or undefined when it does not exist. */
    async readText(blobPath) {
        const blob = this.container.getBlobClient(blobPath);
        if (!(await blob.exists()))
            return undefined;
        return (await blob.downloadToBuffer()).toString('utf8');
    }
    async sizes(prefix) {
        return this.context.call(`listing ${prefix}`, async () => {
            const found = new Map();
            for await (const item of this.container.listBlobsFlat({ prefix }))
                found.set(item.name, item.properties.contentLength ?? -1);
            return found;
        });
    }
}
/** Reads the default datastore and opens its container with the datastore's credential. */
async function openStorage(context) {
    const { client, rg, ws } = context;
    const datastore = await context.call('reading the default datastore', async () => {
        for await (const store of client.datastores.list(rg, ws, { isDefault: true }))
            return store;
        return client.datastores.get(rg, ws, 'workspaceblobstore');
    });
    const props = datastore.properties;
    if (props.datastoreType !== 'AzureBlob' || !props.accountName || !props.containerName)
        throw new Error(`the default datastore ${datastore.name} of ${context.scope.workspace} is ${props.datastoreType}, not Azure Blob storage`);
    const name = datastore.name ?? 'workspaceblobstore';
    const account = props.accountName;
    const endpoint = props.endpoint ?? 'core.windows.net';
    const protocol = props.protocol ?? 'https';
    // An address with a port (an emulator, Azure Stack) is addressed path-style.
    const url = /[:]|^\d+\.\d+\.\d+\.\d+$/.test(endpoint)
        ? `${protocol}://${endpoint}/${account}`
        : `${protocol}://${account}.blob.${endpoint}`;
    const credential = await storageCredential(context, name, account, props.credentials?.credentialsType);
    const service = typeof credential === 'string'
        ? new dist_esm/* BlobServiceClient */.wS(`${url}?${credential}`, new dist_esm/* AnonymousCredential */.tv(), pipelineOptions(context))
        : new dist_esm/* BlobServiceClient */.wS(url, credential, pipelineOptions(context));
    return new Storage(service.getContainerClient(props.containerName), name, context);
}
function pipelineOptions(context) {
    const { storageHttpClient } = context.options;
    return storageHttpClient ? { httpClient: storageHttpClient } : {};
}
/** Account key, SAS (as a query string) or, for identity-based datastores, our own token. */
async function storageCredential(context, datastore, account, type) {
    if (type !== 'AccountKey' && type !== 'Sas')
        return context.options.credential;
    const secrets = (await context.call(`reading the secrets of datastore ${datastore}`, () => context.client.datastores.listSecrets(context.rg, context.ws, datastore)));
    const secret = secrets.key ?? secrets.sasToken;
    if (!secret)
        throw new Error(`datastore ${datastore} of ${context.scope.workspace} returned no ${type} secret`);
    context.options.mask?.(secret);
    return secrets.key
        ? new dist_esm/* StorageSharedKeyCredential */.Z3(account, secrets.key)
        : secret.replace(/^\?/, '');
}
/** Every file under `dir`, relative with forward slashes, sorted. */
async function folderFiles(dir) {
    const entries = await (0,promises_.readdir)(dir, { recursive: true, withFileTypes: true });
    return entries
        .filter((e) => e.isFile())
        .map((e) => {
        const full = external_node_path_default().join(e.parentPath, e.name);
        return { path: external_node_path_default().relative(dir, full).split((external_node_path_default()).sep).join('/'), source: full };
    })
        .sort((a, b) => (a.path < b.path ? -1 : 1));
}

;// CONCATENATED MODULE: ./packages/platform/src/azureml/context.ts






const PUBLIC_ARM = 'https://management.azure.com';
/** The REST version the SDK speaks; raw calls use the same. */
const ARM_API_VERSION = '2022-10-01';
/** What every part of the Azure backend shares: the client, the coordinates, error wording. */
class AzureContext {
    options;
    client;
    rg;
    ws;
    scope;
    /** ARM id of the workspace: the prefix of every asset id. */
    workspaceId;
    pollMs;
    now;
    endpoint;
    storagePromise;
    locationPromise;
    constructor(options) {
        this.options = options;
        const endpoint = (options.armEndpoint ?? PUBLIC_ARM).replace(/\/+$/, '');
        this.endpoint = endpoint;
        this.client = new dist/* AzureMachineLearningWorkspaces */.FQ(options.credential, options.subscriptionId, {
            endpoint,
            credentialScopes: [`${endpoint}/.default`],
            ...(options.httpClient && { httpClient: options.httpClient }),
        });
        this.rg = options.resourceGroup;
        this.ws = options.workspace;
        this.workspaceId = `/subscriptions/${options.subscriptionId}/resourceGroups/${this.rg}/providers/Microsoft.MachineLearningServices/workspaces/${this.ws}`;
        this.scope = {
            subject: `environment "${options.environment}"`,
            workspace: `workspace ${this.ws} (resource group ${this.rg}, subscription ${options.subscriptionId})`,
            clientId: options.clientId,
        };
        this.pollMs = options.pollMs ?? 5_000;
        this.now = options.now ?? (() => new Date());
    }
    /** Runs an Azure call; a failure becomes one line saying what was being done. */
    async call(doing, fn) {
        try {
            return await fn();
        }
        catch (error) {
            throw azureProblem(error, doing, this.scope);
        }
    }
    /**
     * A raw ARM call through the client's own pipeline (sign-in, retries), for
     * bodies the SDK's models would mangle: 2.x drops the fields of job inputs
     * and outputs when serializing them.
     */
    async arm(method, resourcePath, body) {
        const request = (0,esm/* createPipelineRequest */.G6)({
            url: `${this.endpoint}${resourcePath}?api-version=${ARM_API_VERSION}`,
            method,
            ...(body !== undefined && { body: JSON.stringify(body) }),
        });
        request.headers.set('Content-Type', 'application/json');
        const response = await this.client.sendRequest(request);
        const text = response.bodyAsText ?? '';
        if (response.status >= 300)
            throw httpFailure(response.status, text);
        return text ? JSON.parse(text) : undefined;
    }
    /** A failed Azure call as one line saying what was being done. */
    problem(error, doing) {
        return azureProblem(error, doing, this.scope);
    }
    /** A folder of the local cache for this workspace: `models`, `jobs`, … */
    cacheDir(kind) {
        return external_node_path_default().join(this.options.cacheDir, this.ws, kind);
    }
    /** Long-running operations poll at our pace, not the SDK's 2 s default. */
    get lro() {
        return { updateIntervalInMs: Math.min(this.pollMs, 2_000) };
    }
    /** The workspace's region: endpoints are created there. */
    location() {
        this.locationPromise ??= this.call('reading the workspace', async () => {
            const workspace = await this.client.workspaces.get(this.rg, this.ws);
            return workspace.location ?? '';
        });
        return this.locationPromise;
    }
    storage() {
        this.storagePromise ??= openStorage(this).catch((error) => {
            this.storagePromise = undefined;
            throw error;
        });
        return this.storagePromise;
    }
    /** A setting only some operations need, e.g. the compute of a job. */
    need(value, key, forWhat) {
        if (value)
            return value;
        throw new errors/* ConfigurationError */.j1(`${this.scope.subject} has no ${key}, which ${forWhat} needs: set environments.${this.options.environment}.${key} in mlops.yaml`);
    }
}

// EXTERNAL MODULE: ./packages/platform/src/traffic.ts
var src_traffic = __webpack_require__(8668);
;// CONCATENATED MODULE: ./packages/platform/src/azureml/data-plane.ts


/** Endpoints' own URLs (batch invocations, online requests) take tokens for this audience. */
const ML_SCOPE = 'https://ml.azure.com/.default';
/**
 * POSTs JSON to an endpoint's scoring URI with the environment's identity,
 * through the same retry policies as ARM calls; returns the parsed answer.
 */
async function postJson(context, url, body, headers = {}) {
    const { credential, httpClient } = context.options;
    const pipeline = (0,esm/* createPipelineFromOptions */.Fp)({});
    pipeline.addPolicy((0,esm/* bearerTokenAuthenticationPolicy */.N$)({ credential, scopes: ML_SCOPE }));
    const request = (0,esm/* createPipelineRequest */.G6)({ url, method: 'POST', body: JSON.stringify(body) });
    request.headers.set('Content-Type', 'application/json');
    for (const [name, value] of Object.entries(headers))
        request.headers.set(name, value);
    const response = await pipeline.sendRequest(httpClient ?? (0,esm/* createDefaultHttpClient */.fl)(), request);
    const text = response.bodyAsText ?? '';
    // Callers run this inside context.call, which words and redacts the failure.
    if (response.status >= 300)
        throw httpFailure(response.status, text);
    try {
        return JSON.parse(text);
    }
    catch {
        throw new Error(`${url} answered with something other than JSON: ${text.slice(0, 200)}`);
    }
}

;// CONCATENATED MODULE: ./packages/platform/src/azureml/drivers.ts
/** The scoring scripts deployments run: they hand their rows to the project's score command. */
const BATCH_DRIVER = 'mlops_batch_driver.py';
/** Both drivers find the model files the same way. */
const INIT = `def init():
    global MODEL_DIR
    root = os.environ["AZUREML_MODEL_DIR"]
    entries = os.listdir(root)
    # Azure mounts a registered folder inside the model root.
    only = os.path.join(root, entries[0]) if len(entries) == 1 else root
    MODEL_DIR = only if os.path.isdir(only) else root
`;
const BATCH_DRIVER_SOURCE = `"""Azure ML batch scoring entry written by mlops-actions: do not edit.

Runs the project's score command (MLOPS_SCORE_COMMAND) over each mini-batch
with the environment the suite documents: MLOPS_DATA_DIR holds the batch
files, MLOPS_MODEL_DIR the model files, and predictions.csv goes to
MLOPS_OUTPUT_DIR, the deployment's output folder.
"""
import os
import shutil
import subprocess
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))


${INIT}

def run(mini_batch):
    data_dir = tempfile.mkdtemp()
    for path in mini_batch:
        shutil.copy(path, data_dir)
    output_dir = os.environ.get("AZUREML_BI_OUTPUT_PATH") or tempfile.mkdtemp()
    env = dict(
        os.environ,
        MLOPS_DATA_DIR=data_dir,
        MLOPS_MODEL_DIR=MODEL_DIR,
        MLOPS_OUTPUT_DIR=output_dir,
    )
    subprocess.run(
        os.environ["MLOPS_SCORE_COMMAND"], shell=True, check=True, env=env, cwd=HERE
    )
    return list(mini_batch)
`;
const ONLINE_DRIVER = 'mlops_online_driver.py';
const ONLINE_DRIVER_SOURCE = `"""Azure ML online scoring entry written by mlops-actions: do not edit.

A request is {"csv": "<header and rows>"}; the project's score command
(MLOPS_SCORE_COMMAND) scores them and the answer is {"predictions": "<csv>"}.
"""
import json
import os
import subprocess
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))


${INIT}

def run(raw_data):
    rows = json.loads(raw_data)["csv"]
    data_dir = tempfile.mkdtemp()
    output_dir = tempfile.mkdtemp()
    with open(os.path.join(data_dir, "score.csv"), "w") as handle:
        handle.write(rows)
    env = dict(
        os.environ,
        MLOPS_DATA_DIR=data_dir,
        MLOPS_MODEL_DIR=MODEL_DIR,
        MLOPS_OUTPUT_DIR=output_dir,
    )
    subprocess.run(
        os.environ["MLOPS_SCORE_COMMAND"], shell=True, check=True, env=env, cwd=HERE
    )
    with open(os.path.join(output_dir, "predictions.csv")) as handle:
        return {"predictions": handle.read()}
`;

// EXTERNAL MODULE: external "node:crypto"
var external_node_crypto_ = __webpack_require__(77598);
// EXTERNAL MODULE: ./packages/platform/src/local/digest.ts
var local_digest = __webpack_require__(22049);
// EXTERNAL MODULE: external "node:timers/promises"
var external_node_timers_promises_ = __webpack_require__(58500);
// EXTERNAL MODULE: ./packages/platform/src/port.ts
var port = __webpack_require__(40798);
// EXTERNAL MODULE: external "node:fs"
var external_node_fs_ = __webpack_require__(73024);
;// CONCATENATED MODULE: ./packages/artifacts/src/digest.ts




/** sha256 of a file's bytes, hex, streamed so large files cost no memory. */
async function fileDigest(file) {
    const hash = (0,external_node_crypto_.createHash)('sha256');
    for await (const chunk of (0,external_node_fs_.createReadStream)(file))
        hash.update(chunk);
    return hash.digest('hex');
}
/**
 * One digest for a set of files: sha256 of `sha256sum`-style lines sorted by
 * path, so anyone can recompute it with `sha256sum` and `sort`.
 */
function treeDigest(files) {
    const lines = [...files]
        .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
        .map((f) => `${f.digest}  ${f.path}\n`);
    return (0,external_node_crypto_.createHash)('sha256').update(lines.join('')).digest('hex');
}
/**
 * Remembers file digests between runs so unchanged files are not hashed again.
 * Keys say when the content is unchanged without reading it: git's object id
 * for tracked files (content-addressed, so it survives a fresh checkout), or
 * size, mtime and inode for the rest.
 */
class DigestCache {
    file;
    entries;
    changed = false;
    hits = 0;
    misses = 0;
    constructor(file, entries) {
        this.file = file;
        this.entries = entries;
    }
    static async open(file) {
        try {
            const parsed = JSON.parse(await readFile(file, 'utf8'));
            return new DigestCache(file, new Map(Object.entries(parsed)));
        }
        catch {
            // Missing or unreadable: start empty, it is only a cache.
            return new DigestCache(file, new Map());
        }
    }
    /** The digest of `source`; `gitObject` is its blob id when git tracks it. */
    async digest(source, gitObject) {
        const info = await stat(source);
        const key = gitObject
            ? `git:${gitObject}`
            : `stat:${source}:${info.size}:${info.mtimeMs}:${info.ino}`;
        const known = this.entries.get(key);
        if (known) {
            this.hits += 1;
            return known;
        }
        this.misses += 1;
        const digest = await fileDigest(source);
        this.entries.set(key, digest);
        this.changed = true;
        return digest;
    }
    async save() {
        if (!this.changed)
            return;
        await writeFileAtomic(this.file, JSON.stringify(Object.fromEntries(this.entries)) + '\n');
        this.changed = false;
    }
}

// EXTERNAL MODULE: external "node:child_process"
var external_node_child_process_ = __webpack_require__(31421);
// EXTERNAL MODULE: external "node:util"
var external_node_util_ = __webpack_require__(57975);
;// CONCATENATED MODULE: ./packages/artifacts/src/git.ts



const run = (0,external_node_util_.promisify)(external_node_child_process_.execFile);
async function git(cwd, args) {
    try {
        const { stdout } = await run('git', args, { cwd, maxBuffer: 256 * 1024 * 1024 });
        return stdout;
    }
    catch (error) {
        const stderr = String(error.stderr ?? '').trim();
        if (/not a git repository/.test(stderr)) {
            throw new errors/* ConfigurationError */.j1(`${cwd} is not in a git checkout: packaging takes the code from git (run it in a clone)`);
        }
        throw new Error(`git ${args.join(' ')} failed in ${cwd}: ${stderr || String(error)}`);
    }
}
/** The files git tracks under `paths` (relative to `cwd`), with their blob ids. */
async function trackedFiles(cwd, paths) {
    const out = await git(cwd, ['ls-files', '-s', '-z', '--', ...paths]);
    return out
        .split('\0')
        .filter(Boolean)
        .map((line) => {
        // "<mode> <object> <stage>\t<path>"
        const [meta = '', file = ''] = line.split('\t');
        const [mode, object = ''] = meta.split(' ');
        return { path: file, object, executable: mode === '100755' };
    })
        .filter((f) => f.object && !f.path.startsWith('.mlops/'));
}
async function gitRevision(cwd) {
    const sha = (await git(cwd, ['rev-parse', 'HEAD'])).trim();
    const ref = (await git(cwd, ['rev-parse', '--symbolic-full-name', 'HEAD'])).trim();
    const status = await git(cwd, ['status', '--porcelain', '--untracked-files=no', '--', '.']);
    return { sha, ref: ref === 'HEAD' ? '' : ref, dirty: status.trim() !== '' };
}

;// CONCATENATED MODULE: ./packages/platform/src/azureml/uploads.ts





/** Names of the code asset holding every code snapshot the suite uploads. */
const CODE_ASSET = 'mlops-code';
const NEVER_UPLOADED = /(^|\/)(\.git|\.mlops|__pycache__|node_modules)\//;
/** Digest of files (from disk or bytes), as the content-addressed upload path uses it. */
async function digestOf(files) {
    const entries = await Promise.all(files.map(async (file) => ({
        path: file.path,
        digest: typeof file.source === 'string'
            ? await fileDigest(file.source)
            : (0,external_node_crypto_.createHash)('sha256').update(file.source).digest('hex'),
    })));
    return treeDigest(entries).replace(/^[a-z0-9]+:/i, '');
}
/** Uploads a local folder once per content; its `azureml://` URI for a job input. */
async function uploadFolder(context, dir) {
    const files = await folderFiles(dir);
    const prefix = `LocalUpload/${await digestOf(files)}`;
    const storage = await context.storage();
    await storage.upload(prefix, files);
    return `${storage.uri(prefix)}/`;
}
/**
 * A snapshot of a code folder as a code asset version named by its digest:
 * (returns its id) the files git tracks there (all files for a folder git does not know, such
 * as an unpacked package), plus `extra` files made by the suite.
 */
async function uploadCode(context, codeDir, extra = []) {
    const tracked = await trackedFiles(codeDir, ['.']).catch(() => []);
    const files = tracked.length
        ? tracked.map((f) => ({ path: f.path, source: external_node_path_default().join(codeDir, f.path) }))
        : (await folderFiles(codeDir)).filter((f) => !NEVER_UPLOADED.test(`${f.path}`));
    files.push(...extra);
    const digest = await digestOf(files);
    const version = digest.slice(0, 16);
    const { client, rg, ws } = context;
    const id = `${context.workspaceId}/codes/${CODE_ASSET}/versions/${version}`;
    const existing = await client.codeVersions.get(rg, ws, CODE_ASSET, version).catch((error) => {
        if (isNotFound(error))
            return undefined;
        throw context.problem(error, 'reading the code snapshot');
    });
    if (existing)
        return existing.id ?? id;
    const storage = await context.storage();
    const prefix = `LocalUpload/${digest}`;
    await storage.upload(prefix, files);
    const created = await context.call('creating the code snapshot', () => client.codeVersions.createOrUpdate(rg, ws, CODE_ASSET, version, {
        properties: { codeUri: `${storage.uri(prefix)}/`, description: `Uploaded from ${codeDir}` },
    }));
    return created.id ?? id;
}

;// CONCATENATED MODULE: ./packages/platform/src/azureml/jobs.ts






/** The output every suite job writes to (MLOPS_OUTPUT_DIR). */
const OUTPUT = 'mlops_output';
/** Azure ML job states as the port's. */
function runState(status) {
    switch (status) {
        case 'Completed':
            return 'succeeded';
        case 'Failed':
        case 'NotResponding':
            return 'failed';
        case 'Canceled':
            return 'canceled';
        case 'Running':
        case 'Finalizing':
        case 'CancelRequested':
            return 'running';
        default:
            return 'queued';
    }
}
/**
 * Command jobs on the environment's compute. Local folders the job reads are
 * uploaded (once per content) and mounted as inputs; the output folder is
 * downloaded into `outputDir` when the job completes, so callers read
 * results the same way on both backends.
 */
class AzureJobs {
    context;
    /** Local output folders of the jobs this process submitted. */
    outputDirs = new Map();
    constructor(context) {
        this.context = context;
    }
    async submit(spec) {
        const { context } = this;
        const { options } = context;
        const compute = context.need(options.compute, 'compute', `job "${spec.name}"`);
        const environmentId = context.need(options.jobEnvironment, 'job-environment', `job "${spec.name}"`);
        const codeId = await uploadCode(context, spec.codeDir);
        const inputs = {};
        const exports = [];
        for (const [variable, value] of Object.entries(spec.inputs)) {
            const input = variable.toLowerCase();
            inputs[input] = {
                jobInputType: 'uri_folder',
                uri: value.startsWith('azureml:') ? value : await uploadFolder(context, value),
            };
            exports.push(`export ${variable}="\${{inputs.${input}}}"`);
        }
        exports.push(`export MLOPS_OUTPUT_DIR="\${{outputs.${OUTPUT}}}"`);
        const name = jobName(spec.name);
        await context.call(`submitting job "${spec.name}"`, () => context.arm('PUT', `${context.workspaceId}/jobs/${name}`, {
            properties: {
                jobType: 'Command',
                displayName: spec.name,
                experimentName: spec.model?.name ?? 'mlops',
                command: [...exports, spec.command].join('\n'),
                codeId,
                environmentId,
                computeId: `${context.workspaceId}/computes/${compute}`,
                // Only what the job is given: the runner's own environment stays on the runner.
                environmentVariables: { ...spec.env },
                inputs,
                outputs: { [OUTPUT]: { jobOutputType: 'uri_folder', mode: 'ReadWriteMount' } },
                tags: {
                    mlops_job: spec.name,
                    ...(spec.model && {
                        mlops_model: spec.model.name,
                        mlops_version: String(spec.model.version),
                    }),
                },
            },
        }));
        this.outputDirs.set(name, spec.outputDir);
        const created = await this.read(name);
        if (!created)
            throw new Error(`job ${name} was accepted but cannot be read back`);
        return this.toJob(created);
    }
    async get(id) {
        const found = await this.read(id);
        return found && this.toJob(found);
    }
    async wait(id, options) {
        const finished = await waitForJob(this.context, id, {
            timeoutMs: options.timeoutMs,
            onState: options.onState && ((found) => options.onState?.(this.toJob(found))),
        });
        const job = this.toJob(finished.job);
        if (finished.timedOut)
            return {
                ...job,
                state: 'timed-out',
                message: `no result after ${Math.round(options.timeoutMs / 1000)} s: job canceled`,
            };
        if (job.state === 'succeeded') {
            await (0,promises_.mkdir)(job.outputDir, { recursive: true });
            await downloadOutput(this.context, finished.job, OUTPUT, job.outputDir);
            return job;
        }
        return { ...job, message: await failureMessage(this.context, finished.job) };
    }
    async cancel(id) {
        await this.context.call(`canceling job ${id}`, () => this.context.client.jobs.beginCancelAndWait(this.context.rg, this.context.ws, id, this.context.lro));
        const found = await this.read(id);
        if (!found)
            throw new Error(`job ${id} is not in ${this.context.scope.workspace}`);
        return this.toJob(found);
    }
    async read(id) {
        return this.context.client.jobs.get(this.context.rg, this.context.ws, id).catch((error) => {
            if (isNotFound(error))
                return undefined;
            throw this.context.problem(error, `reading job ${id}`);
        });
    }
    toJob(found) {
        const name = found.name ?? '';
        const url = studioUrl(found);
        return {
            id: name,
            name: found.properties.displayName ?? name,
            state: runState(found.properties.status),
            startedAt: (found.systemData?.createdAt ?? new Date()).toISOString(),
            ...(found.systemData?.lastModifiedAt &&
                port/* TERMINAL_STATES */.k.includes(runState(found.properties.status)) && {
                endedAt: found.systemData.lastModifiedAt.toISOString(),
            }),
            outputDir: this.outputDirs.get(name) ?? '',
            log: url ?? found.id ?? name,
            ...(url && { url }),
        };
    }
}
/** Polls a job until it ends; past the timeout cancels it and says so. */
async function waitForJob(context, name, options) {
    const deadline = Date.now() + options.timeoutMs;
    let last;
    for (;;) {
        const job = await context.call(`reading job ${name}`, () => context.client.jobs.get(context.rg, context.ws, name));
        const status = job.properties.status;
        if (status !== last) {
            last = status;
            options.onState?.(job);
        }
        if (port/* TERMINAL_STATES */.k.includes(runState(status)))
            return { job, timedOut: false };
        if (Date.now() >= deadline) {
            await context.call(`canceling job ${name}`, () => context.client.jobs.beginCancelAndWait(context.rg, context.ws, name, context.lro));
            return { job, timedOut: true };
        }
        await (0,external_node_timers_promises_.setTimeout)(Math.min(context.pollMs, Math.max(0, deadline - Date.now())));
    }
}
/** Downloads a job output into a local folder. */
async function downloadOutput(context, job, output, dir) {
    const outputs = job.properties.outputs;
    const storage = await context.storage();
    const uri = outputs?.[output]?.uri;
    const blobPath = uri ? storage.pathOf(uri) : `azureml/${job.name}/${output}`;
    if (blobPath === undefined)
        throw new Error(`output ${output} of job ${job.name} is at ${uri}, outside the default datastore`);
    await storage.download(blobPath, dir);
}
/** Why a job did not complete: its state, the last line of its log and where to look. */
async function failureMessage(context, job) {
    const storage = await context.storage();
    const log = await storage
        .readText(`azureml/ExperimentRun/dcid.${job.name}/user_logs/std_log.txt`)
        .catch(() => undefined);
    const tail = log
        ?.split('\n')
        .map((line) => line.trim())
        .filter(Boolean)
        .at(-1);
    const where = studioUrl(job) ?? job.id;
    return `${job.properties.status}${tail ? `: ${firstLine(tail)}` : ''} (see ${where})`;
}
function studioUrl(job) {
    return job.properties.services?.Studio?.endpoint ?? undefined;
}
/** A job name ARM accepts and a person can read: mlops-<what>-<random>. */
function jobName(display) {
    const slug = display
        .toLowerCase()
        .replace(/[^a-z0-9]+/g, '-')
        .replace(/^-|-$/g, '')
        .slice(0, 60);
    return `mlops-${slug}-${(0,external_node_crypto_.randomBytes)(4).toString('hex')}`;
}

;// CONCATENATED MODULE: ./packages/platform/src/azureml/serial.ts
/**
 * Runs work for the same key one after another within this process. Azure
 * has no lock to take: this keeps our own parallel calls from racing for the
 * same version number, and conflict answers cover other processes.
 */
class Serial {
    tails = new Map();
    run(key, work) {
        const previous = this.tails.get(key) ?? Promise.resolve();
        const next = previous.then(work, work);
        const tail = next.catch(() => undefined);
        this.tails.set(key, tail);
        void tail.then(() => {
            if (this.tails.get(key) === tail)
                this.tails.delete(key);
        });
        return next;
    }
}

;// CONCATENATED MODULE: ./packages/platform/src/azureml/registry.ts






/** Tries at a version number another writer took meanwhile, before giving up. */
const VERSION_ATTEMPTS = 5;
/**
 * Model versions of a workspace. Files go to the default datastore under
 * `LocalUpload/<content digest>/`, so the same content is uploaded once; the
 * version is found again by its `content_digest` tag, so registering twice
 * returns the first one.
 */
class AzureRegistry {
    context;
    serial = new Serial();
    registered = new Map();
    constructor(context) {
        this.context = context;
    }
    register(request) {
        // The same content asked for twice in this process gets the first answer.
        const key = `${request.name}\0${request.contentDigest}`;
        const earlier = this.registered.get(key);
        if (earlier)
            return earlier.then(({ version }) => ({ version, created: false }));
        const registering = this.registerNew(request);
        this.registered.set(key, registering);
        registering.catch(() => this.registered.delete(key));
        return registering;
    }
    async registerNew(request) {
        const { name } = request;
        if (!(await (0,promises_.stat)(request.sourceDir).catch(() => undefined))?.isDirectory())
            throw new errors/* ConfigurationError */.j1(`cannot register ${name}: the source folder ${request.sourceDir} does not exist`);
        const existing = await this.byDigest(name, request.contentDigest);
        if (existing)
            return { version: existing, created: false };
        const storage = await this.context.storage();
        const prefix = `LocalUpload/${request.contentDigest.replace(/^[a-z0-9]+:/i, '')}`;
        await storage.upload(prefix, await folderFiles(request.sourceDir));
        return this.serial.run(name, async () => {
            let next = await this.nextVersion(name);
            for (let attempt = 1;; attempt++) {
                try {
                    const created = await this.context.client.modelVersions.createOrUpdate(this.context.rg, this.context.ws, name, String(next), {
                        properties: {
                            modelType: 'custom_model',
                            modelUri: `${storage.uri(prefix)}/`,
                            description: `Registered by mlops-actions (${request.tags.git_sha ?? 'no git sha'})`,
                            tags: { ...request.tags, content_digest: request.contentDigest },
                            properties: { ...request.properties },
                        },
                    });
                    return { version: toModelVersion(name, created), created: true };
                }
                catch (error) {
                    // Someone registered this number first: theirs may even be our content.
                    if (!isConflict(error) || attempt === VERSION_ATTEMPTS)
                        throw this.context.problem(error, `registering ${name} version ${next}`);
                    const raced = await this.byDigest(name, request.contentDigest);
                    if (raced)
                        return { version: raced, created: false };
                    next = await this.nextVersion(name);
                }
            }
        });
    }
    async get(ref) {
        if (!Number.isInteger(ref.version) || ref.version < 1)
            return undefined;
        try {
            const found = await this.context.client.modelVersions.get(this.context.rg, this.context.ws, ref.name, String(ref.version));
            return toModelVersion(ref.name, found);
        }
        catch (error) {
            if (isNotFound(error))
                return undefined;
            throw this.context.problem(error, `reading ${ref.name} version ${ref.version}`);
        }
    }
    async list(name, filter) {
        const tags = Object.entries(filter?.tags ?? {})
            .map(([key, value]) => `${key}=${value}`)
            .join(',');
        return this.context.call(`listing the versions of ${name}`, async () => {
            const versions = [];
            try {
                for await (const found of this.context.client.modelVersions.list(this.context.rg, this.context.ws, name, tags ? { tags } : {}))
                    versions.push(toModelVersion(name, found));
            }
            catch (error) {
                if (!isNotFound(error))
                    throw error;
            }
            // Tag filters match on key=value; a value with a comma would split, so check again.
            const wanted = Object.entries(filter?.tags ?? {});
            return versions
                .filter((v) => wanted.every(([key, value]) => v.tags[key] === value))
                .sort((a, b) => a.version - b.version);
        });
    }
    async names() {
        return this.context.call('listing models', async () => {
            const names = [];
            for await (const container of this.context.client.modelContainers.list(this.context.rg, this.context.ws))
                if (container.name && container.properties.latestVersion)
                    names.push(container.name);
            return names.sort();
        });
    }
    /**
     * ARM has no transaction: each version is re-PUT with its new tags, and
     * when one fails the ones already changed get their old tags back.
     */
    async setTags(changes) {
        const done = [];
        try {
            for (const change of changes) {
                const current = await this.context.call(`reading ${change.name} version ${change.version}`, () => this.context.client.modelVersions.get(this.context.rg, this.context.ws, change.name, String(change.version)));
                const tags = strings(current.properties.tags);
                for (const [key, value] of Object.entries(change.tags)) {
                    if (value === null)
                        delete tags[key];
                    else
                        tags[key] = value;
                }
                await this.put(change.name, current, tags);
                done.push(current);
            }
        }
        catch (error) {
            for (const previous of done.reverse())
                await this.put(nameOf(previous), previous, strings(previous.properties.tags)).catch(() => { });
            throw this.context.problem(error, 'changing model tags');
        }
    }
    /** Model files are cached under the cache folder, complete or not at all. */
    async download(version) {
        const dir = external_node_path_default().join(this.context.cacheDir('models'), version.name, String(version.version));
        if (await (0,promises_.stat)(dir).catch(() => undefined))
            return dir;
        const storage = await this.context.storage();
        const blobPath = storage.pathOf(version.path);
        if (blobPath === undefined)
            throw new errors/* ConfigurationError */.j1(`the files of ${version.name} version ${version.version} are at ${version.path}, outside the workspace's default datastore: copy them there to use this version`);
        const partial = `${dir}.partial-${process.pid}`;
        await (0,promises_.rm)(partial, { recursive: true, force: true });
        await (0,promises_.mkdir)(partial, { recursive: true });
        await storage.download(blobPath, partial);
        await (0,promises_.rename)(partial, dir).catch(async (error) => {
            // Another process finished the same download first.
            await (0,promises_.rm)(partial, { recursive: true, force: true });
            if (!(await (0,promises_.stat)(dir).catch(() => undefined)))
                throw error;
        });
        return dir;
    }
    async put(name, current, tags) {
        await this.context.call(`tagging ${name} version ${current.name}`, () => this.context.client.modelVersions.createOrUpdate(this.context.rg, this.context.ws, name, current.name ?? '', { properties: { ...current.properties, tags } }));
    }
    async byDigest(name, digest) {
        return (await this.list(name, { tags: { content_digest: digest } }))[0];
    }
    /** From the container (created when missing, as the first version needs it). */
    async nextVersion(name) {
        const { client, rg, ws } = this.context;
        const container = await client.modelContainers.get(rg, ws, name).catch((error) => {
            if (isNotFound(error))
                return undefined;
            throw this.context.problem(error, `reading model ${name}`);
        });
        if (!container) {
            await this.context.call(`creating model ${name}`, () => client.modelContainers.createOrUpdate(rg, ws, name, {
                properties: { description: 'Registered by mlops-actions' },
            }));
            return 1;
        }
        const { nextVersion, latestVersion } = container.properties;
        if (nextVersion && /^\d+$/.test(nextVersion))
            return Number(nextVersion);
        if (latestVersion && /^\d+$/.test(latestVersion))
            return Number(latestVersion) + 1;
        const versions = await this.list(name);
        return (versions.at(-1)?.version ?? 0) + 1;
    }
}
function nameOf(version) {
    return /\/models\/([^/]+)\/versions\//i.exec(version.id ?? '')?.[1] ?? '';
}
function toModelVersion(name, found) {
    return {
        name,
        version: Number(found.name),
        id: found.id ?? '',
        createdAt: (found.systemData?.createdAt ?? new Date(0)).toISOString(),
        tags: strings(found.properties.tags),
        properties: strings(found.properties.properties),
        path: found.properties.modelUri ?? '',
    };
}
/** ARM's string maps allow null values; ours do not. */
function strings(map) {
    return Object.fromEntries(Object.entries(map ?? {}).filter((entry) => entry[1] !== null));
}

;// CONCATENATED MODULE: ./packages/platform/src/azureml/pipelines.ts











const SCORE_COMMAND = 'MLOPS_SCORE_COMMAND';
/** How many recent run ids an endpoint keeps in its tags. */
const KEPT_RUNS = 5;
const pipelines_OUTPUT = 'score';
/**
 * Scoring pipelines as batch endpoints: one endpoint per pipeline, one
 * deployment per model version (so earlier versions stay deployable), the
 * endpoint's default deployment the one that scores. The definition is kept
 * in the endpoint's tags and the deployment's environment, so `get` reads it
 * back from Azure and re-publishing the same one changes nothing.
 */
class AzurePipelines {
    context;
    runsHere = new Map();
    constructor(context) {
        this.context = context;
    }
    async createOrUpdate(definition) {
        const { context } = this;
        const { client, rg, ws, options } = context;
        const compute = context.need(options.compute, 'compute', `pipeline ${definition.name}`);
        const environmentId = context.need(options.jobEnvironment, 'job-environment', `pipeline ${definition.name}`);
        // A pipeline read back names its code by asset id: re-pointing keeps that code.
        const codeId = isCodeVersionId(definition.codeDir)
            ? definition.codeDir
            : await uploadCode(context, definition.codeDir, [
                { path: BATCH_DRIVER, source: Buffer.from(BATCH_DRIVER_SOURCE) },
            ]);
        const digest = (0,local_digest/* sha256 */.s)((0,local_digest/* canonicalJson */.d)({
            model: definition.model,
            command: definition.command,
            env: definition.env,
            schedule: definition.schedule,
            code: codeId,
            compute,
            environmentId,
        }));
        const endpoint = endpointName(definition.name);
        const current = await this.endpoint(endpoint);
        const tags = strings(current?.tags);
        const deployment = `v${definition.model.version}`;
        if (current && tags.mlops_digest === digest) {
            const pipeline = await this.toPipeline(current);
            if (pipeline)
                return { pipeline, changed: false };
        }
        const location = await context.location();
        if (!current)
            await context.call(`creating batch endpoint ${endpoint}`, () => client.batchEndpoints.beginCreateOrUpdateAndWait(rg, ws, endpoint, {
                location,
                properties: { authMode: 'AADToken', description: `Scores ${definition.model.name}` },
                tags: { mlops_pipeline: definition.name },
            }, context.lro));
        await context.call(`deploying ${definition.model.name} v${definition.model.version}`, () => client.batchDeployments.beginCreateOrUpdateAndWait(rg, ws, endpoint, deployment, {
            location,
            properties: {
                model: {
                    referenceType: 'Id',
                    assetId: `${context.workspaceId}/models/${definition.model.name}/versions/${definition.model.version}`,
                },
                codeConfiguration: { codeId, scoringScript: BATCH_DRIVER },
                environmentId,
                compute: `${context.workspaceId}/computes/${compute}`,
                environmentVariables: { ...definition.env, [SCORE_COMMAND]: definition.command },
                // One mini-batch: the score command sees the whole input at once.
                miniBatchSize: 1000,
                outputAction: 'SummaryOnly',
                outputFileName: 'predictions.csv',
                resources: { instanceCount: 1 },
                retrySettings: { maxRetries: 1, timeout: 'PT30M' },
            },
        }, context.lro));
        const revision = Number(tags.mlops_revision ?? 0) + 1;
        const updatedAt = context.now().toISOString();
        await context.call(`pointing batch endpoint ${endpoint} at ${deployment}`, () => client.batchEndpoints.beginCreateOrUpdateAndWait(rg, ws, endpoint, {
            location,
            properties: {
                authMode: 'AADToken',
                description: `Scores ${definition.model.name}`,
                defaults: { deploymentName: deployment },
            },
            tags: {
                ...tags,
                mlops_pipeline: definition.name,
                mlops_digest: digest,
                mlops_revision: String(revision),
                mlops_model: definition.model.name,
                mlops_version: String(definition.model.version),
                mlops_input: definition.input,
                mlops_output: definition.output,
                mlops_updated: updatedAt,
                ...(definition.schedule && { mlops_schedule: definition.schedule }),
            },
        }, context.lro));
        return {
            pipeline: { ...definition, codeDir: codeId, digest, revision, updatedAt },
            changed: true,
        };
    }
    async get(name) {
        const endpoint = await this.endpoint(endpointName(name));
        return endpoint && this.toPipeline(endpoint);
    }
    async list() {
        const { client, rg, ws } = this.context;
        const endpoints = await this.context.call('listing batch endpoints', async () => {
            const found = [];
            for await (const endpoint of client.batchEndpoints.list(rg, ws))
                found.push(endpoint);
            return found;
        });
        const pipelines = await Promise.all(endpoints.filter((e) => e.tags?.mlops_pipeline).map((e) => this.toPipeline(e)));
        return pipelines
            .filter((p) => p !== undefined)
            .sort((a, b) => (a.name < b.name ? -1 : 1));
    }
    async trigger(name, options) {
        const { context } = this;
        const endpoint = await this.endpoint(endpointName(name));
        const pipeline = endpoint && (await this.toPipeline(endpoint));
        if (!pipeline)
            throw new errors/* ConfigurationError */.j1(`cannot run pipeline ${name}: it is not published in ${context.scope.workspace}: publish it first`);
        const scoringUri = endpoint.properties.scoringUri;
        if (!scoringUri)
            throw new Error(`batch endpoint ${endpointName(name)} has no scoring URI yet`);
        const input = await uploadFolder(context, external_node_path_default().resolve(options?.input ?? pipeline.input));
        const storage = await context.storage();
        const outputPath = `mlops-batch/${endpointName(name)}/${(0,external_node_crypto_.randomBytes)(6).toString('hex')}`;
        const job = await context.call(`starting a run of ${name}`, () => invokeBatch(context, scoringUri, {
            properties: {
                InputData: { input: { JobInputType: 'UriFolder', Uri: input } },
                OutputData: {
                    [pipelines_OUTPUT]: { JobOutputType: 'UriFolder', Uri: `${storage.uri(outputPath)}/` },
                },
            },
        }));
        const record = {
            pipeline: name,
            model: pipeline.model,
            outputPath,
            output: external_node_path_default().join(external_node_path_default().resolve(pipeline.output), job),
        };
        this.runsHere.set(job, record);
        await this.remember(endpoint, job);
        return ((await this.getRun(job)) ?? {
            id: job,
            pipeline: name,
            model: pipeline.model,
            state: 'queued',
            startedAt: context.now().toISOString(),
            output: record.output,
        });
    }
    async getRun(id) {
        const job = await this.context.client.jobs
            .get(this.context.rg, this.context.ws, id)
            .catch((error) => {
            if (isNotFound(error))
                return undefined;
            throw this.context.problem(error, `reading run ${id}`);
        });
        return job && this.toRun(job);
    }
    async waitRun(id, options) {
        const finished = await waitForJob(this.context, id, {
            timeoutMs: options.timeoutMs,
            onState: options.onState && ((job) => options.onState?.(this.toRun(job))),
        });
        const run = this.toRun(finished.job);
        if (finished.timedOut)
            return {
                ...run,
                state: 'timed-out',
                message: `no result after ${Math.round(options.timeoutMs / 1000)} s: run canceled`,
            };
        if (run.state !== 'succeeded')
            return { ...run, message: await failureMessage(this.context, finished.job) };
        await (0,promises_.mkdir)(run.output, { recursive: true });
        const record = this.runsHere.get(id);
        if (record)
            await (await this.context.storage()).download(record.outputPath, run.output);
        else
            await downloadOutput(this.context, finished.job, pipelines_OUTPUT, run.output);
        return { ...run, endedAt: run.endedAt ?? this.context.now().toISOString() };
    }
    async runs(name) {
        const endpoint = await this.endpoint(endpointName(name));
        const ids = (endpoint?.tags?.mlops_runs ?? '').split(',').filter(Boolean);
        const runs = await Promise.all(ids.map((id) => this.getRun(id)));
        return runs.filter((r) => r !== undefined);
    }
    async endpoint(name) {
        const { client, rg, ws } = this.context;
        return client.batchEndpoints.get(rg, ws, name).catch((error) => {
            if (isNotFound(error))
                return undefined;
            throw this.context.problem(error, `reading batch endpoint ${name}`);
        });
    }
    async toPipeline(endpoint) {
        const tags = strings(endpoint.tags);
        const deploymentName = endpoint.properties.defaults?.deploymentName;
        if (!tags.mlops_pipeline || !tags.mlops_digest || !deploymentName)
            return undefined;
        const { client, rg, ws } = this.context;
        const deployment = await client.batchDeployments
            .get(rg, ws, endpoint.name ?? '', deploymentName)
            .catch((error) => {
            if (isNotFound(error))
                return undefined;
            throw this.context.problem(error, `reading deployment ${deploymentName}`);
        });
        if (!deployment)
            return undefined;
        const { [SCORE_COMMAND]: command = '', ...env } = strings(deployment.properties.environmentVariables);
        return {
            name: tags.mlops_pipeline,
            model: { name: tags.mlops_model ?? '', version: Number(tags.mlops_version) },
            command,
            codeDir: deployment.properties.codeConfiguration?.codeId ?? '',
            input: tags.mlops_input ?? '',
            output: tags.mlops_output ?? '',
            env,
            ...(tags.mlops_schedule && { schedule: tags.mlops_schedule }),
            digest: tags.mlops_digest,
            revision: Number(tags.mlops_revision ?? 1),
            updatedAt: tags.mlops_updated ?? '',
        };
    }
    toRun(job) {
        const id = job.name ?? '';
        const record = this.runsHere.get(id);
        const state = runState(job.properties.status);
        return {
            id,
            pipeline: record?.pipeline ?? job.properties.displayName ?? '',
            model: record?.model ?? { name: '', version: 0 },
            state,
            startedAt: (job.systemData?.createdAt ?? this.context.now()).toISOString(),
            ...(state !== 'queued' &&
                state !== 'running' &&
                job.systemData?.lastModifiedAt && { endedAt: job.systemData.lastModifiedAt.toISOString() }),
            output: record?.output ?? '',
        };
    }
    /** Keeps the newest run ids on the endpoint, so `runs` works from any machine. */
    async remember(endpoint, run) {
        if (!endpoint.name)
            return;
        const tags = strings(endpoint.tags);
        const runs = [...(tags.mlops_runs ?? '').split(',').filter(Boolean), run].slice(-KEPT_RUNS);
        const { client, rg, ws } = this.context;
        await this.context.call(`tagging batch endpoint ${endpoint.name}`, () => client.batchEndpoints.beginUpdateAndWait(rg, ws, endpoint.name ?? '', { tags: { ...tags, mlops_runs: runs.join(',') } }, this.context.lro));
    }
}
function isCodeVersionId(codeDir) {
    return /^\/subscriptions\/.+\/codes\/[^/]+\/versions\/[^/]+$/i.test(codeDir);
}
/** Starts a batch scoring job on the endpoint's data plane; returns the job's name. */
async function invokeBatch(context, scoringUri, body) {
    const answer = (await postJson(context, scoringUri, body));
    const name = answer.name ?? answer.id?.split('/').at(-1);
    if (!name)
        throw new Error(`the batch endpoint answered without a job name`);
    return name;
}
/** Endpoint names are 3–32 characters: long pipeline names keep a readable head and a hash. */
function endpointName(pipeline) {
    const clean = pipeline.toLowerCase().replace(/[^a-z0-9-]+/g, '-');
    if (clean.length <= 32 && /^[a-z][a-z0-9-]*[a-z0-9]$/.test(clean))
        return clean;
    const head = clean
        .slice(0, 23)
        .replace(/^[^a-z]+/, 'p')
        .replace(/-+$/, '');
    return `${head}-${(0,local_digest/* sha256 */.s)(pipeline).slice(0, 8)}`;
}

;// CONCATENATED MODULE: ./packages/platform/src/azureml/endpoints.ts







const endpoints_SCORE_COMMAND = 'MLOPS_SCORE_COMMAND';
/**
 * Managed online endpoints: one deployment per model version, named
 * `v<version>`. A deployment is created at 0 % (traffic changes need a PUT
 * of the endpoint, which only setTraffic does), so the caller can smoke-test
 * it before shifting traffic, and older deployments stay for rollback.
 */
class AzureEndpoints {
    context;
    constructor(context) {
        this.context = context;
    }
    async deploy(definition) {
        const { context } = this;
        const { client, rg, ws, options } = context;
        const name = endpointName(definition.name);
        const environmentId = context.need(options.jobEnvironment, 'job-environment', `endpoint ${definition.name}`);
        const codeId = await uploadCode(context, definition.codeDir, [
            { path: ONLINE_DRIVER, source: Buffer.from(ONLINE_DRIVER_SOURCE) },
        ]);
        const deployment = `v${definition.model.version}`;
        const digest = (0,local_digest/* sha256 */.s)((0,local_digest/* canonicalJson */.d)({
            model: definition.model,
            command: definition.command,
            env: definition.env,
            code: codeId,
            environmentId,
        }));
        const location = await context.location();
        let endpoint = await this.read(name);
        if (!endpoint)
            endpoint = await context.call(`creating online endpoint ${name}`, () => client.onlineEndpoints.beginCreateOrUpdateAndWait(rg, ws, name, {
                location,
                identity: { type: 'SystemAssigned' },
                properties: { authMode: 'AADToken', description: `Serves ${definition.model.name}` },
                tags: { mlops_endpoint: definition.name },
            }, context.lro));
        const current = await client.onlineDeployments
            .get(rg, ws, name, deployment)
            .catch((error) => {
            if (isNotFound(error))
                return undefined;
            throw context.problem(error, `reading deployment ${name}/${deployment}`);
        });
        const changed = current?.tags?.mlops_digest !== digest;
        if (changed)
            await context.call(`deploying ${definition.model.name} v${definition.model.version} online`, () => client.onlineDeployments.beginCreateOrUpdateAndWait(rg, ws, name, deployment, {
                location,
                sku: { name: 'Default', capacity: 1 },
                tags: { mlops_digest: digest },
                properties: {
                    endpointComputeType: 'Managed',
                    model: `${context.workspaceId}/models/${definition.model.name}/versions/${definition.model.version}`,
                    codeConfiguration: { codeId, scoringScript: ONLINE_DRIVER },
                    environmentId,
                    environmentVariables: { ...definition.env, [endpoints_SCORE_COMMAND]: definition.command },
                    instanceType: options.instanceType ?? 'Standard_DS3_v2',
                    scaleSettings: { scaleType: 'Default' },
                },
            }, context.lro));
        return { endpoint: await this.describe(name, definition.name), deployment, changed };
    }
    async invoke(name, deployment, csv) {
        const endpoint = await this.read(endpointName(name));
        const uri = endpoint?.properties.scoringUri;
        if (!uri)
            throw new Error(`online endpoint ${endpointName(name)} has no scoring URI yet`);
        const answer = (await this.context.call(`scoring on ${name}/${deployment}`, () => 
        // The header sends the request to that deployment whatever the traffic split.
        postJson(this.context, uri, { csv }, { 'azureml-model-deployment': deployment })));
        if (typeof answer.predictions !== 'string')
            throw new Error(`${name}/${deployment} answered without predictions`);
        return answer.predictions;
    }
    async setTraffic(name, traffic) {
        const { context } = this;
        const armName = endpointName(name);
        const endpoint = await this.read(armName);
        const deployments = await this.deployments(armName);
        (0,src_traffic/* checkTraffic */.A)(name, traffic, deployments.map((d) => d.name ?? ''));
        if (!endpoint)
            throw new Error(`online endpoint ${armName} disappeared`);
        await context.call(`shifting traffic of ${armName}`, () => context.client.onlineEndpoints.beginCreateOrUpdateAndWait(context.rg, context.ws, armName, {
            location: endpoint.location,
            identity: endpoint.identity ?? { type: 'SystemAssigned' },
            tags: endpoint.tags,
            properties: { ...endpoint.properties, traffic },
        }, context.lro));
        return this.describe(armName, name);
    }
    async get(name) {
        const armName = endpointName(name);
        return (await this.read(armName)) ? this.describe(armName, name) : undefined;
    }
    read(name) {
        const { client, rg, ws } = this.context;
        return client.onlineEndpoints.get(rg, ws, name).catch((error) => {
            if (isNotFound(error))
                return undefined;
            throw this.context.problem(error, `reading online endpoint ${name}`);
        });
    }
    deployments(name) {
        const { client, rg, ws } = this.context;
        return this.context.call(`listing deployments of ${name}`, async () => {
            const found = [];
            for await (const deployment of client.onlineDeployments.list(rg, ws, name))
                found.push(deployment);
            return found;
        });
    }
    async describe(armName, name) {
        const endpoint = await this.read(armName);
        const deployments = await this.deployments(armName);
        return {
            name,
            traffic: Object.fromEntries(Object.entries(endpoint?.properties.traffic ?? {}).filter(([, percent]) => percent > 0)),
            deployments: deployments
                .map((d) => {
                const model = /\/models\/([^/]+)\/versions\/(\d+)/i.exec(d.properties.model ?? '');
                return {
                    name: d.name ?? '',
                    model: { name: model?.[1] ?? '', version: Number(model?.[2] ?? 0) },
                };
            })
                .sort((a, b) => a.model.version - b.model.version),
        };
    }
}

// EXTERNAL MODULE: ./packages/platform/src/ledger-chain.ts
var ledger_chain = __webpack_require__(14280);
;// CONCATENATED MODULE: ./packages/platform/src/azureml/ledger.ts



/** The data asset whose versions are the ledger: version N is event N. */
const LEDGER_ASSET = 'mlops-ledger';
const APPEND_ATTEMPTS = 8;
/**
 * The ledger in the workspace itself, next to the models it is about: each
 * event is a version of the data asset `mlops-ledger` (its description holds
 * the event, its properties the hash chain). A version number can be taken
 * once, so two writers never both append event N: the loser re-reads and
 * chains after the winner.
 */
class AzureLedger {
    context;
    serial = new Serial();
    /** The last event this process appended or read: the next one chains to it without a read. */
    cached;
    constructor(context) {
        this.context = context;
    }
    append(entry) {
        return this.serial.run(LEDGER_ASSET, async () => {
            const { client, rg, ws } = this.context;
            const storage = await this.context.storage();
            for (let attempt = 1;; attempt++) {
                const last = attempt === 1 && this.cached ? this.cached : await this.last();
                const event = (0,ledger_chain/* sealEvent */.sr)(entry, last, this.context.now());
                try {
                    await client.dataVersions.createOrUpdate(rg, ws, LEDGER_ASSET, String(event.seq), {
                        properties: {
                            dataType: 'uri_folder',
                            dataUri: `${storage.uri(LEDGER_ASSET)}/`,
                            description: JSON.stringify(event),
                            properties: { hash: event.hash, prev: event.prev, kind: event.kind },
                            tags: event.model ? { model: event.model.name } : {},
                        },
                    });
                    this.cached = event;
                    return event;
                }
                catch (error) {
                    // Another writer took this number: chain after theirs.
                    if (!isConflict(error) || attempt === APPEND_ATTEMPTS)
                        throw this.context.problem(error, `appending ledger event ${event.seq}`);
                }
            }
        });
    }
    async list(filter) {
        // The model tag lets Azure filter, so one model's history does not read everyone's.
        const events = (await this.read(filter?.model)).flatMap((entry) => entry.event ? [entry.event] : []);
        return filter?.model === undefined
            ? events
            : events.filter((event) => event.model?.name === filter.model);
    }
    async verify() {
        return (0,ledger_chain/* verifyChain */.H5)(await this.read());
    }
    async last() {
        const { client, rg, ws } = this.context;
        const container = await client.dataContainers.get(rg, ws, LEDGER_ASSET).catch((error) => {
            if (isNotFound(error))
                return undefined;
            throw this.context.problem(error, 'reading the ledger');
        });
        const latest = container?.properties.latestVersion;
        if (!latest)
            return undefined;
        const version = await this.context.call(`reading ledger event ${latest}`, () => client.dataVersions.get(rg, ws, LEDGER_ASSET, latest));
        this.cached = eventOf(version);
        return this.cached;
    }
    async read(model) {
        const { client, rg, ws } = this.context;
        return this.context.call('reading the ledger', async () => {
            const versions = [];
            const options = model === undefined ? {} : { tags: `model=${model}` };
            try {
                for await (const version of client.dataVersions.list(rg, ws, LEDGER_ASSET, options))
                    versions.push(version);
            }
            catch (error) {
                if (!isNotFound(error))
                    throw error;
            }
            return versions
                .sort((a, b) => Number(a.name) - Number(b.name))
                .map((version) => ({
                where: `${LEDGER_ASSET} version ${version.name}`,
                event: eventOf(version),
            }));
        });
    }
}
function eventOf(version) {
    return (0,ledger_chain/* parseEvent */.wj)(version.properties.description ?? '');
}

;// CONCATENATED MODULE: ./packages/platform/src/azureml/platform.ts






/**
 * An Azure ML workspace as the platform: registry = model versions, jobs =
 * command jobs, pipelines = batch endpoints, endpoints = managed online
 * endpoints, ledger = a data asset's versions.
 * Nothing is called until an operation needs it.
 */
function openAzurePlatform(options) {
    const context = new AzureContext(options);
    return {
        environment: options.environment,
        backend: 'azureml',
        location: `${context.scope.workspace}`,
        registry: new AzureRegistry(context),
        pipelines: new AzurePipelines(context),
        endpoints: new AzureEndpoints(context),
        jobs: new AzureJobs(context),
        ledger: new AzureLedger(context),
    };
}

// EXTERNAL MODULE: ./node_modules/@azure/identity/dist/esm/index.js + 165 modules
var identity_dist_esm = __webpack_require__(73016);
;// CONCATENATED MODULE: ./packages/platform/src/azureml/credential.ts



/** The audience GitHub's ID token must carry for Entra workload identity federation. */
const FEDERATION_AUDIENCE = 'api://AzureADTokenExchange';
const PUBLIC_AUTHORITY = 'https://login.microsoftonline.com';
/**
 * The credential of an Azure environment. OIDC federation is the default: the
 * callback fetches a fresh GitHub ID token whenever Entra needs an assertion,
 * so jobs longer than the token's lifetime keep working.
 */
function signIn(options) {
    const { subject } = options;
    const common = {
        ...(options.authorityHost && { authorityHost: options.authorityHost }),
        // Instance discovery asks the public cloud about any other authority.
        disableInstanceDiscovery: !!options.authorityHost && options.authorityHost !== PUBLIC_AUTHORITY,
        ...(options.httpClient && { httpClient: options.httpClient }),
    };
    if (options.auth === 'cli')
        return explained(new identity_dist_esm/* AzureCliCredential */.nG(), options);
    const tenantId = required(options.tenantId, 'tenant-id', 'AZURE_TENANT_ID', subject);
    const clientId = required(options.clientId, 'client-id', 'AZURE_CLIENT_ID', subject);
    if (options.auth === 'secret') {
        if (!options.clientSecret)
            throw new errors/* ConfigurationError */.j1(`${subject} signs in with a client secret, but AZURE_CLIENT_SECRET is not set: pass it from a secret (env: AZURE_CLIENT_SECRET: \${{ secrets.AZURE_CLIENT_SECRET }}), or use auth: oidc`);
        return explained(new identity_dist_esm/* ClientSecretCredential */.HC(tenantId, clientId, options.clientSecret, common), options);
    }
    const idToken = options.idToken;
    if (!idToken)
        throw new errors/* ConfigurationError */.j1(`${subject} signs in with GitHub OIDC, but this job cannot get an ID token: add "permissions: id-token: write" to the job (or set auth: secret or auth: cli)`);
    return explained(new identity_dist_esm/* ClientAssertionCredential */.XI(tenantId, clientId, () => idToken(FEDERATION_AUDIENCE), common), options);
}
function required(value, key, variable, subject) {
    if (value)
        return value;
    throw new errors/* ConfigurationError */.j1(`${subject} has no ${key}: set it in mlops.yaml, or set ${variable} in the job's env`);
}
/** Entra's answers as one line that says what to fix, never the token or the secret. */
function explained(credential, options) {
    return {
        getToken: async (scopes, getTokenOptions) => {
            try {
                return await credential.getToken(scopes, getTokenOptions);
            }
            catch (error) {
                throw new errors/* ConfigurationError */.j1(signInProblem((0,errors/* messageOf */.bD)(error), options));
            }
        },
    };
}
function signInProblem(message, o) {
    const code = /AADSTS(\d+)/.exec(message)?.[1];
    const who = `${o.subject} (tenant ${o.tenantId ?? '?'}, client ${o.clientId ?? '?'})`;
    switch (code) {
        case '90002':
            return `sign-in for ${who} failed: tenant ${o.tenantId} does not exist: check tenant-id (the Directory id of the app registration)`;
        case '700016':
            return `sign-in for ${who} failed: no application ${o.clientId} in tenant ${o.tenantId}: check client-id and tenant-id`;
        case '70021':
            return `sign-in for ${who} failed: no federated credential of the application matches this workflow's OIDC subject: add one for this repository and branch or environment (Entra ID > App registrations > Certificates & secrets > Federated credentials)`;
        case '7000215':
        case '7000222':
            return `sign-in for ${who} failed: the client secret is wrong or expired: renew it and update the AZURE_CLIENT_SECRET secret`;
        default:
            return `sign-in for ${who} failed: ${firstLine(message)}`;
    }
}

;// CONCATENATED MODULE: ./packages/platform/src/azureml/index.ts
/*
 * The Azure ML backend: a separate entry so that its SDKs are loaded (and
 * bundled into their own chunk) only when an azureml environment is used.
 */






/***/ })

};
