/**
 * @module session/round-messages
 * The secure-aggregation messages between participants and the coordinator (docs/PROTOCOL.md),
 * their JSON schemas and validation. Every message except `key-bundle` travels sealed (AEAD with
 * the frame header as associated data); `key-bundle` is public and signed by its owner.
 *
 *   participant → coordinator   key-bundle, round.join*, round.keys*, partial.begin, partial,
 *                               round.consent*, reveal
 *   coordinator → participant   key-bundle, session.roster, round.open, round.members*,
 *                               round.masks*, round.survivors*, round.recover, round.result,
 *                               round.abort
 *   (* only under threat 'malicious-coordinator': double masking and the consistency check,
 *   see session/masking-messages.ts)
 */
import { ShardwireError } from '../errors.ts';
import { describe } from '../guards.ts';
import type { KeyBundleJson } from '../crypto/session-keys.ts';
import { fromBase64url, toBase64url } from '../wire/base64url.ts';
import { ID_PATTERN } from '../wire/constants.ts';
import { validateTensorSpecs, type TensorSpecJson } from '../tensors/spec.ts';
import { parseNoiseAnnouncement, type NoiseAnnouncement } from '../dp/noise-announcement.ts';
import { parseStatisticOpen, STATISTIC_OPERATIONS, type StatisticOperation } from '../stats/operations.ts';

/** Message types (header `type`). */
export const RoundType = {
  keyBundle: 'key-bundle',
  roster: 'session.roster',
  open: 'round.open',
  join: 'round.join',
  members: 'round.members',
  keys: 'round.keys',
  masks: 'round.masks',
  partial: 'partial',
  survivors: 'round.survivors',
  consent: 'round.consent',
  recover: 'round.recover',
  reveal: 'reveal',
  result: 'round.result',
  abort: 'round.abort',
} as const;
export type RoundType = (typeof RoundType)[keyof typeof RoundType];

/**
 * How the survivors' sum is turned into the released aggregate: 'mean' divides by the number of
 * contributors; 'weightedMean' has each client add x·w and w (an extra secure coordinate) and
 * divides by Σw. 'multiply' (sessions with smpc.operation 'multiply' only) releases the
 * element-wise product instead of a sum (secagg/product.ts). 'count', 'meanVariance' and
 * 'histogram' sum each client's local statistics of its records (stats/operations.ts).
 */
export type Operation = 'sum' | 'mean' | 'weightedMean' | 'multiply' | StatisticOperation;
export const OPERATIONS: readonly Operation[] = ['sum', 'mean', 'weightedMean', 'multiply', ...STATISTIC_OPERATIONS];
/** The round operations a session of each smpc.operation runs (statistics are sums: 'add' sessions). */
export const SESSION_OPERATIONS = { add: ['sum', 'mean', 'weightedMean', 'count', 'meanVariance', 'histogram'], multiply: ['multiply'] } as const satisfies Record<string, readonly Operation[]>;

/** One roster member as the coordinator tells participants (Ed25519 key, base64url). */
export interface RosterMember {
  readonly id: string;
  readonly publicKey: string;
}

/** `session.roster`: the whole roster, sent once after the key exchange (checked against `rosterHash`). */
export interface SessionRoster {
  readonly roster: readonly RosterMember[];
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
  /** Typed tensors (absent: one float vector of `dim`); `dim` is then their float elements. */
  readonly tensors?: readonly TensorSpecJson[];
  /** Statistics rounds (stats/operations.ts): most records per client; histogram bucket edges. */
  readonly maxRecords?: number;
  readonly edges?: readonly number[];
  /** A 'multiply' round: limbs of its prime field (every party derives p from them; field-budget.ts). */
  readonly fieldLimbs?: number;
  /** DP sessions: the noise plan and the coordinator's spend so far (participants check it). */
  readonly dp?: NoiseAnnouncement;
}

/** `round.recover` under threat 'honest-coordinator': the commitment to the dropped set. */
export interface RoundRecover {
  readonly memo: string;
  readonly dropped: readonly string[];
  readonly survivors: readonly string[];
}

/** One revealed seed of an edge with a dropped participant (honest-coordinator mode). */
export interface RevealedSeed {
  readonly from: string;
  readonly to: string;
  readonly seed: string;
}

