/**
 * @module relay/dashboard
 * The relay's read-only dashboard (`--dashboard` / `dashboard: true`; off by default):
 * `GET /dashboard` (the page), `/dashboard/app.js` (its script) and `/dashboard/data` (a JSON
 * snapshot of the relay's metrics the page polls once a second). Counts only: sessions, peers,
 * rounds in flight by session, routed frames and bytes, drops by reason, errors by code. No keys,
 * payloads or peer ids; session ids and round memos are the envelope data the logs already show.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { DASHBOARD_HTML, DASHBOARD_JS } from './dashboard-page.ts';
import type { HttpRouteState } from './http-routes.ts';

/** Most sessions listed with their round in the snapshot. */
const MAX_LISTED_ROUNDS = 50;

/** What `/dashboard/data` returns. */
export interface DashboardSnapshot {
  /** Server time (ms since the epoch): the page derives rates from successive snapshots. */
  readonly t: number;
  readonly uptimeS: number;
  readonly status: 'ok' | 'shutting-down';
  readonly connections: number;
  /** Authenticated connections: peers in sessions. */
  readonly peers: number;
  readonly sessions: number;
  readonly roundsInFlight: number;
  readonly rounds: readonly { session: string; memo: string; idleMs: number }[];
  readonly framesRouted: number;
  readonly bytesRouted: number;
  readonly bufferedBytes: number;
  readonly heartbeatTimeouts: number;
  readonly dropped: Readonly<Record<string, number>>;
  readonly errors: Readonly<Record<string, number>>;
  readonly authFailures: Readonly<Record<string, number>>;
}

/** The current snapshot. */
export function dashboardSnapshot(s: HttpRouteState): DashboardSnapshot {
  const m = s.metrics;
  const stats = s.stats();
  const rounds = m.rounds.inFlight();
  return {
    t: Date.now(),
    uptimeS: Math.round((Date.now() - s.startedAt) / 1000),
    status: s.shuttingDown() ? 'shutting-down' : 'ok',
    connections: stats.connections,
    peers: stats.authenticated,
    sessions: stats.sessions,
    roundsInFlight: rounds.length,
    rounds: rounds.slice(0, MAX_LISTED_ROUNDS),
    framesRouted: m.framesRouted,
    bytesRouted: m.bytesRouted,
    bufferedBytes: stats.bufferedBytes ?? 0,
    heartbeatTimeouts: m.heartbeatTimeouts,
    dropped: Object.fromEntries(m.dropped),
    errors: Object.fromEntries(m.errors),
    authFailures: Object.fromEntries(m.authFailures),
  };
}

const SECURITY_HEADERS = {
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};

/** Serves the dashboard routes; returns false when `path` is not one of them. */
export function serveDashboard(path: string, _req: IncomingMessage, res: ServerResponse, s: HttpRouteState): boolean {
  if (path === '/dashboard' || path === '/dashboard/') {
    res
      .writeHead(200, {
        ...SECURITY_HEADERS,
        'content-type': 'text/html; charset=utf-8',
        'content-security-policy':
          "default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'unsafe-inline'; img-src 'self'",
        'x-frame-options': 'DENY',
      })
      .end(DASHBOARD_HTML);
    return true;
  }
  if (path === '/dashboard/app.js') {
    res.writeHead(200, { ...SECURITY_HEADERS, 'content-type': 'text/javascript; charset=utf-8' }).end(DASHBOARD_JS);
    return true;
  }
  if (path === '/dashboard/data') {
    res
      .writeHead(200, { ...SECURITY_HEADERS, 'content-type': 'application/json' })
      .end(JSON.stringify(dashboardSnapshot(s)));
    return true;
  }
  return false;
}
