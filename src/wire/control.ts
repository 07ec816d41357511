/**
 * @module wire/control
 * JSON bodies of `control` frames (peer ↔ relay) and their validation. Binary values (keys,
 * signatures, nonces) travel as unpadded base64url. A body that is not valid UTF-8 JSON, or
 * whose fields have the wrong type or size, is E_BAD_PAYLOAD (close code 1007).
 */
import { ShardwireError, type ErrorCode } from '../errors.ts';
import { describe } from '../guards.ts';
import { fromBase64url } from './base64url.ts';
import { BROADCAST, CHALLENGE_BYTES, ED25519_PUBLIC_KEY_BYTES, ED25519_SIGNATURE_BYTES, ID_PATTERN, RELAY_ID } from './constants.ts';

/** relay → peer, first frame on every connection. */
export interface ChallengeBody {
  /** Fresh random nonce (base64url, 32 bytes) the peer signs; valid for this connection only. */
  readonly nonce: string;
  /** Relay software and protocol, e.g. `shardwire-relay/1`. */
  readonly relay: string;
  /** Largest payload this relay accepts in one frame. */
  readonly maxPayloadBytes: number;
}

/** One member of a session roster. */
export interface RosterEntry {
  readonly id: string;
  /** Ed25519 public key, base64url. */
  readonly publicKey: string;
}

/** Limits a coordinator asks for; the relay caps them at its own maxima. */
export interface SessionLimits {
  /** Largest routed payload in this session (bytes). */
  readonly maxPayloadBytes?: number;
  /** Expected vector length (elements); informs the default payload limit. */
  readonly vectorLength?: number;
  /** The session expires after this long without routed traffic (ms). */
  readonly idleTimeoutMs?: number;
}

/** peer → relay `create`: the coordinator opens a session (header.from = coordinator id). */
export interface CreateBody {
  /** Ed25519 signature (base64url) of {@link authMessage} over the challenge and this body. */
  readonly signature: string;
  /** The coordinator's Ed25519 public key, base64url. */
  readonly publicKey: string;
  /** The participants (not including the coordinator). */
  readonly roster: readonly RosterEntry[];
  readonly limits?: SessionLimits;
  /** `{}`: also open an offline inbox for the coordinator (wire/join-body.ts); signed when present. */
  readonly inbox?: Record<string, never>;
}

/** Effective limits of a session, as the relay enforces them. */
export interface EffectiveLimits {
  readonly maxPayloadBytes: number;
  readonly idleTimeoutMs: number;
  readonly vectorLength?: number;
}

/** relay → peer after a successful create/join. */
export interface WelcomeBody {
  readonly session: string;
  readonly id: string;
  readonly role: 'coordinator' | 'participant';
  /** Members online at this moment (including the new one). */
  readonly online: readonly string[];
  readonly limits: EffectiveLimits;
  /**
   * Present when the peer asked for an offline inbox and the relay keeps one: message frames
   * numbered above `after` follow, in order; `gap` says frames sent while away were lost.
   */
  readonly inbox?: { readonly epoch: string; readonly after: number; readonly gap: boolean };
}

/** relay → session: a member came or went. `timeout` = missed heartbeats (dead peer). */
export interface PresenceBody {
  readonly id: string;
  readonly status: 'online' | 'offline';
  readonly reason: 'joined' | 'left' | 'timeout' | 'replaced' | 'shutdown';
}

/** relay → peer: something the peer sent was refused. `ref` names the frame when known. */
export interface ErrorBody {
  readonly code: ErrorCode;
  readonly message: string;
  readonly details?: Readonly<Record<string, unknown>>;
  readonly ref?: { readonly type: string; readonly seq: number };
}

/** relay → peer: the relay is going away (graceful shutdown); reconnect elsewhere. */
export interface ShutdownBody {
  readonly code: 'E_SHUTTING_DOWN';
  readonly message: string;
}

const utf8 = new TextEncoder();
const utf8Strict = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Throws E_BAD_PAYLOAD. */
export function badPayload(message: string, details: Record<string, unknown> = {}): never {
  throw new ShardwireError('E_BAD_PAYLOAD', message, details);
}

