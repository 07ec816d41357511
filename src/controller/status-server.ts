/**
 * @module controller/status-server
 * The controller's own `GET /status` for monitoring: a JSON snapshot of the site, the app's last
 * status, every site's state, the rounds run and the privacy spent. Read-only, no data or keys.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ShardwireError } from '../errors.ts';

/** A running status server. */
export interface StatusServer {
  /** `http://host:port/status`. */
  readonly url: string;
  close(): Promise<void>;
}

/**
 * Serves `snapshot()` as JSON at `/status` on host:port (port 0 picks a free one).
 * @throws {ShardwireError} E_BAD_ARGUMENT when the port cannot be bound.
 * @example const s = await startStatusServer('127.0.0.1', 0, () => ({ ok: true }))
 */
export async function startStatusServer(host: string, port: number, snapshot: () => unknown): Promise<StatusServer> {
  const server: Server = createServer((req, res) => {
    if (req.method !== 'GET' || (req.url !== '/status' && req.url !== '/status/')) {
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not found; GET /status"}');
      return;
    }
    let body: string;
    try {
      body = JSON.stringify(snapshot());
    } catch (e) {
      res.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify({ error: (e as Error).message }));
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(body);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (e) =>
      reject(
        new ShardwireError(
          'E_BAD_ARGUMENT',
          `cannot serve /status on ${host}:${port} (${(e as NodeJS.ErrnoException).code ?? e.message}); choose ` +
            `another --status-port`,
          { host, port },
        ),
      ),
    );
    server.listen(port, host, () => resolve());
  });
  const addr = server.address() as AddressInfo;
  return {
    url: `http://${addr.family === 'IPv6' ? `[${addr.address}]` : addr.address}:${addr.port}/status`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
