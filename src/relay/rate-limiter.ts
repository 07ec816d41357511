/**
 * @module relay/rate-limiter
 * Token bucket for per-connection message and byte rates. Refills lazily from a monotonic
 * clock on each call, so an idle connection costs no timer.
 */

/** One token bucket: `ratePerSecond` tokens per second, at most `burst` saved up. */
export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    private readonly ratePerSecond: number,
    private readonly burst: number,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.tokens = burst;
    this.last = now();
  }

  /** Takes `n` tokens if available; false (and nothing taken) otherwise. */
  take(n = 1): boolean {
    if (this.ratePerSecond === Infinity) return true;
    const t = this.now();
    this.tokens = Math.min(this.burst, this.tokens + ((t - this.last) / 1000) * this.ratePerSecond);
    this.last = t;
    if (this.tokens < n) return false;
    this.tokens -= n;
    return true;
  }
}

/** The four numbers of a rate limit. */
export interface RateLimits {
  readonly messagesPerSecond: number;
  readonly burstMessages: number;
  readonly bytesPerSecond: number;
  readonly burstBytes: number;
}

/** Message-rate and byte-rate buckets of one connection. */
export class ConnectionRateLimiter {
  private readonly messages: TokenBucket;
  private readonly bytes: TokenBucket;

  constructor(limits: RateLimits, now?: () => number) {
    this.messages = new TokenBucket(limits.messagesPerSecond, limits.burstMessages, now);
    this.bytes = new TokenBucket(limits.bytesPerSecond, limits.burstBytes, now);
  }

  /** 'ok', or which limit a frame of `byteLength` bytes would exceed. */
  admit(byteLength: number): 'ok' | 'messages' | 'bytes' {
    if (!this.messages.take(1)) return 'messages';
    if (!this.bytes.take(byteLength)) return 'bytes';
    return 'ok';
  }
}

interface Held {
  readonly limiter: ConnectionRateLimiter;
  refs: number;
  releasedAt: number;
}

/**
 * Rate limits keyed by authenticated identity, not by connection: reconnecting does not refill
 * the buckets. An identity's buckets outlive its connections until they would have refilled to
 * their burst anyway (then forgetting them changes nothing), so memory stays bounded by the
 * identities connected plus those that left within one refill time. Per relay node.
 *
 * @example const l = limits.acquire(id); if (l.admit(bytes) !== 'ok') drop(); ... limits.release(id)
 */
export class IdentityRateLimits {
  private readonly held = new Map<string, Held>();
  private readonly refillMs: number;

  constructor(
    private readonly limits: RateLimits,
    private readonly now: () => number = () => performance.now(),
  ) {
    const fill = (burst: number, rate: number) => (rate === Infinity ? 0 : (burst / rate) * 1000);
    const messages = fill(limits.burstMessages, limits.messagesPerSecond);
    this.refillMs = Math.max(messages, fill(limits.burstBytes, limits.bytesPerSecond));
  }

  /** Identities with buckets in memory. */
  get size(): number {
    return this.held.size;
  }

  /** The buckets of `id` (shared by all its connections), created full on first use. */
  acquire(id: string): ConnectionRateLimiter {
    let h = this.held.get(id);
    if (!h) {
      h = { limiter: new ConnectionRateLimiter(this.limits, this.now), refs: 0, releasedAt: 0 };
      this.held.set(id, h);
    }
    h.refs++;
    return h.limiter;
  }

  /** One connection of `id` is gone. */
  release(id: string): void {
    const h = this.held.get(id);
    if (!h) return;
    h.refs = Math.max(0, h.refs - 1);
    h.releasedAt = this.now();
  }

  /** Forgets buckets of identities without connections that have had time to refill. */
  sweep(): void {
    const t = this.now();
    for (const [id, h] of this.held) if (h.refs === 0 && t - h.releasedAt >= this.refillMs) this.held.delete(id);
  }
}
