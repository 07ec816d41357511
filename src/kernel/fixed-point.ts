/**
 * @module kernel/fixed-point
 * Fixed-point encoding of real vectors into a ring (scale S = 10^exponent, FeatureCloud's
 * `exponent`) with randomized (unbiased) or round-half-even rounding, optional integer-domain
 * clipping, and decoding back to Float64.
 */
import { ShardwireError } from '../errors.ts';
import { abytes, aint, aobject, aoneOf, describe } from '../guards.ts';
import { PARAM_DIVISOR, PARAM_WEIGHT } from './abi.ts';
import type { Kernel } from './kernel.ts';
import { forEachChunk, loadRingChunk } from './chunks.ts';
import { aclipBound, applyClipChunk, clipMultiplier, combineMeasure, measureChunk, measureLimit, verifyClip, NORM_KINDS, type ClipReport, type NormKind } from './clip.ts';
import { checkStatus, failingIndex, STATUS_NOT_FINITE, STATUS_OK, STATUS_OUT_OF_RANGE } from './status.ts';
import { openPrg, type PrgCursor } from './keystream.ts';
import { allocRing, arealVector, aringVector, ringOf, type RealVector, type RingBits, type RingVector } from './vectors.ts';

/** Largest exponent: |x·10^e| must stay below 2^53 and 10^e exact in f64. */
export const MAX_EXPONENT = 15;
/** Rounding of x·S to an integer. */
export type Rounding = 'randomized' | 'half-even';

/** Options of {@link encode}. */
export interface EncodeOptions {
  /** S = 10^exponent, integer in [0, 15]. */
  readonly exponent: number;
  /** Ring width in bits. */
  readonly ring: RingBits;
  /** 'randomized' (default; E[enc] = x·S) or 'half-even' (deterministic). */
  readonly rounding?: Rounding;
  /**
   * Factor multiplied into x before rounding (a weighted mean's weight), so x·w·S is rounded
   * once; finite and > 0, default 1. Clip bounds stay in units of x (they are scaled by w too).
   */
  readonly weight?: number;
  /**
   * 32-byte ChaCha20 key of the rounding randomness. Default: fresh from the platform CSPRNG
   * (crypto.getRandomValues). Pass one only for reproducible tests; never reuse a key that
   * serves another purpose.
   */
  readonly key?: Uint8Array;
}

/** Norm clipping requested with an encode; `bound` in real units (scaled by S and rounded down). */
export interface ClipOptions {
  readonly norm: NormKind;
  readonly bound: number;
}

/** Result of {@link encodeAndClip}. */
export interface ClippedEncoding {
  readonly vector: RingVector;
  readonly clip: ClipReport;
}

/** Encode options after validation (shared with pipeline.ts). */
export interface Validated {
  x: RealVector;
  exponent: number;
  weight: number;
  ring: RingBits;
  mode: number;
  key: Uint8Array;
}

/** Validates x and the encode options at the public edge. */
export function validateEncode(x: unknown, opts: unknown): Validated {
  const o = aobject(opts, 'options');
  const vec = arealVector(x, 'x');
  const exponent = aint(o.exponent, 'exponent', 0, MAX_EXPONENT);
  const ring = aoneOf(o.ring, 'ring', [32, 64] as const);
  const rounding = aoneOf(o.rounding ?? 'randomized', 'rounding', ['randomized', 'half-even'] as const);
  const key = o.key === undefined ? globalThis.crypto.getRandomValues(new Uint8Array(32)) : abytes(o.key, 'key', 32);
  const weight = o.weight === undefined ? 1 : o.weight;
  if (typeof weight !== 'number' || !Number.isFinite(weight) || weight <= 0) throw new ShardwireError('E_BAD_ARGUMENT', `"weight" expected a finite number > 0, got ${describe(weight)}`, { field: 'weight' });
  return { x: vec, exponent, weight, ring, mode: rounding === 'randomized' ? 0 : 1, key };
}

