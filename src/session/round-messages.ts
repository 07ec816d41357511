/**
 * @module session/round-messages
 * The secure-aggregation messages between participants and the coordinator (DESIGN.md §3–§4),
 * their JSON schemas and validation. Every message except `key-bundle` travels sealed (AEAD with
 * the frame header as associated data); `key-bundle` is public and signed by its owner.
 *
 *   participant → coordinator   key-bundle, partial (raw ring bytes), reveal
 *   coordinator → participant   key-bundle, round.open, round.recover, round.result, round.abort
 */
import { ShardwireError } from '../errors.ts';
import { describe } from '../guards.ts';
import type { KeyBundleJson } from '../crypto/session-keys.ts';
import { fromBase64url, toBase64url } from '../wire/base64url.ts';
import { ID_PATTERN } from '../wire/constants.ts';

/** Message types (header `type`). */
export const RoundType = {
  keyBundle: 'key-bundle',
  open: 'round.open',
  partial: 'partial',
  recover: 'round.recover',
  reveal: 'reveal',
  result: 'round.result',
  abort: 'round.abort',
} as const;
export type RoundType = (typeof RoundType)[keyof typeof RoundType];

/**
 * How the survivors' sum is turned into the released aggregate: 'mean' divides by the number of
 * contributors; 'weightedMean' has each client add x·w and w (an extra secure coordinate) and
 * divides by Σw.
 */
export type Operation = 'sum' | 'mean' | 'weightedMean';
export const OPERATIONS: readonly Operation[] = ['sum', 'mean', 'weightedMean'];

/** One roster member as the coordinator tells participants (Ed25519 key, base64url). */
export interface RosterMember {
  readonly id: string;
  readonly publicKey: string;
}

/** `round.open`: the coordinator asks `participants` for their partials. */
export interface RoundOpen {
  readonly memo: string;
  readonly configHash: string;
  readonly participants: readonly string[];
  readonly roster: readonly RosterMember[];
  readonly bundles: readonly KeyBundleJson[];
  readonly operation: Operation;
  readonly dim: number;
  readonly ring: 32 | 64;
  readonly broadcast: boolean;
}

/** `round.recover`: the coordinator's commitment to the dropped set. */
export interface RoundRecover {
  readonly memo: string;
  readonly dropped: readonly string[];
  readonly survivors: readonly string[];
}

/** One revealed seed of an edge with a dropped participant. */
export interface RevealedSeed {
  readonly from: string;
  readonly to: string;
  readonly seed: string;
}

/** `reveal`: a survivor's seeds for its edges with dropped participants. */
export interface Reveal {
  readonly memo: string;
  readonly seeds: readonly RevealedSeed[];
}

/** `round.result`: the released aggregate, when the coordinator broadcasts it. */
export interface RoundResult {
  readonly memo: string;
  readonly contributors: readonly string[];
  /** Float64 little-endian, base64url. */
  readonly aggregate: string;
}

/** `round.abort`: nothing will be released for this memo. */
export interface RoundAbort {
  readonly memo: string;
  readonly code: string;
  readonly message: string;
}

const utf8 = new TextEncoder();
const utf8Strict = new TextDecoder('utf-8', { fatal: true });

function bad(type: string, message: string): never {
  throw new ShardwireError('E_BAD_PAYLOAD', `${type}: ${message}`, { type });
}

/** JSON bytes of a message body. */
export function encodeBody(body: object): Uint8Array {
  return utf8.encode(JSON.stringify(body));
}

/** Parses JSON message bytes into an object (E_BAD_PAYLOAD otherwise). */
export function decodeBody(type: string, bytes: Uint8Array): Record<string, unknown> {
  let v: unknown;
  try {
    v = JSON.parse(utf8Strict.decode(bytes));
  } catch {
    bad(type, 'payload is not UTF-8 JSON');
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) bad(type, `expected an object, got ${describe(v)}`);
  return v as Record<string, unknown>;
}

function ids(type: string, v: unknown, field: string): string[] {
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'string' || !ID_PATTERN.test(x)) || new Set(v).size !== v.length) bad(type, `"${field}" expected distinct ids`);
  return v as string[];
}

function memo(type: string, v: unknown): string {
  if (typeof v !== 'string' || !ID_PATTERN.test(v)) bad(type, `"memo" expected an id-like string, got ${describe(v)}`);
  return v;
}

