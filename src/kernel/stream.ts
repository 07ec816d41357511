/**
 * @module kernel/stream
 * ChaCha20 (RFC 8439) as a standalone stream cipher over the kernel, for known-answer tests,
 * benchmarks and callers that need the raw keystream.
 */
import { ShardwireError } from '../errors.ts';
import { abytes, aint } from '../guards.ts';
import type { Kernel } from './kernel.ts';
import { checkStatus } from './status.ts';

/** Largest number of 64-byte blocks one (key, nonce) may produce: the 32-bit counter (RFC 8439 §2.4). */
export const MAX_STREAM_BLOCKS = 2 ** 32;

/**
 * ChaCha20 of `data` under (key, nonce) from block `counter`; returns a new array (encryption
 * and decryption are the same XOR). No authentication: use src/crypto's AEAD for messages.
 * @throws {ShardwireError} E_BAD_ARGUMENT for a key that is not 32 bytes, a nonce that is not
 *   12 bytes, a counter outside [0, 2^32), or data that would run the block counter past 2^32.
 * @example kernel.chacha20(key, nonce, 1, plaintext)
 */
export function chacha20(k: Kernel, key: Uint8Array, nonce: Uint8Array, counter: number, data: Uint8Array): Uint8Array {
  abytes(key, 'key', 32);
  abytes(nonce, 'nonce', 12);
  aint(counter, 'counter', 0, MAX_STREAM_BLOCKS - 1);
  abytes(data, 'data');
  if (counter + Math.ceil(data.length / 64) > MAX_STREAM_BLOCKS) {
    throw new ShardwireError('E_BAD_ARGUMENT', `"data" of ${data.length} bytes from block ${counter} would pass the 2^32-block limit of one ChaCha20 stream`, { counter, bytes: data.length });
  }
  const { bytes, keyOffset, nonceOffset } = k.views;
  const ioA = k.raw.ioAPtr();
  bytes.set(key, keyOffset);
  bytes.set(nonce, nonceOffset);
  const out = new Uint8Array(data.length);
  const chunkBytes = k.chunkElems * 8; // a multiple of 64: every chunk starts on a block
  try {
    for (let off = 0; off < data.length; off += chunkBytes) {
      const n = Math.min(chunkBytes, data.length - off);
      bytes.set(data.subarray(off, off + n), ioA);
      checkStatus(k, k.raw.chacha20XorBytes(n, counter + off / 64), 'chacha20');
      out.set(bytes.subarray(ioA, ioA + n), off);
    }
  } finally {
    bytes.fill(0, keyOffset, keyOffset + 32); // zeroise the key copy in the arena
  }
  return out;
}
