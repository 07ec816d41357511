/**
 * @module shardwire — the public API, browser-safe (re-exports only): errors, the kernel, config,
 * DP, crypto, the client and coordinator SDKs. The Node-only relay is the `shardwire/relay`
 * entry (src/relay/index.ts); backplane conformance checks are `shardwire/testing`.
 */
export { ShardwireError, isShardwireError, ERROR_CATALOGUE, type ErrorCode, type ErrorSpec } from './errors.ts';
export * from './kernel/index.ts';
export * from './config.ts';
export * from './dp/index.ts';
export * from './crypto/index.ts';
export { Client, type ClientOptions, type ContributionResult, type ClientEvents } from './client/client.ts';
export { PrivacyLedger, type LedgerEntry, type LedgerState, type LedgerSettings } from './client/privacy-ledger.ts';
export type { LedgerStore } from './client/ledger-store.ts';
export type { RoundLedger } from './secagg/participant-context.ts';
export { Coordinator, type CoordinatorOptions, type CoordinatorEvents } from './coordinator/coordinator.ts';
export type { RoundOptions, RoundReport, RoundPrivacy, RoundResultWithReport } from './coordinator/round.ts';
export { DTYPES, validateTensorSpecs, type Dtype, type Tensor, type TensorSpec, type TensorSpecInput, type AggregateTensor } from './tensors/spec.ts';
export { STATISTIC_OPERATIONS, type StatisticOperation } from './stats/operations.ts';
export type { RecordsInput } from './stats/records.ts';
export type { StatisticResult, CountResult, MeanVarianceResult, HistogramResult } from './stats/decode.ts';
export type { StatisticOptions, StatisticRoundResult } from './coordinator/statistic-round.ts';
export { holderGraph, type HolderGraph } from './secagg/holder-graph.ts';
export { toBase64url, fromBase64url } from './wire/base64url.ts';
