/**
 * @module scaled
 * Exact conversions between reals and scaled integers: ⌈bound·10^exponent⌉ for the sum's and the
 * product's bit budgets, and the nearest double of an exact ratio for the releases that are
 * decoded from bigints (products, statistics).
 */
import { ShardwireError } from './errors.ts';

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

const MAX_EXACT = (1n << 53n) - 1n;

/** Bits of v ≥ 0 (from its hex digits: a quarter of toString(2)'s work). */
function bitLength(v: bigint): number {
  if (v === 0n) return 0;
  const hex = v.toString(16);
  return 4 * hex.length - Math.clz32(parseInt(hex[0], 16)) + 28;
}

/**
 * num / den rounded once to the nearest double (ties to even), for den > 0: when both are exact
 * doubles one IEEE division does it; otherwise the quotient to 55–56 bits with a sticky bit for
 * the remainder, so Number() rounds exactly as the real ratio would.
 * @throws {ShardwireError} E_BAD_ARGUMENT for den ≤ 0.
 */
export function ratioToNumber(num: bigint, den: bigint): number {
  if (den <= 0n) throw new ShardwireError('E_BAD_ARGUMENT', 'ratioToNumber: the denominator must be positive');
  if (num === 0n) return 0;
  const negative = num < 0n;
  const a = negative ? -num : num;
  const dd = Number(den);
  if (a <= MAX_EXACT && Number.isFinite(dd) && BigInt(dd) === den) return (negative ? -1 : 1) * (Number(a) / dd);
  const shift = 56 - (bitLength(a) - bitLength(den)); // the quotient gets 55 or 56 bits
  const n = shift >= 0 ? a << BigInt(shift) : a;
  const d = shift >= 0 ? den : den << BigInt(-shift);
  let q = n / d;
  if (n % d !== 0n) q |= 1n; // sticky: below the 53 bits a double keeps
  // q·2^-shift; two factors so that neither power of two under/overflows on its own
  const half = Math.trunc(shift / 2);
  const value = Number(q) * 2 ** -half * 2 ** -(shift - half);
  return negative ? -value : value;
}
