/**
 * The BigInt reference of src/kernel/field.ts (same signatures and semantics, one element at a
 * time with native BigInt): the test oracle of the kernel's Montgomery arithmetic and the
 * "native BigInt" baseline of bench/field.ts. PRG_F, the Montgomery form, the private stream of
 * fieldFromInts and the zero channel are specified in src/kernel/field.ts's module comment.
 */
import { ShardwireError } from '../../src/errors.ts';
import { abytes, describe } from '../../src/guards.ts';
import type { Kernel } from '../../src/kernel/kernel.ts';
import { prgBytes } from '../../src/kernel/keystream.ts';
import type { PrimeField } from '../../src/kernel/field.ts';
import { modPow } from './primes.ts';

function afieldVector(v: unknown, title: string, f: PrimeField, length?: number): Uint32Array {
  if (!(v instanceof Uint32Array) || v.length % f.limbs !== 0 || (length !== undefined && v.length !== length * f.limbs)) {
    throw new ShardwireError('E_BAD_VECTOR', `"${title}" expected a Uint32Array of ${length === undefined ? 'n' : length}·${f.limbs} limbs, got ${describe(v)}`, { field: title });
  }
  return v;
}

/** Reads a little-endian limb vector element as a bigint. */
function load(v: Uint32Array, at: number, limbs: number): bigint {
  let x = 0n;
  for (let i = limbs - 1; i >= 0; i--) x = (x << 32n) | BigInt(v[at + i]);
  return x;
}

function store(v: Uint32Array, at: number, limbs: number, x: bigint): void {
  for (let i = 0; i < limbs; i++) {
    v[at + i] = Number(x & 0xffffffffn);
    x >>= 32n;
  }
}

/** Reads PRG_F units forward from a byte stream (more bytes are fetched as needed). */
class UnitReader {
  readonly #f: PrimeField;
  readonly #more: (offset: number, length: number) => Uint8Array;
  #buf = new Uint8Array(0);
  #pos = 0;
  #fetched = 0;
  constructor(f: PrimeField, more: (offset: number, length: number) => Uint8Array) {
    this.#f = f;
    this.#more = more;
  }
  bytes(n: number): Uint8Array {
    if (this.#pos + n > this.#buf.length) {
      const want = Math.max(n, 1 << 16);
      const next = this.#more(this.#fetched, want);
      this.#fetched += want;
      const rest = this.#buf.subarray(this.#pos);
      const joined = new Uint8Array(rest.length + next.length);
      joined.set(rest);
      joined.set(next, rest.length);
      this.#buf = joined;
      this.#pos = 0;
    }
    const out = this.#buf.subarray(this.#pos, this.#pos + n);
    this.#pos += n;
    return out;
  }
  element(): bigint {
    const { limbs, bits, p } = this.#f;
    const topMask = (1n << BigInt(bits - 32 * (limbs - 1))) - 1n;
    for (;;) {
      const b = this.bytes(4 * limbs);
      let u = 0n;
      for (let i = b.length - 1; i >= 0; i--) u = (u << 8n) | BigInt(b[i]);
      const top = (u >> BigInt(32 * (limbs - 1))) & topMask;
      u = (u & ((1n << BigInt(32 * (limbs - 1))) - 1n)) | (top << BigInt(32 * (limbs - 1)));
      if (u > 0n && u < p) return u;
    }
  }
  wipe(): void {
    this.#buf.fill(0);
  }
}

/**
 * out[j] ← Montgomery form of x[j] mod p, x read as signed 64-bit integers (two's complement in
 * a 64-bit ring vector); a zero x[j] gets a uniform non-zero stand-in from the private stream
 * and zeros[2j], zeros[2j+1] ← 16 private random bytes (0 for non-zero inputs).
 * @throws {ShardwireError} E_BAD_VECTOR for shapes that differ; E_BAD_ARGUMENT for a private
 *   key that is not 32 bytes; E_RING_OVERFLOW for |x[j]| ≥ p/2.
 */
