/**
 * @module kernel/kernel
 * The typed kernel facade. One instance owns one wasm instance and its static arena (nothing in
 * the wasm allocates, so memory never grows). Each operation lives in its own module of this
 * folder; they validate once, stream vectors through the arena chunk by chunk (CHUNK_ELEMS
 * elements) and never loop over elements for math themselves.
 */
import type { KernelExports } from './abi.ts';
import { instantiateKernel, type KernelFlavour, type KernelLoadOptions } from './loader.ts';
import { chacha20 } from './stream.ts';
import {
  encode, encodeAndClip, decode, decodeInto,
  type DecodeOptions, type EncodeOptions, type ClippedEncoding, type ClipOptions,
} from './fixed-point.ts';
import { clip, type ClipReport } from './clip.ts';
import { expandMasks, splitIntoShares, type MaskOptions } from './masks.ts';
import { ringAdd, ringSub, ringNeg, ringSum } from './ring-ops.ts';
import { startKeystreamWorker } from './keystream-worker.ts';
import { prgBytes, resolveKeystream, type KeystreamChoice, type KeystreamSource } from './keystream.ts';
import { encodeMasked, type MaskedEncodeOptions, type MaskedEncoding } from './pipeline.ts';
import { accumulate, type AccumulateOptions } from './accumulate.ts';
import type { RealVector, RingVector } from './vectors.ts';

/** Options of {@link Kernel.load} besides the build flavour. */
export interface KernelOptions {
  /**
   * Where the PRG and rounding keystream come from: 'auto' (default: node:crypto's ChaCha20 where
   * the runtime has it, else the kernel's), 'node:crypto' or 'wasm' (to force either path, e.g.
   * in tests or to exercise the browser path on Node). Both give the same bytes.
   */
  readonly keystream?: KeystreamChoice;
  /**
   * Make large mask keystreams (≥ 1 MiB per call) on a second thread (keystream-worker.ts):
   * default true where the runtime can (node:crypto source, worker_threads, ≥ 2 CPUs); false
   * keeps every call on the calling thread. Same bytes either way.
   */
  readonly keystreamWorker?: boolean;
}

/** Typed views over the arena, created once (the memory never grows). */
export interface ArenaViews {
  readonly bytes: Uint8Array;
  readonly f64A: Float64Array;
  readonly i64A: BigInt64Array;
  readonly u64A: BigUint64Array;
  readonly u32A: Uint32Array;
  readonly u64B: BigUint64Array;
  readonly u32B: Uint32Array;
  /** PARAMS slots (u64). */
  readonly params: BigUint64Array;
  readonly keyOffset: number;
  readonly nonceOffset: number;
  readonly seedsOffset: number;
  readonly seedSignsOffset: number;
}

/** A loaded shardwire kernel. Create with {@link Kernel.load}; synchronous, not re-entrant. */
export class Kernel {
  /** Elements processed per call into the wasm. */
  readonly chunkElems: number;
  /** Most seeds per mask call. */
  readonly maxSeeds: number;
  /** Which build runs: 'simd', 'scalar' or 'debug'. */
  readonly flavour: Exclude<KernelFlavour, 'auto'>;
  /** Which ChaCha20 produces mask and rounding keystream (see {@link KernelOptions.keystream}). */
  readonly keystreamSource: KeystreamSource;
  /** Whether large masks come from the keystream worker thread (see {@link KernelOptions.keystreamWorker}). */
  readonly keystreamWorker: boolean;
  /** @internal raw exports, for the modules of this folder. */
  readonly raw: KernelExports;
  /** @internal arena views. */
  readonly views: ArenaViews;

  private constructor(
    raw: KernelExports,
    flavour: Exclude<KernelFlavour, 'auto'>,
    keystream: KeystreamSource,
    worker: boolean,
  ) {
    this.raw = raw;
    this.flavour = flavour;
    this.keystreamSource = keystream;
    this.keystreamWorker = worker;
    this.chunkElems = raw.chunkElems();
    this.maxSeeds = raw.maxSeeds();
    const buf = raw.memory.buffer;
    const n = this.chunkElems;
    this.views = {
      bytes: new Uint8Array(buf),
      f64A: new Float64Array(buf, raw.ioAPtr(), n),
      i64A: new BigInt64Array(buf, raw.ioAPtr(), n),
      u64A: new BigUint64Array(buf, raw.ioAPtr(), n),
      u32A: new Uint32Array(buf, raw.ioAPtr(), n),
      u64B: new BigUint64Array(buf, raw.ioBPtr(), n),
      u32B: new Uint32Array(buf, raw.ioBPtr(), n),
      params: new BigUint64Array(buf, raw.paramsPtr(), 16),
      keyOffset: raw.keyPtr(),
      nonceOffset: raw.noncePtr(),
      seedsOffset: raw.seedsPtr(),
      seedSignsOffset: raw.seedSignsPtr(),
    };
  }

