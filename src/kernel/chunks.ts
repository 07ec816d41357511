/**
 * @module kernel/chunks
 * Moving vector slices in and out of the arena: the only copies the kernel wrappers make. A
 * typed-array `set` between same-typed views is a memcpy; Float32 → Float64 converts on the way.
 */
import type { Kernel } from './kernel.ts';
import type { RingVector } from './vectors.ts';

/** Copies v[off, off+n) into IO_A (or IO_B) as raw ring words. */
export function loadRingChunk(k: Kernel, v: RingVector, off: number, n: number, into: 'A' | 'B' = 'A'): void {
  if (v instanceof Uint32Array) (into === 'A' ? k.views.u32A : k.views.u32B).set(v.subarray(off, off + n));
  else (into === 'A' ? k.views.u64A : k.views.u64B).set(v.subarray(off, off + n));
}

/** Copies IO_A's first n ring words into v[off, off+n). */
export function storeRingChunk(k: Kernel, v: RingVector, off: number, n: number): void {
  if (v instanceof Uint32Array) v.set(k.views.u32A.subarray(0, n), off);
  else v.set(k.views.u64A.subarray(0, n), off);
}

/**
 * Calls `body(off, n)` for each chunk of a `length`-element vector, in order (never for length
 * 0). Chunks have `step` ≤ CHUNK_ELEMS elements (default CHUNK_ELEMS).
 */
export function forEachChunk(
  k: Kernel,
  length: number,
  body: (off: number, n: number) => void,
  step = k.chunkElems,
): void {
  for (let off = 0; off < length; off += step) body(off, Math.min(step, length - off));
}

/**
 * Elements per step of the streaming paths (pipeline, node:crypto masks, accumulate): 16,384
 * elements keep a step's vector and keystream in L2 (64–128 KiB each).
 */
export const STEP_ELEMS = 16384;
