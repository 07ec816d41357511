/**
 * @module dp/normal-bounds
 * Certified bounds, in BigInt fixed point, of the quantities in the analytic Gaussian mechanism's
 * δ(σ) (Balle & Wang 2018, Theorem 8): e^y, π, and the normal upper tail Q(x) = P[N(0,1) > x].
 * Every value is an interval [lo, hi]·2^-W whose ends are computed with floor resp. ceiling at
 * each step and whose series truncations are bounded explicitly, so the exact value always lies
 * inside: no floating point, no rounding error to estimate (docs/DP.md "Rounding").
 * Used to certify σ after a fast floating-point search (dp/analytic-gaussian.ts).
 */
import { isqrtBig, type BigRational } from './rounding.ts';

/** An interval [lo, hi] of a real scaled by 2^W. */
export interface Bounds {
  readonly lo: bigint;
  readonly hi: bigint;
}

const floorDiv = (a: bigint, b: bigint): bigint => (a >= 0n ? a / b : -((-a + b - 1n) / b));
const ceilDiv = (a: bigint, b: bigint): bigint => -floorDiv(-a, b);

/**
 * [⌊q·2^W⌋, ⌈q·2^W⌉] of an exact rational q.
 * @example fixedBounds({ num: 1n, den: 3n }, 4) // { lo: 5n, hi: 6n }
 */
export function fixedBounds(q: BigRational, w: number): Bounds {
  const scaled = q.num << BigInt(w);
  return { lo: floorDiv(scaled, q.den), hi: ceilDiv(scaled, q.den) };
}

/**
 * e^y for an exact rational y ≥ 0, scaled by 2^W. y is halved k times until ≤ 1/2, the Taylor
 * series of e^(y/2^k) is summed with directed rounding (terms fall by ≥ 2 each: the tail after a
 * term below one unit is below two units), and the result squared back k times. Guard bits
 * cover the 2^k growth of relative error through the squarings.
 * @example expBounds({ num: 1n, den: 1n }, 64) // lo ≤ e·2^64 ≤ hi, hi − lo a few units
 */
export function expBounds(y: BigRational, w: number): Bounds {
  let k = 0;
  while ((y.num << 1n) > (y.den << BigInt(k))) k++; // y/2^k ≤ 1/2
  const g = w + k + 32;
  const rNum = y.num, rDen = y.den << BigInt(k);
  let lo = 1n << BigInt(g), hi = lo, tLo = lo, tHi = hi;
  for (let n = 1n; tHi > 0n; n++) {
    tLo = (tLo * rNum) / (rDen * n);
    tHi = ceilDiv(tHi * rNum, rDen * n);
    lo += tLo;
    hi += tHi;
    if (tHi <= 1n) {
      hi += 2n; // remaining terms: each at most half the previous, total ≤ 2 units
      break;
    }
  }
  for (let i = 0; i < k; i++) {
    lo = (lo * lo) >> BigInt(g);
    hi = ceilDiv(hi * hi, 1n << BigInt(g));
  }
  return { lo: lo >> BigInt(g - w), hi: ceilDiv(hi, 1n << BigInt(g - w)) };
}

/** arctan(1/m)·2^W for an integer m ≥ 2: alternating series with decreasing terms. */
function atanInverse(m: bigint, w: number): Bounds {
  const one = 1n << BigInt(w);
  let lo = 0n, hi = 0n, power = m, last = 0n;
  for (let k = 0n; ; k++) {
    const d = power * (2n * k + 1n);
    const tLo = one / d, tHi = ceilDiv(one, d);
    if (k % 2n === 0n) {
      lo += tLo;
      hi += tHi;
    } else {
      lo -= tHi;
      hi -= tLo;
    }
    last = tHi;
    if (tHi <= 1n) break;
    power *= m * m;
  }
  // the remainder has the sign of the next term and is smaller than the last one
  return { lo: lo - last, hi: hi + last };
}

const piCache = new Map<number, Bounds>();

/**
 * π·2^W by Machin's formula π = 16·arctan(1/5) − 4·arctan(1/239).
 * @example piBounds(64) // lo ≤ π·2^64 ≤ hi
 */
export function piBounds(w: number): Bounds {
  let b = piCache.get(w);
  if (b === undefined) {
    const a5 = atanInverse(5n, w + 8), a239 = atanInverse(239n, w + 8);
    const lo = 16n * a5.lo - 4n * a239.hi, hi = 16n * a5.hi - 4n * a239.lo;
    b = { lo: lo >> 8n, hi: ceilDiv(hi, 256n) };
    piCache.set(w, b);
  }
  return b;
}

/**
 * The normal upper tail Q(x) = P[N(0,1) > x] for an exact rational x, scaled by 2^W:
 * Q(x) = 1/2 − φ(x)·S(x) for x ≥ 0 with φ(x) = e^(−x²/2)/√(2π) and S(x) = Σ x^(2n+1)/(2n+1)!!
 * (all terms positive; Abramowitz & Stegun 26.2.11), and Q(x) = 1 − Q(−x) for x < 0. The
 * subtraction cancels about 0.72·x² bits, so W must exceed the wanted precision by that much.
 * @example upperTailBounds({ num: 0n, den: 1n }, 64) // contains 2^63 (Q(0) = 1/2)
 */
export function upperTailBounds(x: BigRational, w: number): Bounds {
  if (x.num < 0n) {
    const q = upperTailBounds({ num: -x.num, den: x.den }, w);
    const one = 1n << BigInt(w);
    return { lo: one - q.hi, hi: one - q.lo };
  }
  const g = w + 16;
  const one = 1n << BigInt(g);
  // S(x): t_0 = x, t_n = t_(n−1)·x²/(2n+1)
  const x2Num = x.num * x.num, x2Den = x.den * x.den;
  const start = fixedBounds(x, g);
  let tLo = start.lo, tHi = start.hi, sLo = tLo, sHi = tHi;
  for (let n = 1n; ; n++) {
    tLo = (tLo * x2Num) / (x2Den * (2n * n + 1n));
    tHi = ceilDiv(tHi * x2Num, x2Den * (2n * n + 1n));
    sLo += tLo;
    sHi += tHi;
    // once x²/(2n+3) ≤ 1/2 the remaining terms sum to at most the current one
    if (2n * x2Num <= x2Den * (2n * n + 3n) && tHi <= 1n) {
      sHi += tHi + 1n;
      break;
    }
  }
  // φ(x)·S(x) = S(x)/(e^(x²/2)·√(2π)), divided in one step: φ alone is tiny (e^(−x²/2)) and
  // would keep few significant bits in fixed point
  const e = expBounds({ num: x2Num, den: 2n * x2Den }, g); // e^(x²/2)·2^g
  const pi = piBounds(g);
  const rootLo = isqrtBig((2n * pi.lo) << BigInt(g)); // √(2π)·2^g, from below
  const rootHi = isqrtBig((2n * pi.hi) << BigInt(g)) + 1n; // and from above
  const prodLo = (sLo << BigInt(2 * g)) / (e.hi * rootHi);
  const prodHi = ceilDiv(sHi << BigInt(2 * g), e.lo * rootLo);
  const half = one >> 1n;
  return { lo: floorDiv(half - prodHi, 1n << 16n), hi: ceilDiv(half - prodLo, 1n << 16n) };
}
