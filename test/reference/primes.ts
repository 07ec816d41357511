/**
 * Primes for the field tests and benchmark: Miller–Rabin with fixed bases, deterministic random
 * primes of a given bit length (SHA-256 counter stream, so every run tests the same fields), and
 * the table primes 2^(32L) − c_L (the largest prime below 2^(32L)).
 */
import { createHash } from 'node:crypto';

const SMALL_PRIMES: number[] = [];
for (let n = 3; n < 2000; n += 2) if (SMALL_PRIMES.every((q) => n % q !== 0)) SMALL_PRIMES.push(n);

function modPow(b: bigint, e: bigint, m: bigint): bigint {
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

/** c_L for L = 2 … 64: 2^(32L) − c_L is the largest prime below 2^(32L). */
const OFFSETS = [
  59, 17, 159, 47, 237, 63, 189, 167, 197, 657, 317, 435, 203, 47, 569, 759, 789, 527, 305, 399, 245, 509, 825, 105, 143, 243, 213, 645, 167, 1779, 105,
  725, 89, 2555, 927, 107, 563, 635, 1175, 509, 1175, 929, 413, 857, 5309, 1019, 3453, 1137, 2273, 605, 1233, 1113, 1115, 2123, 963, 6723, 1767, 129, 1503,
  3479, 815, 5133, 1557,
];

/** The table prime of `limbs` limbs: 2^(32·limbs) − c. */
export function tablePrime(limbs: number): bigint {
  return (1n << BigInt(32 * limbs)) - BigInt(OFFSETS[limbs - 2]);
}