/** Largest exponent e with |value|·10^e < 2^53 (−1 when none). */
export function largestExponentFor(value: number): number {
  let e = Math.min(MAX_EXPONENT, Math.floor(Math.log10(2 ** 53 / Math.abs(value))));
  while (e >= 0 && Math.abs(value) * 10 ** e >= 2 ** 53) e--;
  return Math.max(e, -1);
}

/**
 * Encodes x[off, off+n) into IO_A as i64, with a precise error for a bad element. Rounding bits
 * come from `bits` (the next 4n bytes of the rounding stream) when given, else the kernel draws
 * them from the key in KEY.
 */
function encodeChunk(k: Kernel, v: Validated, off: number, n: number, bits: PrgCursor | undefined): void {
  k.views.f64A.set(v.x.subarray(off, off + n));
  let status: number;
  if (bits) {
    bits.intoB(4 * n);
    status = k.raw.encodeBitsF64ToI64(n, v.exponent, v.mode);
  } else {
    // element e's rounding bits sit at stream byte 4e; chunks start at multiples of 16 elements
    status = k.raw.encodeF64ToI64(n, v.exponent, v.mode, off / 16, 0);
  }
  if (status !== STATUS_OK) throwEncodeError(k, v, status, off);
}

/**
 * Throws the error for a failed encode of the chunk at element `off` (index from the kernel).
 * @throws {ShardwireError} E_BAD_VECTOR (not finite), E_RING_OVERFLOW (|x·S| ≥ 2^53), E_KERNEL.
 */
export function throwEncodeError(k: Kernel, v: Validated, status: number, off: number): never {
  const index = off + failingIndex(k);
  const value = v.x[index];
  if (status === STATUS_NOT_FINITE) {
    throw new ShardwireError('E_BAD_VECTOR', `"x[${index}]" is ${describe(value)}; every element must be finite`, { index });
  }
  if (status === STATUS_OUT_OF_RANGE) {
    throw new ShardwireError('E_RING_OVERFLOW', `"x[${index}]" = ${value} times 10^${v.exponent} reaches 2^53 and cannot be encoded exactly; ${largestExponentFor(value) < 0 ? 'no exponent fits this value; scale the input down' : `lower the exponent (largest that fits this value: ${largestExponentFor(value)})`} or clip the input`, { index, exponent: v.exponent });
  }
  checkStatus(k, status, 'encode', off);
  throw new ShardwireError('E_KERNEL', `encode: unexpected status ${status}`, { status });
}

/**
 * Narrows IO_A's first n i64 values to u32 in place (ring 32), or throws E_RING_OVERFLOW naming
 * the first element outside [−2^31, 2^31) (`label(index)` names it, default x[index]).
 */
export function narrowChunk(
  k: Kernel,
  v: Validated,
  off: number,
  n: number,
  label = (i: number) => `"x[${i}]" = ${v.x[i]}`,
): void {
  const status = k.raw.narrowI64ToU32(n);
  if (status === STATUS_OUT_OF_RANGE) {
    const index = off + failingIndex(k);
    const what = `${label(index)} encodes outside the 32-bit ring's signed range [−2^31, 2^31)`;
    throw new ShardwireError('E_RING_OVERFLOW', `${what}; use ring 64, a lower exponent or clipping`, { index });
  }
  checkStatus(k, status, 'encode narrow', off);
}

/** Narrows IO_A to u32 when the ring is 32, then copies it into out[off, off+n). */
function storeEncoded(k: Kernel, v: Validated, out: RingVector, off: number, n: number): void {
  if (v.ring === 32) {
    narrowChunk(k, v, off, n);
    (out as Uint32Array).set(k.views.u32A.subarray(0, n), off);
  } else {
    (out as BigUint64Array).set(k.views.u64A.subarray(0, n), off);
  }
}

/** Writes the encode weight (f64 bits) into PARAM_WEIGHT. */
export function setWeight(k: Kernel, weight: number): void {
  new Float64Array(k.views.params.buffer, k.views.params.byteOffset + 8 * PARAM_WEIGHT, 1)[0] = weight;
}

/**
 * Runs `body` with the rounding stream ready: a node:crypto cursor over PRG(key) from byte 0
 * (read forward, 4 bytes per element), or the key in the arena's KEY for the kernel to draw from.
 * The arena's key copy is always zeroed afterwards.
 */
