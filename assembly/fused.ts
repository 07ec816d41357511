/**
 * The client pipeline's fused chunk pass (src/kernel/pipeline.ts): encode with host-given
 * rounding bits, then clip (measure, scale or clamp), then narrow to ring 32 — one loop per
 * chunk, so a chunk is read and written once instead of once per step (1.9–2.3× the separate
 * exports, measured by bench:kernel-parts). Every step computes
 * exactly what its stand-alone export computes (fixedpoint.ts encode, clip.ts norm/scale/clamp,
 * ring.ts narrowing); tests compare the pipeline with the composition of those exports.
 */
import {
  param, PARAM_WEIGHT, PARAM_MULT, PARAM_BOUND, OUT_INDEX, OUT_NORM_LO, OUT_NORM_HI, OUT_AFTER, OUT_COUNT,
} from './arena';
import { pow10, reject, MAX_EXPONENT, ROUND_HALF_EVEN, ENCODE_LIMIT, TWO_POW_32 } from './fixedpoint';
import { magnitude, NORM_LINF, NORM_L1, NORM_L2 } from './clip';
import { mulHiU64 } from './wide';
import { STATUS_OK, STATUS_BAD_ARGUMENT, STATUS_RING_RANGE } from './status';

/** Encode only. */
export const OP_NONE: u32 = 0;
/** Encode and measure (kind) into OUT_NORM_LO/HI. */
export const OP_MEASURE: u32 = 1;
/** Encode, scale by PARAM_MULT / 2^62 toward zero, measure the result (kind); changed count in OUT_COUNT. */
export const OP_SCALE: u32 = 2;
/** Encode, clamp to ±PARAM_BOUND; max|v| before in OUT_NORM_LO, after in OUT_AFTER; changed count in OUT_COUNT. */
export const OP_CLAMP: u32 = 3;

const ONE_62: u64 = <u64>1 << 62;
/** The SIMD part's range: |v| < 2^51, where ⌊v⌋ + 1.5·2^52 is exact. */
const SIMD_LIMIT: f64 = 2251799813685248.0; // 2^51
/** The SIMD part's range where values are squared, summed or scaled in 64-bit lanes. */
const SIMD_LIMIT_WIDE: f64 = 2147483648.0; // 2^31
const MAGIC: f64 = 6755399441055744.0; // 1.5·2^52
const MAGIC_BITS: i64 = 0x4338000000000000;

/** sign(v)·⌊|v|·m / 2^62⌋ (clip.ts scale); two multiplies instead of four when |v| < 2^32. */
@inline function scaleOne(v: i64, m: u64): i64 {
  const a = magnitude(v);
  let q: u64;
  if (a >> 32 == 0) {
    // a·m = P·2^32 + L with P = a·(m >> 32) < 2^63 and L = a·(m mod 2^32) < 2^64, so
    // ⌊a·m / 2^62⌋ = ⌊(P + ⌊L / 2^32⌋) / 2^30⌋
    q = (a * (m >> 32) + ((a * (m & 0xffffffff)) >> 32)) >> 30;
  } else {
    q = (mulHiU64(a, m) << 2) | ((a * m) >> 62);
  }
  return select<i64>(-<i64>q, <i64>q, v < 0);
}

/**
 * In place over buf[0..len) (f64 in): v = x·S·w (w = PARAM_WEIGHT) rounded — randomized with
 * element e's u32 at rnd + 4e, or half-even — then `op` (OP_*) with norm `kind` (clip.ts
 * NORM_*), then stored as i64 at 8e, or, with `narrow`, as u32 at 4e after a range check
 * (writing u32 at 4e never overwrites an unread f64 at 8e' > 8e). A bad element's index goes
 * to OUT_INDEX with its status: not finite / |v| ≥ 2^53 as encode, STATUS_RING_RANGE for a
 * value outside [−2^31, 2^31) when narrowing. Σv² of one chunk stays below 2^122 (|v| < 2^53,
 * ≤ 65,536 elements), so the 128-bit measure cannot overflow.
 */
