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

/** Message-rate and byte-rate buckets of one connection. */
export class ConnectionRateLimiter {
  private readonly messages: TokenBucket;
  private readonly bytes: TokenBucket;

  constructor(limits: { messagesPerSecond: number; burstMessages: number; bytesPerSecond: number; burstBytes: number }, now?: () => number) {
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
