/**
 * Primes for the field tests and benchmark: Miller–Rabin with fixed bases, deterministic random
 * primes of a given bit length (SHA-256 counter stream, so every run tests the same fields), and
 * the table primes 2^(32L) − c_L of src/field-budget.ts (the largest prime below 2^(32L)).
 */
import { createHash } from 'node:crypto';
import { tableField } from '../../src/field-budget.ts';

const SMALL_PRIMES: number[] = [];
for (let n = 3; n < 2000; n += 2) if (SMALL_PRIMES.every((q) => n % q !== 0)) SMALL_PRIMES.push(n);

/** b^e mod m. */
export function modPow(b: bigint, e: bigint, m: bigint): bigint {
  let r = 1n;
  b %= m;
  for (; e > 0n; e >>= 1n) {
    if (e & 1n) r = (r * b) % m;
    b = (b * b) % m;
  }
  return r;
}

/** Miller–Rabin with `rounds` fixed bases 2, 3, 5, … (error ≤ 4^−rounds for any composite). */
export function isProbablePrime(n: bigint, rounds = 24): boolean {
  if (n < 2n) return false;
  for (const q of SMALL_PRIMES) {
    if (n === BigInt(q)) return true;
    if (n % BigInt(q) === 0n) return false;
  }
  if (n === 2n) return true;
  if ((n & 1n) === 0n) return false;
  let d = n - 1n;
  let s = 0;
  while ((d & 1n) === 0n) {
    d >>= 1n;
    s++;
  }
  next: for (let i = 0; i < rounds; i++) {
    const a = BigInt(SMALL_PRIMES[i] ?? 2 + i) % (n - 2n) + 2n;
    let x = modPow(a, d, n);
    if (x === 1n || x === n - 1n) continue;
    for (let r = 1; r < s; r++) {
      x = (x * x) % n;
      if (x === n - 1n) continue next;
    }
    return false;
  }
  return true;
}

/** A deterministic pseudo-random prime of exactly `bits` bits (from `label`). */
export function randomPrime(bits: number, label: string): bigint {
  for (let counter = 0; ; counter++) {
    let x = 0n;
    for (let i = 0; x.toString(2).length < bits + 8; i++) {
      const h = createHash('sha256').update(`${label}/${bits}/${counter}/${i}`).digest('hex');
      x = (x << 256n) | BigInt('0x' + h);
    }
    x = (x & ((1n << BigInt(bits)) - 1n)) | (1n << BigInt(bits - 1)) | 1n;
    for (let c = x; c < 1n << BigInt(bits); c += 2n) if (isProbablePrime(c, 12)) return c;
  }
}

/** The table prime of `limbs` limbs, 2^(32·limbs) − c (src/field-budget.ts). */
export function tablePrime(limbs: number): bigint {
  return tableField(limbs).p;
}
