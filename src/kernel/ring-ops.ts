/**
 * @module kernel/ring-ops
 * Vector add, sub, neg and sum over Z_2^32 / Z_2^64 (wrapping: ring arithmetic, not integers).
 */
import { ShardwireError } from '../errors.ts';
import type { Kernel } from './kernel.ts';
import { forEachChunk, loadRingChunk, storeRingChunk } from './chunks.ts';
import { checkStatus } from './status.ts';
import { aringVector, ringOf, allocRing, type RingVector } from './vectors.ts';

type BinaryOp = 'add' | 'sub';

function binary(k: Kernel, a: RingVector, b: RingVector, op: BinaryOp): RingVector {
  aringVector(a, 'a');
  aringVector(b, 'b', a.length, ringOf(a));
  const out = allocRing(ringOf(a), a.length);
  const fn = ringOf(a) === 32 ? (op === 'add' ? k.raw.ringAddU32 : k.raw.ringSubU32) : op === 'add' ? k.raw.ringAddU64 : k.raw.ringSubU64;
  forEachChunk(k, a.length, (off, n) => {
    loadRingChunk(k, a, off, n, 'A');
    loadRingChunk(k, b, off, n, 'B');
    checkStatus(k, fn(n), `ring ${op}`);
    storeRingChunk(k, out, off, n);
  });
  return out;
}

/**
 * a + b over the ring of `a` (new vector).
 * @throws {ShardwireError} E_BAD_VECTOR when the types (rings) or lengths differ.
 */
export function ringAdd(k: Kernel, a: RingVector, b: RingVector): RingVector {
  return binary(k, a, b, 'add');
}

/**
 * a − b over the ring of `a` (new vector).
 * @throws {ShardwireError} E_BAD_VECTOR when the types (rings) or lengths differ.
 */
export function ringSub(k: Kernel, a: RingVector, b: RingVector): RingVector {
  return binary(k, a, b, 'sub');
}

/**
 * −a over the ring (new vector).
 * @throws {ShardwireError} E_BAD_VECTOR for a non-ring vector.
 */
export function ringNeg(k: Kernel, a: RingVector): RingVector {
  aringVector(a, 'a');
  const out = allocRing(ringOf(a), a.length);
  const fn = ringOf(a) === 32 ? k.raw.ringNegU32 : k.raw.ringNegU64;
  forEachChunk(k, a.length, (off, n) => {
    loadRingChunk(k, a, off, n, 'A');
    checkStatus(k, fn(n), 'ring neg');
    storeRingChunk(k, out, off, n);
  });
  return out;
}

/**
 * Σ vectors over their common ring (new vector). Streams chunk-major so the accumulator chunk
 * stays in the arena while each vector's chunk is added to it.
 * @throws {ShardwireError} E_BAD_VECTOR for an empty list, or rings/lengths that differ.
 */
export function ringSum(k: Kernel, vectors: readonly RingVector[]): RingVector {
  if (!Array.isArray(vectors) || vectors.length === 0) {
    throw new ShardwireError('E_BAD_VECTOR', '"vectors" expected a non-empty array of ring vectors', { field: 'vectors' });
  }
  const first = aringVector(vectors[0], 'vectors[0]');
  const ring = ringOf(first);
  vectors.forEach((v, i) => aringVector(v, `vectors[${i}]`, first.length, ring));
  const out = allocRing(ring, first.length);
  const add = ring === 32 ? k.raw.ringAddU32 : k.raw.ringAddU64;
  forEachChunk(k, first.length, (off, n) => {
    loadRingChunk(k, first, off, n, 'A');
    for (let i = 1; i < vectors.length; i++) {
      loadRingChunk(k, vectors[i], off, n, 'B');
      checkStatus(k, add(n), 'ring sum');
    }
    storeRingChunk(k, out, off, n);
  });
  return out;
}