export function encodeFused(
  buf: usize, rnd: usize, len: u32, exponent: u32, mode: u32, op: u32, kind: u32, narrow: bool,
): u32 {
  if (exponent > MAX_EXPONENT || mode > ROUND_HALF_EVEN || op > OP_CLAMP || kind > NORM_L2) return STATUS_BAD_ARGUMENT;
  const w = load<f64>(param(PARAM_WEIGHT));
  if (!(isFinite<f64>(w) && w > 0)) return STATUS_BAD_ARGUMENT;
  const m = load<u64>(param(PARAM_MULT));
  const bound = load<u64>(param(PARAM_BOUND));
  if ((op == OP_SCALE && m > ONE_62) || (op == OP_CLAMP && bound > <u64>i64.MAX_VALUE)) return STATUS_BAD_ARGUMENT;
  const s = pow10(exponent) * w;
  const half = mode == ROUND_HALF_EVEN;
  // Each used combination gets its own loop: the constant arguments of the inlined body fold
  // its per-element branches away (a loop testing op, kind and narrow per element was slower
  // than the separate passes it replaces).
  if (op == OP_MEASURE) {
    if (kind == NORM_L2) return body(buf, rnd, len, s, half, OP_MEASURE, NORM_L2, false, m, bound);
    if (kind == NORM_L1) return body(buf, rnd, len, s, half, OP_MEASURE, NORM_L1, false, m, bound);
    return body(buf, rnd, len, s, half, OP_MEASURE, NORM_LINF, false, m, bound);
  }
  if (op == OP_SCALE) {
    if (kind == NORM_L2) {
      return narrow
        ? body(buf, rnd, len, s, half, OP_SCALE, NORM_L2, true, m, bound)
        : body(buf, rnd, len, s, half, OP_SCALE, NORM_L2, false, m, bound);
    }
    if (kind == NORM_L1) {
      return narrow
        ? body(buf, rnd, len, s, half, OP_SCALE, NORM_L1, true, m, bound)
        : body(buf, rnd, len, s, half, OP_SCALE, NORM_L1, false, m, bound);
    }
    return narrow
      ? body(buf, rnd, len, s, half, OP_SCALE, NORM_LINF, true, m, bound)
      : body(buf, rnd, len, s, half, OP_SCALE, NORM_LINF, false, m, bound);
  }
  if (op == OP_CLAMP) {
    return narrow
      ? body(buf, rnd, len, s, half, OP_CLAMP, NORM_LINF, true, m, bound)
      : body(buf, rnd, len, s, half, OP_CLAMP, NORM_LINF, false, m, bound);
  }
  return narrow
    ? body(buf, rnd, len, s, half, OP_NONE, NORM_LINF, true, m, bound)
    : body(buf, rnd, len, s, half, OP_NONE, NORM_LINF, false, m, bound);
}