function withKey<T>(k: Kernel, v: Validated, body: (bits: PrgCursor | undefined) => T): T {
  const { bytes, keyOffset, nonceOffset } = k.views;
  setWeight(k, v.weight);
  const bits = k.keystreamSource === 'node:crypto' && v.mode === 0 ? openPrg(k, v.key, 0, keyOffset) : undefined;
  if (!bits) {
    bytes.set(v.key, keyOffset);
    bytes.fill(0, nonceOffset, nonceOffset + 12);
  }
  try {
    return body(bits);
  } finally {
    bits?.close();
    bytes.fill(0, keyOffset, keyOffset + 32);
    if (bits) bytes.fill(0, k.raw.ioBPtr(), k.raw.ioBPtr() + 4 * Math.min(v.x.length, k.chunkElems)); // rounding bits
  }
}

/**
 * Encodes x into the ring: round(x·10^exponent) as two's complement. Randomized rounding rounds
 * up with probability equal to the fractional part (unbiased), so |decode(encode(x)) − x| < 1/S.
 * @throws {ShardwireError} E_BAD_VECTOR (not a Float32/64Array, NaN, ±Infinity),
 *   E_RING_OVERFLOW (|x·S| ≥ 2^53, or outside [−2^31, 2^31) for ring 32), E_BAD_ARGUMENT.
 * @example kernel.encode(new Float64Array([0.25, -1.5]), { exponent: 6, ring: 64 })
 */
export function encode(k: Kernel, x: RealVector, opts: EncodeOptions): RingVector {
  const v = validateEncode(x, opts);
  const out = allocRing(v.ring, v.x.length);
  withKey(k, v, (bits) =>
    forEachChunk(k, v.x.length, (off, n) => {
      encodeChunk(k, v, off, n, bits);
      storeEncoded(k, v, out, off, n);
    }),
  );
  return out;
}

/**
 * Validates a clip request against the encode: the bound in integer units is ⌊bound·weight·S⌋.
 * @throws {ShardwireError} E_BAD_ARGUMENT for a bad norm or bound; E_RING_OVERFLOW when the
 *   integer bound does not fit the ring.
 */
export function validateClip(v: Validated, clip: unknown): { norm: NormKind; bound: bigint } {
  const c = aobject(clip, 'clip');
  const norm = aoneOf(c.norm, 'clip.norm', NORM_KINDS);
  const scaled = typeof c.bound === 'number' ? c.bound * v.weight * 10 ** v.exponent : NaN;
  if (!Number.isFinite(scaled) || scaled < 0 || scaled >= 2 ** 63) {
    const expected = 'a finite number ≥ 0 with bound·weight·10^exponent < 2^63';
    throw new ShardwireError('E_BAD_ARGUMENT', `"clip.bound" expected ${expected}, got ${describe(c.bound)}`, {
      field: 'clip.bound',
    });
  }
  return { norm, bound: aclipBound(BigInt(Math.floor(scaled)), v.ring) };
}

/**
 * Encodes x (times `weight`) and clips it in the integer domain to ‖enc‖ ≤ ⌊bound·weight·S⌋
 * (L1, L2 or L∞), in two
 * passes over the chunks: encode and measure, then scale (or clamp) and re-measure to verify.
 * @throws {ShardwireError} as {@link encode}; E_BAD_ARGUMENT for a bad clip; E_RING_OVERFLOW
 *   when ⌊bound·S⌋ does not fit the ring.
 * @example kernel.encodeAndClip(x, { exponent: 6, ring: 64, clip: { norm: 'l2', bound: 1.0 } })
 */
