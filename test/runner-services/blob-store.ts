import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

/*
 * The part of the Azure Blob service that @azure/storage-blob's BlockBlobClient (behind
 * @actions/artifact and @actions/cache) and @actions/http-client downloads use, path-style
 * (`/<account>/<container>/<blob>`, which is what the SDK picks for an IP host), authorised
 * by a fake SAS query (`sig`, `se`, `sp`).
 */

export const BLOB_OPS = [
  'PutBlock',
  'PutBlockList',
  'PutBlob',
  'GetBlob',
  'HeadBlob',
  'DeleteBlob',
  'ListBlobs',
  'CreateContainer',
  'GetContainerProperties',
] as const;
export type BlobOp = (typeof BLOB_OPS)[number];

export const ACCOUNT = 'devstoreaccount1';

export interface StoredBlob {
  data: Buffer;
  contentType: string;
  /** Sent back as Content-Disposition on download, when set. */
  contentDisposition?: string;
  etag: string;
  lastModified: Date;
  committedBlocks: { id: string; data: Buffer }[];
}

export interface BlobResponse {
  status: number;
  headers: Record<string, string>;
  body?: Buffer;
}

const X_MS_VERSION = '2025-01-05';

export interface BlobStoreOptions {
  /** Storage account this store serves (first path segment); default `devstoreaccount1`. */
  account?: string;
  /**
   * Replaces the built-in fake-SAS check (`sig`, `se`, `sp`); return a response to refuse.
   * The ARM emulator checks SharedKey/bearer/SAS itself and passes `() => undefined`.
   */
  authorize?: (
    op: BlobOp | undefined,
    url: URL,
    headers: IncomingHttpHeaders,
  ) => BlobResponse | undefined;
}

export class BlobStore {
  readonly blobs = new Map<string, StoredBlob>();
  private readonly uncommitted = new Map<string, Map<string, Buffer>>();
  private readonly secret = randomBytes(12).toString('hex');
  private etagCounter = 0x8dc0000_0000000n;

  readonly account: string;
  private readonly authorizeOverride: BlobStoreOptions['authorize'];

  constructor(
    private readonly origin: string,
    options: BlobStoreOptions = {},
  ) {
    this.account = options.account ?? ACCOUNT;
    this.authorizeOverride = options.authorize;
  }

  /** A SAS-like URL for `container/name`; `permissions` is a subset of `rcw`. */
  signedUrl(container: string, name: string, permissions: string, ttlMs = 3600_000): string {
    const blobPath = name.split('/').map(encodeURIComponent).join('/');
    const url = new URL(`/${this.account}/${container}/${blobPath}`, this.origin);
    url.searchParams.set('sv', X_MS_VERSION);
    url.searchParams.set('sr', 'b');
    url.searchParams.set('sp', permissions);
    url.searchParams.set('se', new Date(Date.now() + ttlMs).toISOString());
    url.searchParams.set('sig', this.secret);
    return url.toString();
  }

  /** The store key for a signed URL produced by `signedUrl`. */
  static keyOf(container: string, name: string): string {
    return `${container}/${name}`;
  }

  get(container: string, name: string): StoredBlob | undefined {
    return this.blobs.get(BlobStore.keyOf(container, name));
  }

  delete(container: string, name: string): void {
    const key = BlobStore.keyOf(container, name);
    this.blobs.delete(key);
    this.uncommitted.delete(key);
  }

  /** Which blob operation a request is, or undefined when it is none the fake serves. */
  static classify(method: string, url: URL, headers: IncomingHttpHeaders): BlobOp | undefined {
    const comp = url.searchParams.get('comp');
    const restype = url.searchParams.get('restype');
    if (restype === 'container') {
      if (method === 'GET' && comp === 'list') return 'ListBlobs';
      if (method === 'PUT' && comp === null) return 'CreateContainer';
      if ((method === 'GET' || method === 'HEAD') && comp === null) return 'GetContainerProperties';
      return undefined;
    }
    if (method === 'DELETE' && comp === null) return 'DeleteBlob';
    if (method === 'PUT' && comp === 'block') return 'PutBlock';
    if (method === 'PUT' && comp === 'blocklist') return 'PutBlockList';
    if (method === 'PUT' && comp === null && headers['x-ms-blob-type'] !== undefined) {
      return 'PutBlob';
    }
    if (method === 'GET' && comp === null) return 'GetBlob';
    if (method === 'HEAD' && comp === null) return 'HeadBlob';
    return undefined;
  }

