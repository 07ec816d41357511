/**
 * @module dp/privacy-loss
 * Conversions between privacy notions used by the accountant:
 * - ρ-zCDP (Bun & Steinke 2016) and Rényi DP (Mironov 2017) → (ε, δ)-DP with the conversion of
 *   Canonne, Kamath & Steinke 2020, Proposition 12 / Asoodeh et al. 2021:
 *   ε(δ) = inf_{α>1} RDP(α) + log(1 − 1/α) − (log δ + log α)/(α − 1),
 *   never worse than the classic ρ + 2√(ρ·log(1/δ)) (which we also compute and take the min of);
 * - pure ε-DP → RDP: D_α ≤ min(ε, α·ε²/2) (Bun & Steinke 2016, Proposition 3.3).
 * The discrete Gaussian with integer Δ is exactly (Δ²/2σ²)-zCDP (CKS20 Theorem 4).
 */

/** The fixed grid of Rényi orders of the accountant's RDP vector. */
export const RDP_ORDERS: readonly number[] = Object.freeze([
  1.25, 1.5, 1.75, 2, 2.5, 3, 4, 5, 6, 8, 10, 12, 16, 20, 24, 32, 48, 64, 128, 256, 512, 1024,
]);

/** ε at δ from one RDP point (α, r): r + log(1 − 1/α) − (log δ + log α)/(α − 1). */
export function rdpPointToEpsilon(alpha: number, rdp: number, delta: number): number {
  return rdp + Math.log1p(-1 / alpha) - (Math.log(delta) + Math.log(alpha)) / (alpha - 1);
}

/**
 * Best (ε, δ) conversion of ρ-zCDP: minimises over continuous α > 1 (golden section in
 * log(α − 1); the objective is convex there) and never returns more than ρ + 2√(ρ log 1/δ).
 * @example zcdpToEpsilon(0.5, 1e-5) // ≈ 5.3
 */
export function zcdpToEpsilon(rho: number, delta: number): number {
  if (rho <= 0) return 0;
  const f = (x: number): number => {
    const alpha = 1 + Math.exp(x);
    return rdpPointToEpsilon(alpha, alpha * rho, delta);
  };
  let a = -30, b = 30;
  const phi = (Math.sqrt(5) - 1) / 2;
  let c = b - phi * (b - a), d = a + phi * (b - a);
  let fc = f(c), fd = f(d);
  for (let i = 0; i < 200; i++) {
    if (fc < fd) {
      b = d; d = c; fd = fc; c = b - phi * (b - a); fc = f(c);
    } else {
      a = c; c = d; fc = fd; d = a + phi * (b - a); fd = f(d);
    }
  }
  const best = Math.min(fc, fd);
  const classic = rho + 2 * Math.sqrt(rho * Math.log(1 / delta));
  return Math.max(0, Math.min(best, classic));
}

/** RDP of a pure ε-DP mechanism at order α: min(ε, αε²/2). */
export function pureDpRdp(epsilon: number, alpha: number): number {
  return Math.min(epsilon, (alpha * epsilon * epsilon) / 2);
}

/**
 * ε at δ of an RDP curve given on {@link RDP_ORDERS} (min over the grid).
 * @example rdpToEpsilon(RDP_ORDERS.map((a) => a * 0.01), 1e-6)
 */
export function rdpToEpsilon(rdp: readonly number[], delta: number): number {
  let best = Infinity;
  for (let i = 0; i < RDP_ORDERS.length; i++) best = Math.min(best, rdpPointToEpsilon(RDP_ORDERS[i], rdp[i], delta));
  return Math.max(0, best);
}
