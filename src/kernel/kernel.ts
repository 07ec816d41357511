/**
 * @module kernel/kernel
 * The typed, chunked kernel API. One instance owns one wasm instance and its static arena;
 * every method validates its arguments once, streams the vector through the arena chunk by
 * chunk (CHUNK_ELEMS elements), and never loops over elements for math itself.
 */
import { ShardwireError } from '../errors.ts';
import { abytes, aint } from '../guards.ts';
import type { KernelExports } from './abi.ts';
import { instantiateKernel, type KernelFlavour } from './loader.ts';
import { checkStatus } from './status.ts';

/** Largest number of keystream blocks one (key, nonce) may produce: the 32-bit counter (RFC 8439). */
export const MAX_STREAM_BLOCKS = 2 ** 32;

/** A shardwire kernel instance. Create with {@link Kernel.load}. Not safe for concurrent re-entry (it is synchronous). */
export class Kernel {
  /** Elements processed per call into the wasm. */
  readonly chunkElems: number;
  /** Which build is running: 'simd', 'scalar' or 'debug'. */
  readonly flavour: Exclude<KernelFlavour, 'auto'>;
  /** @internal raw exports, for the other kernel modules of this folder. */
  readonly raw: KernelExports;
  /** @internal byte views of the arena buffers. */
  readonly mem: Uint8Array;
  readonly ioA: number;
  readonly ioB: number;

  private constructor(raw: KernelExports, flavour: Exclude<KernelFlavour, 'auto'>) {
    this.raw = raw;
    this.flavour = flavour;
    this.chunkElems = raw.chunkElems();
    this.mem = new Uint8Array(raw.memory.buffer);
    this.ioA = raw.ioAPtr();
    this.ioB = raw.ioBPtr();
  }

  /**
   * Loads (compiling once per process) and instantiates a kernel.
   * @param flavour 'auto' (SIMD when the engine supports it), 'simd', 'scalar' or 'debug'.
   * @throws {ShardwireError} E_KERNEL when the build is missing or of another ABI version.
   * @example const k = await Kernel.load(); k.chacha20(key, nonce, 1, data)
   */
  static async load(flavour: KernelFlavour = 'auto'): Promise<Kernel> {
    const { exports, flavour: resolved } = await instantiateKernel(flavour);
    return new Kernel(exports, resolved);
  }

  /**
   * ChaCha20 (RFC 8439 §2.4) of `data` under (key, nonce) starting at block `counter`; returns a
   * new array (encryption and decryption are the same XOR).
   * @throws {ShardwireError} E_BAD_ARGUMENT for a wrong key/nonce size, a counter outside
   *   [0, 2^32) or data that would run the 32-bit block counter past 2^32.
   */
  chacha20(key: Uint8Array, nonce: Uint8Array, counter: number, data: Uint8Array): Uint8Array {
    abytes(key, 'key', 32);
    abytes(nonce, 'nonce', 12);
    aint(counter, 'counter', 0, 0xffffffff);
    abytes(data, 'data');
    const blocks = Math.ceil(data.length / 64);
    if (counter + blocks > MAX_STREAM_BLOCKS) {
      throw new ShardwireError('E_BAD_ARGUMENT', `"data" of ${data.length} bytes from block ${counter} would pass the 2^32-block limit of one ChaCha20 stream`, { counter, bytes: data.length });
    }
    this.mem.set(key, this.raw.keyPtr());
    this.mem.set(nonce, this.raw.noncePtr());
    const out = new Uint8Array(data.length);
    const chunkBytes = this.chunkElems * 8; // a multiple of 64, so each chunk starts on a block
    for (let off = 0; off < data.length; off += chunkBytes) {
      const n = Math.min(chunkBytes, data.length - off);
      this.mem.set(data.subarray(off, off + n), this.ioA);
      checkStatus(this, this.raw.chacha20XorBytes(n, counter + off / 64), 'chacha20');
      out.set(this.mem.subarray(this.ioA, this.ioA + n), off);
    }
    this.mem.fill(0, this.raw.keyPtr(), this.raw.keyPtr() + 32); // zeroise the key copy
    return out;
  }
}

