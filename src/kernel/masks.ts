/**
 * @module kernel/masks
 * Seed-compressed shards (docs/PROTOCOL.md §4): v ← v ± Σ PRG(seed) over the ring, and the plain
 * s-way additive split built from it. PRG(seed) = ChaCha20(key = seed, nonce = 0); element e of
 * a width-w ring uses stream bytes [w·e, w·e + w), so any slice's mask can be made alone
 * (`offset`).
 */
import { ShardwireError } from '../errors.ts';
import { abytes, aint, describe } from '../guards.ts';
import type { Kernel } from './kernel.ts';
import { forEachChunk, loadRingChunk, storeRingChunk } from './chunks.ts';
import { checkStatus } from './status.ts';
import { MAX_STREAM_BLOCKS } from './stream.ts';
import { aringVector, allocRing, ringOf, type RingVector } from './vectors.ts';

/** Options of {@link expandMasks}. */
export interface MaskOptions {
  /** Stream index of the vector's element 0 (default 0): lets a caller mask a slice of a longer vector. */
  readonly offset?: number;
}

/**
 * v ← v + Σ_{signs[k]=+1} PRG(seeds[k]) − Σ_{signs[k]=−1} PRG(seeds[k]) over v's ring, in place.
 * Returns v.
 * @throws {ShardwireError} E_BAD_VECTOR for a non-ring vector; E_BAD_ARGUMENT for a seed that
 *   is not 32 bytes, a sign other than ±1, list lengths that differ, or a vector too long for
 *   one ChaCha20 stream (2^32 blocks).
 * @example kernel.expandMasks(partial, [seedToJ, seedFromL], [-1, +1])
 */
export function expandMasks(k: Kernel, v: RingVector, seeds: readonly Uint8Array[], signs: readonly number[], opts: MaskOptions = {}): RingVector {
  aringVector(v, 'vector');
  if (!Array.isArray(seeds)) throw new ShardwireError('E_BAD_ARGUMENT', `"seeds" expected an array of 32-byte Uint8Arrays, got ${describe(seeds)}`);
  if (!Array.isArray(signs) || signs.length !== seeds.length) {
    throw new ShardwireError('E_BAD_ARGUMENT', `"signs" expected an array of ${seeds.length} entries (one per seed), got ${describe(signs)}`, { seeds: seeds.length });
  }
  seeds.forEach((s, i) => abytes(s, `seeds[${i}]`, 32));
  signs.forEach((s, i) => {
    if (s !== 1 && s !== -1) throw new ShardwireError('E_BAD_ARGUMENT', `"signs[${i}]" expected +1 or -1, got ${describe(s)}`, { index: i });
  });
  const width = ringOf(v) / 8;
  const offset = aint(opts.offset ?? 0, 'offset', 0, Number.MAX_SAFE_INTEGER);
  if (Math.ceil(((offset + v.length) * width) / 64) > MAX_STREAM_BLOCKS) {
    throw new ShardwireError('E_BAD_ARGUMENT', `a ${v.length}-element mask from offset ${offset} would pass the 2^32-block limit of one ChaCha20 stream`, { offset, length: v.length });
  }
  if (seeds.length === 0 || v.length === 0) return v;
  const apply = width === 4 ? k.raw.maskApplyU32 : k.raw.maskApplyU64;
  const { bytes, seedsOffset, seedSignsOffset } = k.views;
  try {
    forEachChunk(k, v.length, (off, n) => {
      loadRingChunk(k, v, off, n, 'A');
      const streamByte = (offset + off) * width;
      for (let first = 0; first < seeds.length; first += k.maxSeeds) {
        const batch = Math.min(k.maxSeeds, seeds.length - first);
        for (let j = 0; j < batch; j++) {
          bytes.set(seeds[first + j], seedsOffset + 32 * j);
          bytes[seedSignsOffset + j] = signs[first + j] === -1 ? 1 : 0;
        }
        checkStatus(k, apply(n, batch, Math.floor(streamByte / 64), streamByte % 64), 'expandMasks');
      }
      storeRingChunk(k, v, off, n);
    });
  } finally {
    bytes.fill(0, seedsOffset, seedsOffset + 32 * Math.min(seeds.length, k.maxSeeds)); // no seed stays in the arena
  }
  return v;
}

/**
 * Splits v into seeds.length + 1 additive shares over its ring: share k+1 = PRG(seeds[k]) and
 * share 0 (the residual) = v − Σ PRG(seeds[k]); their ring sum is v. This is the plain
 * (FeatureCloud-style) split; shardwire's protocol sends only seeds for the mask shares.
 * @throws {ShardwireError} as {@link expandMasks}.
 */
export function splitIntoShares(k: Kernel, v: RingVector, seeds: readonly Uint8Array[]): RingVector[] {
  aringVector(v, 'vector');
  const residual = allocRing(ringOf(v), v.length);
  residual.set(v as never);
  expandMasks(k, residual, seeds, seeds.map(() => -1));
  const masks = seeds.map((s) => expandMasks(k, allocRing(ringOf(v), v.length), [s], [1]));
  return [residual, ...masks];
}
