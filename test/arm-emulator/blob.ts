import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { BlobStore, type BlobResponse } from '../runner-services/blob-store.js';
import type { TokenIssuer } from './identity.js';
import type { EmuRequest, EmuResponse } from './types.js';

/*
 * Azure Blob storage for the emulated workspaces and registries: one account per workspace
 * (the default datastore) and per registry. The block-blob operations themselves are the
 * runner-services BlobStore; this module adds accounts, both URL styles and the three ways
 * a caller authorises: SharedKey (verified HMAC over the canonical string), a bearer token
 * from the emulator (audience https://storage.azure.com), or a SAS the emulator signed.
 */

export interface BlobLocation {
  account: string;
  container: string;
  /** Blob name or folder prefix, without a leading slash. */
  path: string;
}

export interface StorageAccount {
  name: string;
  /** Base64, as listSecrets returns it. */
  key: string;
  store: BlobStore;
}

export const PUBLIC_BLOB_SUFFIX = '.blob.core.windows.net';

export class BlobService {
  readonly accounts = new Map<string, StorageAccount>();
  /** Set in server mode: `https://127.0.0.1:<port>` (path-style URLs). */
  serverOrigin: string | undefined;

  constructor(private readonly issuer: TokenIssuer) {}

  addAccount(name: string): StorageAccount {
    const existing = this.accounts.get(name);
    if (existing) return existing;
    const account: StorageAccount = {
      name,
      key: randomBytes(64).toString('base64'),
      // Authorisation happens here, before the store sees the request.
      store: new BlobStore(this.serverOrigin ?? `https://${name}${PUBLIC_BLOB_SUFFIX}`, {
        account: name,
        authorize: () => undefined,
      }),
    };
    this.accounts.set(name, account);
    return account;
  }

  /** The account's base URL in this mode. */
  accountUrl(name: string): string {
    return this.serverOrigin
      ? `${this.serverOrigin}/${name}`
      : `https://${name}${PUBLIC_BLOB_SUFFIX}`;
  }

  blobUrl(loc: BlobLocation): string {
    const encoded = loc.path.split('/').map(encodeURIComponent).join('/');
    return `${this.accountUrl(loc.account)}/${loc.container}/${encoded}`;
  }

  /** A service SAS URL for one blob (`sr=b`) or a whole container (`sr=c`, path ignored). */
  sasUrl(
    loc: BlobLocation,
    permissions: string,
    ttlMs = 3600_000,
    resource: 'b' | 'c' = 'b',
  ): string {
    const url = new URL(
      resource === 'c' ? `${this.accountUrl(loc.account)}/${loc.container}` : this.blobUrl(loc),
    );
    const se = new Date(Date.now() + ttlMs).toISOString().replace(/\.\d+Z$/, 'Z');
    url.searchParams.set('sv', '2021-10-04');
    url.searchParams.set('sr', resource);
    url.searchParams.set('sp', permissions);
    url.searchParams.set('se', se);
    url.searchParams.set('sig', this.sasSignature(loc, resource, permissions, se));
    return url.toString();
  }

  private sasSignature(loc: BlobLocation, resource: string, sp: string, se: string): string {
    const account = this.accounts.get(loc.account);
    const scope =
      resource === 'c'
        ? `/blob/${loc.account}/${loc.container}`
        : `/blob/${loc.account}/${loc.container}/${loc.path}`;
    return createHmac('sha256', Buffer.from(account?.key ?? '', 'base64'))
      .update([sp, se, scope, resource].join('\n'))
      .digest('base64');
  }

