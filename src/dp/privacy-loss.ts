/**
 * @module dp/privacy-loss
 * Conversions between privacy notions used by calibration and the accountant:
 * - ρ-zCDP (Bun & Steinke 2016) and Rényi DP (Mironov 2017) → (ε, δ)-DP with the conversion of
 *   Canonne, Kamath & Steinke 2020 (arXiv:2004.00010), Proposition 12 / Asoodeh et al. 2021:
 *   an (α, r)-RDP mechanism is (ε, δ)-DP for ε = r + log(1 − 1/α) − (log δ + log α)/(α − 1), at
 *   every α > 1, so any α gives a valid bound and the optimiser only affects tightness;
 *   never worse than the classic ρ + 2√(ρ·log(1/δ)) (which we also compute and take the min of);
 * - the inverse used by calibration, {@link zcdpMaxRho}: the largest ρ that still gives (ε, δ);
 * - pure ε-DP → RDP: D_α ≤ min(ε, α·ε²/2) (Bun & Steinke 2016, Proposition 3.3).
 *
 * Rounding: results are evaluated in doubles and then moved by an explicit margin toward the safe
 * side (ε up, the admissible ρ down). Basic operations round correctly (error ≤ 2^-53 of the
 * result) and V8's Math.log / Math.log1p (fdlibm ports) are within 1 ulp (≤ 2^-52 relative); each
 * formula below has at most 12 such steps, so its absolute error is below 12·2^-52·Σ|terms| <
 * 2^-48.4·Σ|terms|. The margin is 2^-46·Σ|terms|, over 5 times that (docs/DP.md "Rounding").
 */

const MARGIN = 2 ** -46;

/** The fixed grid of Rényi orders of the accountant's RDP vector. */
export const RDP_ORDERS: readonly number[] = Object.freeze([
  1.25, 1.5, 1.75, 2, 2.5, 3, 4, 5, 6, 8, 10, 12, 16, 20, 24, 32, 48, 64, 128, 256, 512, 1024,
]);

/**
 * ε at δ from one RDP point (α, r): r + log(1 − 1/α) − (log δ + log α)/(α − 1), rounded up.
 * @example rdpPointToEpsilon(2, 0.1, 1e-5) // ≈ 10.23
 */
export function rdpPointToEpsilon(alpha: number, rdp: number, delta: number): number {
  const beta = alpha - 1;
  const t1 = Math.log1p(-1 / alpha), t2 = (Math.log(delta) + Math.log(alpha)) / beta;
  const mag = Math.abs(rdp) + Math.abs(t1) + (Math.abs(Math.log(delta)) + Math.abs(Math.log(alpha))) / beta;
  return rdp + t1 - t2 + MARGIN * mag;
}

/**
 * The largest ρ the Proposition 12 bound admits at order α = 1 + β for (ε, δ), rounded down:
 * ρ ≤ (ε − log(1 − 1/α) + (log δ + log α)/(α − 1))/α ⇒ ρ-zCDP (RDP αρ) gives (ε, δ).
 * α − 1 is the parameter so that log(α − 1) and log α = log1p(β) are evaluated without
 * cancellation near α = 1.
 */
function admissibleRho(beta: number, epsilon: number, delta: number): number {
  const alpha = 1 + beta;
  const logAlpha = Math.log1p(beta), logBeta = Math.log(beta), logDelta = Math.log(delta);
  const value = (epsilon + logAlpha - logBeta + (logDelta + logAlpha) / beta) / alpha;
  const mag = (epsilon + logAlpha + Math.abs(logBeta) + (Math.abs(logDelta) + logAlpha) / beta) / alpha;
  return value - MARGIN * mag;
}

/**
 * Largest ρ (rounded down) such that ρ-zCDP implies (ε, δ)-DP by CKS20 Proposition 12: the
 * maximum over α of {@link admissibleRho}, found by golden-section search in log(α − 1). The
 * value returned is admissible at the α where it was found, so it is a valid bound whatever the
 * search's accuracy; the search only decides how tight it is.
 * @throws {RangeError} for ε ≤ 0 or δ ∉ (0, 1) (callers validate first).
 * @example zcdpMaxRho(1, 1e-5) // ≈ 0.0306
 */
export function zcdpMaxRho(epsilon: number, delta: number): number {
  if (!(epsilon > 0 && Number.isFinite(epsilon) && delta > 0 && delta < 1)) {
    throw new RangeError('zcdpMaxRho needs ε > 0 and δ in (0, 1)');
  }
  const f = (x: number): number => admissibleRho(Math.exp(x), epsilon, delta);
  let a = -40, b = 40;
  const phi = (Math.sqrt(5) - 1) / 2;
  let c = b - phi * (b - a), d = a + phi * (b - a);
  let fc = f(c), fd = f(d);
  for (let i = 0; i < 200; i++) {
    if (fc > fd) {
      b = d; d = c; fd = fc; c = b - phi * (b - a); fc = f(c);
    } else {
      a = c; c = d; fc = fd; d = a + phi * (b - a); fd = f(d);
    }
  }
  return Math.max(fc, fd);
}

/**
 * Best (ε, δ) conversion of ρ-zCDP: minimises over continuous α > 1 (golden section in
 * log(α − 1); the objective is convex there) and never returns more than ρ + 2√(ρ log 1/δ).
 * Rounded up: every candidate is a valid ε (see the module header).
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
  const classicRaw = rho + 2 * Math.sqrt(rho * Math.log(1 / delta));
  const classic = classicRaw + MARGIN * classicRaw; // ≤ 6 rounding steps, same margin argument
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
