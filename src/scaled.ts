/**
 * @module scaled
 * Exact fixed-point scaling of a real bound, shared by the sum's and the product's bit budgets.
 */
import { exactRational } from './dp/rounding.ts';

/** ⌈value · 10^exponent⌉ computed exactly from the double's bits (value ≥ 0). */
export function ceilScaled(value: number, exponent: number): bigint {
  const { num, den } = exactRational(value);
  const scaled = num * 10n ** BigInt(exponent);
  return (scaled + den - 1n) / den;
}
