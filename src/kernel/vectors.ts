/**
 * @module kernel/vectors
 * Ring vector types and the guards that check them at the public edge. A vector over Z_2^32 is
 * a Uint32Array, over Z_2^64 a BigUint64Array; signed values are two's complement.
 */
import { ShardwireError } from '../errors.ts';
import { describe } from '../guards.ts';

/** Ring width in bits. */
export type RingBits = 32 | 64;
/** A vector over Z_2^32 (Uint32Array) or Z_2^64 (BigUint64Array). */
export type RingVector = Uint32Array | BigUint64Array;
/** A real-valued input vector. */
export type RealVector = Float32Array | Float64Array;

/** Bits of the ring a vector lives in. */
export function ringOf(v: RingVector): RingBits {
  return v instanceof Uint32Array ? 32 : 64;
}

/** A zero vector of `length` elements over the given ring. */
export function allocRing(ring: RingBits, length: number): RingVector {
  return ring === 32 ? new Uint32Array(length) : new BigUint64Array(length);
}

/**
 * Asserts `v` is a ring vector (of `length` elements and over `ring` when given).
 * @throws {ShardwireError} E_BAD_VECTOR
 */
export function aringVector(v: unknown, title: string, length?: number, ring?: RingBits): RingVector {
  if (!(v instanceof Uint32Array) && !(v instanceof BigUint64Array)) {
    throw new ShardwireError('E_BAD_VECTOR', `"${title}" expected Uint32Array (ring 32) or BigUint64Array (ring 64), got ${describe(v)}`, { field: title });
  }
  if (ring !== undefined && ringOf(v) !== ring) {
    throw new ShardwireError('E_BAD_VECTOR', `"${title}" expected a ring-${ring} vector (${ring === 32 ? 'Uint32Array' : 'BigUint64Array'}), got ${describe(v)}`, { field: title, ring });
  }
  if (length !== undefined && v.length !== length) {
    throw new ShardwireError('E_BAD_VECTOR', `"${title}" expected length ${length}, got length ${v.length}`, { field: title, expected: length, actual: v.length });
  }
  return v;
}

/**
 * Asserts `x` is a Float32Array or Float64Array (finiteness is checked by the kernel on encode).
 * @throws {ShardwireError} E_BAD_VECTOR
 */
export function arealVector(x: unknown, title: string): RealVector {
  if (!(x instanceof Float64Array) && !(x instanceof Float32Array)) {
    throw new ShardwireError('E_BAD_VECTOR', `"${title}" expected Float32Array or Float64Array, got ${describe(x)}`, { field: title });
  }
  return x;
}

/** Overwrites a ring vector with zeros (wiping an encoding, a mask or noise after use). */
export function wipeRing(v: RingVector): void {
  if (v instanceof BigUint64Array) v.fill(0n);
  else v.fill(0);
}