  handle(
    op: BlobOp | undefined,
    url: URL,
    headers: IncomingHttpHeaders,
    body: Buffer,
  ): BlobResponse {
    const segments = url.pathname.split('/').slice(1);
    const [account, container, ...rest] = segments;
    const name = rest.map(decodeURIComponent).join('/');
    const containerOp =
      op === 'ListBlobs' || op === 'CreateContainer' || op === 'GetContainerProperties';
    if (account !== this.account || !container || (!name && !containerOp)) {
      return this.error(headers, 400, 'InvalidUri', `not a blob path: ${url.pathname}`);
    }
    const denied = this.authorizeOverride
      ? this.authorizeOverride(op, url, headers)
      : this.authorize(op, url, headers);
    if (denied) return denied;
    const key = BlobStore.keyOf(container, name);
    switch (op) {
      case 'ListBlobs':
        return this.listBlobs(container, url, headers);
      case 'CreateContainer':
        // Containers exist implicitly; creating one again is what the service calls a conflict.
        return this.error(headers, 409, 'ContainerAlreadyExists', 'the container already exists');
      case 'GetContainerProperties':
        return { status: 200, headers: { ...this.common(headers), 'content-length': '0' } };
      case 'DeleteBlob': {
        if (!this.blobs.has(key)) {
          return this.error(headers, 404, 'BlobNotFound', 'the specified blob does not exist');
        }
        this.delete(container, name);
        return { status: 202, headers: { ...this.common(headers), 'content-length': '0' } };
      }
      case 'PutBlock':
        return this.putBlock(key, url, headers, body);
      case 'PutBlockList':
        return this.putBlockList(key, headers, body);
      case 'PutBlob':
        return this.putBlob(key, headers, body);
      case 'GetBlob':
      case 'HeadBlob':
        return this.getBlob(key, headers, op === 'HeadBlob');
      default:
        return this.error(
          headers,
          400,
          'UnsupportedHttpVerb',
          'the fake blob service does not serve this request',
        );
    }
  }

  private authorize(
    op: BlobOp | undefined,
    url: URL,
    headers: IncomingHttpHeaders,
  ): BlobResponse | undefined {
    const q = url.searchParams;
    if (q.get('sig') !== this.secret) {
      return this.error(headers, 403, 'AuthenticationFailed', 'signature did not match');
    }
    const expiry = Date.parse(q.get('se') ?? '');
    if (!(expiry > Date.now())) {
      return this.error(headers, 403, 'AuthenticationFailed', 'signed expiry time has passed');
    }
    const needed =
      op === 'DeleteBlob'
        ? 'd'
        : op === 'GetBlob' || op === 'HeadBlob' || op === 'ListBlobs'
          ? 'r'
          : 'w';
    if (!(q.get('sp') ?? '').includes(needed)) {
      return this.error(
        headers,
        403,
        'AuthorizationPermissionMismatch',
        `this signature does not grant '${needed}'`,
      );
    }
    return undefined;
  }