/** `reveal` under threat 'honest-coordinator': a survivor's seeds for its edges with dropped participants. */
export interface Reveal {
  readonly memo: string;
  readonly seeds: readonly RevealedSeed[];
}

/** `round.result`: the end of a round for every participant; the aggregate only when broadcast. */
export interface RoundResult {
  readonly memo: string;
  readonly contributors: readonly string[];
  /** Float64 little-endian, base64url (broadcast rounds only). */
  readonly aggregate?: string;
  /** The integer tail of the sum (integer tensors, saturation counts) as ring bytes, base64url (broadcast rounds only). */
  readonly tail?: string;
  /** DP sessions: the coordinator's signed round report (dp/round-report.ts; checked by the participant's ledger). */
  readonly report?: unknown;
}

/** `round.abort`: nothing will be released for this memo. */
export interface RoundAbort {
  readonly memo: string;
  readonly code: string;
  readonly message: string;
}

const utf8 = new TextEncoder();
const utf8Strict = new TextDecoder('utf-8', { fatal: true });

/** Throws E_BAD_PAYLOAD for message `type`. */
export function badMessage(type: string, message: string): never {
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
    badMessage(type, 'payload is not UTF-8 JSON');
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) badMessage(type, `expected an object, got ${describe(v)}`);
  return v as Record<string, unknown>;
}

/** Distinct ids (E_BAD_PAYLOAD otherwise). */
export function parseIds(type: string, v: unknown, field: string): string[] {
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'string' || !ID_PATTERN.test(x)) || new Set(v).size !== v.length) badMessage(type, `"${field}" expected distinct ids`);
  return v as string[];
}

/** One id (E_BAD_PAYLOAD otherwise). */
export function parseId(type: string, v: unknown, field: string): string {
  if (typeof v !== 'string' || !ID_PATTERN.test(v)) badMessage(type, `"${field}" expected an id, got ${describe(v)}`);
  return v;
}

/** A memo (E_BAD_PAYLOAD otherwise). */
export function parseMemo(type: string, v: unknown): string {
  return parseId(type, v, 'memo');
}

/** Bytes from base64url, of exactly `length` bytes when given (E_BAD_PAYLOAD otherwise). */
export function parseBytes(type: string, v: unknown, field: string, length?: number): Uint8Array {
  const b = typeof v === 'string' ? fromBase64url(v) : undefined;
  if (b === undefined || (length !== undefined && b.length !== length)) badMessage(type, `"${field}" expected base64url${length === undefined ? '' : ` of ${length} bytes`}`);
  return b;
}

/** An array field (E_BAD_PAYLOAD otherwise). */
export function parseArray(type: string, v: unknown, field: string): Record<string, unknown>[] {
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'object' || x === null || Array.isArray(x))) badMessage(type, `"${field}" expected an array of objects`);
  return v as Record<string, unknown>[];
}

/** Validates a `session.roster` body. */
export function parseSessionRoster(o: Record<string, unknown>): SessionRoster {
  const t = RoundType.roster;
  const roster = parseArray(t, o.roster, 'roster').map((m) => ({ id: parseId(t, m.id, 'roster.id'), publicKey: toBase64url(parseBytes(t, m.publicKey, 'roster.publicKey', 32)) }));
  if (new Set(roster.map((m) => m.id)).size !== roster.length) badMessage(t, '"roster" lists an id twice');
  return { roster };
}

