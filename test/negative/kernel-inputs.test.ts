/**
 * Wrong-typed and out-of-range inputs thrown at every public kernel function (noble-style
 * corpus): each must be refused with a ShardwireError carrying the right code — never a crash,
 * a TypeError from deep inside, or a silently wrong result.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Kernel } from '../../src/kernel/index.ts';
import { isShardwireError, type ErrorCode } from '../../src/errors.ts';

const k = await Kernel.load();

/** Values that are not what any vector/bytes parameter wants. */
const WRONG_VALUES: unknown[] = [
  undefined, null, 0, 1, NaN, 1e9999, -1e9999, 'abc', '', true, {}, [], [1, 2, 3], () => 1,
  new Int32Array(3), new Uint8Array(3), new Proxy({}, {}), { length: 3, 0: 1, 1: 2, 2: 3 },
  Symbol('x'), 10n,
];

function expectCode(code: ErrorCode, fn: () => unknown, what: string): void {
  assert.throws(fn, (e) => isShardwireError(e, code), `${what} should throw ${code}`);
}

test('encode refuses NaN, ±Infinity and values past 2^53 with precise codes and indices', () => {
  for (const bad of [NaN, Infinity, -Infinity]) {
    const x = new Float64Array([1, 2, bad, 4]);
    assert.throws(() => k.encode(x, { exponent: 2, ring: 64 }), (e) => isShardwireError(e, 'E_BAD_VECTOR') && e.details.index === 2);
    assert.throws(() => k.encodeAndClip(x, { exponent: 2, ring: 64, clip: { norm: 'l2', bound: 1 } }), (e) => isShardwireError(e, 'E_BAD_VECTOR'));
  }
  // finite x whose x·S overflows to ∞, and |x·S| ≥ 2^53
  expectCode('E_RING_OVERFLOW', () => k.encode(new Float64Array([1e300]), { exponent: 15, ring: 64 }), 'x·S = ∞');
  assert.throws(() => k.encode(new Float64Array([0, 2 ** 53 / 100]), { exponent: 2, ring: 64 }), (e) => isShardwireError(e, 'E_RING_OVERFLOW') && e.details.index === 1 && /largest that fits this value: 1\b/.test(e.message));
  expectCode('E_RING_OVERFLOW', () => k.encode(new Float64Array([3000]), { exponent: 6, ring: 32 }), 'outside ring 32');
  // a bad element past the first chunk reports its true index
  const long = new Float64Array(k.chunkElems + 10);
  long[k.chunkElems + 7] = NaN;
  assert.throws(() => k.encode(long, { exponent: 0, ring: 64 }), (e) => isShardwireError(e, 'E_BAD_VECTOR') && e.details.index === k.chunkElems + 7);
});

test('encode/decode refuse wrong vector types, exponents, rings, roundings and keys', () => {
  const x = new Float64Array(3);
  for (const bad of WRONG_VALUES) {
    expectCode('E_BAD_VECTOR', () => k.encode(bad as Float64Array, { exponent: 2, ring: 64 }), `encode x=${String(bad)}`);
    expectCode('E_BAD_VECTOR', () => k.decode(bad as Uint32Array, { exponent: 2 }), `decode v=${String(bad)}`);
  }
  for (const exponent of [-1, 16, 1.5, NaN, '3', undefined, 1e9999]) {
    expectCode('E_BAD_ARGUMENT', () => k.encode(x, { exponent: exponent as number, ring: 64 }), `exponent ${String(exponent)}`);
    expectCode('E_BAD_ARGUMENT', () => k.decode(new Uint32Array(1), { exponent: exponent as number }), `decode exponent ${String(exponent)}`);
  }
  for (const ring of [16, 128, '64', undefined, null]) expectCode('E_BAD_ARGUMENT', () => k.encode(x, { exponent: 2, ring: ring as 64 }), `ring ${String(ring)}`);
  expectCode('E_BAD_ARGUMENT', () => k.encode(x, { exponent: 2, ring: 64, rounding: 'up' as 'half-even' }), 'rounding');
  expectCode('E_BAD_ARGUMENT', () => k.encode(x, { exponent: 2, ring: 64, key: new Uint8Array(16) }), 'short key');
  expectCode('E_BAD_ARGUMENT', () => k.encode(x, null as never), 'null options');
  for (const bound of [-1, NaN, Infinity, '1', undefined]) {
    expectCode('E_BAD_ARGUMENT', () => k.encodeAndClip(x, { exponent: 2, ring: 64, clip: { norm: 'l2', bound: bound as number } }), `clip bound ${String(bound)}`);
  }
  expectCode('E_BAD_ARGUMENT', () => k.encodeAndClip(x, { exponent: 2, ring: 64, clip: { norm: 'l3' as 'l2', bound: 1 } }), 'clip norm');
  expectCode('E_RING_OVERFLOW', () => k.encodeAndClip(x, { exponent: 9, ring: 32, clip: { norm: 'l2', bound: 10 } }), 'bound past ring 32');
});

