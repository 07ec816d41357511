/** @module shardwire — public API (re-exports only). */
export { ShardwireError, isShardwireError, ERROR_CATALOGUE, type ErrorCode, type ErrorSpec } from './errors.ts';
export * from './kernel/index.ts';
export { addNoise, sampleNoise, newNoiseKey, type NoiseSpec, type NoiseOptions } from './kernel/noise.ts';
export * from './config.ts';
export * from './dp/index.ts';
export * from './crypto/index.ts';
export { Client, type ClientOptions, type ContributionResult, type ClientEvents } from './client/client.ts';
export { Coordinator, type CoordinatorOptions, type CoordinatorEvents } from './coordinator/coordinator.ts';
export type { RoundOptions, RoundReport, RoundPrivacy, RoundResultWithReport } from './coordinator/round.ts';
export { holderGraph, type HolderGraph } from './secagg/holder-graph.ts';
export { startRelay, MemoryBackplane, backplaneConformance, type Relay, type RelayOptions, type Backplane } from './relay/index.ts';
