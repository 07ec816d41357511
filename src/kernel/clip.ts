/**
 * @module kernel/clip
 * Norm clipping in the integer domain (L1, L2, L∞). The kernel measures each chunk's norm as a
 * 128-bit value; here the chunk norms are summed exactly (bigint) and the multiplier
 * m ≤ 2^62 with (m/2^62)·‖v‖ ≤ B is derived exactly, then the kernel scales toward zero and the
 * result is measured again: a bound violation after rounding is impossible, and checked anyway.
 * (bigint appears only for these per-vector scalars, never per element.)
 */
import { ShardwireError } from '../errors.ts';
import { aoneOf, describe } from '../guards.ts';
import { OUT_COUNT, OUT_NORM_HI, OUT_NORM_LO, PARAM_BOUND, PARAM_MULT } from './abi.ts';
import type { Kernel } from './kernel.ts';
import { forEachChunk, loadRingChunk, storeRingChunk } from './chunks.ts';
import { checkStatus, STATUS_OUT_OF_RANGE } from './status.ts';
import { aringVector, ringOf, type RingVector } from './vectors.ts';

/** Which norm to bound. */
export type NormKind = 'l1' | 'l2' | 'linf';
export const NORM_KINDS: readonly NormKind[] = ['l1', 'l2', 'linf'];
/** Kernel code of each norm (assembly/clip.ts NORM_*). */
export const KIND_CODE: Record<NormKind, number> = { linf: 0, l1: 1, l2: 2 };
const ONE_62 = 1n << 62n;
const MAX_I64 = (1n << 63n) - 1n;

/** Result of a clip: norms are exact integers in fixed-point units (L2 as the squared norm). */
export interface ClipReport {
  readonly norm: NormKind;
  /** The bound B in integer units. */
  readonly bound: bigint;
  /** max|v| (L∞), Σ|v| (L1) or Σv² (L2) before clipping. */
  readonly before: bigint;
  /** The same measure after clipping (≤ B, or ≤ B² for L2). */
  readonly after: bigint;
  /** Whether the vector was outside the bound (and so changed). */
  readonly clipped: boolean;
  /** Number of elements whose value changed. */
  readonly changed: number;
}

/** Integer square root ⌊√n⌋ (Newton's method on bigint). */
export function isqrt(n: bigint): bigint {
  if (n < 0n) throw new RangeError('isqrt of a negative number');
  if (n < 2n) return n;
  let x = BigInt(Math.floor(Math.sqrt(Number(n)))) + 1n; // start above the root
  for (;;) {
    const y = (x + n / x) >> 1n;
    if (y >= x) break;
    x = y;
  }
  while (x * x > n) x -= 1n;
  while ((x + 1n) * (x + 1n) <= n) x += 1n;
  return x;
}

/** The measured quantity's limit: B for L1/L∞, B² for L2 (Σv² is measured). */
export function measureLimit(norm: NormKind, bound: bigint): bigint {
  return norm === 'l2' ? bound * bound : bound;
}

/**
 * Largest m ≤ 2^62 such that scaling by m/2^62 brings a vector of measure `measure` within B:
 * L1: m·N1 ≤ B·2^62; L2: m²·N2 ≤ B²·2^124. Only called when the vector is over the bound.
 */
export function clipMultiplier(norm: 'l1' | 'l2', measure: bigint, bound: bigint): bigint {
  const m = norm === 'l1' ? (bound * ONE_62) / measure : isqrt((bound * bound * (ONE_62 * ONE_62)) / measure);
  return m > ONE_62 ? ONE_62 : m;
}

/** Reads the chunk norm the kernel left in OUT_NORM_{LO,HI}. */
export function readChunkNorm(k: Kernel): bigint {
  return (k.views.params[OUT_NORM_HI] << 64n) | k.views.params[OUT_NORM_LO];
}

/** Measures IO_A's first n i64 values (`norm` kind) and returns the chunk measure. */
export function measureChunk(k: Kernel, n: number, norm: NormKind, offset: number): bigint {
  const status = k.raw.normI64(n, KIND_CODE[norm]);
  if (status === STATUS_OUT_OF_RANGE) {
    throw new ShardwireError('E_RING_OVERFLOW', `the L2 norm of the chunk at element ${offset} exceeds 2^128: values this large (≥ 2^55) cannot be L2-clipped; lower the exponent`, { offset });
  }
  checkStatus(k, status, 'clip norm', offset);
  return readChunkNorm(k);
}

