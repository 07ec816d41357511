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

export const CONFIG_HASH = 'a'.repeat(64);
export const OTHER_CONFIG_HASH = 'b'.repeat(64);
