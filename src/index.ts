/** @module shardwire — public API (re-exports only). */
export { ShardwireError, isShardwireError, ERROR_CATALOGUE, type ErrorCode, type ErrorSpec } from './errors.ts';
export * from './kernel/index.ts';
export * from './config.ts';
