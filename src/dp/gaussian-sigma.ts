/**
 * @module dp/gaussian-sigma
 * The least integer σ for a zCDP target, for the noise that is actually sampled:
 * - local: one discrete Gaussian per coordinate, ρ = Δ²/(2σ²) (CKS20 Theorem 4), solved exactly
 *   in integers;
 * - distributed: each of h clients adds N_Z(0, σ_local²); the sum is bounded by KLS21
 *   Proposition 14 ({@link distributedGaussianRho}), which is decreasing in σ_local.
 */
import { distributedGaussianRho } from './discrete-gaussian-rho.ts';
import { exactRational, isqrtBig } from './rounding.ts';

/**
 * Least integer σ ≥ 1 with Δ²/(2σ²) ≤ ρ (ρ taken as the exact value of its double).
 * @example leastLocalSigma(2000n, 0.0306) // 8085n
 */
export function leastLocalSigma(sensitivity: bigint, rho: number): bigint {
  const { num, den } = exactRational(rho); // ρ = num/den: need 2·num·σ² ≥ Δ²·den
  const need = sensitivity * sensitivity * den;
  let s = isqrtBig(need / (2n * num));
  if (s < 1n) s = 1n;
  while (2n * num * s * s < need) s++;
  while (s > 1n && 2n * num * (s - 1n) * (s - 1n) >= need) s--;
  return s;
}

/**
 * Least integer σ_local ≥ 1 whose sum over h honest clients has ρ ≤ `rho` by KLS21 Proposition
 * 14 (no dimension: the bound holds for every dimension). Δ must be an integer below 2^53.
 * @example leastDistributedSigma(2000n, 10, 0.0306) // 2557n
 */
export function leastDistributedSigma(sensitivity: bigint, h: number, rho: number): bigint {
  const delta = Number(sensitivity);
  const ok = (s: bigint): boolean => distributedGaussianRho(delta, Number(s), h) <= rho;
  // start from the τ-free answer ⌈σ_local⌉ for Δ²/(2hσ²) ≤ ρ, then step (τ only ever adds)
  let s = leastLocalSigma(sensitivity, rho * h * (1 - 2 ** -50));
  if (s < 1n) s = 1n;
  while (s > 1n && ok(s - 1n)) s--;
  while (!ok(s)) s++;
  return s;
}
