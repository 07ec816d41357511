/**
 * @module kernel/stats-abi
 * Typed interface of the statistics exports (assembly/stats-abi.ts), kept apart from abi.ts so
 * that the local sufficient statistics own their part of the ABI.
 */

/** Raw statistics exports of the kernel. */
export interface StatsExports {
  /** IO_B (i64: Σv per column, then Σv² per column) += the `rows`×`dim` i64 records in IO_A. */
  statsMomentsI64(rows: number, dim: number): number;
  /** IO_B (u64 counts, edges + 1 per column) += the buckets of the `rows`×`dim` f64 records in IO_A; edges in SCRATCH. */
  statsHistogramF64(rows: number, dim: number, edges: number): number;
}

/** Names of the statistics function exports, checked by the loader and the ABI test. */
export const STATS_FUNCTIONS = ['statsMomentsI64', 'statsHistogramF64'] as const;
