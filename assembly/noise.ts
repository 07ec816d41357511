/**
 * Exact discrete Laplace and discrete Gaussian samplers on integers: Canonne, Kamath & Steinke,
 * "The Discrete Gaussian for Differential Privacy" (NeurIPS 2020, arXiv:2004.00010), §5
 * Algorithms 1–3, fed only by the ChaCha20 noise stream (noise-stream.ts). No f32/f64
 * instruction (docs/DP.md; checked on the compiled text by test/unit/kernel/noise-float.test.ts).
 *
 * Limits (checked by noise-abi.ts) keep every intermediate inside 64 bits (128 for the
 * Gaussian's squared deviation) except on events of probability below 2^-300, which raise
 * SAMPLE_OVERFLOW instead of returning a biased sample:
 * - discrete Laplace scale t/s with 1 ≤ t, s ≤ 2^48: X = U + t·V overflows only when the
 *   geometric V ≥ 2^16, probability e^(−65536);
 * - discrete Gaussian σ ∈ [1, 2^28], proposal t = σ + 1: |y|·t overflows only when the
 *   Laplace proposal |y| ≥ 2^36 > 255·t, probability < e^(−255).
 */
import { takeBit, raiseFlag, SAMPLE_OVERFLOW } from './noise-stream';
import { uniformBelow, bernExpFrac, bernExpMinusOne, bernExp128 } from './bernoulli';
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

/**
 * Discrete Gaussian N_Z(0, σ²) for integer σ: CKS20 Algorithm 3 with t = σ + 1 (= ⌊σ⌋ + 1).
 * Y ~ discrete Laplace(t) is kept with probability exp(−(|Y| − σ²/t)² / (2σ²)); scaled by t² the
 * exponent is N/D = (|Y|·t − σ²)² / (2σ²t²), with N and D as exact 128-bit integers.
 */
export function discreteGaussian(sigma: u64): i64 {
  const t = sigma + 1;
  const s2 = sigma * sigma;
  const m = sigma * t; // < 2^57
  const mHi = mulHiU64(m, m), mLo = m * m;
  const dHi = (mHi << 1) | (mLo >> 63), dLo = mLo << 1; // D = 2σ²t² < 2^115
  while (true) {
    const y = discreteLaplace(t, 1);
    const ay: u64 = y < 0 ? <u64>(-y) : <u64>y;
    if (mulHiU64(ay, t) != 0) {
      raiseFlag(SAMPLE_OVERFLOW);
      return 0;
    }
    const p = ay * t;
    const a = p >= s2 ? p - s2 : s2 - p;
    if (bernExp128(mulHiU64(a, a), a * a, dHi, dLo)) return y;
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