export function fieldFromInts(k: Kernel, f: PrimeField, x: BigUint64Array, privateKey: Uint8Array, out: Uint32Array, zeros: BigUint64Array): void {
  if (!(x instanceof BigUint64Array)) throw new ShardwireError('E_BAD_VECTOR', `"x" expected a BigUint64Array (64-bit ring vector), got ${describe(x)}`, { field: 'x' });
  afieldVector(out, 'out', f, x.length);
  if (!(zeros instanceof BigUint64Array) || zeros.length !== 2 * x.length) throw new ShardwireError('E_BAD_VECTOR', `"zeros" expected a BigUint64Array of ${2 * x.length} words, got ${describe(zeros)}`, { field: 'zeros' });
  abytes(privateKey, 'privateKey', 32);
  const { p, limbs } = f;
  const R = 1n << BigInt(32 * limbs);
  const half = p >> 1n;
  const reader = new UnitReader(f, (o, n) => prgBytes(k, privateKey, o, n));
  try {
    for (let j = 0; j < x.length; j++) {
      const s = BigInt.asIntN(64, x[j]);
      if (s === 0n) {
        store(out, j * limbs, limbs, reader.element());
        const r = reader.bytes(16);
        const dv = new DataView(r.buffer, r.byteOffset, 16);
        zeros[2 * j] = dv.getBigUint64(0, true);
        zeros[2 * j + 1] = dv.getBigUint64(8, true);
        r.fill(0);
        continue;
      }
      if (s > half || -s > half) throw new ShardwireError('E_RING_OVERFLOW', `element ${j} (${s}) does not fit the ${f.bits}-bit field's signed range`, { index: j });
      store(out, j * limbs, limbs, ((((s % p) + p) % p) * R) % p);
      zeros[2 * j] = 0n;
      zeros[2 * j + 1] = 0n;
    }
  } finally {
    reader.wipe();
  }
}

/**
 * out[j] ← Π_s PRG_F(keys[s])[j]^(signs[s]) in Montgomery form (the empty product is 1).
 * @throws {ShardwireError} E_BAD_VECTOR for `out` not of length·limbs limbs; E_BAD_ARGUMENT for
 *   keys that are not 32 bytes or signs other than ±1.
 */
export function fieldMaskProduct(k: Kernel, f: PrimeField, length: number, keys: readonly Uint8Array[], signs: readonly number[], out: Uint32Array): void {
  afieldVector(out, 'out', f, length);
  if (!Array.isArray(keys) || !Array.isArray(signs) || keys.length !== signs.length) throw new ShardwireError('E_BAD_ARGUMENT', '"keys" and "signs" expected arrays of the same length', {});
  keys.forEach((key, i) => abytes(key, `keys[${i}]`, 32));
  signs.forEach((s, i) => {
    if (s !== 1 && s !== -1) throw new ShardwireError('E_BAD_ARGUMENT', `"signs[${i}]" expected +1 or -1, got ${describe(s)}`, { index: i });
  });
  const { p, limbs } = f;
  const R = 1n << BigInt(32 * limbs);
  const Rinv = modPow(R % p, p - 2n, p);
  const num = new Array<bigint>(length).fill(R % p); // Montgomery form of 1
  const den = new Array<bigint>(length).fill(1n); // plain product of the values to invert
  keys.forEach((key, s) => {
    const reader = new UnitReader(f, (o, n) => prgBytes(k, key, o, n));
    try {
      for (let j = 0; j < length; j++) {
        const u = reader.element();
        if (signs[s] === 1) num[j] = (num[j] * u * Rinv) % p; // Montgomery product
        else den[j] = (den[j] * u * Rinv) % p; // value of u
      }
    } finally {
      reader.wipe();
    }
  });
  for (let j = 0; j < length; j++) store(out, j * limbs, limbs, (num[j] * modPow(den[j], p - 2n, p)) % p);
}

/**
 * acc[j] ← acc[j] · other[j] (Montgomery product), in place.
 * @throws {ShardwireError} E_BAD_VECTOR for shapes that differ.
 */
export function fieldMul(k: Kernel, f: PrimeField, acc: Uint32Array, other: Uint32Array): void {
  afieldVector(acc, 'acc', f);
  afieldVector(other, 'other', f, acc.length / f.limbs);
  const { p, limbs } = f;
  const Rinv = modPow((1n << BigInt(32 * limbs)) % p, p - 2n, p);
  for (let at = 0; at < acc.length; at += limbs) store(acc, at, limbs, (load(acc, at, limbs) * load(other, at, limbs) * Rinv) % p);
}

/**
 * The elements of `v` as centred integers in (−p/2, p/2).
 * @throws {ShardwireError} E_BAD_VECTOR for a vector that is not whole elements.
 */
export function fieldToBigInts(k: Kernel, f: PrimeField, v: Uint32Array): bigint[] {
  afieldVector(v, 'v', f);
  const { p, limbs } = f;
  const Rinv = modPow((1n << BigInt(32 * limbs)) % p, p - 2n, p);
  const half = p >> 1n;
  const out: bigint[] = [];
  for (let at = 0; at < v.length; at += limbs) {
    const a = (load(v, at, limbs) * Rinv) % p;
    out.push(a > half ? a - p : a);
  }
  return out;
}
