// Shared helpers of the crypto tests (not a test file itself).
import assert from 'node:assert/strict';
import { isShardwireError, type ErrorCode } from '../../../src/errors.ts';

export const hex = (s: string): Uint8Array<ArrayBuffer> => Uint8Array.from(Buffer.from(s.replace(/\s+/g, ''), 'hex'));
export const toHex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

/** Asserts that `fn` rejects (or throws) a ShardwireError with `code`. */
export async function rejectsWith(fn: () => unknown, code: ErrorCode): Promise<void> {
  await assert.rejects(async () => { await fn(); }, (e: unknown) => {
    assert.ok(isShardwireError(e, code), `expected ${code}, got ${e instanceof Error ? e.message : String(e)}`);
    return true;
  });
}

/** McGrew & Viega, "The Galois/Counter Mode of Operation", Appendix B, Test Case 16 (AES-256). */
export const GCM = {
  key: hex('feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308'),
  nonce: hex('cafebabefacedbaddecaf888'),
  aad: hex('feedfacedeadbeeffeedfacedeadbeefabaddad2'),
  plaintext: hex('d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a721c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39'),
  sealed: '522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662' + '76fc6ece0f4e1768cddf8853bb2d551b',
};

export const CONFIG_HASH = 'a'.repeat(64);
export const OTHER_CONFIG_HASH = 'b'.repeat(64);
