/**
 * @module relay/backplane
 * The scale-out boundary of the relay (docs/RELAY.md). Routing, presence and the session
 * registry go through a {@link Backplane}; the relay never knows how many nodes exist. The
 * in-memory backplane (memory-backplane.ts) is the embedded default; a Redis one (pub/sub for
 * events, hashes with TTL for sessions) can implement the same interface without touching the
 * routing code. Every implementation must pass `backplaneConformance` (backplane-conformance.ts).
 */
import type { ErrorCode } from '../errors.ts';
import type { EffectiveLimits } from '../wire/control.ts';
import type { InboxStore } from './inbox.ts';

/** A session as the relay registered it at `create`. Immutable once created. */
export interface SessionRecord {
  readonly id: string;
  readonly coordinatorId: string;
  /** Coordinator's Ed25519 public key. */
  readonly coordinatorKey: Uint8Array;
  /** Participant id → Ed25519 public key (the coordinator is not in it). */
  readonly roster: ReadonlyMap<string, Uint8Array>;
  readonly limits: EffectiveLimits;
  /** Unix ms. */
  readonly createdAt: number;
}

/**
 * What travels over the backplane, addressed to one member of a session or to all (`to: '*'`,
 * minus `exclude`).
 * - `frame`: deliver these frame bytes (already stamped by the sending relay); `from` is the
 *   authenticated sender, so the receiving node can tell it about backpressure drops.
 * - `close`: the receiving node closes the member's connection after an error frame with
 *   `code` (session expired, replaced by a newer connection, ...).
 */
export type BackplaneEvent =
  | {
      readonly type: 'frame'; readonly session: string; readonly to: string; readonly exclude?: string; readonly from: string;
      readonly frame: Uint8Array;
      /** The frame's number in the recipient's offline inbox (set by the backplane; inbox.ts). */
      readonly seq?: number;
    }
  | { readonly type: 'close'; readonly session: string; readonly to: string; readonly exclude?: string; readonly code: ErrorCode; readonly message: string };

/** Receives the events addressed to one subscribed member. Must not throw (errors are counted). */
export type BackplaneHandler = (event: BackplaneEvent) => void;

/** Cancels a subscription; a no-op when called twice or after another subscriber replaced it. */
export type Unsubscribe = () => Promise<void>;

/** Routing, presence and session registry shared by every relay node. */
export interface Backplane {
  /** Registers a session; false when the id is taken (nothing changes then). */
  createSession(record: SessionRecord): Promise<boolean>;
  /** The session with this id, if registered. */
  getSession(id: string): Promise<SessionRecord | undefined>;
  /** Forgets a session (its subscriptions stay until each member unsubscribes). */
  deleteSession(id: string): Promise<void>;
  /**
   * Sessions whose key ends in `/name` (session-key.ts: sessions are keyed by creator). Optional:
   * without it, a participant must name its coordinator when joining.
   */
  sessionsNamed?(name: string): Promise<SessionRecord[]>;
  /**
   * Marks `member` online in `session` and routes its events to `handler` until unsubscribed.
   * A second subscription of the same member replaces the first (the newest connection wins).
   */
  subscribe(session: string, member: string, handler: BackplaneHandler): Promise<Unsubscribe>;
  /** Members of `session` currently subscribed on any node, in subscription order. */
  online(session: string): Promise<string[]>;
  /**
   * Offline inboxes (optional). A backplane with them appends every `frame` event from a member
   * (not from the relay) addressed to a member with an open inbox, numbers it (`seq`), delivers
   * it to that member's subscription with the number, and counts it as addressed even when the
   * member is offline.
   */
  readonly inbox?: InboxStore;
  /**
   * Sends an event; gives how many subscribed members it was addressed to. A backplane that
   * delivers locally may return the number directly (the relay's hot path avoids a promise);
   * remote ones return a promise.
   */
  publish(event: BackplaneEvent): number | Promise<number>;
  /**
   * Hears a shared backplane lose (`false`) and regain (`true`) its store. Optional: a local
   * backplane is never unavailable.
   */
  onUnavailable?(listener: (up: boolean) => void): void;
  /** Releases resources (connections, timers). */
  close(): Promise<void>;
}
