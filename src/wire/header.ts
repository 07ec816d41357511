/**
 * @module wire/header
 * The envelope header `{ session, from, to, type, memo?, seq }` (docs/RELAY.md): validation of
 * a parsed header and its canonical JSON encoding. The relay routes by this header only.
 */
import { ShardwireError } from '../errors.ts';
import { describe } from '../guards.ts';
import { BROADCAST, FrameKind, ID_PATTERN, RELAY_ID, TYPE_PATTERN } from './constants.ts';

/** A validated frame header. */
export interface Header {
  /** Session id; empty only on relay control frames sent before authentication. */
  readonly session: string;
  /** Sender id. Stamped by the relay on routed messages; peers may leave it empty. */
  readonly from: string;
  /** Recipient id, {@link BROADCAST} (`*`) for the whole session, or {@link RELAY_ID}. */
  readonly to: string;
  /** Message type (`key-bundle`, `partial`, `round.recover`, ... or a control type). */
  readonly type: string;
  /** Round memo, binding a message to one round (docs/PROTOCOL.md §1). */
  readonly memo?: string;
  /** Sender's sequence number; receivers use it (with session and memo) to refuse replays. */
  readonly seq: number;
}

const HEADER_KEYS = new Set(['session', 'from', 'to', 'type', 'memo', 'seq']);

function bad(message: string, field: string, value: unknown): never {
  throw new ShardwireError('E_BAD_FRAME', `header "${field}" ${message}, got ${describe(value)}`, { field });
}

function id(v: unknown, field: string, allowEmpty: boolean, extra: readonly string[] = []): string {
  if (typeof v !== 'string') bad('expected a string', field, v);
  if (v === '' && allowEmpty) return v;
  if (extra.includes(v)) return v;
  if (!ID_PATTERN.test(v)) bad('expected 1-128 characters of [A-Za-z0-9._:@-]', field, v);
  return v;
}

/**
 * Checks that `raw` (parsed header JSON) is a well-formed header for a frame of `kind`.
 * Structure only: whether the sender may use these values is the relay's business.
 *
 * @throws {ShardwireError} E_BAD_FRAME naming the first bad field.
 * @example validateHeader(JSON.parse(text), FrameKind.message)
 */
export function validateHeader(raw: unknown, kind: FrameKind): Header {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new ShardwireError('E_BAD_FRAME', `header expected a JSON object, got ${describe(raw)}`, {});
  }
  const h = raw as Record<string, unknown>;
  for (const k of Object.keys(h)) {
    if (!HEADER_KEYS.has(k)) throw new ShardwireError('E_BAD_FRAME', `header has unknown field ${JSON.stringify(k.slice(0, 40))}`, { field: k.slice(0, 40) });
  }
  const control = kind === FrameKind.control;
  const session = id(h.session, 'session', control);
  // Peers may leave `from` empty on messages: the relay stamps it (it never trusts it anyway).
  const from = id(h.from, 'from', true, [RELAY_ID]);
  const to = id(h.to, 'to', control, [RELAY_ID, BROADCAST]);
  const type = h.type;
  if (typeof type !== 'string' || !TYPE_PATTERN.test(type)) bad('expected a lower-case name of 1-64 characters [a-z0-9._-]', 'type', type);
  const seq = h.seq;
  if (typeof seq !== 'number' || !Number.isSafeInteger(seq) || seq < 0) bad('expected a safe integer >= 0', 'seq', seq);
  const header: { -readonly [K in keyof Header]: Header[K] } = { session, from, to, type, seq };
  if (h.memo !== undefined) header.memo = id(h.memo, 'memo', false);
  return header;
}

/**
 * The canonical JSON of a header: fixed key order, no whitespace, `memo` only when present.
 * Encoders always produce it, so a receiver can use the exact header bytes as AEAD associated
 * data and the relay can forward frames unchanged when the header is already canonical.
 */
export function canonicalHeaderJson(h: Header): string {
  const o: Record<string, unknown> = { session: h.session, from: h.from, to: h.to, type: h.type };
  if (h.memo !== undefined) o.memo = h.memo;
  o.seq = h.seq;
  return JSON.stringify(o);
}
