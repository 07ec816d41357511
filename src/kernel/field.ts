/**
 * @module kernel/field
 * Vectors over a prime field F_p for the secure product (docs/PROTOCOL.md §9). An element is
 * `limbs` little-endian 32-bit limbs in Montgomery form (ã = a·R mod p, R = 2^(32·limbs)); a
 * vector of d elements is a Uint32Array of d·limbs limbs. Operations:
 * - {@link fieldFromInts}: signed fixed-point integers → elements; a zero has no inverse, so it is
 *   replaced by a uniform non-zero element and flagged in a separate zero channel.
 * - {@link fieldMaskProduct}: Π_s PRG_F(keys[s])^(signs[s]) per element (masks and their inverses).
 * - {@link fieldMul}: acc ← acc · other, element-wise.
 * - {@link fieldToBigInts}: centred integers in (−p/2, p/2).
 *
 * PRG_F(key): ChaCha20(key, nonce = 0¹², counter 0) read in units of 4·limbs bytes (limb 0
 * first, little-endian); the top limb is masked to bits(p) − 32·(limbs − 1) bits; a unit u is
 * accepted when 0 < u < p and is the element's Montgomery representation (its value u·R⁻¹ is as
 * uniform as u). Element j is the j-th accepted unit.
 *
 * The private stream of fieldFromInts: ChaCha20(privateKey, nonce = 0¹²) read forward; for each
 * zero input, in index order, first one PRG_F unit-sampled element (the stand-in factor), then
 * 16 bytes: the zero channel's two u64 words of that element (little-endian). Non-zero inputs
 * take nothing from the stream and get zero channel words 0.
 */
import { ShardwireError } from '../errors.ts';
import { abytes, describe } from '../guards.ts';
import type { Kernel } from './kernel.ts';
import { FieldStream, fieldConstants, useField, wipeField, type FieldSession } from './field-setup.ts';
import { STATUS_OUT_OF_RANGE, checkStatus, failingIndex } from './status.ts';

/** Most 32-bit limbs per element (2048-bit fields). */
export const MAX_FIELD_LIMBS = 64;

/** A prime field F_p with p odd, 2^32 < p < 2^(32·MAX_FIELD_LIMBS). */
export interface PrimeField {
  readonly p: bigint;
  /** 32-bit limbs per element: ⌈bits(p) / 32⌉. */
  readonly limbs: number;
  /** Bit length of p. */
  readonly bits: number;
}

/**
 * Describes F_p for the field operations (p is trusted to be prime: callers pick it from the
 * tested table in secagg/field-budget.ts).
 * @throws {ShardwireError} E_BAD_ARGUMENT for p even, ≤ 2^32 or ≥ 2^2048.
 */
export function primeField(p: bigint): PrimeField {
  if (typeof p !== 'bigint' || p <= 1n << 32n || (p & 1n) === 0n || p >= 1n << BigInt(32 * MAX_FIELD_LIMBS)) {
    throw new ShardwireError('E_BAD_ARGUMENT', `"p" expected an odd prime between 2^32 and 2^${32 * MAX_FIELD_LIMBS}, got ${describe(p)}`, { field: 'p' });
  }
  const bits = p.toString(2).length;
  return { p, bits, limbs: Math.ceil(bits / 32) };
}

function afieldVector(v: unknown, title: string, f: PrimeField, length?: number): Uint32Array {
  if (!(v instanceof Uint32Array) || v.length % f.limbs !== 0 || (length !== undefined && v.length !== length * f.limbs)) {
    throw new ShardwireError('E_BAD_VECTOR', `"${title}" expected a Uint32Array of ${length === undefined ? 'n' : length}·${f.limbs} limbs, got ${describe(v)}`, { field: title });
  }
  return v;
}


/** Elements per kernel call for `f` (vectors stream through the arena in chunks of this size). */
export function fieldChunkElems(k: Kernel, f: PrimeField): number {
  return k.raw.fieldChunkElems(fieldConstants(f).limbs);
}

/**
 * Reads PRG_F elements of `stream` into elements [0, n) of IO_A (target 0) or FIELD_C (1),
 * copied (mode 0) or multiplied in (mode 1). Each read asks for one unit per element still
 * missing, so no byte is read past the last accepted unit.
 */
