/**
 * Reference values of the normal upper tail Q(x) = P[N(0,1) > x], of e^x and of the analytic
 * Gaussian δ(σ) (Balle & Wang 2018, Theorem 8), in plain BigInt fixed point with at least 256
 * bits beyond what each formula cancels. Independent of src/dp: another series (the alternating
 * Taylor series of erf, not the positive one), another formula for π (Gauss:
 * π = 48·atan(1/18) + 32·atan(1/57) − 20·atan(1/239)), plain truncation instead of intervals.
 * The rounding error is a few units in the last of ≥ 256 guard bits, far below anything tested.
 */

/** A real as value·2^-bits. */
export interface Fixed {
  readonly value: bigint;
  readonly bits: number;
}

/** An exact rational num/den (den > 0). */
export interface Ratio {
  readonly num: bigint;
  readonly den: bigint;
}

/** The exact value of a double as a ratio. */
export function ratioOf(x: number): Ratio {
  let den = 1n;
  while (!Number.isInteger(x)) {
    x *= 2;
    den *= 2n;
  }
  return { num: BigInt(x), den };
}

/** Fixed → double (correct to ~1 ulp). */
export function toNumber(f: Fixed): number {
  const neg = f.value < 0n;
  const v = neg ? -f.value : f.value;
  const shift = Math.max(0, v.toString(2).length - 60);
  let x = Number(v >> BigInt(shift));
  let e = shift - f.bits;
  while (e < -1000) {
    x *= 2 ** -1000;
    e += 1000;
  }
  x *= 2 ** e;
  return neg ? -x : x;
}

function atanInv(m: bigint, bits: number): bigint {
  const one = 1n << BigInt(bits);
  let sum = 0n, power = m;
  for (let k = 0n; ; k++) {
    const term = one / (power * (2n * k + 1n));
    if (term === 0n) return sum;
    sum += k % 2n === 0n ? term : -term;
    power *= m * m;
  }
}

/** π·2^bits (Gauss's arctangent formula). */
export function pi(bits: number): bigint {
  const g = bits + 16;
  return (48n * atanInv(18n, g) + 32n * atanInv(57n, g) - 20n * atanInv(239n, g)) >> 16n;
}

/** e^x·2^bits for a rational x ≥ 0 by the plain Taylor series. */
export function exp(x: Ratio, bits: number): bigint {
  let term = 1n << BigInt(bits), sum = term;
  for (let n = 1n; term > 0n; n++) {
    term = (term * x.num) / (x.den * n);
    sum += term;
  }
  return sum;
}

function isqrt(n: bigint): bigint {
  let x = 1n << BigInt(Math.ceil(n.toString(2).length / 2));
  for (;;) {
    const y = (x + n / x) >> 1n;
    if (y >= x) return x;
    x = y;
  }
}

/**
 * Q(x)·2^bits for a rational x: Q(x) = 1/2 − (1/√(2π))·Σ (−1)^n x^(2n+1)/(2^n·n!·(2n+1)),
 * with guard bits for the alternating series' cancellation (its largest term ≈ e^(x²/2)).
 */
export function upperTail(x: Ratio, bits: number): bigint {
  if (x.num < 0n) return (1n << BigInt(bits)) - upperTail({ num: -x.num, den: x.den }, bits);
  const xf = Number(x.num) / Number(x.den);
  const g = bits + 64 + Math.ceil(0.75 * xf * xf);
  const one = 1n << BigInt(g);
  let power = (x.num << BigInt(g)) / x.den; // x^(2n+1)/(2^n n!) · 2^g
  let sum = 0n;
  for (let n = 0n; ; n++) {
    const term = power / (2n * n + 1n);
    if (term === 0n && n > 0n) break;
    sum += n % 2n === 0n ? term : -term;
    power = (power * x.num * x.num) / (x.den * x.den * 2n * (n + 1n));
  }
  const root = isqrt((2n * pi(g)) << BigInt(g)); // √(2π)·2^g
  const q = one / 2n - (sum << BigInt(g)) / root;
  return q >> BigInt(g - bits);
}

/**
 * The exact δ(σ) of Balle & Wang Theorem 8, Q(v − u) − e^ε·Q(u + v) with u = Δ/(2σ), v = εσ/Δ
 * (exact rationals of the doubles), to `bits` fractional bits.
 */
export function analyticGaussianDelta(epsilon: number, sigma: number, sensitivity: number, bits = 512): Fixed {
  const e = ratioOf(epsilon), s = ratioOf(sigma), d = ratioOf(sensitivity);
  const u: Ratio = { num: d.num * s.den, den: 2n * d.den * s.num };
  const v: Ratio = { num: e.num * s.num * d.den, den: e.den * s.den * d.num };
  const a = { num: v.num * u.den - u.num * v.den, den: v.den * u.den };
  const b = { num: v.num * u.den + u.num * v.den, den: v.den * u.den };
  const value = upperTail(a, bits) - ((exp(e, bits) * upperTail(b, bits)) >> BigInt(bits));
  return { value, bits };
}
