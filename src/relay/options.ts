/**
 * @module relay/options
 * Relay configuration: defaults, validation and the effective limits of a session.
 */
import { ShardwireError } from '../errors.ts';
import { aint, aobject, aoneOf } from '../guards.ts';
import type { EffectiveLimits, SessionLimits } from '../wire/control.ts';
import type { Backplane } from './backplane.ts';
import { LOG_LEVELS, type Logger, type LogLevel } from './logger.ts';

const MiB = 1024 * 1024;

/** Options of {@link startRelay}; every field is optional. */
export interface RelayOptions {
  /** Interface to listen on (default 127.0.0.1). */
  host?: string;
  /** TCP port; 0 picks a free one (default 8787). */
  port?: number;
  /** Largest payload of one frame, relay-wide; enforced by ws before buffering (default 16 MiB). */
  maxPayloadBytes?: number;
  /** Authenticated connections this relay holds; more are refused at authentication (default 20,000). */
  maxConnections?: number;
  /** Unauthenticated connections held at once; a new one evicts the oldest past this (default 1,024). */
  maxPreAuth?: number;
  /** Unauthenticated connections from one address; more are closed at once (default 256). */
  maxPreAuthPerIp?: number;
  /** Refuse `create` past this many sessions (default 10,000). */
  maxSessions?: number;
  /** Live sessions created from one address on this relay (default 1,000). */
  maxSessionsPerIp?: number;
  /** Largest roster of one session (default 10,000). */
  maxRoster?: number;
  /** A connection must authenticate within this time of being accepted (default 5 s). */
  authTimeoutMs?: number;
  /** Ping interval; a peer that has not answered by the next ping is closed as dead (default 15 s). */
  heartbeatIntervalMs?: number;
  /** Default idle expiry of sessions that do not ask for one (default 10 min). */
  sessionIdleTimeoutMs?: number;
  /** Upper bound on a session's requested idle expiry (default 24 h). */
  maxSessionIdleTimeoutMs?: number;
  /** Per-connection frame rate (default 1,000/s, burst 2,000). */
  messagesPerSecond?: number;
  burstMessages?: number;
  /** Per-connection byte rate (default 256 MiB/s, burst 4 × maxPayloadBytes). */
  bytesPerSecond?: number;
  burstBytes?: number;
  /** Bytes queued to one receiver past which frames to it are dropped with E_BACKPRESSURE (default 2 × maxPayloadBytes). */
  highWaterMarkBytes?: number;
  /**
   * Offline inbox of a member that asks for one: how long frames are kept for it while it is
   * away (default 60 s; 0 = no inboxes), and at most how many frames and bytes (1,024; 16 MiB).
   */
  inboxWindowMs?: number;
  inboxMaxFrames?: number;
  inboxMaxBytes?: number;
  /** Bad frames tolerated on one connection before it is closed (default 8). */
  maxBadFrames?: number;
  /** Time given to peers to drain on shutdown before they are cut (default 5 s). */
  shutdownGraceMs?: number;
  /** If set, only these Ed25519 public keys may create sessions (default: anyone may). */
  allowedCoordinators?: readonly Uint8Array[];
  /** Routing backplane (default: a new MemoryBackplane owned by the relay). */
  backplane?: Backplane;
  /**
   * Where the relay builds its own backplane when `backplane` is not given: `memory` (default)
   * or `redis://host:port[/db]` (relay/redis/redis-backplane.ts).
   */
  backplaneUrl?: string;
  /** Redis client library of a `redis://` backplane: `ioredis` (default) or `node-redis`. */
  redisClient?: 'ioredis' | 'node-redis';
  /** Serve the read-only dashboard at /dashboard (default false; counts only, no secrets). */
  dashboard?: boolean;
  /** Log level of the default logger (default info). */
  logLevel?: LogLevel;
  /** Custom logger (overrides logLevel). */
  logger?: Logger;
}

/** Options with every default applied. */
export type ResolvedRelayOptions = Required<Omit<RelayOptions, 'backplane' | 'logger' | 'allowedCoordinators'>> & Pick<RelayOptions, 'backplane' | 'logger' | 'allowedCoordinators'>;

