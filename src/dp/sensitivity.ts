/**
 * @module dp/sensitivity
 * The sensitivity Δ in the integer units the noise is added in. Its definition is what the
 * kernel enforces, not the real number in the config: src/kernel/fixed-point.ts
 * (`encodeAndClip`) clips every encoded vector to the integer bound ⌊fl(bound·10^exponent)⌋, the
 * floor of the double product (weight 1: a DP round has no weight). Two neighbouring inputs
 * then differ by at most that bound (add-remove) or twice it (replace), exactly, in integers.
 * Working from the real clippingVal instead would round 0.001 (slightly above 1/1000 as a
 * double) at exponent 3 up to Δ = 2 units, doubling the noise for nothing.
 */
import { ShardwireError } from '../errors.ts';
import type { DpConfig } from './calibration.ts';
import { exactRational } from './rounding.ts';

/**
 * The sensitivity Δ in real units a validated config states: `sensitivity` if given, else
 * clippingVal (add-remove) or 2·clippingVal (replace).
 * @example sensitivityOf(validateDpConfig({ noisetype: 'gauss', epsilon: 1, delta: 1e-5, clippingVal: 1 })) // 2
 */
export function sensitivityOf(dp: DpConfig): number {
  return dp.sensitivity ?? (dp.neighbouring === 'replace' ? 2 : 1) * dp.clippingVal;
}

/**
 * The integer clip bound the kernel enforces for a real bound: ⌊fl(bound·10^exponent)⌋, the same
 * double expression as `encodeAndClip` (a test compares the two on values on and off the grid).
 * @example clipBoundInt(0.001, 3) // 1n
 */
export function clipBoundInt(bound: number, exponent: number): bigint {
  return BigInt(Math.floor(bound * 10 ** exponent));
}

/**
 * ⌈x·10^exponent⌉ computed exactly from the double x (x ≥ 0). An upper bound of x in integer
 * units; note that a decimal on the grid can land one unit above it, and calibration does not
 * use it for that reason.
 * @example toIntegerUnits(0.001, 3) // 2n: 0.001 as a double is slightly above 1/1000
 */
export function toIntegerUnits(x: number, exponent: number): bigint {
  const { num, den } = exactRational(x);
  const scaled = num * 10n ** BigInt(exponent);
  return (scaled + den - 1n) / den;
}

/**
 * Δ in integer units for a validated config: the kernel's clip bound (×2 for replace), or an
 * explicit sensitivity's ⌈fl(sensitivity·10^exponent)⌉ when that is larger. The clip-implied
 * value is what privacy rests on (the kernel enforces it); an explicit sensitivity can only add
 * noise, so it is converted like the clip bound, from the double product, and rounded up: a
 * decimal on the grid (0.002 at exponent 3) stays on it instead of gaining a unit from its binary
 * representation. It is never below the clip-implied value (validateDpConfig checks that in real
 * units; the max() makes it hold in integers).
 * @throws {ShardwireError} E_BAD_DP_CONFIG when clippingVal·10^exponent < 1 (the kernel would
 *   clip every vector to zero).
 * @example sensitivityInt(validateDpConfig({ noisetype: 'gauss', epsilon: 1, delta: 1e-5, clippingVal: 1e-3 }), 3) // 2
 */
export function sensitivityInt(dp: DpConfig, exponent: number): bigint {
  const bound = clipBoundInt(dp.clippingVal, exponent);
  if (bound === 0n) {
    const msg = `"dp.clippingVal" ${dp.clippingVal} is below one integer unit (10^-${exponent}): ` +
      'the kernel would clip every vector to 0; raise the exponent or clippingVal';
    throw new ShardwireError('E_BAD_DP_CONFIG', msg, { field: 'dp.clippingVal' });
  }
  const implied = (dp.neighbouring === 'replace' ? 2n : 1n) * bound;
  if (dp.sensitivity === undefined) return implied;
  const explicit = BigInt(Math.ceil(dp.sensitivity * 10 ** exponent));
  return explicit > implied ? explicit : implied;
}