/** Encodes a control body as UTF-8 JSON. */
export function encodeControlBody(body: object): Uint8Array {
  return utf8.encode(JSON.stringify(body));
}

/**
 * Parses a control payload as a JSON object.
 *
 * @throws {ShardwireError} E_BAD_PAYLOAD if it is not UTF-8 JSON of an object.
 */
export function parseControlBody(payload: Uint8Array): Record<string, unknown> {
  let v: unknown;
  try {
    v = JSON.parse(utf8Strict.decode(payload));
  } catch {
    badPayload('control payload is not valid UTF-8 JSON');
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) badPayload(`control payload expected a JSON object, got ${describe(v)}`);
  return v as Record<string, unknown>;
}

/** Refuses keys outside `allowed`. @throws {ShardwireError} E_BAD_PAYLOAD naming the first unknown key */
export function onlyKeys(o: Record<string, unknown>, allowed: readonly string[], what: string): void {
  for (const k of Object.keys(o)) if (!allowed.includes(k)) badPayload(`${what} has unknown field ${JSON.stringify(k.slice(0, 40))}`, { field: k.slice(0, 40) });
}

/** Decodes a base64url field of exactly `length` bytes. @throws {ShardwireError} E_BAD_PAYLOAD */
export function bytesField(v: unknown, field: string, length: number): Uint8Array {
  const bytes = typeof v === 'string' ? fromBase64url(v) : undefined;
  if (bytes === undefined || bytes.length !== length) badPayload(`"${field}" expected ${length} bytes as unpadded base64url, got ${describe(v)}`, { field });
  return bytes;
}

/** An integer field in [min, max]. @throws {ShardwireError} E_BAD_PAYLOAD */
export function intField(v: unknown, field: string, min: number, max: number): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min || v > max) badPayload(`"${field}" expected an integer in [${min}, ${max}], got ${describe(v)}`, { field, min, max });
  return v;
}

/** A party id usable in a roster: {@link ID_PATTERN} and not a reserved name. */
export function isMemberId(v: unknown): v is string {
  return typeof v === 'string' && ID_PATTERN.test(v) && v !== RELAY_ID && v !== BROADCAST;
}

/** A validated `create` body with decoded keys. */
export interface ParsedCreate {
  readonly signature: Uint8Array;
  readonly publicKey: Uint8Array;
  readonly roster: ReadonlyMap<string, Uint8Array>;
  readonly limits: SessionLimits;
  /** The body without `signature`, in canonical form: what the signature covers (see auth-message). */
  readonly signedBody: Omit<CreateBody, 'signature'>;
}

/**
 * Validates a `create` body: unique member ids, 32-byte keys, integer limits.
 *
 * @throws {ShardwireError} E_BAD_PAYLOAD naming the bad field or roster index.
 */
