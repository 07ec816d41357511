/**
 * @module relay/session-tracker
 * This node's view of session activity: when each session last routed something, which ids
 * recently expired (so a late joiner hears E_SESSION_EXPIRED rather than "unknown"), and how many
 * live sessions each address created (the per-address cap that keeps one squatter from using up
 * `maxSessions`).
 */
import { sessionName } from './session-key.ts';

/** Bounded memory of expired session ids (oldest forgotten first). */
const TOMBSTONES = 4096;

interface Tracked {
  last: number;
  readonly idleMs: number;
  readonly ip: string | undefined;
}

/** Tracks idle time per session; the relay sweeps {@link expired} on a timer. */
export class SessionTracker {
  private readonly active = new Map<string, Tracked>();
  /** Expired keys, and expired names (joins may name only the session). */
  private readonly tombstones = new Set<string>();
  private readonly perIp = new Map<string, number>();

  constructor(private readonly now: () => number = Date.now) {}

  /** Number of sessions this node tracks. */
  get size(): number {
    return this.active.size;
  }

  /** Starts tracking (or refreshes) a session with its idle expiry; `ip` = creator's address. */
  track(id: string, idleMs: number, ip?: string): void {
    this.tombstones.delete(id);
    const old = this.active.get(id);
    const owner = old ? old.ip : ip;
    if (!old && owner !== undefined) this.perIp.set(owner, (this.perIp.get(owner) ?? 0) + 1);
    this.active.set(id, { last: this.now(), idleMs, ip: owner });
  }

  /** Records activity; cheap enough for every routed frame. */
  touch(id: string): void {
    const s = this.active.get(id);
    if (s) s.last = this.now();
  }

  /** Live sessions created from `ip` on this node. */
  createdBy(ip: string): number {
    return this.perIp.get(ip) ?? 0;
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
    const s = this.active.get(id);
    if (s) {
      this.active.delete(id);
      if (s.ip !== undefined) {
        const n = (this.perIp.get(s.ip) ?? 1) - 1;
        if (n <= 0) this.perIp.delete(s.ip);
        else this.perIp.set(s.ip, n);
      }
    }
    if (!expired) return;
    this.remember(id);
    if (id.includes('/')) this.remember(sessionName(id));
  }

  private remember(id: string): void {
    this.tombstones.delete(id);
    this.tombstones.add(id);
    if (this.tombstones.size > TOMBSTONES) this.tombstones.delete(this.tombstones.values().next().value as string);
  }

  /** True if the session key (or a session of this name) expired recently on this node. */
  wasExpired(id: string): boolean {
    return this.tombstones.has(id);
  }
}
