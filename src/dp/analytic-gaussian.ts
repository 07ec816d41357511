/**
 * @module dp/analytic-gaussian
 * The analytic Gaussian mechanism: Balle & Wang, "Improving the Gaussian Mechanism for
 * Differential Privacy: Analytical Calibration and Optimal Denoising", ICML 2018
 * (arXiv:1805.06530), Theorem 8. Adding N(0, σ²) to a query of L2 sensitivity Δ is (ε, δ)-DP iff
 *   Φ(Δ/(2σ) − εσ/Δ) − e^ε·Φ(−Δ/(2σ) − εσ/Δ) ≤ δ.
 * σ is found by bisection in doubles (Balle & Wang §4 solve the same monotone equation), then
 * certified: an upper bound of δ(σ) computed with exact BigInt interval arithmetic
 * (dp/normal-bounds.ts) must be ≤ the target, else σ is raised by a growing factor from 2^-44
 * until it is. The δ it achieves is never above the target, whatever the float error of the
 * search, and σ lies within ~1e-11 of the exact root (tested against a 256-bit reference).
 *
 * shardwire's calibration does not use this function (a discrete Gaussian on a vector is not
 * covered by the continuous curve, see dp/calibration.ts); it is kept for reference and for
 * callers that add continuous noise.
 */
import { ShardwireError } from '../errors.ts';
import { scaledUpperTail } from './normal.ts';
import { expBounds, upperTailBounds } from './normal-bounds.ts';
import { exactRational } from './rounding.ts';

/**
 * The smallest δ for which N(0, σ²) on an L2-sensitivity-Δ query is (ε, δ)-DP (Theorem 8).
 * Written with u = Δ/(2σ), v = εσ/Δ (so ε = 2uv) and scaled tails, so neither term underflows
 * nor cancels catastrophically.
 * @example gaussianDelta(1, 3.73, 1) // ≈ 1e-5
 */
export function gaussianDelta(epsilon: number, sigma: number, sensitivity: number): number {
  const u = sensitivity / (2 * sigma);
  const v = (epsilon * sigma) / sensitivity;
  const g = Math.exp(-((v - u) ** 2) / 2);
  // e^ε·Φ(−(u+v)) = scaledUpperTail(u+v)·e^(2uv − (u+v)²/2) = scaledUpperTail(u+v)·e^(−(u−v)²/2)
  const second = scaledUpperTail(u + v) * g;
  const first = v >= u ? scaledUpperTail(v - u) * g : 1 - scaledUpperTail(u - v) * g;
  return Math.max(0, first - second);
}

/**
 * σ of the analytic Gaussian mechanism for (ε, δ) and L2 sensitivity Δ, rounded up: the exact
 * δ(σ) of Theorem 8 is ≤ δ (certified, see the module header), and σ is within ~1e-11 relative
 * of the exact root.
 * @throws {ShardwireError} E_BAD_DP_CONFIG for ε ≤ 0, δ ∉ (0, 1) or Δ ≤ 0 (non-finite included).
 * @example analyticGaussianSigma(1, 1e-5, 1) // ≈ 3.73
 */
export function analyticGaussianSigma(epsilon: number, delta: number, sensitivity: number): number {
  if (!(Number.isFinite(epsilon) && epsilon > 0)) throw new ShardwireError('E_BAD_DP_CONFIG', `"epsilon" expected a finite number > 0, got ${epsilon}`, { field: 'epsilon' });
  if (!(Number.isFinite(delta) && delta > 0 && delta < 1)) throw new ShardwireError('E_BAD_DP_CONFIG', `"delta" expected a number in (0, 1) for the Gaussian mechanism, got ${delta}`, { field: 'delta' });
  if (!(Number.isFinite(sensitivity) && sensitivity > 0)) throw new ShardwireError('E_BAD_DP_CONFIG', `"sensitivity" expected a finite number > 0, got ${sensitivity}`, { field: 'sensitivity' });
  // Bracket in units of Δ (σ scales linearly with Δ), then bisect in log space.
  let lo = 1e-6, hi = 1;
  while (gaussianDelta(epsilon, hi, 1) > delta) {
    lo = hi;
    hi *= 2;
    if (hi > 1e15) throw new ShardwireError('E_BAD_DP_CONFIG', `no σ below 1e15·Δ reaches δ = ${delta} at ε = ${epsilon}`, { epsilon, delta });
  }
  for (let i = 0; i < 200 && hi / lo > 1 + 1e-14; i++) {
    const mid = Math.sqrt(lo * hi);
    if (gaussianDelta(epsilon, mid, 1) > delta) lo = mid;
    else hi = mid;
  }
  let sigma = hi * sensitivity;
  for (let step = 2 ** -44; !gaussianDeltaAtMost(epsilon, sigma, sensitivity, delta); step *= 4) {
    if (step > 1) {
      const msg = `could not certify σ for ε = ${epsilon}, δ = ${delta}`;
      throw new ShardwireError('E_BAD_DP_CONFIG', msg, { epsilon, delta });
    }
    sigma *= 1 + step;
  }
  return sigma;
}

/**
 * Whether δ(σ) of Theorem 8 is at most `target`, decided with certified bounds: the exact
 * δ = Q(v − u) − e^ε·Q(u + v) (u = Δ/(2σ), v = εσ/Δ, exact rationals of the doubles) is below
 * Q_hi(v − u) − (e^ε)_lo·Q_lo(u + v), which is compared with the target in integers. `false`
 * can also mean "too close to tell" at the working precision, which is sized (in doubles: it only
 * affects tightness) so that a δ within ~2^-64 relative of the target is resolved.
 * @example gaussianDeltaAtMost(1, 3.7307, 1, 1e-5) // true
 */
export function gaussianDeltaAtMost(epsilon: number, sigma: number, sensitivity: number, target: number): boolean {
  const e = exactRational(epsilon), s = exactRational(sigma), d = exactRational(sensitivity);
  const uNum = d.num * s.den, uDen = 2n * d.den * s.num; // u = Δ/(2σ)
  const vNum = e.num * s.num * d.den, vDen = e.den * s.den * d.num; // v = εσ/Δ
  const a = { num: vNum * uDen - uNum * vDen, den: vDen * uDen };
  const b = { num: vNum * uDen + uNum * vDen, den: vDen * uDen };
  const u = sensitivity / (2 * sigma), v = (epsilon * sigma) / sensitivity;
  // bits: the tails' cancellation (0.72·b²), δ's size, e^ε, and δ's own cancellation (≈ v/u)
  const bits = 96 + 0.7214 * (u + v) ** 2 - Math.log2(target) + 1.4427 * epsilon + Math.log2(2 + v / u);
  const w = Math.ceil(Math.min(bits, 1e5));
  const qa = upperTailBounds(a, w), qb = upperTailBounds(b, w), ee = expBounds(e, w);
  const second = qb.lo > 0n ? (ee.lo * qb.lo) >> BigInt(w) : 0n;
  const deltaHi = qa.hi - second;
  const t = exactRational(target);
  return deltaHi * t.den <= t.num << BigInt(w);
}