/** Folds a chunk measure into a running total (sum for L1/L2, max for L∞). */
export function combineMeasure(norm: NormKind, total: bigint, chunk: bigint): bigint {
  return norm === 'linf' ? (chunk > total ? chunk : total) : total + chunk;
}

/**
 * Applies the clip to IO_A's first n values: clamp for L∞, scale by m/2^62 for L1/L2 (m = 0n:
 * leave as is). Returns how many values changed.
 */
export function applyClipChunk(k: Kernel, n: number, norm: NormKind, bound: bigint, m: bigint | undefined): number {
  if (norm === 'linf') {
    k.views.params[PARAM_BOUND] = bound;
    checkStatus(k, k.raw.clampI64(n), 'clip clamp');
  } else if (m !== undefined) {
    k.views.params[PARAM_MULT] = m;
    checkStatus(k, k.raw.scaleI64(n), 'clip scale');
  } else return 0;
  return Number(k.views.params[OUT_COUNT]);
}

/** Throws unless the measure after clipping is within the bound (it always should be). */
export function verifyClip(norm: NormKind, bound: bigint, after: bigint): void {
  if (after > measureLimit(norm, bound)) {
    throw new ShardwireError('E_KERNEL', `clipping verification failed: ${norm} measure ${after} exceeds ${measureLimit(norm, bound)} after clipping (a kernel bug; nothing was released)`, { norm });
  }
}

/**
 * Asserts a clip bound in integer units: a bigint in [0, 2^63 − 1] (ring 32: [0, 2^31 − 1]).
 * @throws {ShardwireError} E_BAD_ARGUMENT / E_RING_OVERFLOW
 */
export function aclipBound(bound: unknown, ring: 32 | 64): bigint {
  if (typeof bound !== 'bigint' || bound < 0n || bound > MAX_I64) {
    throw new ShardwireError('E_BAD_ARGUMENT', `"bound" expected a bigint in [0, 2^63 − 1] (integer fixed-point units), got ${describe(bound)}`, { field: 'bound' });
  }
  if (ring === 32 && bound > 0x7fffffffn) {
    throw new ShardwireError('E_RING_OVERFLOW', `"bound" ${bound} does not fit the 32-bit ring (max 2147483647); use ring 64 or a smaller bound`, { bound: String(bound) });
  }
  return bound;
}

/**
 * Clips a ring vector (two's complement values) in place so that its L1, L2 or L∞ norm is at
 * most `bound` (integer units). Vectors already inside the bound are left unchanged.
 * @throws {ShardwireError} E_BAD_VECTOR, E_BAD_ARGUMENT, E_RING_OVERFLOW (L2 of values ≥ 2^55).
 * @example kernel.clip(v, { norm: 'l2', bound: 1_000_000n })
 */
export function clip(k: Kernel, v: RingVector, opts: { norm: NormKind; bound: bigint }): ClipReport {
  aringVector(v, 'vector');
  const norm = aoneOf(opts?.norm, 'norm', NORM_KINDS);
  const ring = ringOf(v);
  const bound = aclipBound(opts.bound, ring);
  const toI64 = (off: number, n: number) => {
    loadRingChunk(k, v, off, n, 'A');
    if (ring === 32) checkStatus(k, k.raw.widenU32ToI64(n), 'clip widen');
  };
  let before = 0n;
  forEachChunk(k, v.length, (off, n) => {
    toI64(off, n);
    before = combineMeasure(norm, before, measureChunk(k, n, norm, off));
  });
  const limit = measureLimit(norm, bound);
  if (before <= limit) return { norm, bound, before, after: before, clipped: false, changed: 0 };
  const m = norm === 'linf' ? undefined : clipMultiplier(norm, before, bound);
  let after = 0n;
  let changed = 0;
  forEachChunk(k, v.length, (off, n) => {
    toI64(off, n);
    changed += applyClipChunk(k, n, norm, bound, m);
    after = combineMeasure(norm, after, measureChunk(k, n, norm, off));
    if (ring === 32) checkStatus(k, k.raw.narrowI64ToU32(n), 'clip narrow', off); // |v| ≤ B < 2^31 after clipping
    storeRingChunk(k, v, off, n);
  });
  verifyClip(norm, bound, after);
  return { norm, bound, before, after, clipped: true, changed };
}
