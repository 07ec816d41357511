// ringBytes / ringFromBytes: the partial's wire bytes and the ring vector the coordinator sums.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ringBytes, ringFromBytes } from '../../../src/session/partial-payload.ts';

test('ringFromBytes round-trips ringBytes for both rings and refuses a wrong size with E_BAD_VECTOR', () => {
  const v32 = Uint32Array.from([0, 1, 0xffffffff, 123456789]);
  assert.deepEqual(ringFromBytes(ringBytes(v32).slice(), 4, 32), v32);
  const v64 = BigUint64Array.from([0n, 1n, 2n ** 64n - 1n]);
  assert.deepEqual(ringFromBytes(ringBytes(v64).slice(), 3, 64), v64);
  assert.throws(() => ringFromBytes(new Uint8Array(15), 4, 32), { code: 'E_BAD_VECTOR' });
  assert.throws(() => ringFromBytes(new Uint8Array(16), 4, 64), { code: 'E_BAD_VECTOR' });
});

test('ringFromBytes adopts 8-byte-aligned bytes (whole buffer or view) and copies unaligned ones', () => {
  const whole = Uint8Array.from({ length: 16 }, (_, i) => i);
  const adopted = ringFromBytes(whole, 4, 32);
  assert.equal(adopted.buffer, whole.buffer, 'no copy of a freshly opened payload');
  const big = Uint8Array.from({ length: 24 }, (_, i) => i);
  const aligned = ringFromBytes(big.subarray(8, 24), 2, 64);
  assert.equal(aligned.buffer, big.buffer, 'an aligned view is adopted');
  assert.deepEqual(new Uint8Array(aligned.buffer, aligned.byteOffset, aligned.byteLength), big.subarray(8, 24));
  for (const view of [big.subarray(1, 17), big.subarray(5, 21)]) {
    const v = ringFromBytes(view, 4, 32);
    assert.notEqual(v.buffer, big.buffer);
    assert.deepEqual(new Uint8Array(v.buffer), Uint8Array.from(view));
  }
});