  /** List Blobs (flat): `prefix`, `marker` (the next blob name), `maxresults` (default 5000). */
  private listBlobs(container: string, url: URL, headers: IncomingHttpHeaders): BlobResponse {
    const prefix = url.searchParams.get('prefix') ?? '';
    const marker = url.searchParams.get('marker') ?? '';
    const max = Number(url.searchParams.get('maxresults') ?? '5000') || 5000;
    const names = [...this.blobs.keys()]
      .filter((key) => key.startsWith(`${container}/`))
      .map((key) => key.slice(container.length + 1))
      .filter((name) => name.startsWith(prefix) && (!marker || name >= marker))
      .sort();
    const page = names.slice(0, max);
    const next = names[max];
    const items = page
      .map((name) => {
        const blob = this.blobs.get(BlobStore.keyOf(container, name));
        if (!blob) return '';
        return (
          `<Blob><Name>${escapeXml(name)}</Name><Properties>` +
          `<Creation-Time>${blob.lastModified.toUTCString()}</Creation-Time>` +
          `<Last-Modified>${blob.lastModified.toUTCString()}</Last-Modified>` +
          `<Etag>${blob.etag}</Etag><Content-Length>${blob.data.length}</Content-Length>` +
          `<Content-Type>${escapeXml(blob.contentType)}</Content-Type>` +
          `<Content-MD5>${md5(blob.data)}</Content-MD5><BlobType>BlockBlob</BlobType>` +
          `<AccessTier>Hot</AccessTier><AccessTierInferred>true</AccessTierInferred>` +
          `<LeaseStatus>unlocked</LeaseStatus><LeaseState>available</LeaseState>` +
          `<ServerEncrypted>true</ServerEncrypted></Properties></Blob>`
        );
      })
      .join('');
    const body = Buffer.from(
      `<?xml version="1.0" encoding="utf-8"?>` +
        `<EnumerationResults ServiceEndpoint="${escapeXml(new URL(`/${this.account}`, this.origin).toString())}" ContainerName="${escapeXml(container)}">` +
        `<Prefix>${escapeXml(prefix)}</Prefix>${marker ? `<Marker>${escapeXml(marker)}</Marker>` : ''}` +
        `<MaxResults>${max}</MaxResults><Blobs>${items}</Blobs>` +
        `<NextMarker>${next ? escapeXml(next) : ''}</NextMarker></EnumerationResults>`,
    );
    return {
      status: 200,
      headers: {
        ...this.common(headers),
        'content-type': 'application/xml',
        'content-length': String(body.length),
      },
      body,
    };
  }

  private putBlock(
    key: string,
    url: URL,
    headers: IncomingHttpHeaders,
    body: Buffer,
  ): BlobResponse {
    const blockId = url.searchParams.get('blockid');
    if (!blockId) return this.error(headers, 400, 'InvalidQueryParameterValue', 'blockid missing');
    let blocks = this.uncommitted.get(key);
    if (!blocks) this.uncommitted.set(key, (blocks = new Map()));
    blocks.set(blockId, body);
    return this.written(headers, { 'content-md5': md5(body) });
  }

  private putBlockList(key: string, headers: IncomingHttpHeaders, body: Buffer): BlobResponse {
    const xml = body.toString('utf8');
    if (!/<BlockList>/.test(xml)) {
      return this.error(headers, 400, 'InvalidXmlDocument', 'body is not a BlockList');
    }
    const pending = this.uncommitted.get(key) ?? new Map<string, Buffer>();
    const committed = new Map(this.blobs.get(key)?.committedBlocks.map((b) => [b.id, b.data]));
    const blocks: { id: string; data: Buffer }[] = [];
    for (const [, kind, rawId] of xml.matchAll(/<(Latest|Committed|Uncommitted)>([^<]*)<\/\1>/g)) {
      const id = unescapeXml(rawId ?? '');
      const data =
        kind === 'Committed'
          ? committed.get(id)
          : kind === 'Uncommitted'
            ? pending.get(id)
            : (pending.get(id) ?? committed.get(id));
      if (!data) {
        return this.error(headers, 400, 'InvalidBlockList', `block ${id} is not staged`);
      }
      blocks.push({ id, data });
    }
    this.uncommitted.delete(key);
    const blob = this.commit(
      key,
      Buffer.concat(blocks.map((b) => b.data)),
      blobContentType(headers, false),
    );
    blob.committedBlocks = blocks;
    return this.written(headers, {}, blob);
  }

  private putBlob(key: string, headers: IncomingHttpHeaders, body: Buffer): BlobResponse {
    if (String(headers['x-ms-blob-type']).toLowerCase() !== 'blockblob') {
      return this.error(headers, 400, 'InvalidHeaderValue', 'only BlockBlob is served');
    }
    this.uncommitted.delete(key);
    const blob = this.commit(key, body, blobContentType(headers, true));
    return this.written(headers, { 'content-md5': md5(body) }, blob);
  }

  private commit(key: string, data: Buffer, contentType: string): StoredBlob {
    const previous = this.blobs.get(key);
    const blob: StoredBlob = {
      data,
      contentType,
      contentDisposition: previous?.contentDisposition,
      etag: `"0x${(this.etagCounter++).toString(16).toUpperCase()}"`,
      lastModified: new Date(),
      committedBlocks: [{ id: '', data }],
    };
    this.blobs.set(key, blob);
    return blob;
  }

