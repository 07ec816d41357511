/**
 * Exact privacy curves of the discrete Gaussian N_Z(0, σ²) (integer σ) in BigInt fixed point, for
 * the calibration tests:
 * - one coordinate, integer sensitivity Δ: CKS20 (Canonne, Kamath & Steinke 2020) Theorem 7,
 *   δ = P[Y > εσ²/Δ − Δ/2] − e^ε·P[Y > εσ²/Δ + Δ/2], Y ~ N_Z(0, σ²);
 * - a vector shift μ ∈ Z^d: δ = E[(1 − e^(ε − L))₊] with the privacy loss
 *   L = Σ_j (μ_j² − 2μ_j·Y_j)/(2σ²), by convolving the coordinates' laws of 2σ²·L (integers).
 * Sums over the pmf run to |y| ≤ R = 24σ + 4; the weight beyond is
 * Σ_{y>R} e^(−y²/(2σ²)) ≤ Σ_{y>R} e^(−Ry/(2σ²)) ≤ e^(−R²/(2σ²))·(1 + 2σ²/R) < 2^-400·(1 + σ/12),
 * below one unit of 2^-320 for σ < 2^70. Each weight is within 2 units, each
 * truncating division within 1; the functions return an interval [lo, hi] (fixed point) widened
 * by a count of those units, so it contains the exact value. Independent of src/dp.
 */
import { exp, ratioOf, type Fixed } from './normal-bigint.ts';

const BITS = 320;
const ONE = 1n << BigInt(BITS);

/** e^(−num/den)·2^BITS for num/den ≥ 0. */
function expNeg(num: bigint, den: bigint): bigint {
  return (ONE * ONE) / exp({ num, den }, BITS);
}

/** Unnormalised weights w_y = e^(−y²/(2σ²)) for y = 0..reach, and the normaliser Z = Σ_{y∈Z} w_y. */
function weights(sigma: bigint): { w: bigint[]; z: bigint; reach: number } {
  const reach = 24 * Number(sigma) + 4;
  const w: bigint[] = [];
  for (let y = 0; y <= reach; y++) w.push(expNeg(BigInt(y * y), 2n * sigma * sigma));
  let z = w[0];
  for (let y = 1; y <= reach; y++) z += 2n * w[y];
  return { w, z, reach };
}

/** Σ_{y > c} w_y for a rational c (symmetric weights). */
function massAbove(w: bigint[], reach: number, c: { num: bigint; den: bigint }): bigint {
  let s = 0n;
  for (let y = -reach; y <= reach; y++) if (BigInt(y) * c.den > c.num) s += w[Math.abs(y)];
  return s;
}

/** The exact δ of CKS20 Theorem 7 at integer σ and Δ, as [lo, hi]·2^-BITS. */
export function discreteGaussianDelta(sigma: bigint, epsilon: number, sensitivity: bigint): { lo: Fixed; hi: Fixed } {
  const { w, z, reach } = weights(sigma);
  const e = ratioOf(epsilon);
  // c = εσ²/Δ − Δ/2 = (2εσ² − Δ²)/(2Δ), with ε = e.num/e.den
  const c = { num: 2n * e.num * sigma * sigma - sensitivity * sensitivity * e.den, den: 2n * sensitivity * e.den };
  const c2 = { num: c.num + sensitivity * c.den, den: c.den };
  const first = massAbove(w, reach, c), second = massAbove(w, reach, c2);
  const ee = exp(e, BITS);
  const value = (first * ONE - ee * second) / z;
  // first, second and z are each within 2 units per weight (+1 for the tail); z ≥ 2^BITS
  const units = BigInt(2 * (2 * reach + 1) + 1);
  const slack = units * (2n + (ee >> BigInt(BITS)) + 1n) + 2n;
  return { lo: { value: value - slack, bits: BITS }, hi: { value: value + slack, bits: BITS } };
}

/** The exact δ of N_Z(0, σ²)^d under an integer shift μ (see the module header), as [lo, hi]. */
export function vectorShiftDelta(sigma: bigint, epsilon: number, mu: readonly number[]): { lo: Fixed; hi: Fixed } {
  const { w, z, reach } = weights(sigma);
  // law of K = 2σ²·L: a map K → probability·2^BITS (normalised per coordinate)
  let law = new Map<bigint, bigint>([[0n, ONE]]);
  let ops = 0;
  for (const m of mu) {
    const next = new Map<bigint, bigint>();
    ops += law.size * (2 * reach + 1);
    for (const [k, p] of law) {
      for (let y = -reach; y <= reach; y++) {
        const kk = k + BigInt(m * m - 2 * m * y);
        next.set(kk, (next.get(kk) ?? 0n) + (p * w[Math.abs(y)]) / z);
      }
    }
    law = next;
  }
  const s2 = 2n * sigma * sigma;
  const e = ratioOf(epsilon);
  let sum = 0n;
  for (const [k, p] of law) {
    // 1 − e^(ε − K/(2σ²)) > 0 ⇔ K > 2σ²ε
    const expo = { num: k * e.den - s2 * e.num, den: s2 * e.den }; // K/(2σ²) − ε > 0
    if (expo.num <= 0n) continue;
    sum += (p * (ONE - expNeg(expo.num, expo.den))) >> BigInt(BITS);
  }
  // each division ≤ 1 unit; weight and normaliser errors ≤ 2 units per weight per coordinate
  const slack = BigInt(ops + law.size + 8 * (2 * reach + 2) * mu.length + 8);
  return { lo: { value: sum - slack, bits: BITS }, hi: { value: sum + slack, bits: BITS } };
}
