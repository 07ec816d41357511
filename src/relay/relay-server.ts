/**
 * @module relay/relay-server
 * The shardwire relay: one HTTP server carrying the WebSocket endpoint (any path), `/healthz`
 * and `/metrics`; heartbeats, session expiry and graceful shutdown. Routing goes through the
 * {@link Backplane} (in-memory by default, docs/RELAY.md).
 */
import { createServer, type Server } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import { getSodium } from '../sodium.ts';
import { FRAME_PREFIX_BYTES, MAX_HEADER_BYTES, BROADCAST } from '../wire/constants.ts';
import type { Backplane } from './backplane.ts';
import { PeerConnection } from './connection.ts';
import type { RelayContext } from './context.ts';
import { handleHttp } from './http-routes.ts';
import { createLogger } from './logger.ts';
import { MemoryBackplane } from './memory-backplane.ts';
import { RelayMetrics } from './metrics.ts';
import { resolveRelayOptions, type RelayOptions, type ResolvedRelayOptions } from './options.ts';
import { PreAuthGate } from './pre-auth-gate.ts';
import { IdentityRateLimits } from './rate-limiter.ts';
import { SessionTracker } from './session-tracker.ts';
import { WriteBatch } from './write-batch.ts';

/** Live figures of a relay. */
export interface RelayStats {
  readonly connections: number;
  readonly authenticated: number;
  readonly sessions: number;
  /** Bytes queued to peers (sum of ws bufferedAmount). */
  readonly bufferedBytes: number;
  /** Sockets accepted that have not authenticated yet. */
  readonly pending: number;
}

/** A running relay. */
export interface Relay {
  readonly host: string;
  /** The bound port (useful with `port: 0`). */
  readonly port: number;
  /** `ws://host:port/` */
  readonly url: string;
  readonly options: ResolvedRelayOptions;
  readonly metrics: RelayMetrics;
  stats(): RelayStats;
  /** Graceful shutdown: stop accepting, tell peers, drain up to shutdownGraceMs, close. Idempotent. */
  close(): Promise<void>;
}

/** The backplane a relay builds for itself from `backplaneUrl`. */
async function ownBackplane(o: ResolvedRelayOptions): Promise<Backplane> {
  if (o.backplaneUrl === 'memory') return new MemoryBackplane();
  const { RedisBackplane } = await import('./redis/redis-backplane.ts');
  return RedisBackplane.connect({ url: o.backplaneUrl, client: o.redisClient });
}

/**
 * Starts a relay and resolves once it listens.
 *
 * @throws {ShardwireError} E_BAD_CONFIG for invalid options. Rejects with the listen error
 *   (e.g. EADDRINUSE) if the port cannot be bound.
 * @example const relay = await startRelay({ port: 0 }); console.log(relay.url); await relay.close()
 */
