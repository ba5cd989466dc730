import { Readable } from 'node:stream';
import {
  createHttpHeaders,
  RestError,
  type HttpClient,
  type PipelineRequest,
  type PipelineResponse,
} from '@azure/core-rest-pipeline';
import type { EmuRequest, EmuResponse, Service } from './types.js';

/*
 * The in-process transport: an HttpClient that SDK clients take as `httpClient`, so the real
 * pipeline (bearer policy, retries, LRO pollers, storage signing) runs and only the socket
 * is replaced. It answers the way the Node client would, including a RestError with code
 * ECONNRESET for a reset and a stream body where the request asked for one.
 */

export function createInProcessClient(
  serviceOf: (url: URL) => Service | undefined,
  route: (req: EmuRequest) => Promise<EmuResponse>,
): HttpClient {
  return {
    async sendRequest(request: PipelineRequest): Promise<PipelineResponse> {
      const url = new URL(request.url);
      const service = serviceOf(url);
      if (!service) {
        throw new RestError(`getaddrinfo ENOTFOUND ${url.hostname} (not an emulated host)`, {
          code: 'ENOTFOUND',
          request,
        });
      }
      if (request.abortSignal?.aborted) {
        throw new RestError('The operation was aborted.', { code: 'ABORT_ERR', request });
      }
      const headers = readHeaders(request.headers);
      const body = await readBody(request);
      const res = await route({ service, method: request.method, url, headers, body });
      if (res.reset) {
        throw new RestError('read ECONNRESET', { code: 'ECONNRESET', request });
      }
      const data = res.body === undefined ? Buffer.alloc(0) : Buffer.from(res.body);
      // @azure/storage-blob wraps a given httpClient in core-http-compat's adapter, which hands
      // us a WebResourceLike and reads `headers.toJson()` from the response: serve both shapes.
      const responseHeaders = createHttpHeaders(res.headers);
      Object.assign(responseHeaders, {
        toJson: (o?: { preserveCase?: boolean }) => responseHeaders.toJSON(o),
      });
      const response: PipelineResponse = { request, status: res.status, headers: responseHeaders };
      const wantsStream =
        request.streamResponseStatusCodes?.has(res.status) ||
        request.streamResponseStatusCodes?.has(Number.POSITIVE_INFINITY);
      if (wantsStream) {
        response.readableStreamBody = Readable.from([data]);
      } else if (request.method !== 'HEAD') {
        response.bodyAsText = data.toString('utf8');
      }
      return response;
    },
  };
}

function readHeaders(source: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  const like = source as {
    toJson?: (o?: { preserveCase?: boolean }) => Record<string, string>;
    toJSON?: (o?: { preserveCase?: boolean }) => Record<string, string>;
  };
  const plain = like.toJson
    ? like.toJson()
    : like.toJSON
      ? like.toJSON()
      : ((source ?? {}) as Record<string, string>);
  for (const [name, value] of Object.entries(plain)) out[name.toLowerCase()] = String(value);
  return out;
}

async function readBody(request: PipelineRequest): Promise<Buffer> {
  if (request.formData) {
    const form = new URLSearchParams();
    for (const [k, v] of Object.entries(request.formData)) {
      for (const item of Array.isArray(v) ? v : [v]) form.append(k, String(item));
    }
    return Buffer.from(form.toString());
  }
  let body: unknown = request.body;
  if (typeof body === 'function') body = (body as () => unknown)();
  if (body === undefined || body === null) return Buffer.alloc(0);
  if (typeof body === 'string') return Buffer.from(body, 'utf8');
  if (Buffer.isBuffer(body)) return body;
  if (body instanceof ArrayBuffer) return Buffer.from(body);
  if (ArrayBuffer.isView(body)) return Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  if (body instanceof Blob) return Buffer.from(await body.arrayBuffer());
  if (body instanceof ReadableStream) {
    const chunks: Buffer[] = [];
    for await (const chunk of body as unknown as AsyncIterable<Uint8Array>)
      chunks.push(Buffer.from(chunk));
    return Buffer.concat(chunks);
  }
  if (typeof (body as NodeJS.ReadableStream).pipe === 'function') {
    const chunks: Buffer[] = [];
    for await (const chunk of body as AsyncIterable<Buffer | string>)
      chunks.push(Buffer.from(chunk));
    return Buffer.concat(chunks);
  }
  throw new Error(`arm-emulator: unsupported request body type ${typeof body}`);
}