test('ring operations refuse mismatched rings, lengths and non-vectors', () => {
  const a = new Uint32Array(4), b64 = new BigUint64Array(4);
  expectCode('E_BAD_VECTOR', () => k.ringAdd(a, b64), 'ring mismatch');
  expectCode('E_BAD_VECTOR', () => k.ringSub(a, new Uint32Array(5)), 'length mismatch');
  expectCode('E_BAD_VECTOR', () => k.ringSum([]), 'empty sum');
  expectCode('E_BAD_VECTOR', () => k.ringSum([a, b64]), 'mixed sum');
  for (const bad of WRONG_VALUES) {
    expectCode('E_BAD_VECTOR', () => k.ringNeg(bad as Uint32Array), `neg ${String(bad)}`);
    expectCode('E_BAD_VECTOR', () => k.ringAdd(a, bad as Uint32Array), `add ${String(bad)}`);
    expectCode('E_BAD_VECTOR', () => k.clip(bad as Uint32Array, { norm: 'l1', bound: 1n }), `clip ${String(bad)}`);
  }
});

test('expandMasks refuses bad seeds, signs, offsets and stream overflow', () => {
  const v = new Uint32Array(8);
  const seed = new Uint8Array(32);
  expectCode('E_BAD_ARGUMENT', () => k.expandMasks(v, [new Uint8Array(31)], [1]), 'short seed');
  expectCode('E_BAD_ARGUMENT', () => k.expandMasks(v, [seed], [0]), 'zero sign');
  expectCode('E_BAD_ARGUMENT', () => k.expandMasks(v, [seed], [1, 1]), 'signs length');
  expectCode('E_BAD_ARGUMENT', () => k.expandMasks(v, 'seed' as never, [1]), 'seeds not array');
  expectCode('E_BAD_ARGUMENT', () => k.expandMasks(v, [seed], [1], { offset: -1 }), 'negative offset');
  expectCode('E_BAD_ARGUMENT', () => k.expandMasks(v, [seed], [1], { offset: 2 ** 36 }), 'stream overflow');
  for (const bad of WRONG_VALUES) expectCode('E_BAD_VECTOR', () => k.expandMasks(bad as Uint32Array, [seed], [1]), `vector ${String(bad)}`);
  assert.deepEqual(v, new Uint32Array(8), 'refused calls leave the vector untouched');
});

test('clip refuses bounds that are not non-negative bigints or do not fit the ring', () => {
  for (const bound of [1, -1n, 2n ** 63n, '5', undefined]) expectCode('E_BAD_ARGUMENT', () => k.clip(new BigUint64Array(2), { norm: 'l2', bound: bound as bigint }), `bound ${String(bound)}`);
  expectCode('E_RING_OVERFLOW', () => k.clip(new Uint32Array(2), { norm: 'l2', bound: 2n ** 31n }), 'ring 32 bound');
  expectCode('E_BAD_ARGUMENT', () => k.clip(new Uint32Array(2), { norm: 'max' as 'l2', bound: 1n }), 'norm');
  // Σv² past 2^128 is refused rather than wrapped
  const huge = new BigUint64Array(k.chunkElems).fill(2n ** 62n);
  expectCode('E_RING_OVERFLOW', () => k.clip(huge, { norm: 'l2', bound: 1n }), 'L2 overflow');
});

test('decode refuses a divisor that is not a finite positive number', () => {
  for (const divisor of [0, -1, NaN, Infinity, '2', null]) {
    expectCode('E_BAD_ARGUMENT', () => k.decode(new Uint32Array(2), { exponent: 1, divisor: divisor as number }), `divisor ${String(divisor)}`);
  }
});

test('encode refuses a weight that is not a finite positive number', () => {
  for (const weight of [0, -2, NaN, Infinity, '3', null]) {
    expectCode('E_BAD_ARGUMENT', () => k.encode(new Float64Array(2), { exponent: 1, ring: 64, weight: weight as number }), `weight ${String(weight)}`);
  }
});
