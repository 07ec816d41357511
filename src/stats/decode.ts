/**
 * @module stats/decode
 * The coordinator's side of a statistics round: the survivors' ring sum read back as exact signed
 * integers, and the released statistic computed from them in BigInt — a mean as Σq / (n·S) and an
 * unbiased variance as (n·Σq² − (Σq)²) / (n·(n − 1)·S²), each rounded once, to the nearest double.
 * Also the flat Float64 form a broadcast round.result carries, and its reading on a participant.
 * Loops here run over the statistic's coordinates (dim-sized, at most 65,536), once per round.
 */
import { ShardwireError } from '../errors.ts';
import type { Kernel } from '../kernel/kernel.ts';
import { forEachChunk } from '../kernel/chunks.ts';
import { checkStatus } from '../kernel/status.ts';
import type { RingVector } from '../kernel/vectors.ts';
import type { StatisticOperation } from './operations.ts';
import { ratioToNumber } from '../dp/rounding.ts';

/** A released count: the number of records of all contributors (noisy in a DP session). */
export interface CountResult {
  readonly operation: 'count';
  readonly count: number;
}

/** A released mean and unbiased variance per column, over all records. */
export interface MeanVarianceResult {
  readonly operation: 'meanVariance';
  readonly count: number;
  /** Σx / n per column (NaN when n = 0). */
  readonly mean: Float64Array;
  /** Σ(x − mean)² / (n − 1) per column (NaN when n < 2). */
  readonly variance: Float64Array;
  /**
   * The exact released sums in fixed point (coordinator only): n, Σq and Σq² per column, q = the
   * half-even encoding x·10^exponent clamped to the clip bound.
   */
  readonly sums?: { readonly count: bigint; readonly sum: BigInt64Array; readonly sumSquares: BigInt64Array };
}

/** A released histogram: counts per column and bucket (noisy in a DP session). */
export interface HistogramResult {
  readonly operation: 'histogram';
  readonly edges: readonly number[];
  /** Buckets per column: edges.length + 1 (below the first edge, between edges, at or above the last). */
  readonly buckets: number;
  /** counts[j·buckets + b]: records whose column j falls in bucket b. */
  readonly counts: Float64Array;
}

export type StatisticResult = CountResult | MeanVarianceResult | HistogramResult;

/** The ring sum as signed integers (two's complement of its ring). */
export function ringToInts(k: Kernel, sum: RingVector): BigInt64Array {
  if (sum instanceof BigUint64Array) return new BigInt64Array(sum.buffer, sum.byteOffset, sum.length).slice();
  const out = new BigInt64Array(sum.length);
  forEachChunk(k, sum.length, (off, n) => {
    k.views.u32A.set(sum.subarray(off, off + n));
    checkStatus(k, k.raw.widenU32ToI64(n), 'widen');
    out.set(k.views.i64A.subarray(0, n), off);
  });
  return out;
}

/**
 * The released statistic from the survivors' exact integer sums, and its flat Float64 form
 * (count: [n]; meanVariance: [n, mean_j…, variance_j…]; histogram: the counts).
 */
export function decodeStatistic(operation: StatisticOperation, ints: BigInt64Array, dim: number, exponent: number, edges?: readonly number[]): { statistic: StatisticResult; flat: Float64Array } {
  if (operation === 'count') return { statistic: { operation, count: Number(ints[0]) }, flat: Float64Array.of(Number(ints[0])) };
  if (operation === 'histogram') {
    const counts = Float64Array.from(ints, Number);
    return { statistic: { operation, edges: edges!, buckets: edges!.length + 1, counts }, flat: counts };
  }
  const n = ints[0];
  const sum = ints.slice(1, 1 + dim);
  const sumSquares = ints.slice(1 + dim, 1 + 2 * dim);
  const S = 10n ** BigInt(exponent);
  const flat = new Float64Array(1 + 2 * dim);
  flat[0] = Number(n);
  const mean = flat.subarray(1, 1 + dim);
  const variance = flat.subarray(1 + dim);
  for (let j = 0; j < dim; j++) {
    mean[j] = n > 0n ? ratioToNumber(sum[j], n * S) : NaN;
    variance[j] = n > 1n ? ratioToNumber(n * sumSquares[j] - sum[j] * sum[j], n * (n - 1n) * S * S) : NaN;
  }
  return { statistic: { operation, count: Number(n), mean, variance, sums: { count: n, sum, sumSquares } }, flat };
}

/** A participant's reading of a broadcast statistic (the flat form of {@link decodeStatistic}). */
export function statisticFromFlat(operation: StatisticOperation, flat: Float64Array, dim: number, edges?: readonly number[]): StatisticResult {
  const expected = operation === 'count' ? 1 : operation === 'meanVariance' ? 1 + 2 * dim : dim * (edges!.length + 1);
  if (flat.length !== expected) throw new ShardwireError('E_BAD_PAYLOAD', `round.result: a ${operation} aggregate of ${flat.length} values, expected ${expected}`);
  if (operation === 'count') return { operation, count: flat[0] };
  if (operation === 'histogram') return { operation, edges: edges!, buckets: edges!.length + 1, counts: flat };
  return { operation, count: flat[0], mean: flat.slice(1, 1 + dim), variance: flat.slice(1 + dim) };
}