function sample(k: Kernel, s: FieldSession, stream: FieldStream, n: number, target: 0 | 1, mode: 0 | 1): void {
  s.v.out[0] = 0n;
  for (let j = 0; j < n; ) {
    const bytes = Math.min(n - j, Math.floor(s.maxRead / s.unit)) * s.unit;
    stream.fill(bytes);
    checkStatus(k, k.raw.fieldSample(n, bytes, target, mode), 'fieldMaskProduct');
    j = Number(s.v.out[0]);
    stream.consume(Number(s.v.out[1]));
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
  fieldConstants(f);
  if (!(x instanceof BigUint64Array)) throw new ShardwireError('E_BAD_VECTOR', `"x" expected a BigUint64Array (64-bit ring vector), got ${describe(x)}`, { field: 'x' });
  afieldVector(out, 'out', f, x.length);
  if (!(zeros instanceof BigUint64Array) || zeros.length !== 2 * x.length) throw new ShardwireError('E_BAD_VECTOR', `"zeros" expected a BigUint64Array of ${2 * x.length} words, got ${describe(zeros)}`, { field: 'zeros' });
  abytes(privateKey, 'privateKey', 32);
  const s = useField(k, f);
  const { limbs, chunk, unit, v } = s;
  const stream = new FieldStream(k, privateKey);
  let widest = 0;
  let read = 0;
  try {
    for (let off = 0; off < x.length; off += chunk) {
      const n = Math.min(chunk, x.length - off);
      widest = Math.max(widest, n);
      k.views.u64A.set(x.subarray(off, off + n));
      const status = k.raw.fieldFromI64(n);
      if (status === STATUS_OUT_OF_RANGE) {
        const j = off + failingIndex(k);
        throw new ShardwireError('E_RING_OVERFLOW', `element ${j} (${BigInt.asIntN(64, x[j])}) does not fit the ${f.bits}-bit field's signed range`, { index: j });
      }
      checkStatus(k, status, 'fieldFromInts');
      const zeroCount = Number(v.out[1]);
      v.out[0] = 0n;
      for (let j = 0; zeroCount > 0 && j < n; ) {
        const bytes = Math.min(s.maxRead, zeroCount * (unit + 16));
        read = Math.max(read, bytes);
        stream.fill(bytes);
        checkStatus(k, k.raw.fieldZeros(n, bytes), 'fieldFromInts');
        j = Number(v.out[0]);
        stream.consume(Number(v.out[1]));
      }
      out.set(v.c.subarray(0, n * limbs), off * limbs);
      zeros.set(v.z.subarray(0, 2 * n), 2 * off);
    }
  } finally {
    wipeField(k, s, { a: 8 * widest, b: read, c: widest * unit, z: 16 * widest });
  }
}

/**
 * out[j] ← Π_s PRG_F(keys[s])[j]^(signs[s]) in Montgomery form (the empty product is 1). The
 * +1 streams multiply into a numerator, the −1 streams into a denominator, and one inversion
 * per step divides them (Montgomery's trick): about keys.length + 2 products per element.
 * @throws {ShardwireError} E_BAD_VECTOR for `out` not of length·limbs limbs; E_BAD_ARGUMENT for
 *   keys that are not 32 bytes or signs other than ±1.
 */
export function fieldMaskProduct(k: Kernel, f: PrimeField, length: number, keys: readonly Uint8Array[], signs: readonly number[], out: Uint32Array): void {
  fieldConstants(f);
  afieldVector(out, 'out', f, length);
  maskProduct(k, f, length, keys, signs, out, false);
}

/**
 * acc[j] ← acc[j] · Π_s PRG_F(keys[s])[j]^(signs[s]), in place: {@link fieldMaskProduct} then
 * {@link fieldMul} in one pass over acc, without allocating or streaming a mask vector (the same
 * number of products: the first +1 stream is multiplied in instead of copied).
 * @throws {ShardwireError} E_BAD_VECTOR for `acc` not whole elements or an element ≥ p;
 *   E_BAD_ARGUMENT for keys that are not 32 bytes or signs other than ±1.
 */
export function fieldMulMaskProduct(k: Kernel, f: PrimeField, acc: Uint32Array, keys: readonly Uint8Array[], signs: readonly number[]): void {
  fieldConstants(f);
  afieldVector(acc, 'acc', f);
  maskProduct(k, f, acc.length / f.limbs, keys, signs, acc, true);
}

/** Bytes per buffer of one mask-product step (see maskProduct). */
const MASK_STEP_BYTES = 128 * 1024;

function maskStep(chunk: number, unit: number, bits: number): number {
  return Math.min(chunk, Math.max(Math.floor(MASK_STEP_BYTES / unit), 2 * bits));
}

/** Elements per step of the mask products for `f` (one inversion each; for tests of the edges). */
export function fieldMaskStepElems(k: Kernel, f: PrimeField): number {
  fieldConstants(f);
  return maskStep(k.raw.fieldChunkElems(f.limbs), 4 * f.limbs, f.bits);
}

function maskProduct(k: Kernel, f: PrimeField, length: number, keys: readonly Uint8Array[], signs: readonly number[], out: Uint32Array, into: boolean): void {
  if (!Array.isArray(keys) || !Array.isArray(signs) || keys.length !== signs.length) throw new ShardwireError('E_BAD_ARGUMENT', '"keys" and "signs" expected arrays of the same length', {});
  keys.forEach((key, i) => abytes(key, `keys[${i}]`, 32));
  signs.forEach((s, i) => {
    if (s !== 1 && s !== -1) throw new ShardwireError('E_BAD_ARGUMENT', `"signs[${i}]" expected +1 or -1, got ${describe(s)}`, { index: i });
  });
  const s = useField(k, f);
  const { limbs, unit } = s;
  // steps that keep the three buffers in L2 (3 × 128 KiB), but long enough that the one
  // inversion per step (≈ 1.5·bits products) stays below one product per element
  const chunk = maskStep(s.chunk, unit, f.bits);
  const plus = keys.filter((_, i) => signs[i] === 1).map((key) => new FieldStream(k, key));
  const minus = keys.filter((_, i) => signs[i] === -1).map((key) => new FieldStream(k, key));
  const op = into ? 'fieldMulMaskProduct' : 'fieldMaskProduct';
  let widest = 0;
  try {
    for (let off = 0; off < length; off += chunk) {
      const n = Math.min(chunk, length - off);
      widest = Math.max(widest, n);
      if (into) {
        s.v.a.set(out.subarray(off * limbs, (off + n) * limbs));
        notAnElement(k, k.raw.fieldCheck(n), off, op, '"acc"');
      } else if (plus.length === 0) checkStatus(k, k.raw.fieldFillOne(n, 0), op);
      plus.forEach((stream, i) => sample(k, s, stream, n, 0, i === 0 && !into ? 0 : 1));
      minus.forEach((stream, i) => sample(k, s, stream, n, 1, i === 0 ? 0 : 1));
      if (minus.length > 0) checkStatus(k, k.raw.fieldDivide(n), op);
      out.set(s.v.a.subarray(0, n * limbs), off * limbs);
    }
  } finally {
    wipeField(k, s, { a: widest * unit, b: widest * unit, c: widest * unit });
  }
}

/**
 * acc[j] ← acc[j] · other[j] (Montgomery product), in place.
 * @throws {ShardwireError} E_BAD_VECTOR for shapes that differ or an element ≥ p (not a field
 *   element: limbs are canonical, < p).
 */
export function fieldMul(k: Kernel, f: PrimeField, acc: Uint32Array, other: Uint32Array): void {
  fieldConstants(f);
  afieldVector(acc, 'acc', f);
  afieldVector(other, 'other', f, acc.length / f.limbs);
  const s = useField(k, f);
  const { limbs, chunk } = s;
  for (let off = 0; off < acc.length / limbs; off += chunk) {
    const n = Math.min(chunk, acc.length / limbs - off);
    s.v.a.set(acc.subarray(off * limbs, (off + n) * limbs));
    s.v.b.set(other.subarray(off * limbs, (off + n) * limbs));
    notAnElement(k, k.raw.fieldMulAB(n), off, 'fieldMul', '"acc" or "other"');
    acc.set(s.v.a.subarray(0, n * limbs), off * limbs);
  }
}

/**
 * Checks that every element of `v` is canonical (limbs below p) without changing anything: a
 * vector from the network is checked whole before it is multiplied into anything, so a bad one
 * can be set aside instead of half-multiplied.
 * @throws {ShardwireError} E_BAD_VECTOR naming the first element ≥ p, or for a vector that is not
 *   whole elements.
 */
export function fieldCheckVector(k: Kernel, f: PrimeField, v: Uint32Array): void {
  fieldConstants(f);
  afieldVector(v, 'v', f);
  const s = useField(k, f);
  const { limbs, chunk } = s;
  for (let off = 0; off < v.length / limbs; off += chunk) {
    const n = Math.min(chunk, v.length / limbs - off);
    s.v.a.set(v.subarray(off * limbs, (off + n) * limbs));
    notAnElement(k, k.raw.fieldCheck(n), off, 'fieldCheckVector', '"v"');
  }
}

function notAnElement(k: Kernel, status: number, off: number, op: string, what: string): void {
  if (status === STATUS_OUT_OF_RANGE) {
    const index = off + failingIndex(k);
    throw new ShardwireError('E_BAD_VECTOR', `${op}: element ${index} of ${what} is not below p (limbs of a field element are canonical)`, { index });
  }
  checkStatus(k, status, op);
}

/**
 * The elements of `v` as centred integers in (−p/2, p/2). The kernel converts out of
 * Montgomery form and centres (two's complement limbs); only the bigint is built here.
 * @throws {ShardwireError} E_BAD_VECTOR for a vector that is not whole elements or an element ≥ p.
 */
export function fieldToBigInts(k: Kernel, f: PrimeField, v: Uint32Array): bigint[] {
  fieldConstants(f);
  afieldVector(v, 'v', f);
  const s = useField(k, f);
  const { limbs, chunk } = s;
  const length = v.length / limbs;
  const out = new Array<bigint>(length);
  const width = BigInt(32 * limbs);
  const a = s.v.a;
  for (let off = 0; off < length; off += chunk) {
    const n = Math.min(chunk, length - off);
    a.set(v.subarray(off * limbs, (off + n) * limbs));
    notAnElement(k, k.raw.fieldCentre(n), off, 'fieldToBigInts', '"v"');
    for (let j = 0, at = 0; j < n; j++, at += limbs) {
      let x = 0n;
      for (let i = limbs - 1; i >= 0; i--) x = (x << 32n) | BigInt(a[at + i]);
      out[off + j] = BigInt.asIntN(Number(width), x);
    }
  }
  return out;
}
