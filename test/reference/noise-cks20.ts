/**
 * A small, readable BigInt reference of the kernel's samplers (CKS20 Algorithms 1–3, Lemire's
 * uniform draw), reading the same ChaCha20 stream through node:crypto. The tests require the
 * kernel's optimised 64/128-bit code to produce exactly these outputs. Slow; tests only.
 */
import { createCipheriv } from 'node:crypto';

/** The noise stream's nonce, "shardw-noise" (assembly/noise-stream.ts). */
export const NOISE_NONCE = new TextEncoder().encode('shardw-noise');

/** u32 words of ChaCha20(key, NOISE_NONCE) from word `position`, refilled 1 KiB at a time. */
export class WordStream {
  private buf = new Uint32Array(0);
  private idx = 0;
  private block: number;
  constructor(private readonly key: Uint8Array, public position = 0) {
    this.block = Math.floor(position / 16);
    this.refill();
    this.idx = position % 16;
  }
  private refill(): void {
    const iv = Buffer.alloc(16);
    iv.writeUInt32LE(this.block, 0);
    Buffer.from(NOISE_NONCE).copy(iv, 4);
    const c = createCipheriv('chacha20', this.key, iv);
    const bytes = c.update(Buffer.alloc(64 * 16));
    this.buf = new Uint32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length));
    this.idx = 0;
  }
  next32(): bigint {
    if (this.idx === this.buf.length) {
      this.block += 16;
      this.refill();
    }
    this.position++;
    return BigInt(this.buf[this.idx++]);
  }
  next64(): bigint {
    const lo = this.next32();
    return lo | (this.next32() << 32n);
  }
}

const TWO32 = 2n ** 32n;

/** Uniform in [0, n): Lemire (n ≤ 2^32) or masked rejection on 64 (or 128) bits. */
export function uniformBelow(r: WordStream, n: bigint): bigint {
  if (n <= TWO32) {
    let m = r.next32() * n;
    if (m % TWO32 < n) {
      const threshold = (TWO32 - n) % n;
      while (m % TWO32 < threshold) m = r.next32() * n;
    }
    return m >> 32n;
  }
  if (n <= 2n ** 64n) {
    const mask = (1n << BigInt((n - 1n).toString(2).length)) - 1n;
    for (;;) {
      const x = r.next64() & mask;
      if (x < n) return x;
    }
  }
  // 128-bit: high word masked, low word full, as the kernel's bernoulli128
  const e = n - 1n;
  const maskHi = (1n << BigInt((e >> 64n).toString(2).length)) - 1n;
  for (;;) {
    const h = r.next64() & maskHi;
    const l = r.next64();
    const x = (h << 64n) | l;
    if (x <= e) return x;
  }
}

/** Bernoulli(exp(−num/den)), CKS20 Algorithm 1 (the whole part peeled off first, one exp(−1) each). */
export function bernExp(r: WordStream, num: bigint, den: bigint): boolean {
  while (num >= den) {
    num -= den;
    if (!bernExpMinusOne(r)) return false;
  }
  return bernExpFrac(r, num, den);
}

/** Bernoulli(exp(−1)) exactly as the kernel draws it (γ = 1: no Bernoulli(γ) draw). */
function bernExpMinusOne(r: WordStream): boolean {
  let k = 1n;
  for (;;) {
    if (k > 1n && uniformBelow(r, k) !== 0n) break;
    k++;
  }
  return k % 2n === 1n;
}

/** Geometric with P(g) ∝ exp(−g·s/t): CKS20 Algorithm 2 steps 3–9. */
export function geometric(r: WordStream, t: bigint, s: bigint): bigint {
  let u = 0n;
  if (t > 1n) {
    do u = uniformBelow(r, t);
    while (!bernExpFrac(r, u, t));
  }
  let v = 0n;
  while (bernExpMinusOne(r)) v++;
  return (u + t * v) / s;
}

function bernExpFrac(r: WordStream, num: bigint, den: bigint): boolean {
  if (num === 0n) return true;
  let k = 1n;
  for (;;) {
    if (num < den && uniformBelow(r, den) >= num) break;
    if (k > 1n && uniformBelow(r, k) !== 0n) break;
    k++;
  }
  return k % 2n === 1n;
}

/** Discrete Laplace, scale t/s: CKS20 Algorithm 2. */
export function discreteLaplace(r: WordStream, t: bigint, s: bigint): bigint {
  for (;;) {
    const y = geometric(r, t, s);
    const negative = (r.next32() & 1n) === 1n;
    if (negative && y === 0n) continue;
    return negative ? -y : y;
  }
}

/** Discrete Gaussian, integer σ: CKS20 Algorithm 3 with t = σ + 1, exponent (|y|t − σ²)²/(2σ²t²). */
export function discreteGaussian(r: WordStream, sigma: bigint): bigint {
  const t = sigma + 1n;
  for (;;) {
    const y = discreteLaplace(r, t, 1n);
    const a = (y < 0n ? -y : y) * t - sigma * sigma;
    const num = a * a, den = 2n * sigma * sigma * t * t;
    // whole part: one Bernoulli(exp(−1)) per unit, then Algorithm 1 on the fraction
    let n = num, ok = true;
    while (n >= den) {
      n -= den;
      if (!bernExpMinusOne(r)) {
        ok = false;
        break;
      }
    }
    if (!ok) continue;
    if (n === 0n) return y;
    let k = 1n;
    for (;;) {
      if (uniformBelow(r, den) >= n) break;
      if (k > 1n && uniformBelow(r, k) !== 0n) break;
      k++;
    }
    if (k % 2n === 1n) return y;
  }
}
