/**
 * @module scaled
 * Exact fixed-point scaling of a real bound, shared by the sum's and the product's bit budgets.
 */

/** ⌈value · 10^exponent⌉ computed exactly from the double's bits (value ≥ 0). */
export function ceilScaled(value: number, exponent: number): bigint {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, value);
  const bits = view.getBigUint64(0);
  const biased = Number((bits >> 52n) & 0x7ffn);
  const fraction = bits & ((1n << 52n) - 1n);
  const mantissa = biased === 0 ? fraction : fraction | (1n << 52n);
  const shift = (biased === 0 ? 1 : biased) - 1075; // value = mantissa · 2^shift
  const scaled = mantissa * 10n ** BigInt(exponent);
  if (shift >= 0) return scaled << BigInt(shift);
  const den = 1n << BigInt(-shift);
  return (scaled + den - 1n) / den;
}