  /**
   * Loads (compiling once per process) and instantiates a kernel.
   * @param flavour 'auto' (SIMD when the engine supports it), 'simd', 'scalar' or 'debug'; or
   *   `{ flavour, source }` to load the build from a URL, bytes or a compiled module.
   * @param options keystream source ({@link KernelOptions}).
   * @throws {ShardwireError} E_KERNEL when the build is missing (the message names its URL) or
   *   of another ABI version; E_BAD_ARGUMENT for bad options; E_UNSUPPORTED when
   *   `keystream: 'node:crypto'` is asked for on a runtime without it.
   * @example const k = await Kernel.load(); const v = k.encode(new Float64Array([0.5]), { exponent: 8, ring: 64 })
   * @example const browserPath = await Kernel.load('auto', { keystream: 'wasm' })
   */
  static async load(flavour: KernelFlavour | KernelLoadOptions = 'auto', options: KernelOptions = {}): Promise<Kernel> {
    const keystream = resolveKeystream(options.keystream);
    // started now, so that it is up by the first round (it never keeps the process alive)
    const wanted = keystream === 'node:crypto' && options.keystreamWorker !== false;
    const worker = wanted && startKeystreamWorker() !== undefined;
    const { exports, flavour: resolved } = await instantiateKernel(flavour);
    return new Kernel(exports, resolved, keystream, worker);
  }

  /** Bytes of wasm memory (constant over the kernel's life; tests check it). */
  get memoryBytes(): number {
    return this.raw.memory.buffer.byteLength;
  }

  /** ChaCha20 (RFC 8439 §2.4) XOR of `data`; see {@link chacha20}. */
  chacha20(key: Uint8Array, nonce: Uint8Array, counter: number, data: Uint8Array): Uint8Array {
    return chacha20(this, key, nonce, counter, data);
  }
  /** Fixed-point encode into a ring vector; see {@link encode}. */
  encode(x: RealVector, opts: EncodeOptions): RingVector {
    return encode(this, x, opts);
  }
  /** Encode with norm clipping in the integer domain; see {@link encodeAndClip}. */
  encodeAndClip(x: RealVector, opts: EncodeOptions & { clip: ClipOptions }): ClippedEncoding {
    return encodeAndClip(this, x, opts);
  }
  /** Decode a ring vector (two's complement) to Float64, optionally divided; see {@link decode}. */
  decode(v: RingVector, opts: DecodeOptions): Float64Array {
    return decode(this, v, opts);
  }
  /** Decode into a caller-provided Float64Array (no allocation); see {@link decodeInto}. */
  decodeInto(v: RingVector, out: Float64Array, opts: DecodeOptions): Float64Array {
    return decodeInto(this, v, out, opts);
  }
  /** The one-pass client pipeline: encode, clip, weight, noise, masks; see {@link encodeMasked}. */
  encodeMasked(x: RealVector, opts: MaskedEncodeOptions): MaskedEncoding {
    return encodeMasked(this, x, opts);
  }
  /** acc ± raw little-endian ring bytes, in place, at an element offset; see {@link accumulate}. */
  accumulate(acc: RingVector, parts: Uint8Array | readonly Uint8Array[], opts?: AccumulateOptions): RingVector {
    return accumulate(this, acc, parts, opts);
  }
  /** Bytes [offset, offset + length) of PRG(seed) from this kernel's keystream source; see {@link prgBytes}. */
  prgBytes(seed: Uint8Array, offset: number, length: number): Uint8Array {
    return prgBytes(this, seed, offset, length);
  }
  /** Clip a ring vector in place to an integer norm bound; see {@link clip}. */
  clip(v: RingVector, opts: { norm: ClipOptions['norm']; bound: bigint }): ClipReport {
    return clip(this, v, opts);
  }
  /** v ← v ± Σ PRG(seed) in place; see {@link expandMasks}. */
  expandMasks(v: RingVector, seeds: readonly Uint8Array[], signs: readonly number[], opts?: MaskOptions): RingVector {
    return expandMasks(this, v, seeds, signs, opts);
  }
  /** Split into s additive shares (s−1 PRG masks + residual); see {@link splitIntoShares}. */
  splitIntoShares(v: RingVector, seeds: readonly Uint8Array[]): RingVector[] {
    return splitIntoShares(this, v, seeds);
  }
  /** a + b over the ring (new vector). */
  ringAdd(a: RingVector, b: RingVector): RingVector {
    return ringAdd(this, a, b);
  }
  /** a − b over the ring (new vector). */
  ringSub(a: RingVector, b: RingVector): RingVector {
    return ringSub(this, a, b);
  }
  /** −a over the ring (new vector). */
  ringNeg(a: RingVector): RingVector {
    return ringNeg(this, a);
  }
  /** Σ vectors over the ring (new vector); at least one vector. */
  ringSum(vectors: readonly RingVector[]): RingVector {
    return ringSum(this, vectors);
  }
}
