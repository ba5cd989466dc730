import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeComment {
  id: number;
  body: string;
  html_url: string;
  /** How many times it was edited. */
  updates: number;
}

export interface FakeGitHubApi {
  /** Base URL for GITHUB_API_URL. */
  url: string;
  /** Comments by "owner/repo#number". */
  comments: Map<string, FakeComment[]>;
  /** Every request as "METHOD path". */
  requests: string[];
  /** Tokens that may write; any other token gets 403 on POST/PATCH (a fork's read-only token). */
  writers: Set<string>;
  close(): Promise<void>;
}

function body(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/**
 * The slice of the GitHub REST API the pr-comment action uses, on 127.0.0.1:
 * list, create and update issue comments. State lives in memory.
 */
export async function startGitHubApi(writers: string[] = ['test-token']): Promise<FakeGitHubApi> {
  const comments = new Map<string, FakeComment[]>();
  const requests: string[] = [];
  const writerSet = new Set(writers);
  let nextId = 1000;
  const server: Server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      requests.push(`${req.method} ${url.pathname}`);
      const send = (status: number, payload: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(payload));
      };
      const token = (req.headers.authorization ?? '').replace(/^(token|bearer) /i, '');
      if (!token) return send(401, { message: 'Requires authentication' });
      const list = /^\/repos\/([^/]+)\/([^/]+)\/issues\/(\d+)\/comments$/.exec(url.pathname);
      const one = /^\/repos\/([^/]+)\/([^/]+)\/issues\/comments\/(\d+)$/.exec(url.pathname);
      const writing = req.method === 'POST' || req.method === 'PATCH';
      if (writing && !writerSet.has(token)) {
        return send(403, { message: 'Resource not accessible by integration' });
      }
      if (list) {
        const key = `${list[1]}/${list[2]}#${list[3]}`;
        const current = comments.get(key) ?? [];
        if (req.method === 'GET') {
          const page = Number(url.searchParams.get('page') ?? '1');
          const perPage = Number(url.searchParams.get('per_page') ?? '30');
          return send(200, current.slice((page - 1) * perPage, page * perPage));
        }
        if (req.method === 'POST') {
          const { body: text } = JSON.parse(await body(req)) as { body: string };
          const id = nextId++;
          const comment = {
            id,
            body: text,
            html_url: `https://github.com/${list[1]}/${list[2]}/pull/${list[3]}#issuecomment-${id}`,
            updates: 0,
          };
          comments.set(key, [...current, comment]);
          return send(201, comment);
        }
      }
      if (one && req.method === 'PATCH') {
        const { body: text } = JSON.parse(await body(req)) as { body: string };
        for (const list of comments.values()) {
          const found = list.find((c) => c.id === Number(one[3]));
          if (found) {
            found.body = text;
            found.updates++;
            return send(200, found);
          }
        }
        return send(404, { message: 'Not Found' });
      }
      return send(404, { message: 'Not Found' });
    })().catch((error: unknown) => {
      res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ message: String(error) }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    comments,
    requests,
    writers: writerSet,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
