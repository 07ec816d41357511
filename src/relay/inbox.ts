/**
 * @module relay/inbox
 * The offline inbox (docs/RELAY.md "Offline inbox"): per session member that asked for one
 * (`join { inbox }`), the relay numbers the message frames addressed to it 1, 2, 3, ... and keeps
 * them, capped by count, bytes and age, until the member acknowledges them. A member that drops
 * and comes back — to the same relay or, over Redis, another — within the window resumes after
 * the last frame it received and gets the rest in order, exactly once. Numbering is per inbox
 * *epoch*: a fresh start, or a resume after the inbox expired, begins a new epoch.
 *
 * The store sits behind the backplane (memory-inbox.ts in process, Redis Streams in
 * redis/redis-backplane.ts), because the backplane's `publish` must append a frame to the inbox
 * and hand it to the live connection with its number in one step.
 */
import type { InboxRequest } from '../wire/join-body.ts';

/** Caps of one inbox. */
export interface InboxLimits {
  /** Frames kept at most (oldest dropped first). */
  readonly maxFrames: number;
  /** Bytes kept at most. */
  readonly maxBytes: number;
  /** How long frames are kept, and how long an inbox outlives its member's last connection (ms). */
  readonly windowMs: number;
}

/** Where a (re)connected member's stream starts. */
export interface InboxStart {
  readonly epoch: string;
  /** Frames numbered above this follow; the member's counter starts here. */
  readonly after: number;
  /** True when frames sent while the member was away are lost (caps, expiry, unknown epoch). */
  readonly gap: boolean;
}

/** One kept frame. */
export interface InboxEntry {
  readonly seq: number;
  readonly frame: Uint8Array;
}

/** What a backplane with inboxes offers the relay. */
export interface InboxStore {
  /** Opens (fresh) or resumes a member's inbox; acknowledges everything up to `request.after`. */
  open(session: string, member: string, request: InboxRequest, limits: InboxLimits): Promise<InboxStart>;
  /** Up to `max` kept frames numbered above `after`, in order (the first may be above after + 1: gap). */
  read(session: string, member: string, after: number, max: number): Promise<InboxEntry[]>;
  /** Forgets frames numbered up to `upto` (the member has them). */
  ack(session: string, member: string, upto: number): Promise<void>;
  /** Keeps the inbox of a connected member from expiring. */
  touch(session: string, member: string): Promise<void>;
}