export function parseCreateBody(o: Record<string, unknown>, coordinatorId: string, maxRoster: number): ParsedCreate {
  onlyKeys(o, ['signature', 'publicKey', 'roster', 'limits', 'inbox'], 'create');
  if (o.inbox !== undefined) {
    const i = o.inbox;
    if (typeof i !== 'object' || i === null || Array.isArray(i) || Object.keys(i).length > 0) {
      badPayload(`"inbox" expected {} (a fresh inbox), got ${describe(i)}`, { field: 'inbox' });
    }
  }
  const signature = bytesField(o.signature, 'signature', ED25519_SIGNATURE_BYTES);
  const publicKey = bytesField(o.publicKey, 'publicKey', ED25519_PUBLIC_KEY_BYTES);
  if (!Array.isArray(o.roster)) badPayload(`"roster" expected an array, got ${describe(o.roster)}`, { field: 'roster' });
  if (o.roster.length > maxRoster) badPayload(`"roster" has ${o.roster.length} members, this relay allows ${maxRoster}`, { field: 'roster', max: maxRoster });
  const roster = new Map<string, Uint8Array>();
  const rosterOut: RosterEntry[] = [];
  o.roster.forEach((e: unknown, i: number) => {
    if (typeof e !== 'object' || e === null || Array.isArray(e)) badPayload(`"roster[${i}]" expected an object, got ${describe(e)}`, { index: i });
    const entry = e as Record<string, unknown>;
    onlyKeys(entry, ['id', 'publicKey'], `roster[${i}]`);
    if (!isMemberId(entry.id)) badPayload(`"roster[${i}].id" expected 1-128 characters of [A-Za-z0-9._:@-] other than "relay" and "*", got ${describe(entry.id)}`, { index: i });
    if (entry.id === coordinatorId) badPayload(`"roster[${i}].id" is the coordinator's own id; list participants only`, { index: i });
    if (roster.has(entry.id)) badPayload(`"roster[${i}].id" ${JSON.stringify(entry.id)} appears twice`, { index: i });
    roster.set(entry.id, bytesField(entry.publicKey, `roster[${i}].publicKey`, ED25519_PUBLIC_KEY_BYTES));
    rosterOut.push({ id: entry.id, publicKey: entry.publicKey as string });
  });
  const limits: { -readonly [K in keyof SessionLimits]: SessionLimits[K] } = {};
  if (o.limits !== undefined) {
    if (typeof o.limits !== 'object' || o.limits === null || Array.isArray(o.limits)) badPayload(`"limits" expected an object, got ${describe(o.limits)}`, { field: 'limits' });
    const l = o.limits as Record<string, unknown>;
    onlyKeys(l, ['maxPayloadBytes', 'vectorLength', 'idleTimeoutMs'], 'limits');
    if (l.maxPayloadBytes !== undefined) limits.maxPayloadBytes = intField(l.maxPayloadBytes, 'limits.maxPayloadBytes', 0, 2 ** 32);
    if (l.vectorLength !== undefined) limits.vectorLength = intField(l.vectorLength, 'limits.vectorLength', 1, 2 ** 32);
    if (l.idleTimeoutMs !== undefined) limits.idleTimeoutMs = intField(l.idleTimeoutMs, 'limits.idleTimeoutMs', 1, 2 ** 31);
  }
  const signedBody = canonicalCreateBody(o.publicKey as string, rosterOut, limits, o.inbox !== undefined);
  return { signature, publicKey, roster, limits, signedBody };
}

/**
 * The part of a `create` body that the coordinator signs, with a fixed key order, so that
 * coordinator and relay hash the same bytes (see {@link createBodyBytes}).
 */
export function canonicalCreateBody(publicKey: string, roster: readonly RosterEntry[], limits: SessionLimits = {}, inbox = false,
): Omit<CreateBody, 'signature'> {
  const l: Record<string, number> = {};
  for (const k of ['idleTimeoutMs', 'maxPayloadBytes', 'vectorLength'] as const) if (limits[k] !== undefined) l[k] = limits[k];
  const body = { publicKey, roster: roster.map((e) => ({ id: e.id, publicKey: e.publicKey })), limits: l };
  return inbox ? { ...body, inbox: {} } : body;
}

/** UTF-8 JSON of {@link canonicalCreateBody}: the bytes hashed into the create signature. */
export function createBodyBytes(body: Omit<CreateBody, 'signature'>): Uint8Array {
  return encodeControlBody(canonicalCreateBody(body.publicKey, body.roster, body.limits, body.inbox !== undefined));
}

/** Validated challenge body (for clients). @throws {ShardwireError} E_BAD_PAYLOAD */
export function parseChallengeBody(o: Record<string, unknown>): { nonce: Uint8Array; relay: string; maxPayloadBytes: number } {
  const nonce = bytesField(o.nonce, 'nonce', CHALLENGE_BYTES);
  if (typeof o.relay !== 'string') badPayload(`"relay" expected a string, got ${describe(o.relay)}`);
  return { nonce, relay: o.relay, maxPayloadBytes: intField(o.maxPayloadBytes, 'maxPayloadBytes', 0, 2 ** 32) };
}
