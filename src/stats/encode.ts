/**
 * @module stats/encode
 * A client's side of a statistics round: its records turned into the local sufficient statistics
 * (stats/operations.ts) in integers — counts, and fixed-point moments computed in the kernel
 * (kernel/stats.ts) — and the partial built from them: + the round's noise (sampled before this
 * runs, docs/DP.md) + the masks, all mod 2^ring, as for a vector round (secagg/partial.ts).
 */
import { ShardwireError } from '../errors.ts';
import type { SessionConfig } from '../config.ts';
import type { Kernel } from '../kernel/kernel.ts';
import { histogram, moments } from '../kernel/stats.ts';
import { checkStatus, failingIndex, STATUS_OUT_OF_RANGE } from '../kernel/status.ts';
import { forEachChunk } from '../kernel/chunks.ts';
import { wipeRing, type RingBits, type RingVector } from '../kernel/vectors.ts';
import type { StatisticRoundOpen } from './operations.ts';
import type { RecordBatch } from './records.ts';

/**
 * The local sufficient statistics of `batch` for `open`, exactly, as signed integers (layout of
 * stats/operations.ts). meanVariance encodes every value half-even at the session's exponent and
 * clamps it to ±⌊clip.bound·10^exponent⌋ (an L∞ clip: separable, so all records encode in one
 * pass) before the kernel sums the values and their squares.
 * @throws {ShardwireError} E_BAD_VECTOR for NaN/±∞ values; E_RING_OVERFLOW for |x·S| ≥ 2^53 or
 *   sums past the signed 64-bit range.
 */
export function localStatistics(k: Kernel, open: StatisticRoundOpen, batch: RecordBatch, config: Pick<SessionConfig, 'smpc' | 'clip'>): BigInt64Array {
  const { operation, dim } = open;
  if (operation === 'count') return BigInt64Array.of(BigInt(batch.rows));
  if (operation === 'histogram') {
    const out = new BigInt64Array(dim * (open.edges!.length + 1));
    if (batch.rows > 0) {
      const counts = histogram(k, batch.data, batch.rows, dim, open.edges!);
      out.set(new BigInt64Array(counts.buffer, counts.byteOffset, counts.length)); // counts < 2^63
      counts.fill(0n);
    }
    return out;
  }
  if (operation !== 'meanVariance') throw new ShardwireError('E_BAD_ARGUMENT', `${operation} is not a statistic of records`);
  const out = new BigInt64Array(1 + 2 * dim);
  out[0] = BigInt(batch.rows);
  if (batch.rows === 0) return out;
  const { vector } = k.encodeAndClip(batch.data, { exponent: config.smpc.exponent, ring: 64, rounding: 'half-even', clip: { norm: 'linf', bound: config.clip.bound } });
  try {
    const { sum, sumSquares } = moments(k, vector as BigUint64Array, batch.rows, dim);
    out.set(sum, 1);
    out.set(sumSquares, 1 + dim);
    sum.fill(0n);
    sumSquares.fill(0n);
  } finally {
    (vector as BigUint64Array).fill(0n); // the encoded records
  }
  return out;
}

/**
 * Signed integers into a ring vector: ring 64 is their two's complement, ring 32 narrows them in
 * the kernel with a range check.
 * @throws {ShardwireError} E_RING_OVERFLOW naming the first value outside [−2^31, 2^31) on ring 32.
 */
export function intsToRing(k: Kernel, ints: BigInt64Array, ring: RingBits, out: RingVector): RingVector {
  if (ring === 64) {
    (out as BigUint64Array).set(new BigUint64Array(ints.buffer, ints.byteOffset, ints.length));
    return out;
  }
  forEachChunk(k, ints.length, (off, n) => {
    k.views.i64A.set(ints.subarray(off, off + n));
    const status = k.raw.narrowI64ToU32(n);
    if (status === STATUS_OUT_OF_RANGE) {
      const index = off + failingIndex(k);
      throw new ShardwireError('E_RING_OVERFLOW', `statistic coordinate ${index} = ${ints[index]} does not fit the 32-bit ring the round chose; the round's maxRecords understated this client's records`, { index });
    }
    checkStatus(k, status, 'narrow');
    (out as Uint32Array).set(k.views.u32A.subarray(0, n), off);
  });
  k.views.u64A.fill(0n, 0, Math.min(k.chunkElems, ints.length));
  return out;
}

/** What the partial of a statistic adds to the records' statistics. */
export interface StatisticPartialInputs {
  readonly noise?: RingVector;
  readonly masks: { readonly seeds: readonly Uint8Array[]; readonly signs: readonly (1 | -1)[] };
}

/**
 * The masked partial of a statistics round into `out` (length = the round's secure length):
 * statistics + noise + Σ ±PRG(seed), mod 2^ring.
 * @throws {ShardwireError} as {@link localStatistics} and {@link intsToRing}.
 */
export function buildStatisticPartial(k: Kernel, open: StatisticRoundOpen, batch: RecordBatch, config: Pick<SessionConfig, 'smpc' | 'clip'>, p: StatisticPartialInputs, out: RingVector): void {
  const ints = localStatistics(k, open, batch, config);
  try {
    if (ints.length !== out.length) throw new ShardwireError('E_KERNEL', `statistic of ${ints.length} coordinates for a partial of ${out.length}`);
    intsToRing(k, ints, open.ring, out);
  } finally {
    ints.fill(0n);
  }
  if (p.noise) {
    const noisy = k.ringAdd(out, p.noise);
    (out as Uint32Array).set(noisy as Uint32Array);
    wipeRing(noisy);
  }
  k.expandMasks(out, p.masks.seeds, p.masks.signs);
}
