/**
 * A small, readable BigInt reference of the kernel's samplers (CKS20 Algorithms 1–2 and Karney's
 * Algorithm D for the discrete Gaussian; Bernoulli
 * trials by comparing stream bits with the digits of p; uniform draws by masked or Lemire rejection),
 * reading the same ChaCha20 bit stream through node:crypto, one bit at a time. The tests require the
 * kernel's optimised 64/128-bit code to produce exactly these outputs. Slow; tests only.
 */
import { createCipheriv } from 'node:crypto';
import { gaussThresholds, GK_BITS } from './gauss-tables.ts';

/** The noise stream's nonce, "shardw-noise" (assembly/noise-stream.ts). */
export const NOISE_NONCE = new TextEncoder().encode('shardw-noise');

/**
 * Bits of ChaCha20(key, NOISE_NONCE) from bit `position`: bit i is bit 31 − (i mod 32) of the
 * little-endian u32 word ⌊i/32⌋ (each word read from its top bit down), as assembly/noise-stream.ts.
 */
export class BitStream {
  private words = new Uint32Array(0);
  private block: number;
  private bit = 0; // next bit, counted inside `words`
  constructor(private readonly key: Uint8Array, public position = 0) {
    this.block = Math.floor(position / 512);
    this.refill();
    this.bit = position % 512;
  }
  private refill(): void {
    const iv = Buffer.alloc(16);
    iv.writeUInt32LE(this.block, 0);
    Buffer.from(NOISE_NONCE).copy(iv, 4);
    const bytes = createCipheriv('chacha20', this.key, iv).update(Buffer.alloc(64 * 16));
    this.words = new Uint32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length));
    this.bit = 0;
  }
  /** The next bit. */
  next(): 0 | 1 {
    if (this.bit === this.words.length * 32) {
      this.block += 16;
      this.refill();
    }
    const w = this.words[this.bit >>> 5];
    const b = (w >>> (31 - (this.bit & 31))) & 1;
    this.bit++;
    this.position++;
    return b as 0 | 1;
  }
  /** The next `n` bits as an integer, first bit most significant. */
  bits(n: number): bigint {
    let x = 0n;
    for (let i = 0; i < n; i++) x = (x << 1n) | BigInt(this.next());
    return x;
  }
}

/**
 * Uniform in [0, n): with b = bitlen(n − 1), for 3 ≤ n ≤ 2^24 below 3·2^(b−2) Lemire's
 * multiply-and-reject on 32 bits; otherwise b bits as an integer, rejected until below n.
 */
export function uniformBelow(r: BitStream, n: bigint): bigint {
  if (n === 1n) return 0n;
  const b = (n - 1n).toString(2).length;
  if (n <= 2n ** 24n && b >= 2 && n < 3n << BigInt(b - 2)) {
    for (;;) {
      const m = r.bits(32) * n;
      if (m % 2n ** 32n >= 2n ** 32n % n) return m >> 32n;
    }
  }
  for (;;) {
    const x = r.bits(b);
    if (x < n) return x;
  }
}

/**
 * Bernoulli(num/den), 0 ≤ num ≤ den: stream bits are the binary digits of a uniform U, compared
 * with the digits of num/den (long division) until the first difference; true iff there U has 0.
 */
export function bernoulli(r: BitStream, num: bigint, den: bigint): boolean {
  if (num === 0n) return false;
  if (num >= den) return true;
  let rem = num;
  for (;;) {
    rem *= 2n;
    const digit = rem >= den ? 1 : 0;
    if (digit) rem -= den;
    const u = r.next();
    if (u !== digit) return digit === 1;
  }
}

/** Bernoulli(exp(−num/den)), CKS20 Algorithm 1 (the whole part peeled off first, one exp(−1) each). */
export function bernExp(r: BitStream, num: bigint, den: bigint): boolean {
  while (num >= den) {
    num -= den;
    if (!bernExpMinusOne(r)) return false;
  }
  return bernExpFrac(r, num, den);
}

