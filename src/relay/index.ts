/**
 * @module relay
 * The shardwire relay server and its scale-out boundary.
 */
export { startRelay, type Relay, type RelayStats } from './relay-server.ts';
export { resolveRelayOptions, effectiveLimits, type RelayOptions, type ResolvedRelayOptions } from './options.ts';
export type { Backplane, BackplaneEvent, BackplaneHandler, SessionRecord, Unsubscribe } from './backplane.ts';
export { MemoryBackplane } from './memory-backplane.ts';
export { backplaneConformance, type ConformanceCase } from './backplane-conformance.ts';
export { createLogger, LOG_LEVELS, type Logger, type LogLevel } from './logger.ts';
export { RelayMetrics } from './metrics.ts';
