/**
 * @module relay/round-watch
 * Rounds in flight as the relay can see them, for the dashboard: routed headers carry a type and
 * a round memo in the clear (the payloads are sealed). A round is in flight from its first
 * `round.open` until a `round.result` or `round.abort` with its memo, a `round.open` of another
 * memo in the same session (a coordinator runs one round at a time), or {@link ROUND_IDLE_MS}
 * without a frame carrying its memo (a round released without broadcast ends silently).
 * Memory is bounded: at most {@link MAX_WATCHED_ROUNDS} rounds are tracked.
 */

/** A round with no frame for this long is no longer counted as in flight. */
export const ROUND_IDLE_MS = 30_000;
/** Most rounds tracked at once (oldest dropped first). */
export const MAX_WATCHED_ROUNDS = 10_000;

/** Header types of the round protocol (session/round-messages.ts), read here for counting only. */
const OPEN = 'round.open';
const ENDS = new Set(['round.result', 'round.abort']);

/** Tracks rounds by session from routed headers. */
export class RoundWatch {
  /** session → { memo, last frame time (ms) } of its current round. */
  private readonly rounds = new Map<string, { memo: string; lastSeen: number }>();

  constructor(private readonly now: () => number = Date.now) {}

  /** Notes one routed frame's header. */
  observe(h: { readonly session: string; readonly type: string; readonly memo?: string }): void {
    if (h.memo === undefined) return;
    const current = this.rounds.get(h.session);
    if (h.type === OPEN) {
      if (current?.memo === h.memo) current.lastSeen = this.now();
      else {
        this.rounds.delete(h.session); // re-insert: the map stays in age order for eviction
        this.rounds.set(h.session, { memo: h.memo, lastSeen: this.now() });
        if (this.rounds.size > MAX_WATCHED_ROUNDS) this.rounds.delete(this.rounds.keys().next().value!);
      }
    } else if (current?.memo === h.memo) {
      if (ENDS.has(h.type)) this.rounds.delete(h.session);
      else current.lastSeen = this.now();
    }
  }

  /** Rounds in flight per session (sessions with none are left out), most recent first. */
  inFlight(): { session: string; memo: string; idleMs: number }[] {
    const now = this.now();
    const out: { session: string; memo: string; idleMs: number }[] = [];
    for (const [session, r] of this.rounds) {
      if (now - r.lastSeen > ROUND_IDLE_MS) this.rounds.delete(session);
      else out.push({ session, memo: r.memo, idleMs: now - r.lastSeen });
    }
    return out.reverse();
  }
}