export async function startRelay(options: RelayOptions = {}): Promise<Relay> {
  const o = resolveRelayOptions(options);
  await getSodium();
  const log = o.logger ?? createLogger(o.logLevel);
  const backplane: Backplane = o.backplane ?? (await ownBackplane(o));
  const connections = new Set<PeerConnection>();
  const stats = (): RelayStats => {
    let bufferedBytes = 0;
    for (const c of connections) bufferedBytes += c.bufferedAmount;
    return { connections: connections.size, authenticated: ctx.authenticated, sessions: sessions.size, bufferedBytes, pending: gate.size };
  };
  const sessions = new SessionTracker();
  const metrics = new RelayMetrics({ connections: () => connections.size, authenticated: () => ctx.authenticated, sessions: () => sessions.size, bufferedBytes: () => stats().bufferedBytes });
  const ctx: RelayContext = {
    options: o, backplane, metrics, log, sessions, writes: new WriteBatch(), rates: new IdentityRateLimits(o),
    authenticated: 0, shuttingDown: false, backplaneDown: false,
  };
  // A shared backplane that loses Redis may have lost its state too: hang up on every peer (they
  // reconnect and resume) and refuse authentications until it is back, rather than route blind.
  backplane.onUnavailable?.((up) => {
    ctx.backplaneDown = !up;
    log[up ? 'info' : 'error'](up ? 'backplane available again' : 'backplane unavailable; closing peers', {});
    if (!up) for (const c of connections) c.shutdown('backplane unavailable; reconnect in a moment');
  });
  const gate = new PreAuthGate(o, (reason) => metrics.drop(`preauth-${reason}`));
  const startedAt = Date.now();

  const server: Server = createServer((req, res) => handleHttp(req, res, { metrics, stats, shuttingDown: () => ctx.shuttingDown, startedAt, dashboard: o.dashboard }));
  // ws enforces maxPayload from the frame header, before buffering the message (bounded memory per peer).
  const wss = new WebSocketServer({ noServer: true, maxPayload: FRAME_PREFIX_BYTES + MAX_HEADER_BYTES + o.maxPayloadBytes, perMessageDeflate: false, clientTracking: false });
  // Unauthenticated sockets are admitted by the gate, apart from the authenticated cap
  // (maxConnections, checked when a peer authenticates).
  server.on('connection', (socket: Socket) => gate.enter(socket));
  server.on('upgrade', (req, socket: Duplex, head) => {
    socket.on('error', () => socket.destroy());
    if (ctx.shuttingDown) {
      metrics.error('E_SHUTTING_DOWN');
      socket.end('HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      metrics.connectionsTotal++;
      const peer = { ip: req.socket.remoteAddress ?? 'unknown', authenticated: () => gate.leave(socket as Socket) };
      connections.add(new PeerConnection(ctx, ws, peer, (c) => connections.delete(c)));
    });
  });
  server.on('clientError', (_err, socket) => socket.destroy());
  wss.on('error', (e) => log.error('websocket server error', { error: e.message }));

  const heartbeat = setInterval(() => {
    for (const c of connections) c.heartbeat();
  }, o.heartbeatIntervalMs);
  const sweepMs = Math.max(10, Math.min(1000, Math.floor(o.sessionIdleTimeoutMs / 4)));
  const sweep = setInterval(() => {
    ctx.rates.sweep();
    for (const id of sessions.sweep()) {
      log.info('session expired', { session: id });
      backplane.deleteSession(id).catch(() => undefined);
      Promise.resolve(backplane.publish({ type: 'close', session: id, to: BROADCAST, code: 'E_SESSION_EXPIRED', message: `session ${JSON.stringify(id)} expired after being idle` })).catch(() => undefined);
    }
  }, sweepMs);

  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(o.port, o.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (e) {
    // Not listening (port in use, no such address): leave nothing running behind the error.
    clearInterval(heartbeat);
    clearInterval(sweep);
    if (!o.backplane) await backplane.close();
    throw e;
  }
  server.on('error', (e) => log.error('http server error', { error: e.message }));
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : o.port;
  const urlHost = o.host.includes(':') ? `[${o.host}]` : o.host;
  log.info('relay listening', { url: `ws://${urlHost}:${port}/`, maxPayloadBytes: o.maxPayloadBytes });

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      ctx.shuttingDown = true;
      log.info('relay shutting down', { connections: connections.size });
      const serverClosed = new Promise<void>((r) => server.close(() => r()));
      for (const c of connections) c.shutdown();
      const deadline = Date.now() + o.shutdownGraceMs;
      while (connections.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      for (const c of connections) c.ws.terminate();
      clearInterval(heartbeat);
      clearInterval(sweep);
      gate.close();
      server.closeAllConnections();
      await serverClosed;
      if (!o.backplane) await backplane.close();
      log.info('relay stopped', {});
    })();
    return closing;
  };

  return { host: o.host, port, url: `ws://${urlHost}:${port}/`, options: o, metrics, stats, close };
}