  private getBlob(key: string, headers: IncomingHttpHeaders, headOnly: boolean): BlobResponse {
    const blob = this.blobs.get(key);
    if (!blob) return this.error(headers, 404, 'BlobNotFound', 'the specified blob does not exist');
    const base: Record<string, string> = {
      ...this.common(headers),
      'content-type': blob.contentType,
      etag: blob.etag,
      'last-modified': blob.lastModified.toUTCString(),
      'accept-ranges': 'bytes',
      'x-ms-blob-type': 'BlockBlob',
      'x-ms-server-encrypted': 'true',
      ...(blob.contentDisposition ? { 'content-disposition': blob.contentDisposition } : {}),
    };
    const rangeHeader = headers['x-ms-range'] ?? headers.range;
    const range = typeof rangeHeader === 'string' ? parseRange(rangeHeader) : undefined;
    if (range) {
      const size = blob.data.length;
      if (range.start >= size) {
        return this.error(headers, 416, 'InvalidRange', 'the range is not satisfiable', {
          'content-range': `bytes */${size}`,
        });
      }
      const end = Math.min(range.end ?? size - 1, size - 1);
      const slice = blob.data.subarray(range.start, end + 1);
      return {
        status: 206,
        headers: {
          ...base,
          'content-length': String(slice.length),
          'content-range': `bytes ${range.start}-${end}/${size}`,
        },
        body: headOnly ? undefined : slice,
      };
    }
    return {
      status: 200,
      headers: {
        ...base,
        'content-length': String(blob.data.length),
        'content-md5': md5(blob.data),
      },
      body: headOnly ? undefined : blob.data,
    };
  }

  /** 201 Created, with the blob's etag and last-modified once a write committed it. */
  private written(
    headers: IncomingHttpHeaders,
    extra: Record<string, string>,
    blob?: StoredBlob,
  ): BlobResponse {
    const out: Record<string, string> = {
      ...this.common(headers),
      'content-length': '0',
      'x-ms-request-server-encrypted': 'true',
      ...extra,
    };
    if (blob) {
      out.etag = blob.etag;
      out['last-modified'] = blob.lastModified.toUTCString();
    }
    return { status: 201, headers: out };
  }

  private common(headers: IncomingHttpHeaders): Record<string, string> {
    const clientRequestId = headers['x-ms-client-request-id'];
    return {
      'x-ms-request-id': randomUUID(),
      'x-ms-version':
        typeof headers['x-ms-version'] === 'string' ? headers['x-ms-version'] : X_MS_VERSION,
      date: new Date().toUTCString(),
      ...(typeof clientRequestId === 'string' ? { 'x-ms-client-request-id': clientRequestId } : {}),
    };
  }

  /** An Azure-style XML error. */
  error(
    headers: IncomingHttpHeaders,
    status: number,
    code: string,
    message: string,
    extra: Record<string, string> = {},
  ): BlobResponse {
    const body = Buffer.from(
      `<?xml version="1.0" encoding="utf-8"?><Error><Code>${code}</Code>` +
        `<Message>${escapeXml(message)}\nTime:${new Date().toISOString()}</Message></Error>`,
    );
    return {
      status,
      headers: {
        ...this.common(headers),
        'x-ms-error-code': code,
        'content-type': 'application/xml',
        'content-length': String(body.length),
        ...extra,
      },
      body,
    };
  }
}

function blobContentType(headers: IncomingHttpHeaders, allowContentType: boolean): string {
  const explicit = headers['x-ms-blob-content-type'];
  if (typeof explicit === 'string' && explicit) return explicit;
  if (allowContentType && headers['content-type']) return headers['content-type'];
  return 'application/octet-stream';
}

function parseRange(value: string): { start: number; end?: number } | undefined {
  const match = /^bytes=(\d+)-(\d*)$/.exec(value.trim());
  if (!match?.[1]) return undefined;
  return { start: Number(match[1]), end: match[2] ? Number(match[2]) : undefined };
}

function md5(data: Buffer): string {
  return createHash('md5').update(data).digest('base64');
}

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function unescapeXml(text: string): string {
  return text
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, '&');
}
