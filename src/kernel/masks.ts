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
import { forEachChunk, loadRingChunk, storeRingChunk, STEP_ELEMS } from './chunks.ts';
import { openPrg, type PrgCursor } from './keystream.ts';
import { openWorkerStreams, WORKER_MIN_BYTES } from './keystream-worker.ts';
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
  amasks(seeds, signs);
  const width = ringOf(v) === 32 ? 4 : 8;
  const offset = aint(opts.offset ?? 0, 'offset', 0, Number.MAX_SAFE_INTEGER);
  if (Math.ceil(((offset + v.length) * width) / 64) > MAX_STREAM_BLOCKS) {
    throw new ShardwireError('E_BAD_ARGUMENT', `a ${v.length}-element mask from offset ${offset} would pass the 2^32-block limit of one ChaCha20 stream`, { offset, length: v.length });
  }
  if (seeds.length === 0 || v.length === 0) return v;
  const masks = openMasks(k, seeds, signs, width, offset, v.length);
  try {
    forEachChunk(k, v.length, (off, n) => {
      loadRingChunk(k, v, off, n, 'A');
      masks.applyToA(n);
      storeRingChunk(k, v, off, n);
    }, k.keystreamSource === 'node:crypto' ? STEP_ELEMS : k.chunkElems); // node:crypto's keystream: stay in L2
  } finally {
    masks.close();
  }
  return v;
}

/** Validated mask seeds opened at a stream position, applied to IO_A chunk after chunk. */
export interface MaskSet {
  /** IO_A[0..n) ± Σ PRG(seed) at the set's current element position, which then advances by n. */
  applyToA(n: number): void;
  /** Zeroes the seed copies in the arena and the keystream left in IO_B. */
  close(): void;
}

/**
 * Opens ±PRG(seed) streams at element `offset` of a width-`width` ring for `length` elements
 * (seeds and signs already validated). On node:crypto, one OpenSSL stream per seed is read
 * forward into IO_B and added by the kernel — made by the keystream worker thread when the
 * kernel has one and the masks are large (keystream-worker.ts); on the wasm source the kernel
 * generates and folds the keystream in 4 KiB
 * L1-resident steps (assembly/shares.ts), with the seeds written into the arena once when they
 * fit in one batch.
 */
export function openMasks(
  k: Kernel,
  seeds: readonly Uint8Array[],
  signs: readonly number[],
  width: 4 | 8,
  offset: number,
  length: number,
): MaskSet {
  const { bytes, seedsOffset, seedSignsOffset } = k.views;
  const ioB = k.raw.ioBPtr();
  let element = offset;
  let widest = 0;
  if (k.keystreamSource === 'node:crypto') {
    // The calling thread makes stream 0 itself and the worker the others (with one stream the
    // worker would only add a copy: the calling thread has nothing else to do meanwhile).
    const many = seeds.length >= 2 && seeds.length * length * width >= WORKER_MIN_BYTES;
    const rest = seeds.slice(1);
    const shared = k.keystreamWorker && many ? openWorkerStreams(rest, offset * width, length * width) : undefined;
    const streams: PrgCursor[] = seeds.map((seed, s) =>
      shared && s > 0
        ? { intoB: (n: number) => shared.read(s - 1, bytes, ioB, n), close: () => {} }
        : openPrg(k, seed, offset * width, seedsOffset),
    );
    const add = width === 4 ? k.raw.ringAddU32 : k.raw.ringAddU64;
    const sub = width === 4 ? k.raw.ringSubU32 : k.raw.ringSubU64;
    return {
      applyToA(n) {
        for (let i = 0; i < streams.length; i++) {
          streams[i].intoB(n * width);
          checkStatus(k, signs[i] === -1 ? sub(n) : add(n), 'expandMasks');
        }
        widest = Math.max(widest, n);
      },
      close: () => {
        shared?.close();
        bytes.fill(0, ioB, ioB + widest * width);
      },
    };
  }
  const apply = width === 4 ? k.raw.maskApplyU32 : k.raw.maskApplyU64;
  const load = (first: number, batch: number) => {
    for (let j = 0; j < batch; j++) {
      bytes.set(seeds[first + j], seedsOffset + 32 * j);
      bytes[seedSignsOffset + j] = signs[first + j] === -1 ? 1 : 0;
    }
  };
  const oneBatch = seeds.length <= k.maxSeeds;
  if (oneBatch) load(0, seeds.length);
  return {
    applyToA(n) {
      const streamByte = element * width;
      for (let first = 0; first < seeds.length; first += k.maxSeeds) {
        const batch = Math.min(k.maxSeeds, seeds.length - first);
        if (!oneBatch) load(first, batch);
        checkStatus(k, apply(n, batch, Math.floor(streamByte / 64), streamByte % 64), 'expandMasks');
      }
      element += n;
    },
    // no seed stays in the arena
    close: () => bytes.fill(0, seedsOffset, seedsOffset + 32 * Math.min(seeds.length, k.maxSeeds)),
  };
}

/**
 * Asserts mask seeds (32-byte Uint8Arrays) and signs (±1, one per seed).
 * @throws {ShardwireError} E_BAD_ARGUMENT
 */
export function amasks(seeds: unknown, signs: unknown): void {
  if (!Array.isArray(seeds)) {
    const got = describe(seeds);
    throw new ShardwireError('E_BAD_ARGUMENT', `"seeds" expected an array of 32-byte Uint8Arrays, got ${got}`);
  }
  if (!Array.isArray(signs) || signs.length !== seeds.length) {
    const expected = `an array of ${seeds.length} entries (one per seed)`;
    throw new ShardwireError('E_BAD_ARGUMENT', `"signs" expected ${expected}, got ${describe(signs)}`, {
      seeds: seeds.length,
    });
  }
  seeds.forEach((s, i) => abytes(s, `seeds[${i}]`, 32));
  signs.forEach((s, i) => {
    if (s !== 1 && s !== -1) {
      throw new ShardwireError('E_BAD_ARGUMENT', `"signs[${i}]" expected +1 or -1, got ${describe(s)}`, { index: i });
    }
  });
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
