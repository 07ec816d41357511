/**
 * @module relay/session-tracker
 * This node's view of session activity: when each session last routed something, and which
 * ids recently expired (so a late joiner hears E_SESSION_EXPIRED rather than "unknown").
 */

/** Bounded memory of expired session ids (oldest forgotten first). */
const TOMBSTONES = 4096;

/** Tracks idle time per session; the relay sweeps {@link expired} on a timer. */
export class SessionTracker {
  private readonly active = new Map<string, { last: number; idleMs: number }>();
  private readonly tombstones = new Set<string>();

  constructor(private readonly now: () => number = Date.now) {}

  /** Number of sessions this node tracks. */
  get size(): number {
    return this.active.size;
  }

  /** Starts tracking (or refreshes) a session with its idle expiry. */
  track(id: string, idleMs: number): void {
    this.tombstones.delete(id);
    this.active.set(id, { last: this.now(), idleMs });
  }

  /** Records activity; cheap enough for every routed frame. */
  touch(id: string): void {
    const s = this.active.get(id);
    if (s) s.last = this.now();
  }

  /** Ids idle past their expiry; they are removed and remembered as expired. */
  sweep(): string[] {
    const t = this.now();
    const out: string[] = [];
    for (const [id, s] of this.active) {
      if (t - s.last >= s.idleMs) out.push(id);
    }
    for (const id of out) this.forget(id, true);
    return out;
  }

  /** Stops tracking; `expired` remembers the id for {@link wasExpired}. */
  forget(id: string, expired: boolean): void {
    this.active.delete(id);
    if (!expired) return;
    this.tombstones.add(id);
    if (this.tombstones.size > TOMBSTONES) this.tombstones.delete(this.tombstones.values().next().value as string);
  }

  /** True if `id` expired recently on this node. */
  wasExpired(id: string): boolean {
    return this.tombstones.has(id);
  }
}
