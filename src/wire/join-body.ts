/**
 * @module wire/join-body
 * The `join` control body (peer → relay): a roster member, or the coordinator reconnecting,
 * enters a session. Besides the signature it may name
 * - `coordinator`: the id of the coordinator whose session this is. Sessions are namespaced by
 *   their creator (relay/session-key.ts); the relay needs it only when several coordinators
 *   opened sessions of the same name with this member in their rosters, but peers that know
 *   their coordinator should always send it.
 * - `inbox`: ask the relay to keep frames sent to this member while it is away (docs/RELAY.md
 *   "Offline inbox"). `{}` starts afresh; `{ epoch, after }` resumes the inbox of that epoch
 *   after the last frame this peer received (message frames are numbered 1, 2, ... per inbox).
 *
 * The signature covers these fields: for a body with any of them, the auth message carries the
 * BLAKE2b-256 of {@link joinBodyBytes} (the 32 zero bytes of a plain join otherwise), so the
 * relay cannot be steered into another coordinator's session or another resume point.
 */
import { getSodium } from '../sodium.ts';
import { describe } from '../guards.ts';
import { AUTH_DIGEST_BYTES } from './auth-message.ts';
import { ED25519_SIGNATURE_BYTES } from './constants.ts';
import { badPayload, bytesField, encodeControlBody, intField, isMemberId, onlyKeys } from './control.ts';

/** Inbox epochs: unpadded base64url of 16 random bytes (22 characters), at most 64 accepted. */
export const INBOX_EPOCH_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

/** What a peer asks of its offline inbox. */
export interface InboxRequest {
  /** The inbox epoch this peer last saw in a welcome (absent: start a fresh inbox). */
  readonly epoch?: string;
  /** The number of the last message frame this peer received from that inbox. */
  readonly after?: number;
}

/** peer → relay `join`. */
export interface JoinBody {
  /** Ed25519 signature (base64url) of `authMessage('join', …, joinBodyDigest(body))`. */
  readonly signature: string;
  readonly coordinator?: string;
  readonly inbox?: InboxRequest;
}

/** A validated join body. */
export interface ParsedJoin {
  readonly signature: Uint8Array;
  readonly coordinator?: string;
  readonly inbox?: InboxRequest;
}

/** The optional, signed fields of a join body. */
export interface JoinExtras {
  readonly coordinator?: string;
  readonly inbox?: InboxRequest;
}

/** The signed part of a join body with a fixed key order (only the fields that are set). */
export function canonicalJoinBody(b: JoinExtras): JoinExtras {
  const out: { coordinator?: string; inbox?: InboxRequest } = {};
  if (b.coordinator !== undefined) out.coordinator = b.coordinator;
  if (b.inbox !== undefined) {
    const i: { epoch?: string; after?: number } = {};
    if (b.inbox.epoch !== undefined) i.epoch = b.inbox.epoch;
    if (b.inbox.after !== undefined) i.after = b.inbox.after;
    out.inbox = i;
  }
  return out;
}

/** UTF-8 JSON of {@link canonicalJoinBody}, or undefined when nothing beyond the signature is set. */
export function joinBodyBytes(b: JoinExtras): Uint8Array | undefined {
  return b.coordinator === undefined && b.inbox === undefined ? undefined : encodeControlBody(canonicalJoinBody(b));
}

/**
 * The digest a join signature covers: BLAKE2b-256 of {@link joinBodyBytes}, or 32 zero bytes for
 * a plain join (as in protocol version 1 before these fields existed).
 *
 * @example const sig = await sign(authMessage('join', s, id, nonce, await joinBodyDigest({ coordinator })), sk)
 */
export async function joinBodyDigest(b: JoinExtras): Promise<Uint8Array> {
  const bytes = joinBodyBytes(b);
  if (bytes === undefined) return new Uint8Array(AUTH_DIGEST_BYTES);
  return (await getSodium()).crypto_generichash(AUTH_DIGEST_BYTES, bytes, null);
}

/**
 * Validates a `join` body.
 *
 * @throws {ShardwireError} E_BAD_PAYLOAD naming the bad field.
 * @example parseJoinBody({ signature, coordinator: 'c0ffee…', inbox: {} })
 */
export function parseJoinBody(o: Record<string, unknown>): ParsedJoin {
  onlyKeys(o, ['signature', 'coordinator', 'inbox'], 'join');
  const signature = bytesField(o.signature, 'signature', ED25519_SIGNATURE_BYTES);
  const out: { signature: Uint8Array; coordinator?: string; inbox?: InboxRequest } = { signature };
  if (o.coordinator !== undefined) {
    if (!isMemberId(o.coordinator)) {
      badPayload(`"coordinator" expected a member id, got ${describe(o.coordinator)}`, { field: 'coordinator' });
    }
    out.coordinator = o.coordinator;
  }
  if (o.inbox !== undefined) {
    if (typeof o.inbox !== 'object' || o.inbox === null || Array.isArray(o.inbox)) {
      badPayload(`"inbox" expected an object, got ${describe(o.inbox)}`, { field: 'inbox' });
    }
    const i = o.inbox as Record<string, unknown>;
    onlyKeys(i, ['epoch', 'after'], 'inbox');
    if ((i.epoch === undefined) !== (i.after === undefined)) {
      badPayload('"inbox" expected both "epoch" and "after" (resume) or neither (fresh start)', { field: 'inbox' });
    }
    const req: { epoch?: string; after?: number } = {};
    if (i.epoch !== undefined) {
      if (typeof i.epoch !== 'string' || !INBOX_EPOCH_PATTERN.test(i.epoch)) {
        const got = describe(i.epoch);
        badPayload(`"inbox.epoch" expected 1-64 base64url characters, got ${got}`, { field: 'inbox.epoch' });
      }
      req.epoch = i.epoch;
      req.after = intField(i.after, 'inbox.after', 0, Number.MAX_SAFE_INTEGER);
    }
    out.inbox = req;
  }
  return out;
}
