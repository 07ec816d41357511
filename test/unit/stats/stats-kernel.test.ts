/**
 * The kernel's statistics exports through kernel/stats.ts: chunking across calls, overflow and
 * non-finite refusals, and the arena wiped afterwards.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Kernel } from '../../../src/kernel/kernel.ts';
import { histogram, moments } from '../../../src/kernel/stats.ts';
import { isShardwireError } from '../../../src/errors.ts';

const kernelPromise = Kernel.load();

test('moments over more records than one chunk equal the plain sums', async () => {
  const k = await kernelPromise;
  for (const dim of [1, 3, 7]) {
    const rows = Math.ceil((2.5 * k.chunkElems) / dim);
    const values = BigInt64Array.from({ length: rows * dim }, (_, i) => BigInt(((i * 7919) % 20001) - 10000));
    const { sum, sumSquares } = moments(k, new BigUint64Array(values.buffer), rows, dim);
    for (let j = 0; j < dim; j++) {
      let s = 0n, q = 0n;
      for (let r = 0; r < rows; r++) (s += values[r * dim + j], q += values[r * dim + j] ** 2n);
      assert.equal(sum[j], s);
      assert.equal(sumSquares[j], q);
    }
    assert.ok(k.views.u64A.every((v) => v === 0n) && k.views.u64B.subarray(0, 2 * dim).every((v) => v === 0n), 'arena wiped');
  }
});

test('moments refuse a square or a sum past 64 bits (E_RING_OVERFLOW naming the record), and bad dims', async () => {
  const k = await kernelPromise;
  const big = BigInt64Array.of(1n, 3037000500n);
  assert.throws(() => moments(k, new BigUint64Array(big.buffer), 2, 1), (e) => isShardwireError(e, 'E_RING_OVERFLOW') && e.details.record === 1);
  const many = BigInt64Array.from({ length: 3 }, () => 3037000499n); // each square fits, their sum does not
  assert.throws(() => moments(k, new BigUint64Array(many.buffer), 3, 1), (e) => isShardwireError(e, 'E_RING_OVERFLOW'));
  const neg = BigInt64Array.from({ length: 3 }, () => -(2n ** 62n) / 2n); // squares overflow first
  assert.throws(() => moments(k, new BigUint64Array(neg.buffer), 3, 1), (e) => isShardwireError(e, 'E_RING_OVERFLOW'));
  assert.throws(() => moments(k, new BigUint64Array(0), 0, 0), (e) => isShardwireError(e, 'E_BAD_ARGUMENT'));
  assert.throws(() => moments(k, new BigUint64Array(3), 2, 1), (e) => isShardwireError(e, 'E_BAD_VECTOR'));
});

test('histogram: buckets at the edges, across chunks; NaN and ±∞ refused; bad edges refused', async () => {
  const k = await kernelPromise;
  const edges = [-1, 0, 2.5];
  const x = Float64Array.of(-2, -1, -0.5, 0, -0, 2.4999, 2.5, 1e300, -1e300);
  assert.deepEqual([...histogram(k, x, x.length, 1, edges)], [2n, 2n, 3n, 2n].map(BigInt));
  const rows = k.chunkElems + 17;
  const big = Float64Array.from({ length: rows * 2 }, (_, i) => (i % 2 === 0 ? i % 7 : -(i % 5)));
  const counts = histogram(k, big, rows, 2, [0, 3]);
  const expected = [0, 0, 0, 0, 0, 0];
  big.forEach((v, i) => expected[(i % 2) * 3 + [0, 3].filter((e) => e <= v).length]++);
  assert.deepEqual(Array.from(counts, Number), expected);
  assert.throws(() => histogram(k, Float64Array.of(1, NaN), 2, 1, [0]), (e) => isShardwireError(e, 'E_BAD_VECTOR') && e.details.record === 1);
  assert.throws(() => histogram(k, Float64Array.of(Infinity), 1, 1, [0]), (e) => isShardwireError(e, 'E_BAD_VECTOR'));
  assert.throws(() => histogram(k, Float64Array.of(1), 1, 1, [1, 1]), (e) => isShardwireError(e, 'E_BAD_ARGUMENT'));
  assert.throws(() => histogram(k, Float64Array.of(1), 1, 1, []), (e) => isShardwireError(e, 'E_BAD_ARGUMENT'));
  assert.throws(() => histogram(k, Float64Array.of(1), 1, 1, [NaN]), (e) => isShardwireError(e, 'E_BAD_ARGUMENT'));
  assert.ok(k.views.f64A.every((v) => v === 0), 'arena wiped');
});
