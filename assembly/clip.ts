/**
 * Norm clipping in the integer domain, integers only. The host computes the norm over all
 * chunks (normI64 returns a 128-bit partial per chunk), derives a multiplier m ≤ 2^62 with
 * (m / 2^62)·‖v‖ ≤ B exactly in big-integer arithmetic, and scales: v ← sign(v)·⌊|v|·m / 2^62⌋.
 * Rounding toward zero can only shrink every |v_i|, so the bound holds after rounding; the host
 * re-measures to verify. L∞ clipping is a clamp to [−B, B].
 */
import { mulHiU64 } from './wide';

export const NORM_LINF: u32 = 0;
export const NORM_L1: u32 = 1;
export const NORM_L2: u32 = 2;

/** |v| as u64 (|−2^63| = 2^63 is representable unsigned). */
@inline export function magnitude(v: i64): u64 {
  return v < 0 ? <u64>0 - <u64>v : <u64>v;
}

/**
 * Chunk norm of buf[0..len) (i64): max |v| (L∞), Σ|v| (L1) or Σv² (L2), written as a 128-bit
 * value (lo, hi). Returns false if Σv² would pass 2^128 (only possible for |v| ≥ 2^55 on a
 * full chunk; encoded values stay below 2^53).
 */
export function norm(buf: usize, len: u32, kind: u32, outLo: usize, outHi: usize): bool {
  let lo: u64 = 0, hi: u64 = 0;
  for (let i: u32 = 0; i < len; i++) {
    const a = magnitude(load<i64>(buf + (<usize>i << 3)));
    if (kind == NORM_LINF) {
      if (a > lo) lo = a;
    } else if (kind == NORM_L1) {
      const s = lo + a;
      hi += s < lo ? 1 : 0;
      lo = s;
    } else {
      const pLo = a * a, pHi = a >> 32 == 0 ? 0 : mulHiU64(a, a); // a < 2^32: a² fits 64 bits
      const s = lo + pLo;
      const carry: u64 = s < lo ? 1 : 0;
      const h = hi + pHi + carry;
      if (h < hi) return false; // pHi + carry < 2^63, so a wrap shows as h < hi
      hi = h;
      lo = s;
    }
  }
  store<u64>(outLo, lo);
  store<u64>(outHi, hi);
  return true;
}

/** v ← sign(v)·⌊|v|·m / 2^62⌋ for m ≤ 2^62; returns how many values changed. */
export function scale(buf: usize, len: u32, m: u64): u32 {
  let changed: u32 = 0;
  for (let i: u32 = 0; i < len; i++) {
    const p = buf + (<usize>i << 3);
    const v = load<i64>(p);
    const a = magnitude(v);
    const q = (mulHiU64(a, m) << 2) | ((a * m) >> 62);
    const r: i64 = v < 0 ? -<i64>q : <i64>q;
    changed += r != v ? 1 : 0;
    store<i64>(p, r);
  }
  return changed;
}

/** v ← clamp(v, −B, B) for B ≤ 2^63 − 1; returns how many values changed. */
export function clamp(buf: usize, len: u32, bound: u64): u32 {
  const b = <i64>bound;
  let changed: u32 = 0;
  for (let i: u32 = 0; i < len; i++) {
    const p = buf + (<usize>i << 3);
    const v = load<i64>(p);
    if (v > b) { store<i64>(p, b); changed++; }
    else if (v < -b) { store<i64>(p, -b); changed++; }
  }
  return changed;
}

