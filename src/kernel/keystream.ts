/**
 * @module kernel/keystream
 * Where the PRG's ChaCha20 keystream comes from. PRG(seed) = ChaCha20(key = seed, nonce = 0¹²),
 * element e of a width-w ring at stream bytes [w·e, w·e + w) (docs/ARCHITECTURE.md, "How a
 * vector moves through the kernel"); the randomized encode's rounding bits are the same stream
 * of a fresh rounding key, u32 per element. Two sources give the same bytes:
 * - 'node:crypto': OpenSSL's ChaCha20 (node-chacha.ts), ~1.5–2× the kernel's SIMD ChaCha20
 *   here (bench:kernel prints both); the bytes are copied into the arena's IO_B.
 * - 'wasm': the kernel's own ChaCha20 (browsers, or when forced), written into IO_B by the kernel.
 * A cursor reads one stream forward, chunk by chunk, into IO_B; kernel exports then consume it.
 */
import { ShardwireError } from '../errors.ts';
import { abytes, aint } from '../guards.ts';
import type { Kernel } from './kernel.ts';
import { NodeChaChaStream, nodeChaCha20 } from './node-chacha.ts';
import { checkStatus } from './status.ts';

/** Which ChaCha20 produces the PRG and rounding keystream. */
export type KeystreamSource = 'node:crypto' | 'wasm';
/** A requested source: 'auto' = node:crypto where the runtime has it, else the kernel's. */
export type KeystreamChoice = 'auto' | KeystreamSource;

const ZERO_NONCE = new Uint8Array(12);
/** Bytes in one ChaCha20 stream: 2^32 blocks of 64 (RFC 8439 §2.4). */
const STREAM_BYTES = 2 ** 38;

/**
 * Resolves a requested keystream source for this runtime.
 * @throws {ShardwireError} E_UNSUPPORTED when 'node:crypto' is asked for and this runtime has none;
 *   E_BAD_ARGUMENT for an unknown choice.
 */
export function resolveKeystream(choice: KeystreamChoice = 'auto'): KeystreamSource {
  if (choice === 'wasm') return 'wasm';
  if (choice === 'auto') return nodeChaCha20() ? 'node:crypto' : 'wasm';
  if (choice === 'node:crypto') {
    if (nodeChaCha20()) return 'node:crypto';
    throw new ShardwireError(
      'E_UNSUPPORTED',
      'keystream "node:crypto" asked for, but this runtime has no node:crypto with chacha20; use "wasm" or "auto"',
      { keystream: choice },
    );
  }
  throw new ShardwireError(
    'E_BAD_ARGUMENT',
    `"keystream" expected "auto", "node:crypto" or "wasm", got ${String(choice)}`,
    { field: 'keystream' },
  );
}

/** One PRG stream, read forward into IO_B. Always `close()` it (in a finally). */
export interface PrgCursor {
  /** IO_B[0..bytes) ← the stream's next `bytes` bytes (bytes ≤ CHUNK_ELEMS·8). */
  intoB(bytes: number): void;
  /** Zeroes any copy of the key the cursor put into the arena. */
  close(): void;
}

/**
 * Opens PRG(key) at stream byte `startByte` on the kernel's keystream source. For the wasm
 * source the key is copied into the arena at `keyOffset` (k.views.keyOffset or a SEEDS slot),
 * which must not be used by anything else until `close()`.
 */
export function openPrg(k: Kernel, key: Uint8Array, startByte: number, keyOffset: number): PrgCursor {
  const mod = k.keystreamSource === 'node:crypto' ? nodeChaCha20() : undefined;
  if (mod) {
    const stream = new NodeChaChaStream(mod, key, ZERO_NONCE, startByte);
    const ioB = k.raw.ioBPtr();
    return { intoB: (bytes) => stream.readInto(k.views.bytes, ioB, bytes), close: () => {} };
  }
  k.views.bytes.set(key, keyOffset);
  let position = startByte;
  return {
    intoB(bytes) {
      checkStatus(k, k.raw.prgIntoB(keyOffset, bytes, Math.floor(position / 64), position % 64), 'keystream');
      position += bytes;
    },
    close: () => k.views.bytes.fill(0, keyOffset, keyOffset + 32),
  };
}

/**
 * Bytes [offset, offset + length) of PRG(seed) = ChaCha20(seed, nonce 0), from this kernel's
 * keystream source. For tests, benchmarks and callers that need the raw stream.
 * @throws {ShardwireError} E_BAD_ARGUMENT for a seed that is not 32 bytes, a negative or
 *   non-integer offset/length, or a range past the 2^38 bytes of one stream.
 * @example kernel.prgBytes(seed, 4 * 1000, 64) // the 16 ring-32 mask words of elements 1000..1015
 */
export function prgBytes(k: Kernel, seed: Uint8Array, offset: number, length: number): Uint8Array {
  abytes(seed, 'seed', 32);
  aint(offset, 'offset', 0, STREAM_BYTES);
  aint(length, 'length', 0, STREAM_BYTES - offset);
  const out = new Uint8Array(length);
  const step = k.chunkElems * 8;
  const ioB = k.raw.ioBPtr();
  const cursor = openPrg(k, seed, offset, k.views.keyOffset);
  try {
    for (let done = 0; done < length; done += step) {
      const n = Math.min(step, length - done);
      cursor.intoB(n);
      out.set(k.views.bytes.subarray(ioB, ioB + n), done);
    }
  } finally {
    cursor.close();
    k.views.bytes.fill(0, ioB, ioB + Math.min(step, length)); // the stream is mask material
  }
  return out;
}