  /** Where an https blob URL points, if it is one of ours (either style). */
  parseUrl(raw: string): BlobLocation | undefined {
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      return undefined;
    }
    const segments = url.pathname.split('/').slice(1).map(decodeURIComponent);
    let account: string | undefined;
    if (url.hostname.endsWith(PUBLIC_BLOB_SUFFIX)) {
      account = url.hostname.slice(0, -PUBLIC_BLOB_SUFFIX.length);
    } else if (this.serverOrigin && url.origin === this.serverOrigin) {
      account = segments.shift();
    }
    const [container, ...rest] = segments;
    if (!account || !container || !this.accounts.has(account)) return undefined;
    return { account, container, path: rest.join('/') };
  }

  // ---- direct access for the compute side and for assertions ----

  get(loc: BlobLocation): Buffer | undefined {
    return this.accounts.get(loc.account)?.store.get(loc.container, loc.path)?.data;
  }

  put(loc: BlobLocation, data: Buffer): void {
    const store = this.requireAccount(loc.account).store;
    const key = BlobStore.keyOf(loc.container, loc.path);
    store.blobs.set(key, {
      data,
      contentType: 'application/octet-stream',
      etag: `"0x${randomBytes(7).toString('hex').toUpperCase()}"`,
      lastModified: new Date(),
      committedBlocks: [{ id: '', data }],
    });
  }

  /** Blob names under a prefix. */
  list(loc: BlobLocation): string[] {
    const store = this.accounts.get(loc.account)?.store;
    if (!store) return [];
    const head = `${loc.container}/`;
    return [...store.blobs.keys()]
      .filter((k) => k.startsWith(head))
      .map((k) => k.slice(head.length))
      .filter((name) => name.startsWith(loc.path))
      .sort();
  }

  /**
   * Copies a blob or a folder into `dir`. A path naming one blob is a file (returned path is
   * that file); otherwise everything under `path/` lands in `dir` keeping relative names.
   */
  async download(
    loc: BlobLocation,
    dir: string,
  ): Promise<{ kind: 'file' | 'folder'; path: string }> {
    await mkdir(dir, { recursive: true });
    const single = loc.path && !loc.path.endsWith('/') ? this.get(loc) : undefined;
    if (single) {
      const file = path.join(dir, path.posix.basename(loc.path));
      await writeFile(file, single);
      return { kind: 'file', path: file };
    }
    const prefix = loc.path === '' || loc.path.endsWith('/') ? loc.path : `${loc.path}/`;
    const names = this.list({ ...loc, path: prefix });
    if (names.length === 0) throw new Error(`no blobs under ${this.blobUrl(loc)}`);
    for (const name of names) {
      const target = path.join(dir, ...name.slice(prefix.length).split('/'));
      await mkdir(path.dirname(target), { recursive: true });
      await writeFile(target, this.get({ ...loc, path: name }) ?? Buffer.alloc(0));
    }
    return { kind: 'folder', path: dir };
  }

  /** Uploads every file under `dir` to `loc.path/<relative name>`. */
  async upload(dir: string, loc: BlobLocation): Promise<number> {
    const prefix = loc.path === '' || loc.path.endsWith('/') ? loc.path : `${loc.path}/`;
    const files = await walk(dir);
    for (const file of files) {
      const rel = path.relative(dir, file).split(path.sep).join('/');
      this.put({ ...loc, path: `${prefix}${rel}` }, await readFile(file));
    }
    return files.length;
  }

  private requireAccount(name: string): StorageAccount {
    const account = this.accounts.get(name);
    if (!account) throw new Error(`no emulated storage account '${name}'`);
    return account;
  }

  // ---- the HTTP side ----

  handle(req: EmuRequest): EmuResponse {
    let account: string | undefined;
    let storeUrl: URL;
    if (req.url.hostname.endsWith(PUBLIC_BLOB_SUFFIX)) {
      // Host-style: rewrite to the path-style form the store parses.
      account = req.url.hostname.slice(0, -PUBLIC_BLOB_SUFFIX.length);
      storeUrl = new URL(`https://x/${account}${req.url.pathname}${req.url.search}`);
    } else {
      account = req.url.pathname.split('/')[1];
      storeUrl = req.url;
    }
    const target = account ? this.accounts.get(account) : undefined;
    const headers = req.headers;
    if (!target) {
      return toEmu(
        new BlobStore('https://x').error(
          headers,
          404,
          'ResourceNotFound',
          `The storage account '${account ?? ''}' does not exist.`,
        ),
      );
    }
    const op = BlobStore.classify(req.method, storeUrl, headers);
    const denied = this.authorize(req, target);
    if (denied) return toEmu(target.store.error(headers, 403, 'AuthenticationFailed', denied));
    return toEmu(target.store.handle(op, storeUrl, headers, req.body));
  }

  /** Undefined when allowed, else the reason. */
  private authorize(req: EmuRequest, account: StorageAccount): string | undefined {
    const auth = req.headers.authorization ?? '';
    if (/^SharedKey /i.test(auth)) {
      const [name, sig] = auth.slice('SharedKey '.length).split(':');
      if (name !== account.name) return `SharedKey names account '${name}', not '${account.name}'.`;
      const expected = createHmac('sha256', Buffer.from(account.key, 'base64'))
        .update(stringToSign(req, account.name), 'utf8')
        .digest();
      const given = Buffer.from(sig ?? '', 'base64');
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
        return `Server failed to authenticate the request. Make sure the value of Authorization header is formed correctly including the signature.`;
      }
      return undefined;
    }
    if (/^Bearer /i.test(auth)) {
      const check = this.issuer.verify(auth, [
        'https://storage.azure.com',
        this.accountUrl(account.name),
      ]);
      return check.ok ? undefined : check.message;
    }
    const q = req.url.searchParams;
    const sig = q.get('sig');
    if (sig) {
      const segments = this.parseUrl(req.url.toString());
      if (!segments) return 'SAS does not name a blob of this account.';
      const sr = q.get('sr') ?? 'b';
      const sp = q.get('sp') ?? '';
      const se = q.get('se') ?? '';
      if (this.sasSignature(segments, sr, sp, se) !== sig) {
        return 'Signature did not match. String to sign used was the SAS of another resource.';
      }
      if (!(Date.parse(se) > Date.now())) return 'Signed expiry time has passed.';
      const needed =
        req.method === 'GET' || req.method === 'HEAD' ? 'r' : req.method === 'DELETE' ? 'd' : 'w';
      const granted = needed === 'w' ? /[wc]/.test(sp) : sp.includes(needed);
      if (!granted)
        return `This request is not authorized to perform this operation using this permission ('${sp}').`;
      return undefined;
    }
    return 'Server failed to authenticate the request. No Authorization header or SAS was given.';
  }
}

