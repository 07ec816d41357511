/**
 * The baselines of bench/field.ts: the secure product's two hot operations — the Montgomery
 * product a·b·R⁻¹ mod p and the mask product Π PRG_F(key)^±1 — written element by element with
 * native BigInt and with the big-integer package, with the kernel's algorithm (numerator and
 * denominator streams, one modular inverse per batch, Montgomery's trick). PRG_F bytes come
 * from the kernel's keystream (prgBytes) so only the arithmetic differs.
 */
import bigInt from 'big-integer';
import type { Kernel } from '../src/kernel/kernel.ts';
import type { PrimeField } from '../src/kernel/field.ts';
import { modPow } from '../test/reference/primes.ts';

/** The arithmetic a baseline needs, over its own number type T. */
interface Arith<T> {
  fromLimbs(v: Uint32Array, at: number, limbs: number): T;
  toLimbs(x: T, v: Uint32Array, at: number, limbs: number): void;
  /** a·b·R⁻¹ mod p. */
  mont(a: T, b: T): T;
  /** Montgomery form of the inverse of the value of a (a^(p−2) in Montgomery form). */
  inv(a: T): T;
  /** The unit at `bytes[at…]` masked as PRG_F masks it, or undefined when rejected. */
  unit(bytes: Uint8Array, at: number): T | undefined;
  one: T;
}

/** Native BigInt arithmetic for f. */
export function nativeArith(f: PrimeField): Arith<bigint> {
  const { p, limbs, bits } = f;
  const R = 1n << BigInt(32 * limbs);
  const rInv = modPow(R % p, p - 2n, p);
  const top = (1n << BigInt(bits)) - 1n;
  return {
    fromLimbs(v, at, n) {
      let x = 0n;
      for (let i = n - 1; i >= 0; i--) x = (x << 32n) | BigInt(v[at + i]);
      return x;
    },
    toLimbs(x, v, at, n) {
      for (let i = 0; i < n; i++, x >>= 32n) v[at + i] = Number(x & 0xffffffffn);
    },
    mont: (a, b) => (a * b * rInv) % p,
    // (aR)^-1 · R² = a^-1·R
    inv: (a) => (modPow(a, p - 2n, p) * ((R * R) % p)) % p,
    unit(bytes, at) {
      let u = 0n;
      for (let i = 4 * limbs - 1; i >= 0; i--) u = (u << 8n) | BigInt(bytes[at + i]);
      u &= top;
      return u > 0n && u < p ? u : undefined;
    },
    one: R % p,
  };
}

/** big-integer arithmetic for f. */
export function bigIntegerArith(f: PrimeField): Arith<bigInt.BigInteger> {
  const p = bigInt(f.p.toString());
  const { limbs, bits } = f;
  const R = bigInt.one.shiftLeft(32 * limbs);
  const rInv = R.mod(p).modInv(p);
  const r2 = R.multiply(R).mod(p);
  const top = bigInt.one.shiftLeft(bits).minus(1);
  const base = bigInt(2).pow(32);
  return {
    fromLimbs(v, at, n) {
      const digits: number[] = [];
      for (let i = n - 1; i >= 0; i--) digits.push(v[at + i]);
      return bigInt.fromArray(digits, base);
    },
    toLimbs(x, v, at, n) {
      const d = x.toArray(2 ** 32).value;
      for (let i = 0; i < n; i++) v[at + i] = d[d.length - 1 - i] ?? 0;
    },
    mont: (a, b) => a.multiply(b).multiply(rInv).mod(p),
    inv: (a) => a.modInv(p).multiply(r2).mod(p),
    unit(bytes, at) {
      const digits: number[] = [];
      for (let i = 4 * limbs - 1; i >= 0; i--) digits.push(bytes[at + i]);
      const u = bigInt.fromArray(digits, 256).and(top);
      return u.isPositive() && u.lesser(p) ? u : undefined;
    },
    one: R.mod(p),
  };
}

/** acc ← acc · other (Montgomery products), element by element. */
export function baselineMul<T>(a: Arith<T>, limbs: number, acc: Uint32Array, other: Uint32Array): void {
  for (let at = 0; at < acc.length; at += limbs) a.toLimbs(a.mont(a.fromLimbs(acc, at, limbs), a.fromLimbs(other, at, limbs)), acc, at, limbs);
}

/** out ← Π PRG_F(keys[s])^signs[s], the kernel's algorithm element by element. */
export function baselineMaskProduct<T>(k: Kernel, a: Arith<T>, limbs: number, d: number, keys: readonly Uint8Array[], signs: readonly number[], out: Uint32Array): void {
  const num: T[] = new Array<T>(d).fill(a.one);
  const den: T[] = new Array<T>(d).fill(a.one);
  keys.forEach((key, s) => {
    const target = signs[s] === 1 ? num : den;
    // enough bytes for the rare rejection at the table primes (2^(32L) − c)
    const bytes = k.prgBytes(key, 0, 4 * limbs * (d + 64));
    for (let j = 0, at = 0; j < d; at += 4 * limbs) {
      const u = a.unit(bytes, at);
      if (u !== undefined) target[j] = a.mont(target[j++], u);
    }
  });
  // Montgomery's trick: prefix products, one inverse, the backward pass
  const prefix: T[] = new Array<T>(d);
  let q = a.one;
  for (let j = 0; j < d; j++) prefix[j] = q = a.mont(q, den[j]);
  let inv = a.inv(q);
  for (let j = d - 1; j >= 0; j--) {
    const dj = j > 0 ? a.mont(inv, prefix[j - 1]) : inv;
    inv = a.mont(inv, den[j]);
    a.toLimbs(a.mont(num[j], dj), out, j * limbs, limbs);
  }
}
