/**
 * @module dp/discrete-gaussian-rho
 * Concentrated-DP parameter ρ of what the clients actually sample, rounded up:
 *
 * - **One discrete Gaussian** N_Z(0, σ²) per coordinate, L2 sensitivity Δ: ρ = Δ²/(2σ²).
 *   CKS20 (Canonne, Kamath & Steinke 2020, arXiv:2004.00010) Theorem 4 bounds one coordinate's
 *   Rényi divergence by α·Δ_j²/(2σ²); independent coordinates add (Mironov 2017, Proposition 1
 *   on product distributions), and Σ Δ_j² ≤ Δ².
 * - **A sum of n discrete Gaussians** (distributed noise from n honest clients), which is not a
 *   discrete Gaussian: Kairouz, Liu & Steinke 2021 ("The Distributed Discrete Gaussian Mechanism
 *   for Federated Learning with Secure Aggregation", arXiv:2102.06387), Proposition 14: for
 *   σ ≥ 1/2, τ = 10·Σ_{k=1}^{n−1} e^(−2π²σ²·k/(k+1)) and an integer shift μ,
 *   D_α ≤ (α/2)·(‖μ‖₂²/(nσ²) + 2‖μ‖₁τ/(√n·σ) + τ²·d). Applied per coordinate (d = 1; a
 *   coordinate with μ_j = 0 contributes 0) and summed, d becomes the number k of non-zero
 *   coordinates. For an integer vector ‖μ‖₁ ≤ ‖μ‖₂² and k ≤ ‖μ‖₂², and always ‖μ‖₁ ≤ √d·‖μ‖₂ and
 *   k ≤ d, so with c = min(Δ, √d) (Δ only when it is an integer): ρ = ½·(Δ/(√n·σ) + c·τ)².
 *   Without d this is c = Δ: the bound calibration uses, since the dimension is known per round.
 *
 * Units: Δ and σ are in the lattice units the noise lives on (integer fixed-point units).
 */
import { exactRational, nextUp, ratioUp } from './rounding.ts';

/** Relative slack on τ: covers the rounding of its exponent (≤ 745·2^-50) and of Math.exp. */
const TAU_SLACK = 1 + 2 ** -36;
/**
 * Terms of τ summed one by one (every session: n ≤ minClients ≤ 10,000); beyond, the terms are
 * bounded by the last one (they decrease in k).
 */
const TAU_TERMS = 10_000;
/** τ per (σ, n): the accountant re-derives every release's cost on each record. */
const tauCache = new Map<string, number>();
/** ρ below this is refused: the rounding argument of {@link distributedGaussianRho} needs ulp(ρ) ≥ 2^-153. */
const MIN_RHO = 2 ** -100;

/**
 * ρ = Δ²/(2σ²) of one discrete Gaussian per coordinate, as the least double ≥ the exact value
 * (Δ and σ taken as the exact values of their doubles).
 * @example gaussianRho(2, 10) // 0.02
 */
export function gaussianRho(sensitivity: number, sigma: number): number {
  const d = exactRational(sensitivity), s = exactRational(sigma);
  return ratioUp(d.num * d.num * s.den * s.den, 2n * d.den * d.den * s.num * s.num);
}

/**
 * τ of KLS21 Proposition 14 for n summands of N_Z(0, σ²), rounded up; 0 for n = 1.
 * @example kls21Tau(1, 3) // ≈ 5.4e-4
 */
export function kls21Tau(sigma: number, n: number): number {
  if (n <= 1) return 0;
  const key = `${sigma}/${n}`;
  const cached = tauCache.get(key);
  if (cached !== undefined) return cached;
  const a = 2 * Math.PI * Math.PI * sigma * sigma;
  let tau = 0;
  const last = Math.min(n - 1, TAU_TERMS);
  for (let k = 1; k <= last; k++) tau += Math.exp(-(a * k) / (k + 1));
  if (n - 1 > last) tau += (n - 1 - last) * Math.exp(-(a * last) / (last + 1));
  const result = 10 * tau * TAU_SLACK;
  if (tauCache.size > 4096) tauCache.clear();
  tauCache.set(key, result);
  return result;
}

/**
 * ρ of the sum of n ≥ 1 independent N_Z(0, σ²) (σ ≥ 1/2) under an integer shift of L2 norm ≤ Δ
 * (KLS21 Proposition 14, see the module header), rounded up. `dimension` tightens the τ term when
 * it is known; without it Δ must be an integer.
 * @throws {RangeError} for σ < 1/2, a non-integer Δ without a dimension, or ρ < 2^-100.
 * @example distributedGaussianRho(2000, 600, 10) // 0.5555555555555557 (Δ²/(2·10·600²), τ ≈ 0)
 */
export function distributedGaussianRho(sensitivity: number, sigma: number, n: number, dimension?: number): number {
  if (!(sigma >= 0.5)) throw new RangeError(`KLS21 Proposition 14 needs σ ≥ 1/2, got ${sigma}`);
  const s = exactRational(sigma), dl = exactRational(sensitivity);
  // Δ²/(2nσ²) exactly, rounded up
  const main = ratioUp(dl.num * dl.num * s.den * s.den, 2n * BigInt(n) * dl.den * dl.den * s.num * s.num);
  if (main < MIN_RHO) throw new RangeError(`ρ ${main} is below 2^-100; the noise is far larger than the sensitivity`);
  if (n === 1) return main; // one discrete Gaussian: τ = 0 (CKS20 Theorem 4)
  const tau = kls21Tau(sigma, n);
  const candidates: number[] = [];
  if (Number.isInteger(sensitivity)) candidates.push(sensitivity);
  if (dimension !== undefined) candidates.push(Math.sqrt(dimension) * (1 + 2 ** -50));
  if (candidates.length === 0) throw new RangeError('a non-integer sensitivity needs the dimension for the τ term');
  const c = Math.min(...candidates);
  // cτΔ/(√n·σ) + c²τ²/2 in doubles (≤ 8 roundings of ≤ 2^-53 each), then 2^-40 relative slack
  const extra = ((c * tau * sensitivity) / (Math.sqrt(n) * sigma) + (c * c * tau * tau) / 2) * (1 + 2 ** -40);
  // fl(main + extra) is within half an ulp of the sum, so the next double up is above it; an
  // extra below 2^-160 (or one that underflowed) is below half an ulp of main ≥ 2^-100 and is
  // covered by the same step.
  return nextUp(main + extra);
}
