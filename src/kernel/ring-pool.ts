/**
 * @module kernel/ring-pool
 * Ring vectors reused across rounds: a client's partial and a coordinator's running sum and
 * staging buffers of several megabytes each are taken from here and given back, so a second
 * round of the same size touches pages that are already mapped instead of faulting in fresh
 * ones. A vector is zeroed when given back unless it only held masked bytes; a few vectors of
 * one ring and length are kept ({@link KEEP_PER_SHAPE}, {@link KEEP_BYTES}).
 */
import { allocRing, wipeRing, type RingBits, type RingVector } from './vectors.ts';

/**
 * Vectors of one (ring, length) kept for reuse: up to KEEP_PER_SHAPE, and more than two only
 * while they total at most KEEP_BYTES (a coordinator's staging vectors, several clients in one
 * process).
 */
export const KEEP_PER_SHAPE = 8;
export const KEEP_BYTES = 64 << 20;

const free = new Map<string, RingVector[]>();
const keyOf = (ring: RingBits, length: number) => `${ring}:${length}`;

/**
 * A ring vector of `length` elements, reused when one of that shape was given back: zero, or
 * masked bytes a caller gave back unwiped — callers overwrite every element.
 */
export function takeRing(ring: RingBits, length: number): RingVector {
  const list = free.get(keyOf(ring, length));
  return list?.pop() ?? allocRing(ring, length);
}

/**
 * Zeroes `v` (unless `wipe` is false: masked bytes, which reveal nothing) and keeps it for the
 * next {@link takeRing} of its shape (or lets it go).
 */
export function giveRing(v: RingVector, wipe = true): void {
  if (wipe) wipeRing(v);
  const key = keyOf(v instanceof Uint32Array ? 32 : 64, v.length);
  const list = free.get(key) ?? [];
  const fits = list.length < 2 || (list.length < KEEP_PER_SHAPE && (list.length + 1) * v.byteLength <= KEEP_BYTES);
  if (fits && !list.includes(v)) list.push(v);
  free.set(key, list);
}

/** Drops every kept vector (tests; memory pressure). */
export function clearRingPool(): void {
  free.clear();
}