/** The loop of {@link encodeFused}; inlined with constant op, kind and narrow. */
@inline function body(
  buf: usize, rnd: usize, len: u32, s: f64, half: bool, op: u32, kind: u32, narrow: bool, m: u64, bound: u64,
): u32 {
  const b = <i64>bound;
  const measure = op == OP_MEASURE || op == OP_SCALE;
  let lo: u64 = 0, hi: u64 = 0, before: u64 = 0;
  let changed: u32 = 0;
  let i: u32 = 0;
  if (ASC_FEATURE_SIMD && !half) {
    // Two elements per step while |v| is below the SIMD range (2^51; 2^31 where a norm sums
    // or a value is scaled, so |v|², Σ|v| and the products stay in 64-bit lanes) and, narrowing,
    // the results fit: the same IEEE and integer operations as the scalar loop, so the same
    // results. Any other pair ends the SIMD part; the scalar loop goes on from it (and reports a
    // bad element exactly as before). The whole pass against the separate exports: 1.9–2.3×
    // (measured, bench:kernel-parts).
    const wide = op == OP_SCALE || (op == OP_MEASURE && kind != NORM_LINF);
    const vs = f64x2.splat(s);
    const limit = f64x2.splat(wide ? SIMD_LIMIT_WIDE : SIMD_LIMIT);
    const two32 = f64x2.splat(TWO_POW_32);
    const magic = f64x2.splat(MAGIC);
    const magicBits = i64x2.splat(MAGIC_BITS);
    const vb = i64x2.splat(b), vnb = i64x2.splat(-b);
    const mHi = i64x2.splat(<i64>(m >> 32)), mLo = i64x2.splat(<i64>(m & 0xffffffff));
    const max31 = i64x2.splat(2147483647), min31 = i64x2.splat(-2147483648);
    const zero = i64x2.splat(0), bias = i64x2.splat(i64.MIN_VALUE);
    let vBefore = zero, vLo = zero, vHi = zero, vChanged = zero;
    for (; i + 2 <= len; i += 2) {
      const v = f64x2.mul(v128.load(buf + (<usize>i << 3)), vs);
      if (!i64x2.all_true(f64x2.lt(f64x2.abs(v), limit))) break; // also NaN
      const fl = f64x2.floor(v);
      const u = f64x2.convert_low_i32x4_u(v128.load64_zero(rnd + (<usize>i << 2)));
      const up = f64x2.lt(u, f64x2.mul(f64x2.sub(v, fl), two32)); // all ones (−1) where rounding up
      // ⌊v⌋ as i64: ⌊v⌋ + 1.5·2^52 is exact for |⌊v⌋| < 2^51; its bits minus those of 1.5·2^52 are ⌊v⌋
      const e = i64x2.sub(i64x2.sub(f64x2.add(fl, magic), magicBits), up);
      let r = e;
      if (op == OP_CLAMP) {
        const upper = v128.bitselect(vb, e, i64x2.gt_s(e, vb));
        r = v128.bitselect(vnb, upper, i64x2.lt_s(upper, vnb));
      } else if (op == OP_SCALE) {
        // scaleOne for |e| < 2^32: ⌊(|e|·(m >> 32) + ⌊|e|·(m mod 2^32) / 2^32⌋) / 2^30⌋, signed back
        const a = i64x2.abs(e);
        const q = i64x2.shr_u(i64x2.add(i64x2.mul(a, mHi), i64x2.shr_u(i64x2.mul(a, mLo), 32)), 30);
        r = v128.bitselect(i64x2.neg(q), q, i64x2.lt_s(e, zero));
      }
      if (narrow && v128.any_true(v128.or(i64x2.gt_s(r, max31), i64x2.lt_s(r, min31)))) break;
      if (op == OP_CLAMP) {
        const a = i64x2.abs(e); // |e| < 2^51: signed compares order magnitudes
        vBefore = v128.bitselect(a, vBefore, i64x2.gt_s(a, vBefore));
      }
      if (op == OP_CLAMP || op == OP_SCALE) vChanged = i64x2.sub(vChanged, i64x2.ne(r, e));
      if (op == OP_CLAMP || measure) {
        const a = i64x2.abs(r);
        if (op == OP_CLAMP || kind == NORM_LINF) {
          vLo = v128.bitselect(a, vLo, i64x2.gt_s(a, vLo));
        } else if (kind == NORM_L2) {
          const sum = i64x2.add(vLo, i64x2.mul(a, a)); // a² < 2^62; a carry shows as sum < vLo unsigned
          vHi = i64x2.sub(vHi, i64x2.lt_s(v128.xor(sum, bias), v128.xor(vLo, bias)));
          vLo = sum;
        } else {
          vLo = i64x2.add(vLo, a); // < 2^31 per element, ≤ 2^15 per lane: no carry
        }
      }
      if (narrow) {
        const low = i8x16.shuffle(r, r, 0, 1, 2, 3, 8, 9, 10, 11, 0, 1, 2, 3, 8, 9, 10, 11); // low words
        v128.store64_lane(buf + (<usize>i << 2), low, 0);
      }
      else v128.store(buf + (<usize>i << 3), r);
    }
    before = max<u64>(i64x2.extract_lane(vBefore, 0), i64x2.extract_lane(vBefore, 1));
    changed = <u32>(i64x2.extract_lane(vChanged, 0) + i64x2.extract_lane(vChanged, 1));
    const lo0 = <u64>i64x2.extract_lane(vLo, 0), lo1 = <u64>i64x2.extract_lane(vLo, 1);
    if (op == OP_CLAMP || kind == NORM_LINF) {
      lo = max<u64>(lo0, lo1);
    } else {
      lo = lo0 + lo1;
      hi = <u64>i64x2.extract_lane(vHi, 0) + <u64>i64x2.extract_lane(vHi, 1) + <u64>(lo < lo0);
    }
  }
  for (; i < len; i++) {
    const p = buf + (<usize>i << 3);
    const v = load<f64>(p) * s;
    if (!(abs<f64>(v) < ENCODE_LIMIT)) return reject(p, i); // also catches NaN
    let e: i64;
    if (half) {
      e = <i64>nearest<f64>(v);
    } else {
      const fl = floor<f64>(v); // as fixedpoint.ts: round up iff u < frac·2^32
      e = <i64>fl + (<f64>load<u32>(rnd + (<usize>i << 2)) < (v - fl) * TWO_POW_32 ? 1 : 0);
    }
    // selects, not branches: whether a value is clipped depends on the data (mispredictions)
    if (op == OP_CLAMP) {
      const a = magnitude(e);
      before = select<u64>(a, before, a > before);
      const upper = select<i64>(b, e, e > b);
      const r = select<i64>(-b, upper, upper < -b);
      changed += <u32>(r != e);
      e = r;
      const ar = magnitude(e);
      lo = select<u64>(ar, lo, ar > lo);
    } else if (op == OP_SCALE) {
      const r = scaleOne(e, m);
      changed += <u32>(r != e);
      e = r;
    }
    if (measure) {
      const a = magnitude(e);
      if (kind == NORM_LINF) {
        lo = select<u64>(a, lo, a > lo);
      } else if (kind == NORM_L2) {
        const pLo = a * a, pHi = a >> 32 == 0 ? 0 : mulHiU64(a, a);
        const sum = lo + pLo;
        hi += pHi + <u64>(sum < lo);
        lo = sum;
      } else {
        const sum = lo + a;
        hi += <u64>(sum < lo);
        lo = sum;
      }
    }
    if (narrow) {
      if (<u64>(e + 2147483648) >> 32 != 0) { // outside [−2^31, 2^31)
        store<u64>(param(OUT_INDEX), i);
        return STATUS_RING_RANGE;
      }
      store<u32>(buf + (<usize>i << 2), <u32>e);
    } else {
      store<i64>(p, e);
    }
  }
  if (op == OP_CLAMP) {
    store<u64>(param(OUT_NORM_LO), before);
    store<u64>(param(OUT_AFTER), lo);
  } else {
    store<u64>(param(OUT_NORM_LO), lo);
    store<u64>(param(OUT_NORM_HI), hi);
  }
  store<u64>(param(OUT_COUNT), changed);
  return STATUS_OK;
}
