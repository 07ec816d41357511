/**
 * @module dp/analytic-gaussian
 * The analytic Gaussian mechanism: Balle & Wang, "Improving the Gaussian Mechanism for
 * Differential Privacy: Analytical Calibration and Optimal Denoising", ICML 2018
 * (arXiv:1805.06530), Theorem 8. Adding N(0, σ²) to a query of L2 sensitivity Δ is (ε, δ)-DP iff
 *   Φ(Δ/(2σ) − εσ/Δ) − e^ε·Φ(−Δ/(2σ) − εσ/Δ) ≤ δ.
 * σ is found by bisection (Balle & Wang §4 solve the same monotone equation) and returned from
 * the safe side of the bracket, so the δ it achieves is never above the target.
 */
import { ShardwireError } from '../errors.ts';
import { scaledUpperTail } from './normal.ts';

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
 * σ of the analytic Gaussian mechanism for (ε, δ) and L2 sensitivity Δ, rounded up (relative
 * precision 1e-12): gaussianDelta(ε, σ, Δ) ≤ δ.
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
  for (let i = 0; i < 200 && hi / lo > 1 + 1e-13; i++) {
    const mid = Math.sqrt(lo * hi);
    if (gaussianDelta(epsilon, mid, 1) > delta) lo = mid;
    else hi = mid;
  }
  return hi * sensitivity * (1 + 1e-12);
}