/** Every key of {@link RelayOptions}. */
const OPTION_KEYS: readonly (keyof RelayOptions)[] = [
  'host', 'port', 'maxPayloadBytes', 'maxConnections', 'maxPreAuth', 'maxPreAuthPerIp', 'maxSessions', 'maxSessionsPerIp',
  'maxRoster', 'authTimeoutMs', 'heartbeatIntervalMs', 'sessionIdleTimeoutMs', 'maxSessionIdleTimeoutMs', 'messagesPerSecond',
  'burstMessages', 'bytesPerSecond', 'burstBytes', 'highWaterMarkBytes', 'maxBadFrames', 'shutdownGraceMs', 'allowedCoordinators',
  'inboxWindowMs', 'inboxMaxFrames', 'inboxMaxBytes',
  'backplane', 'backplaneUrl', 'redisClient', 'dashboard', 'logLevel', 'logger',
];

const U31 = 2 ** 31 - 1;
/** A number limit that may be Infinity (rates), else an integer in range. */
function limit(v: unknown, title: string, min: number, max: number): number {
  return v === Infinity ? v : aint(v, title, min, max, 'E_BAD_CONFIG');
}

/** True when `v` parses as a URL whose port, if given, is a TCP port (the Redis clients throw otherwise). */
function parsesAsRedisUrl(v: string): boolean {
  try {
    const u = new URL(v);
    return u.hostname !== '' && (u.port === '' || (Number(u.port) >= 1 && Number(u.port) <= 65535));
  } catch {
    return false;
  }
}

function backplaneUrl(v: unknown): string {
  if (v === undefined || v === 'memory') return 'memory';
  if (typeof v !== 'string' || !/^rediss?:\/\/[^\s]+$/.test(v) || !parsesAsRedisUrl(v)) {
    const got = typeof v === 'string' ? JSON.stringify(v.slice(0, 80)) : typeof v;
    throw new ShardwireError('E_BAD_CONFIG', `"backplaneUrl" expected "memory" or redis://host:port, got ${got}`, { field: 'backplaneUrl' });
  }
  return v;
}

/**
 * Applies defaults and validates.
 *
 * @throws {ShardwireError} E_BAD_CONFIG naming the bad option.
 */
