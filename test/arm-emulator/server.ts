import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TlsMaterial } from './tls.js';
import type { EmuRequest, EmuResponse, Service } from './types.js';

/*
 * Server mode: one HTTPS listener per service on 127.0.0.1, so a child process reaches each
 * service at its own origin and path-style blob URLs work as they do for an IP host.
 */

export interface ServiceServer {
  service: Service;
  origin: string;
  port: number;
  close(): Promise<void>;
}

export async function listen(
  service: Service,
  tls: TlsMaterial,
  route: (req: EmuRequest) => Promise<EmuResponse>,
): Promise<ServiceServer> {
  const server = https.createServer({ key: tls.key, cert: tls.cert }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('error', () => res.destroy());
    req.on('end', () => {
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(req.headers)) {
        if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(', ') : v;
      }
      const url = new URL(req.url ?? '/', `https://${req.headers.host ?? '127.0.0.1'}`);
      route({ service, method: req.method ?? 'GET', url, headers, body: Buffer.concat(chunks) })
        .then((answer) => {
          if (answer.reset) {
            req.socket.destroy();
            return;
          }
          const body = answer.body === undefined ? undefined : Buffer.from(answer.body);
          const out: Record<string, string> = { ...answer.headers };
          if (body && req.method !== 'HEAD') out['content-length'] = String(body.length);
          res.writeHead(answer.status, out);
          res.end(req.method === 'HEAD' ? undefined : body);
        })
        .catch((err: unknown) => {
          res.writeHead(500, { 'content-type': 'text/plain' });
          res.end(`arm-emulator: ${String(err)}`);
        });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    service,
    port,
    origin: `https://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