/** One uniform U ∈ [0, 1) whose binary digits are read from the stream only when first needed. */
class LazyUniform {
  private readonly digits: Array<0 | 1> = [];
  constructor(private readonly r: BitStream) {}
  /**
   * U < t/2^bits for a threshold known only to `bits` digits: digits up to the first difference;
   * equal on all of them is undecidable, so it throws (the kernel raises SAMPLE_OVERFLOW).
   */
  lessThanDigits(t: bigint, bits: number): boolean {
    for (let i = 0; i < bits; i++) {
      const digit = Number((t >> BigInt(bits - 1 - i)) & 1n);
      if (i === this.digits.length) this.digits.push(this.r.next());
      if (this.digits[i] !== digit) return digit === 1;
    }
    throw new Error('uniform ties a threshold on all its digits');
  }
  /** U < num/den, comparing digits up to the first difference. */
  lessThan(num: bigint, den: bigint): boolean {
    let rem = num;
    for (let i = 0; ; i++) {
      rem *= 2n;
      const digit = rem >= den ? 1 : 0;
      if (digit) rem -= den;
      if (i === this.digits.length) this.digits.push(this.r.next());
      if (this.digits[i] !== digit) return digit === 1;
    }
  }
}

/**
 * The run of CKS20 Algorithm 1's Bernoulli(1/k) factors, the first k ≥ 2 whose trial fails, as
 * the kernel draws it: trials k ≤ 12 from one uniform U (all of 2..k succeed iff U < 1/k!), then
 * independent trials from k = 13.
 */
function factorialRun(r: BitStream): bigint {
  const u = new LazyUniform(r);
  let k = 2n, fact = 2n;
  while (k <= 12n && u.lessThan(1n, fact)) {
    k++;
    fact *= k;
  }
  if (k > 12n) while (bernoulli(r, 1n, k)) k++;
  return k;
}

/** Bernoulli(exp(−1)): CKS20 Algorithm 1 with γ = 1. */
function bernExpMinusOne(r: BitStream): boolean {
  return factorialRun(r) % 2n === 1n;
}

/** Geometric with P(g) ∝ exp(−g·s/t): CKS20 Algorithm 2 steps 3–9. */
export function geometric(r: BitStream, t: bigint, s: bigint): bigint {
  let u = 0n;
  if (t > 1n) {
    do u = uniformBelow(r, t);
    while (!bernExpFrac(r, u, t));
  }
  let v = 0n;
  while (bernExpMinusOne(r)) v++;
  return (u + t * v) / s;
}

/**
 * Bernoulli(exp(−num/den)), num ≤ den: CKS20 Algorithm 1, A_k = Bernoulli(γ) ∧ Bernoulli(1/k); K is
 * the first k whose γ trial fails or the run of 1/k factors, whichever comes first. Draw order:
 * γ trial 1, the run, γ trials 2 .. run − 1.
 */
function bernExpFrac(r: BitStream, num: bigint, den: bigint): boolean {
  if (num === 0n) return true;
  if (num >= den) return bernExpMinusOne(r);
  if (!bernoulli(r, num, den)) return true;
  const run = factorialRun(r);
  for (let k = 2n; k < run; k++) if (!bernoulli(r, num, den)) return k % 2n === 1n;
  return run % 2n === 1n;
}

/** Discrete Laplace, scale t/s: CKS20 Algorithm 2. */
export function discreteLaplace(r: BitStream, t: bigint, s: bigint): bigint {
  for (;;) {
    const y = geometric(r, t, s);
    const negative = r.next() === 1;
    if (negative && y === 0n) continue;
    return negative ? -y : y;
  }
}

/**
 * The discrete Gaussian's multiplier K, P(K = k) ∝ e^(−k²/2), as the kernel draws it: one uniform
 * U, K = #{m ≥ 1 : U < T_m} with U compared against the first GK_BITS digits of T_1, T_2, … (until
 * U > T_m), each comparison reading U's digits up to the first difference; a tie on all of them
 * is refused (probability 2^-320).
 */
export function gaussK(r: BitStream): bigint {
  const u = new LazyUniform(r);
  let k = 0n;
  for (const t of gaussThresholds()) {
    if (!u.lessThanDigits(t, GK_BITS)) break;
    k++;
  }
  return k;
}

/**
 * Discrete Gaussian, integer σ: Karney 2016 Algorithm D with μ = 0: K ({@link gaussK}), j uniform
 * in [0, σ), accept with probability e^(−j(2Kσ + j)/(2σ²)) (CKS20 Algorithm 1), a sign bit, "−0"
 * rejected; z = ±(Kσ + j). Draw order: K, j, the acceptance, the sign.
 */
export function discreteGaussian(r: BitStream, sigma: bigint): bigint {
  for (;;) {
    const k = gaussK(r);
    const j = uniformBelow(r, sigma);
    if (!bernExp(r, j * (2n * k * sigma + j), 2n * sigma * sigma)) continue;
    const negative = r.next() === 1;
    if (negative && k === 0n && j === 0n) continue;
    return negative ? -(k * sigma + j) : k * sigma + j;
  }
}