export function resolveRelayOptions(o: RelayOptions = {}): ResolvedRelayOptions {
  aobject(o, 'options', 'E_BAD_CONFIG');
  // A misspelt option must not fall back to its default silently.
  for (const k of Object.keys(o)) {
    if (!OPTION_KEYS.includes(k as keyof RelayOptions)) throw new ShardwireError('E_BAD_CONFIG', `unknown relay option ${JSON.stringify(k.slice(0, 60))}`, { field: k.slice(0, 60) });
  }
  const allowed = o.allowedCoordinators;
  if (allowed !== undefined && (!Array.isArray(allowed) || !allowed.every((k) => k instanceof Uint8Array && k.length === 32))) {
    throw new ShardwireError('E_BAD_CONFIG', '"allowedCoordinators" expected an array of 32-byte Ed25519 public keys', { field: 'allowedCoordinators' });
  }
  const maxPayloadBytes = aint(o.maxPayloadBytes ?? 16 * MiB, 'maxPayloadBytes', 1, 2 ** 30, 'E_BAD_CONFIG');
  const host = o.host ?? '127.0.0.1';
  if (typeof host !== 'string' || host.length === 0) throw new ShardwireError('E_BAD_CONFIG', `"host" expected a non-empty string, got ${typeof host}`, { field: 'host' });
  const r: ResolvedRelayOptions = {
    host,
    port: aint(o.port ?? 8787, 'port', 0, 65535, 'E_BAD_CONFIG'),
    maxPayloadBytes,
    maxConnections: aint(o.maxConnections ?? 20_000, 'maxConnections', 1, 10_000_000, 'E_BAD_CONFIG'),
    maxPreAuth: aint(o.maxPreAuth ?? 1024, 'maxPreAuth', 1, 10_000_000, 'E_BAD_CONFIG'),
    maxPreAuthPerIp: aint(o.maxPreAuthPerIp ?? 256, 'maxPreAuthPerIp', 1, 10_000_000, 'E_BAD_CONFIG'),
    maxSessions: aint(o.maxSessions ?? 10_000, 'maxSessions', 1, 10_000_000, 'E_BAD_CONFIG'),
    maxSessionsPerIp: aint(o.maxSessionsPerIp ?? 1000, 'maxSessionsPerIp', 1, 10_000_000, 'E_BAD_CONFIG'),
    maxRoster: aint(o.maxRoster ?? 10_000, 'maxRoster', 1, 1_000_000, 'E_BAD_CONFIG'),
    authTimeoutMs: aint(o.authTimeoutMs ?? 5000, 'authTimeoutMs', 1, U31, 'E_BAD_CONFIG'),
    heartbeatIntervalMs: aint(o.heartbeatIntervalMs ?? 15_000, 'heartbeatIntervalMs', 1, U31, 'E_BAD_CONFIG'),
    sessionIdleTimeoutMs: aint(o.sessionIdleTimeoutMs ?? 600_000, 'sessionIdleTimeoutMs', 1, U31, 'E_BAD_CONFIG'),
    maxSessionIdleTimeoutMs: aint(o.maxSessionIdleTimeoutMs ?? 86_400_000, 'maxSessionIdleTimeoutMs', 1, U31, 'E_BAD_CONFIG'),
    messagesPerSecond: limit(o.messagesPerSecond ?? 1000, 'messagesPerSecond', 1, 1e9),
    burstMessages: limit(o.burstMessages ?? 2000, 'burstMessages', 1, 1e9),
    bytesPerSecond: limit(o.bytesPerSecond ?? 256 * MiB, 'bytesPerSecond', 1, 2 ** 50),
    burstBytes: limit(o.burstBytes ?? 4 * maxPayloadBytes + 65536, 'burstBytes', 1, 2 ** 50),
    highWaterMarkBytes: aint(o.highWaterMarkBytes ?? 2 * maxPayloadBytes, 'highWaterMarkBytes', 1, 2 ** 40, 'E_BAD_CONFIG'),
    maxBadFrames: limit(o.maxBadFrames ?? 8, 'maxBadFrames', 1, 1e9),
    inboxWindowMs: aint(o.inboxWindowMs ?? 60_000, 'inboxWindowMs', 0, U31, 'E_BAD_CONFIG'),
    inboxMaxFrames: aint(o.inboxMaxFrames ?? 1024, 'inboxMaxFrames', 1, 10_000_000, 'E_BAD_CONFIG'),
    inboxMaxBytes: aint(o.inboxMaxBytes ?? 16 * MiB, 'inboxMaxBytes', 1, 2 ** 40, 'E_BAD_CONFIG'),
    shutdownGraceMs: aint(o.shutdownGraceMs ?? 5000, 'shutdownGraceMs', 0, U31, 'E_BAD_CONFIG'),
    dashboard: aoneOf(o.dashboard ?? false, 'dashboard', [true, false], 'E_BAD_CONFIG'),
    logLevel: aoneOf(o.logLevel ?? 'info', 'logLevel', LOG_LEVELS, 'E_BAD_CONFIG'),
    backplaneUrl: backplaneUrl(o.backplaneUrl),
    redisClient: aoneOf(o.redisClient ?? 'ioredis', 'redisClient', ['ioredis', 'node-redis'] as const, 'E_BAD_CONFIG'),
    allowedCoordinators: o.allowedCoordinators,
    backplane: o.backplane,
    logger: o.logger,
  };
  if (r.burstBytes < maxPayloadBytes) throw new ShardwireError('E_BAD_CONFIG', `"burstBytes" (${r.burstBytes}) must be at least maxPayloadBytes (${maxPayloadBytes}), or no full-size frame could ever pass`, { field: 'burstBytes' });
  return r;
}

/**
 * What a session asked for, capped by the relay. Without an explicit payload limit, a known
 * vector length is sized for the largest body a round sends: a broadcast `round.result` carries the
 * Float64 aggregate in base64url, 4·⌈8d/3⌉ bytes (more than a Z_2^64 partial's 8d), plus 4 KiB for
 * the JSON around it, AEAD and framing.
 */
export function effectiveLimits(asked: SessionLimits, o: ResolvedRelayOptions): EffectiveLimits {
  const fromVector = asked.vectorLength !== undefined ? 4 * Math.ceil((asked.vectorLength * 8) / 3) + 4096 : o.maxPayloadBytes;
  const limits: { -readonly [K in keyof EffectiveLimits]: EffectiveLimits[K] } = {
    maxPayloadBytes: Math.min(asked.maxPayloadBytes ?? fromVector, o.maxPayloadBytes),
    idleTimeoutMs: Math.min(asked.idleTimeoutMs ?? o.sessionIdleTimeoutMs, o.maxSessionIdleTimeoutMs),
  };
  if (asked.vectorLength !== undefined) limits.vectorLength = asked.vectorLength;
  return limits;
}
