/**
 * @module dp/rounding
 * Exact and directed conversions between doubles and rationals, so that privacy parameters are
 * rounded toward more privacy loss (ρ, ε up) or more noise (σ up), never to nearest: a double is
 * an exact dyadic rational (IEEE 754-2019 §3.4), so every comparison here is made in integers.
 */

import { ShardwireError } from '../errors.ts';

const view = new DataView(new ArrayBuffer(8));

/** A non-negative rational num/den (den > 0). */
export interface BigRational {
  readonly num: bigint;
  readonly den: bigint;
}

/**
 * The exact value of a finite double as n / 2^k (den a power of two, k ≥ 0).
 * @example exactRational(0.75) // { num: 3n, den: 4n }
 */
export function exactRational(x: number): BigRational {
  view.setFloat64(0, x);
  const bits = view.getBigUint64(0);
  const biased = Number((bits >> 52n) & 0x7ffn);
  const fraction = bits & ((1n << 52n) - 1n);
  const mantissa = biased === 0 ? fraction : fraction | (1n << 52n);
  const shift = (biased === 0 ? 1 : biased) - 1075; // |x| = mantissa · 2^shift
  const sign = bits >> 63n ? -1n : 1n;
  if (shift >= 0) return { num: sign * (mantissa << BigInt(shift)), den: 1n };
  let num = mantissa, k = -shift;
  while (k > 0 && (num & 1n) === 0n) {
    num >>= 1n;
    k--;
  }
  return { num: sign * num, den: 1n << BigInt(k) };
}

/**
 * The next double above a finite x ≥ 0.
 * @example nextUp(1) // 1 + Number.EPSILON
 */
export function nextUp(x: number): number {
  if (x === 0) return Number.MIN_VALUE;
  view.setFloat64(0, x);
  view.setBigUint64(0, view.getBigUint64(0) + 1n);
  return view.getFloat64(0);
}

/**
 * The next double below a finite x > 0 (0 for the smallest subnormal).
 * @example nextDown(1) // 1 − Number.EPSILON / 2
 */
export function nextDown(x: number): number {
  view.setFloat64(0, x);
  view.setBigUint64(0, view.getBigUint64(0) - 1n);
  return view.getFloat64(0);
}

/**
 * The least double ≥ num/den (num ≥ 0, den > 0, value below 2^1000).
 * @example ratioUp(1n, 4n) // 0.25; ratioUp(1n, 3n) is the double just above 1/3
 */
export function ratioUp(num: bigint, den: bigint): number {
  // Number(bigint) rounds to nearest; the candidate is then moved up until it is ≥ num/den.
  const scale = bitLength(num) - bitLength(den) - 60; // keep ≥ 60 bits in the quotient
  const quotient = scale >= 0 ? num / (den << BigInt(scale)) : (num << BigInt(-scale)) / den;
  let x = Number(quotient) * 2 ** scale;
  while (compareToRatio(x, num, den) < 0) x = nextUp(x);
  while (x > 0 && compareToRatio(nextDown(x), num, den) >= 0) x = nextDown(x);
  return x;
}

/**
 * sign(x − num/den) for a finite double x ≥ 0, exactly.
 * @example compareToRatio(0.1, 1n, 10n) // 1: the double 0.1 is above 1/10
 */
export function compareToRatio(x: number, num: bigint, den: bigint): number {
  const r = exactRational(x);
  const lhs = r.num * den, rhs = num * r.den;
  return lhs < rhs ? -1 : lhs > rhs ? 1 : 0;
}

/** Bits of n ≥ 0 (from its hex digits: a quarter of toString(2)'s work). */
function bitLength(n: bigint): number {
  if (n === 0n) return 0;
  const hex = n.toString(16);
  return 4 * hex.length - Math.clz32(parseInt(hex[0], 16)) + 28;
}

/**
 * ⌊√n⌋ for any n ≥ 0 by Newton's method from a start above the root (2^⌈bits/2⌉), so each
 * step decreases until the floor is reached: exact for integers of any size.
 * @example isqrtBig(10n ** 40n) // 10n ** 20n
 */
export function isqrtBig(n: bigint): bigint {
  if (n < 2n) return n;
  let x = 1n << BigInt(Math.ceil(bitLength(n) / 2));
  for (;;) {
    const y = (x + n / x) >> 1n;
    if (y >= x) return x;
    x = y;
  }
}

const MAX_EXACT = (1n << 53n) - 1n;

/**
 * num / den rounded once to the nearest double (the releases decoded from bigints: products,
 * statistics) (ties to even), for den > 0: when both are exact
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
