/**
 * @module kernel/node-chacha
 * ChaCha20 keystream from node:crypto (OpenSSL), reached through the global process object's
 * `getBuiltinModule` (Node ≥ 20.16) as src/crypto/aes-gcm.ts does, so src/kernel keeps no Node
 * import and a browser simply has none (it uses the kernel's own ChaCha20).
 *
 * OpenSSL's 'chacha20' takes a 16-byte IV = 32-bit little-endian block counter ‖ 12-byte nonce
 * (RFC 8439 §2.3 state words 12–15), so a stream is seeked by its counter and its bytes are those
 * of the kernel's ChaCha20 (tests compare both on random keys, offsets and lengths). Each
 * `update` returns fresh memory: keystream is read in pieces of {@link PIECE_BYTES}, copied into
 * the arena and zeroed (measured by bench:kernel-parts, CPU time on a busy 2-core machine:
 * 16 KiB – 1 MiB pieces 1.65–1.8 GB/s, 4 KiB 1.0 GB/s from the per-call cost, one 16 MiB call
 * 0.6 GB/s from the page faults of a fresh buffer; 64 KiB keeps a piece in L2).
 */

/** The slice of node:crypto used here (typed locally: no Node types on the browser path). */
interface NodeCipher {
  update(data: Uint8Array): Uint8Array;
}
/** What {@link nodeChaCha20} needs from node:crypto. */
export interface NodeChaChaModule {
  createCipheriv(alg: 'chacha20', key: Uint8Array, iv: Uint8Array): NodeCipher;
  getCiphers(): string[];
}

/** Bytes of keystream asked from OpenSSL per call (see the module comment). */
export const PIECE_BYTES = 64 * 1024;
/** OpenSSL XORs its keystream into an input: all zeros, shared, never written. */
const ZEROS = new Uint8Array(PIECE_BYTES);

let cached: NodeChaChaModule | null | undefined;

/** node:crypto when this runtime has it with the 'chacha20' cipher, else undefined. */
export function nodeChaCha20(): NodeChaChaModule | undefined {
  if (cached === undefined) {
    const p = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
    const m =
      typeof p?.getBuiltinModule === 'function'
        ? (p.getBuiltinModule('node:crypto') as NodeChaChaModule | undefined)
        : undefined;
    cached =
      typeof m?.createCipheriv === 'function' &&
      typeof m.getCiphers === 'function' &&
      m.getCiphers().includes('chacha20')
        ? m
        : null;
  }
  return cached ?? undefined;
}

/**
 * One ChaCha20 stream (key, 12-byte nonce) read forward from byte `startByte`. The caller keeps
 * startByte + bytes read below 2^38 (2^32 blocks); OpenSSL would carry the counter into the nonce.
 */
export class NodeChaChaStream {
  private readonly cipher: NodeCipher;

  constructor(mod: NodeChaChaModule, key: Uint8Array, nonce: Uint8Array, startByte: number) {
    const iv = new Uint8Array(16);
    new DataView(iv.buffer).setUint32(0, Math.floor(startByte / 64), true);
    iv.set(nonce, 4);
    this.cipher = mod.createCipheriv('chacha20', key, iv);
    const skip = startByte % 64;
    if (skip !== 0) this.cipher.update(ZEROS.subarray(0, skip)).fill(0);
  }

  /** Writes the next `length` keystream bytes into `dst` at `at`. */
  readInto(dst: Uint8Array, at: number, length: number): void {
    for (let done = 0; done < length; done += PIECE_BYTES) {
      const n = Math.min(PIECE_BYTES, length - done);
      const piece = this.cipher.update(ZEROS.subarray(0, n));
      dst.set(piece, at + done);
      piece.fill(0); // keystream is mask material: no copy of it stays behind in the heap
    }
  }
}
