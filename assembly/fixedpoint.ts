/**
 * Fixed-point encoding at the float ↔ integer edge — the only place floats appear in the kernel.
 * encode: x ↦ round(x·S), S = 10^exponent, with randomized rounding (round up with probability
 * equal to the fractional part, so E[enc] = x·S) or round-half-even; decode: v ↦ v / S.
 */
import { SCRATCH, KEY, NONCE, param, OUT_INDEX, PARAM_DIVISOR, PARAM_WEIGHT } from './arena';
import { keystream } from './chacha';
import { STATUS_OK, STATUS_NOT_FINITE, STATUS_OUT_OF_RANGE, STATUS_BAD_ARGUMENT } from './status';

/** Largest exponent: 10^15 < 2^53, and 10^e is exact in f64 for e ≤ 22. */
export const MAX_EXPONENT: u32 = 15;
/** |x·S| must stay below 2^53 so the integer part is exact in f64. */
export const ENCODE_LIMIT: f64 = 9007199254740992.0; // 2^53
export const TWO_POW_32: f64 = 4294967296.0;

export const ROUND_RANDOMIZED: u32 = 0;
export const ROUND_HALF_EVEN: u32 = 1;

/** 10^e as f64 (exact for e ≤ 22). */
export function pow10(e: u32): f64 {
  let s: f64 = 1.0;
  for (let i: u32 = 0; i < e; i++) s *= 10.0;
  return s;
}

/**
 * In place over buf[0..len): f64 → i64 fixed point of x·S·w (w from PARAM_WEIGHT, 1 unless a
 * weighted mean asks otherwise). Randomized rounding draws element e's
 * 32 random bits from the (KEY, NONCE) stream at byte 64·startBlock + skipBytes + 4e, so a
 * chunk encodes identically however the vector is split. A bad element's index goes to OUT_INDEX.
 */
export function encode(buf: usize, len: u32, exponent: u32, mode: u32, startBlock: u32, skipBytes: u32): u32 {
  if (mode == ROUND_RANDOMIZED) {
    const blocks = (skipBytes + (len << 2) + 63) >> 6;
    keystream(KEY, NONCE, startBlock, blocks, SCRATCH);
  }
  return encodeWithBits(buf, len, exponent, mode, SCRATCH + skipBytes);
}

/**
 * In place over buf[0..len): f64 → i64 fixed point of x·S·w, with the rounding bits given by the
 * host (element e's u32 at rnd + 4e, little-endian: the bytes {@link encode} draws itself).
 */
export function encodeWithBits(buf: usize, len: u32, exponent: u32, mode: u32, rnd: usize): u32 {
  if (exponent > MAX_EXPONENT || mode > ROUND_HALF_EVEN) return STATUS_BAD_ARGUMENT;
  // the weight of a weighted mean is folded into the scale: one rounding for x·w·S
  const w = load<f64>(param(PARAM_WEIGHT));
  if (!(isFinite<f64>(w) && w > 0)) return STATUS_BAD_ARGUMENT;
  const s = pow10(exponent) * w;
  // On a bad element the chunk is left half-written: the host discards it and throws.
  if (mode == ROUND_HALF_EVEN) return encodeHalfEven(buf, len, s);
  return encodeRandomized(buf, len, s, rnd);
}

/** Round-half-even encode of buf[0..len) with scale s. */
function encodeHalfEven(buf: usize, len: u32, s: f64): u32 {
  for (let i: u32 = 0; i < len; i++) {
    const p = buf + (<usize>i << 3);
    const v = load<f64>(p) * s;
    if (!(abs<f64>(v) < ENCODE_LIMIT)) return reject(p, i);
    store<i64>(p, <i64>nearest<f64>(v));
  }
  return STATUS_OK;
}

/** Randomized-rounding encode of buf[0..len) with scale s; element e's u32 at rnd + 4e. */
function encodeRandomized(buf: usize, len: u32, s: f64, rnd: usize): u32 {
  for (let i: u32 = 0; i < len; i++) {
    const p = buf + (<usize>i << 3);
    const v = load<f64>(p) * s;
    if (!(abs<f64>(v) < ENCODE_LIMIT)) return reject(p, i); // also catches NaN
    const fl = floor<f64>(v);
    // v − ⌊v⌋ is exact for |v| < 2^53; u/2^32 < frac happens with probability ⌈frac·2^32⌉/2^32,
    // so E[enc] − v ≤ 2^-32 units: below the rounding of v = x·S itself once |v| ≥ 2^21. 32 bits
    // instead of 53 halve the keystream this costs (measured: the encode is PRG-bound).
    const frac = v - fl;
    const u = <f64>load<u32>(rnd + (<usize>i << 2));
    store<i64>(p, <i64>fl + (u < frac * TWO_POW_32 ? 1 : 0));
  }
  return STATUS_OK;
}

/** Records element i as the offender and says why: not finite, or out of range. */
export function reject(p: usize, i: u32): u32 {
  store<u64>(param(OUT_INDEX), i);
  return isFinite<f64>(load<f64>(p)) ? STATUS_OUT_OF_RANGE : STATUS_NOT_FINITE;
}

/**
 * The decode divisor S·d, d from PARAM_DIVISOR (1 for a sum, n for a mean, Σw for a weighted
 * mean); 0 when d is not a finite positive number.
 */
function divisor(exponent: u32): f64 {
  const d = load<f64>(param(PARAM_DIVISOR));
  return isFinite<f64>(d) && d > 0 ? pow10(exponent) * d : 0;
}

/** In place: i64 → f64 divided by S·d (division, not ·1/(S·d), for a correctly rounded result). */
export function decodeI64(buf: usize, len: u32, exponent: u32): u32 {
  if (exponent > MAX_EXPONENT) return STATUS_BAD_ARGUMENT;
  const s = divisor(exponent);
  if (s == 0) return STATUS_BAD_ARGUMENT;
  for (let i: u32 = 0; i < len; i++) {
    const p = buf + (<usize>i << 3);
    store<f64>(p, <f64>load<i64>(p) / s);
  }
  return STATUS_OK;
}

/** In place, widening: u32 (two's complement) at 4i → f64 at 8i, divided by S·d. Walks backwards so no unread value is overwritten. */
export function decodeU32(buf: usize, len: u32, exponent: u32): u32 {
  if (exponent > MAX_EXPONENT) return STATUS_BAD_ARGUMENT;
  const s = divisor(exponent);
  if (s == 0) return STATUS_BAD_ARGUMENT;
  for (let i: i32 = <i32>len - 1; i >= 0; i--) {
    const v = load<i32>(buf + (<usize>i << 2));
    store<f64>(buf + (<usize>i << 3), <f64>v / s);
  }
  return STATUS_OK;
}
