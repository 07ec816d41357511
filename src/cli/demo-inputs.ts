/**
 * @module cli/demo-inputs
 * The demo's input vectors: a deterministic function of (client index, round), so the parent
 * process can compute the plain aggregate locally while each client process builds its own.
 * Demo data only — nothing here is secret or random.
 *
 * Values are p / 2^t with integer |p| ≤ P. With t ≤ exponent, x·10^exponent = p·5^e·2^(e−t) is an
 * integer, so encoding is exact, f64 sums of them are exact, and the decoded secure sum must equal
 * the plain sum bit for bit. P·2^−t never exceeds the per-element bound the clip norm allows
 * (L∞: clip, L2: clip/√dim, L1: clip/dim), so nothing is clipped.
 */
import type { NormKind } from '../kernel/clip.ts';
import { ratioToNumber } from '../dp/rounding.ts';

/** Largest |p|: keeps patterns varied without approaching any bound. */
const MAX_P = 1000;
/** Below this many grid steps per bound the exact grid is too coarse; use a finer, inexact one. */
const MIN_STEPS = 8;

/** How the demo's inputs are laid out for one session. */
export interface InputGrid {
  /** Values are multiples of 2^−t. */
  readonly t: number;
  /** |p| ≤ P. */
  readonly P: number;
  /** t ≤ exponent: encoding is exact and a non-DP secure sum equals the plain sum exactly. */
  readonly onGrid: boolean;
}

/** The grid for vectors of length `dim` clipped to `clip` in `norm` at scale 10^exponent. */
export function inputGrid(dim: number, clip: number, norm: NormKind, exponent: number): InputGrid {
  const perElement = norm === 'linf' ? clip : norm === 'l2' ? clip / Math.sqrt(dim) : clip / dim;
  const P = Math.min(MAX_P, Math.floor(perElement * 2 ** exponent));
  if (P >= MIN_STEPS) return { t: exponent, P, onGrid: true };
  const t = Math.ceil(Math.log2(MAX_P / perElement));
  return { t, P: MAX_P, onGrid: t <= exponent };
}

/** Client `index`'s input in round `round` (0-based). */
export function demoInput(index: number, round: number, dim: number, g: InputGrid): Float64Array {
  const x = new Float64Array(dim);
  const m = 2 * g.P + 1;
  const scale = 2 ** -g.t;
  const base = (index * 7919 + round * 15_485_863) % m;
  for (let e = 0; e < dim; e++) x[e] = (((base + e * 104_729) % m) - g.P) * scale;
  return x;
}

/** Σ of the inputs of `indices` in `round`, computed in the clear (exact on the grid). */
export function plainSum(indices: readonly number[], round: number, dim: number, g: InputGrid): Float64Array {
  const sum = new Float64Array(dim);
  for (const i of indices) {
    const x = demoInput(i, round, dim, g);
    for (let e = 0; e < dim; e++) sum[e] += x[e];
  }
  return sum;
}

/**
 * The plain aggregate of `indices` in `round`: the sum, the mean, or the product — computed
 * exactly (Π p as a bigint over 2^(t·n), one rounding), so an exact secure product matches it
 * bit for bit.
 */
export function plainAggregate(operation: 'sum' | 'mean' | 'multiply', indices: readonly number[], round: number, dim: number, g: InputGrid): Float64Array {
  if (operation !== 'multiply') {
    const sum = plainSum(indices, round, dim, g);
    if (operation === 'mean') for (let e = 0; e < dim; e++) sum[e] /= indices.length;
    return sum;
  }
  const numerators = new Array<bigint>(dim).fill(1n);
  const scale = 2 ** g.t;
  for (const i of indices) {
    const x = demoInput(i, round, dim, g);
    for (let e = 0; e < dim; e++) numerators[e] *= BigInt(x[e] * scale);
  }
  const den = 1n << BigInt(g.t * indices.length);
  return Float64Array.from(numerators, (n) => ratioToNumber(n, den));
}

/** max |a − b|, and mean and sample std of (a − b). */
export function errorStats(secure: Float64Array, plain: Float64Array): { maxAbs: number; mean: number; std: number } {
  let maxAbs = 0;
  let sum = 0;
  for (let e = 0; e < secure.length; e++) {
    const d = secure[e] - plain[e];
    sum += d;
    if (Math.abs(d) > maxAbs) maxAbs = Math.abs(d);
  }
  const mean = sum / secure.length;
  let sq = 0;
  for (let e = 0; e < secure.length; e++) sq += (secure[e] - plain[e] - mean) ** 2;
  return { maxAbs, mean, std: secure.length > 1 ? Math.sqrt(sq / (secure.length - 1)) : 0 };
}