/** Validates a `round.open` body. */
export function parseRoundOpen(o: Record<string, unknown>): RoundOpen {
  const t = RoundType.open;
  const participants = parseIds(t, o.participants, 'participants');
  if (typeof o.configHash !== 'string') badMessage(t, '"configHash" missing');
  if (!Array.isArray(o.roster) || !Array.isArray(o.bundles)) badMessage(t, '"roster" and "bundles" expected arrays');
  if (!OPERATIONS.includes(o.operation as Operation)) badMessage(t, `"operation" expected one of ${OPERATIONS.join(', ')}`);
  if (typeof o.dim !== 'number' || !Number.isSafeInteger(o.dim) || o.dim < 0 || o.dim > 2 ** 31) badMessage(t, '"dim" expected an integer in [0, 2^31]');
  if (o.ring !== 32 && o.ring !== 64) badMessage(t, '"ring" expected 32 or 64');
  if (typeof o.broadcast !== 'boolean') badMessage(t, '"broadcast" expected a boolean');
  if (o.tensors !== undefined) validateTensorSpecs(o.tensors, 'tensors', 'E_BAD_PAYLOAD');
  if ((o.operation === 'multiply') !== (o.fieldLimbs !== undefined)) badMessage(t, '"fieldLimbs" expected exactly in a multiply round');
  if (o.fieldLimbs !== undefined && (typeof o.fieldLimbs !== 'number' || !Number.isSafeInteger(o.fieldLimbs) || o.fieldLimbs < 2 || o.fieldLimbs > 64)) badMessage(t, '"fieldLimbs" expected an integer in [2, 64]');
  const { dp, ...rest } = o;
  return { ...(rest as unknown as RoundOpen), memo: parseMemo(t, o.memo), participants, ...parseStatisticOpen(t, o), ...(dp === undefined ? {} : { dp: parseNoiseAnnouncement(dp) }) };
}

/** `round.members` (double masking): who joined the round; the holder graph is built over them. */
export interface RoundMembers {
  readonly memo: string;
  readonly members: readonly string[];
}

/** Validates a `round.members` body. */
export function parseRoundMembers(o: Record<string, unknown>): RoundMembers {
  const t = RoundType.members;
  return { memo: parseMemo(t, o.memo), members: parseIds(t, o.members, 'members') };
}

/** Validates a `round.recover` body of the honest-coordinator mode. */
export function parseRoundRecover(o: Record<string, unknown>): RoundRecover {
  const t = RoundType.recover;
  return { memo: parseMemo(t, o.memo), dropped: parseIds(t, o.dropped, 'dropped'), survivors: parseIds(t, o.survivors, 'survivors') };
}

/** Validates a `reveal` body of the honest-coordinator mode (seed bytes: {@link revealedSeedBytes}). */
export function parseReveal(o: Record<string, unknown>): Reveal {
  const t = RoundType.reveal;
  const seeds = parseArray(t, o.seeds, 'seeds').map((s) => ({ from: parseId(t, s.from, 'seeds.from'), to: parseId(t, s.to, 'seeds.to'), seed: String(s.seed) }));
  return { memo: parseMemo(t, o.memo), seeds };
}

/** Validates a `round.result` body. */
export function parseRoundResult(o: Record<string, unknown>): RoundResult {
  const t = RoundType.result;
  if (o.aggregate !== undefined && typeof o.aggregate !== 'string') badMessage(t, '"aggregate" expected base64url');
  if (o.tail !== undefined && typeof o.tail !== 'string') badMessage(t, '"tail" expected base64url');
  return { memo: parseMemo(t, o.memo), contributors: parseIds(t, o.contributors, 'contributors'), ...(o.aggregate === undefined ? {} : { aggregate: o.aggregate as string }), ...(o.tail === undefined ? {} : { tail: o.tail as string }), ...(o.report === undefined ? {} : { report: o.report }) };
}

/** Validates a `round.abort` body. */
export function parseRoundAbort(o: Record<string, unknown>): RoundAbort {
  const t = RoundType.abort;
  return { memo: parseMemo(t, o.memo), code: String(o.code).slice(0, 64), message: String(o.message).slice(0, 2000) };
}

/** 32 seed bytes of a revealed seed (E_BAD_PAYLOAD otherwise). */
export function revealedSeedBytes(s: RevealedSeed): Uint8Array {
  return parseBytes(RoundType.reveal, s.seed, 'seed', 32);
}

/** base64url of a Float64Array (little-endian bytes). */
export function encodeFloat64(v: Float64Array): string {
  return toBase64url(new Uint8Array(v.buffer, v.byteOffset, v.byteLength));
}

/** Float64Array from base64url (E_BAD_PAYLOAD when the length is not a multiple of 8). */
export function decodeFloat64(s: string): Float64Array {
  const b = fromBase64url(s);
  if (b === undefined || b.length % 8 !== 0) badMessage(RoundType.result, '"aggregate" is not Float64 data');
  return new Float64Array(b.slice().buffer);
}
