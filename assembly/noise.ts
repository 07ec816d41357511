/**
 * Exact discrete Laplace and discrete Gaussian samplers on integers, fed only by the ChaCha20
 * noise stream (noise-stream.ts): the discrete Laplace of Canonne, Kamath & Steinke, "The
 * Discrete Gaussian for Differential Privacy" (NeurIPS 2020, arXiv:2004.00010), §5 Algorithm 2,
 * and the discrete Gaussian of Karney, "Sampling exactly from the normal distribution" (ACM
 * TOMS 2016), Algorithm D, with CKS20 Algorithm 1 for its Bernoulli(e^(−γ)) trials. No f32/f64
 * instruction (docs/DP.md; checked on the compiled text by test/unit/kernel/noise-float.test.ts).
 *
 * Limits (checked by noise-abi.ts) keep every intermediate inside 64 bits except on events of
 * probability below 2^-300, which raise SAMPLE_OVERFLOW instead of returning a biased sample:
 * - discrete Laplace scale t/s with 1 ≤ t, s ≤ 2^48: X = U + t·V overflows only when the
 *   geometric V ≥ 2^16, probability e^(−65536);
 * - discrete Gaussian σ ∈ [1, 2^28]: its uniform agrees with a threshold of K on all 320 digits
 *   the kernel holds with probability 2^-320 per comparison.
 */
import { takeBit, takeBits, peek32, peekAhead, skip, raiseFlag, SAMPLE_OVERFLOW } from './noise-stream';
import { uniformBelow, bernExp, bernExpFrac, bernExpMinusOne } from './bernoulli';
import { GK_COUNT, GK_WORDS, GK_THRESHOLDS } from './gauss-tables';
import { mulHiU64 } from './wide';

/** Largest numerator or denominator of a discrete Laplace scale. */
export const MAX_LAPLACE_TERM: u64 = <u64>1 << 48;
/** Largest discrete Gaussian σ (integer units). */
export const MAX_GAUSS_SIGMA: u64 = <u64>1 << 28;

/**
 * X ~ Geometric(1 − e^(−1/t)) on {0, 1, …}: CKS20 Algorithm 2 steps 3–8. U uniform in [0, t)
 * kept with probability exp(−U/t), V ~ Geometric(1 − e^(−1)) from Bernoulli(exp(−1)) trials,
 * X = U + t·V.
 */
function geometricUnit(t: u64): u64 {
  let u: u64 = 0;
  if (t > 1) {
    do {
      u = uniformBelow(t);
    } while (!bernExpFrac(u, t));
  }
  let v: u64 = 0;
  while (bernExpMinusOne()) v++;
  if (v != 0 && (mulHiU64(v, t) != 0 || u64.MAX_VALUE - u < v * t)) {
    raiseFlag(SAMPLE_OVERFLOW);
    return 0;
  }
  return u + t * v;
}

/**
 * G ~ Geometric(1 − e^(−s/t)) on {0, 1, …}, P(G = g) ∝ exp(−g·s/t): ⌊X/s⌋ for X of
 * {@link geometricUnit} (CKS20 Algorithm 2 step 9).
 */
export function geometric(t: u64, s: u64): u64 {
  return geometricUnit(t) / s;
}

/**
 * Discrete Laplace with scale t/s: P(Z = z) ∝ exp(−|z|·s/t), CKS20 Algorithm 2. A uniform sign
 * (one stream bit) and rejection of "−0".
 */
export function discreteLaplace(t: u64, s: u64): i64 {
  while (true) {
    const y = geometric(t, s);
    const negative = takeBit() == 1;
    if (negative && y == 0) continue;
    if (y > <u64>i64.MAX_VALUE) {
      raiseFlag(SAMPLE_OVERFLOW);
      return 0;
    }
    return negative ? -(<i64>y) : <i64>y;
  }
}

