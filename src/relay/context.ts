/**
 * @module relay/context
 * State shared by a relay's connections (kept apart so connection.ts and relay-server.ts do not
 * import each other).
 */
import type { Backplane } from './backplane.ts';
import type { Logger } from './logger.ts';
import type { RelayMetrics } from './metrics.ts';
import type { ResolvedRelayOptions } from './options.ts';
import type { IdentityRateLimits } from './rate-limiter.ts';
import type { SessionTracker } from './session-tracker.ts';
import type { WriteBatch } from './write-batch.ts';

/** What every connection of one relay can see. */
export interface RelayContext {
  readonly options: ResolvedRelayOptions;
  readonly backplane: Backplane;
  readonly metrics: RelayMetrics;
  readonly log: Logger;
  readonly sessions: SessionTracker;
  /** Coalesces writes to one socket within one event-loop turn. */
  readonly writes: WriteBatch;
  /** Message and byte rate buckets per authenticated identity. */
  readonly rates: IdentityRateLimits;
  /** Connections that passed authentication and are still open. */
  authenticated: number;
  /** True once shutdown started: no new authentications. */
  shuttingDown: boolean;
  /** True while a shared backplane is unavailable: no new authentications. */
  backplaneDown: boolean;
}
