/**
 * @module relay/http-routes
 * Plain HTTP endpoints next to the WebSocket upgrade: `GET /healthz` (JSON, 503 while
 * shutting down), `GET /metrics` (Prometheus text format 0.0.4) and, when enabled, the
 * read-only dashboard under `/dashboard` (relay/dashboard.ts).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { serveDashboard } from './dashboard.ts';
import type { RelayMetrics } from './metrics.ts';

/** What the routes need from the relay. */
export interface HttpRouteState {
  readonly metrics: RelayMetrics;
  readonly stats: () => { connections: number; authenticated: number; sessions: number; bufferedBytes?: number };
  readonly shuttingDown: () => boolean;
  readonly startedAt: number;
  /** Serve the dashboard under /dashboard (default off). */
  readonly dashboard?: boolean;
}

/** Handles one HTTP request; never throws. */
export function handleHttp(req: IncomingMessage, res: ServerResponse, s: HttpRouteState): void {
  try {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain' }).end('method not allowed\n');
      return;
    }
    if (path === '/healthz') {
      const down = s.shuttingDown();
      const body = JSON.stringify({ status: down ? 'shutting-down' : 'ok', uptimeS: Math.round((Date.now() - s.startedAt) / 1000), ...s.stats() });
      res.writeHead(down ? 503 : 200, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(body + '\n');
      return;
    }
    if (path === '/metrics') {
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8', 'cache-control': 'no-store' }).end(s.metrics.render());
      return;
    }
    if (s.dashboard === true && serveDashboard(path, req, res, s)) return;
    res.writeHead(404, { 'content-type': 'text/plain' }).end('not found: the relay serves WebSocket upgrades, /healthz and /metrics\n');
  } catch {
    res.destroy();
  }
}