/** The multiplier K of {@link discreteGaussian}: P(K = k) ∝ e^(−k²/2) on k ≥ 0, by inversion. */
function gaussK(): u32 {
  // K = #{m ≥ 1 : U < T_m} for one uniform U, its digits read lazily: U is compared with the
  // first GK_BITS digits of each T_m (gauss-tables.ts) up to the first difference, for
  // m = 1, 2, … until U > T_m; the digits consumed are the most any comparison needed.
  // The debug build always takes the general path, so that the KAT test compares both.
  if (!ASC_NO_ASSERT) return gaussKSlow();
  const x = peek32();
  // the first words of T_1 … T_6 are > 0, those of T_7 … are 0 (gauss-tables.test.ts checks)
  const t = GK_THRESHOLDS;
  const row = <usize>GK_WORDS << 2;
  const c = <u32>(x < load<u32>(t)) + <u32>(x < load<u32>(t + row)) + <u32>(x < load<u32>(t + 2 * row))
    + <u32>(x < load<u32>(t + 3 * row)) + <u32>(x < load<u32>(t + 4 * row)) + <u32>(x < load<u32>(t + 5 * row));
  // x < T_c's first word (c ≥ 1) and x ≥ T_{c+1}'s: only a tie there needs more digits
  const next = load<u32>(t + <usize>c * row);
  if (x == next) return gaussKSlow();
  const here = clz(x ^ next);
  // the longest prefix any comparison shares is with a neighbour of U: T_c or T_{c+1}
  const prev = c > 0 ? clz(x ^ load<u32>(t + <usize>(c - 1) * row)) : 0;
  skip((prev > here ? prev : here) + 1);
  return c;
}

/** {@link gaussK} digit by digit over all GK_BITS digits of each threshold (ties, and every debug draw). */
function gaussKSlow(): u32 {
  let k: u32 = 0;
  let need: u32 = 0; // digits of U consumed: the most any comparison needed
  for (let m: u32 = 0; m < GK_COUNT; m++) {
    const row = GK_THRESHOLDS + (<usize>(m * GK_WORDS) << 2);
    let i: u32 = 0;
    let u: u32 = 0, w: u32 = 0;
    for (; i < GK_WORDS; i++) {
      u = peekAhead(i << 5);
      w = load<u32>(row + (<usize>i << 2));
      if (u != w) break;
    }
    if (i == GK_WORDS) {
      // U equals T_{m+1} on all its digits (probability 2^-320): undecidable, refuse the sample
      raiseFlag(SAMPLE_OVERFLOW);
      return 0;
    }
    const digits = (i << 5) + clz(u ^ w) + 1;
    if (digits > need) need = digits;
    if (u > w) break; // U > T_{m+1}: K = m
    k = m + 1;
  }
  while (need > 0) {
    const n = need < 32 ? need : 32;
    takeBits(n);
    need -= n;
  }
  return k;
}

/**
 * Discrete Gaussian N_Z(0, σ²) for integer σ: Karney's Algorithm D ("Sampling exactly from the
 * normal distribution", ACM TOMS 2016, §5) with μ = 0 and σ integer, so every x of the paper
 * is j/σ. Draw K (P(K = k) ∝ e^(−k²/2), {@link gaussK}), j uniform in [0, σ), accept with
 * probability e^(−j(2Kσ + j)/(2σ²)) (CKS20 Algorithm 1, exact), then a sign bit; "−0" is
 * rejected. The output z = ±(Kσ + j) then has P(z) ∝ e^(−K²/2)·e^(−j(2Kσ + j)/(2σ²)) =
 * e^(−z²/(2σ²)): each |z| has exactly one (K, j). Draw order: K, j, the acceptance, the sign.
 * j(2Kσ + j) < 43σ² < 2^62 for K ≤ 21 and σ ≤ 2^28.
 */
export function discreteGaussian(sigma: u64): i64 {
  const den = (sigma * sigma) << 1; // 2σ² ≤ 2^57
  while (true) {
    const k = <u64>gaussK();
    const j = uniformBelow(sigma);
    const num = j * (((k * sigma) << 1) + j);
    // below 1 (always when K = 0): bernExp's whole part is 0, so skip its two divisions
    if (!(num < den ? bernExpFrac(num, den) : bernExp(num, den))) continue;
    const negative = takeBit() == 1;
    if (negative && k == 0 && j == 0) continue;
    const z = k * sigma + j;
    return negative ? -(<i64>z) : <i64>z;
  }
}

/** Writes `len` discrete Laplace(t/s) samples as i64 to `out`. */
export function fillDiscreteLaplace(out: usize, len: u32, t: u64, s: u64): void {
  for (let i: u32 = 0; i < len; i++) store<i64>(out + (<usize>i << 3), discreteLaplace(t, s));
}

/** Writes `len` discrete Gaussian(σ) samples as i64 to `out`. */
export function fillDiscreteGaussian(out: usize, len: u32, sigma: u64): void {
  for (let i: u32 = 0; i < len; i++) store<i64>(out + (<usize>i << 3), discreteGaussian(sigma));
}