/** Validates a `round.open` body. */
export function parseRoundOpen(o: Record<string, unknown>): RoundOpen {
  const t = RoundType.open;
  const participants = ids(t, o.participants, 'participants');
  if (typeof o.configHash !== 'string') bad(t, '"configHash" missing');
  if (!Array.isArray(o.roster) || !Array.isArray(o.bundles)) bad(t, '"roster" and "bundles" expected arrays');
  if (!OPERATIONS.includes(o.operation as Operation)) bad(t, `"operation" expected one of ${OPERATIONS.join(', ')}`);
  if (typeof o.dim !== 'number' || !Number.isSafeInteger(o.dim) || o.dim < 0 || o.dim > 2 ** 31) bad(t, '"dim" expected an integer in [0, 2^31]');
  if (o.ring !== 32 && o.ring !== 64) bad(t, '"ring" expected 32 or 64');
  if (typeof o.broadcast !== 'boolean') bad(t, '"broadcast" expected a boolean');
  return { ...(o as unknown as RoundOpen), memo: memo(t, o.memo), participants };
}

/** Validates a `round.recover` body. */
export function parseRoundRecover(o: Record<string, unknown>): RoundRecover {
  const t = RoundType.recover;
  return { memo: memo(t, o.memo), dropped: ids(t, o.dropped, 'dropped'), survivors: ids(t, o.survivors, 'survivors') };
}

/** Validates a `reveal` body (seed bytes are checked by {@link revealedSeedBytes}). */
export function parseReveal(o: Record<string, unknown>): Reveal {
  const t = RoundType.reveal;
  if (!Array.isArray(o.seeds)) bad(t, '"seeds" expected an array');
  for (const s of o.seeds as RevealedSeed[]) {
    if (typeof s !== 'object' || s === null || !ID_PATTERN.test(String(s.from)) || !ID_PATTERN.test(String(s.to)) || typeof s.seed !== 'string') bad(t, 'a seed entry is malformed');
  }
  return { memo: memo(t, o.memo), seeds: o.seeds as RevealedSeed[] };
}

/** Validates a `round.result` body. */
export function parseRoundResult(o: Record<string, unknown>): RoundResult {
  const t = RoundType.result;
  if (typeof o.aggregate !== 'string') bad(t, '"aggregate" expected base64url');
  return { memo: memo(t, o.memo), contributors: ids(t, o.contributors, 'contributors'), aggregate: o.aggregate };
}

/** Validates a `round.abort` body. */
export function parseRoundAbort(o: Record<string, unknown>): RoundAbort {
  const t = RoundType.abort;
  return { memo: memo(t, o.memo), code: String(o.code), message: String(o.message) };
}

/** 32 seed bytes of a revealed seed (E_BAD_PAYLOAD otherwise). */
export function revealedSeedBytes(s: RevealedSeed): Uint8Array {
  const b = fromBase64url(s.seed);
  if (b === undefined || b.length !== 32) bad(RoundType.reveal, 'a seed is not 32 bytes of base64url');
  return b;
}

/** base64url of a Float64Array (little-endian bytes). */
export function encodeFloat64(v: Float64Array): string {
  return toBase64url(new Uint8Array(v.buffer, v.byteOffset, v.byteLength));
}

/** Float64Array from base64url (E_BAD_PAYLOAD when the length is not a multiple of 8). */
export function decodeFloat64(s: string): Float64Array {
  const b = fromBase64url(s);
  if (b === undefined || b.length % 8 !== 0) bad(RoundType.result, '"aggregate" is not Float64 data');
  return new Float64Array(b.slice().buffer);
}

/** Raw little-endian bytes of a ring vector (a view, no copy). */
export function ringBytes(v: Uint32Array | BigUint64Array): Uint8Array {
  return new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
}

/**
 * A ring vector from a partial's bytes, checking the length against the round's dim and ring.
 * Takes ownership of `bytes`: when they are a whole, 8-byte-aligned buffer (a freshly opened
 * payload is) the vector views them without copying the partial; otherwise they are copied. The caller must not reuse `bytes` afterwards.
 * @throws {ShardwireError} E_BAD_VECTOR when the size is wrong.
 */
export function ringFromBytes(bytes: Uint8Array, dim: number, ring: 32 | 64): Uint32Array | BigUint64Array {
  const expected = dim * (ring / 8);
  if (bytes.length !== expected) throw new ShardwireError('E_BAD_VECTOR', `partial expected ${expected} bytes (${dim} × ${ring / 8}), got ${bytes.length}`, { expected, actual: bytes.length });
  const whole = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength && bytes.buffer instanceof ArrayBuffer;
  const copy = whole ? bytes : bytes.slice(); // aligned, owned
  return ring === 32 ? new Uint32Array(copy.buffer) : new BigUint64Array(copy.buffer);
}