export function encodeAndClip(k: Kernel, x: RealVector, opts: EncodeOptions & { clip: ClipOptions }): ClippedEncoding {
  const v = validateEncode(x, opts);
  const { norm, bound } = validateClip(v, opts.clip);
  const out = allocRing(v.ring, v.x.length);
  return withKey(k, v, (bits) => {
    // pass 1 encodes and measures; the i64 words are kept (in `out` itself for ring 64) so that
    // pass 2 scales them without encoding again. One chunk never leaves the arena at all.
    const single = v.x.length <= k.chunkElems;
    const stash = single ? undefined : v.ring === 64 ? (out as BigUint64Array) : new BigUint64Array(v.x.length);
    let before = 0n;
    forEachChunk(k, v.x.length, (off, n) => {
      encodeChunk(k, v, off, n, bits);
      before = combineMeasure(norm, before, measureChunk(k, n, norm, off));
      stash?.set(k.views.u64A.subarray(0, n), off);
    });
    const clipped = before > measureLimit(norm, bound);
    const m = clipped && norm !== 'linf' ? clipMultiplier(norm, before, bound) : undefined;
    let after = clipped ? 0n : before;
    let changed = 0;
    forEachChunk(k, v.x.length, (off, n) => {
      if (stash) k.views.u64A.set(stash.subarray(off, off + n));
      if (clipped) {
        changed += applyClipChunk(k, n, norm, bound, m);
        after = combineMeasure(norm, after, measureChunk(k, n, norm, off)); // verify, don't trust
      }
      storeEncoded(k, v, out, off, n);
    });
    if (stash && stash !== out) stash.fill(0n); // the unclipped encoding of a private input
    verifyClip(norm, bound, after);
    return { vector: out, clip: { norm, bound, before, after, clipped, changed } };
  });
}

/** Options of {@link decode} and {@link decodeInto}. */
export interface DecodeOptions {
  /** S = 10^exponent, integer in [0, 15]. */
  readonly exponent: number;
  /** Divides every value once more: n for a mean, Σw for a weighted mean; finite, > 0, default 1. */
  readonly divisor?: number;
}

/**
 * Decodes a ring vector (two's complement) to Float64: v / (10^exponent · divisor). The divisor
 * (default 1) turns a sum into a mean (n) or a weighted mean (Σw) with one rounding per element.
 * @throws {ShardwireError} E_BAD_VECTOR, E_BAD_ARGUMENT (exponent, divisor not finite and > 0).
 * @example kernel.decode(sum, { exponent: 6, divisor: contributors })
 */
export function decode(k: Kernel, v: RingVector, opts: DecodeOptions): Float64Array {
  aringVector(v, 'vector');
  return decodeInto(k, v, new Float64Array(v.length), opts);
}

/**
 * {@link decode} into a caller-provided Float64Array of v's length (reused across rounds, so the
 * coordinator allocates nothing per round). Returns `out`.
 * @throws {ShardwireError} as {@link decode}; E_BAD_VECTOR when `out` is not a Float64Array of
 *   v's length.
 * @example kernel.decodeInto(sum.subarray(0, dim), mean, { exponent: 6, divisor: totalWeight })
 */
export function decodeInto(k: Kernel, v: RingVector, out: Float64Array, opts: DecodeOptions): Float64Array {
  aringVector(v, 'vector');
  if (!(out instanceof Float64Array) || out.length !== v.length) {
    const got = describe(out);
    throw new ShardwireError('E_BAD_VECTOR', `"out" expected a Float64Array of length ${v.length}, got ${got}`, {
      field: 'out',
      expected: v.length,
    });
  }
  const o = aobject(opts, 'options');
  const exponent = aint(o.exponent, 'exponent', 0, MAX_EXPONENT);
  const divisor = o.divisor === undefined ? 1 : o.divisor;
  if (typeof divisor !== 'number' || !Number.isFinite(divisor) || divisor <= 0) {
    throw new ShardwireError('E_BAD_ARGUMENT', `"divisor" expected a finite number > 0, got ${describe(divisor)}`, { field: 'divisor' });
  }
  const fn = ringOf(v) === 32 ? k.raw.decodeU32ToF64 : k.raw.decodeI64ToF64;
  new Float64Array(k.views.params.buffer, k.views.params.byteOffset + 8 * PARAM_DIVISOR, 1)[0] = divisor;
  forEachChunk(k, v.length, (off, n) => {
    loadRingChunk(k, v, off, n, 'A');
    checkStatus(k, fn(n, exponent), 'decode', off);
    out.set(k.views.f64A.subarray(0, n), off);
  });
  return out;
}