/** The Shared Key string-to-sign (Blob service, version 2015-02-21 and later). */
export function stringToSign(req: EmuRequest, accountName: string): string {
  const h = (name: string): string => {
    const value = req.headers[name] ?? '';
    return name === 'content-length' && value === '0' ? '' : value;
  };
  const canonicalHeaders = Object.keys(req.headers)
    .filter((name) => name.startsWith('x-ms-'))
    .sort()
    .map((name) => `${name}:${(req.headers[name] ?? '').trimStart()}\n`)
    .join('');
  let resource = `/${accountName}${req.url.pathname || '/'}`;
  // Same query parsing as the SDK's getURLQueries: raw pairs, values URI-decoded.
  const queries = new Map<string, string>();
  for (const pair of req.url.search.replace(/^\?/, '').split('&')) {
    const eq = pair.indexOf('=');
    if (eq > 0 && eq === pair.lastIndexOf('=') && eq < pair.length - 1) {
      queries.set(pair.slice(0, eq).toLowerCase(), decodeURIComponent(pair.slice(eq + 1)));
    }
  }
  for (const key of [...queries.keys()].sort()) resource += `\n${key}:${queries.get(key)}`;
  return (
    [
      req.method.toUpperCase(),
      h('content-encoding'),
      h('content-language'),
      h('content-length'),
      h('content-md5'),
      h('content-type'),
      h('date'),
      h('if-modified-since'),
      h('if-match'),
      h('if-none-match'),
      h('if-unmodified-since'),
      h('range'),
    ].join('\n') +
    '\n' +
    canonicalHeaders +
    resource
  );
}

function toEmu(res: BlobResponse): EmuResponse {
  return { status: res.status, headers: res.headers, body: res.body };
}

async function walk(dir: string): Promise<string[]> {
  const out: string[] = [];
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return out;
  }
  for (const entry of entries) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await walk(full)));
    else if (entry.isFile()) out.push(full);
  }
  return out;
}
