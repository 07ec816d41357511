/** Exact and directed conversions of doubles (src/dp/rounding.ts). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { compareToRatio, exactRational, isqrtBig, nextDown, nextUp, ratioUp } from '../../../src/dp/rounding.ts';

test('exactRational is the exact value of the double', () => {
  assert.deepEqual(exactRational(0.75), { num: 3n, den: 4n });
  assert.deepEqual(exactRational(6), { num: 6n, den: 1n });
  assert.deepEqual(exactRational(0.1), { num: 3602879701896397n, den: 2n ** 55n });
  assert.deepEqual(exactRational(Number.MIN_VALUE), { num: 1n, den: 2n ** 1074n });
  fc.assert(fc.property(fc.double({ min: 1e-300, max: 1e300, noNaN: true }), (x) => {
    const { num, den } = exactRational(x);
    assert.equal(Number(num) / Number(den) === x || den > 2n ** 1000n || num > 2n ** 1000n, true);
    assert.equal(compareToRatio(x, num, den), 0);
  }));
});

test('nextUp / nextDown step one double', () => {
  assert.equal(nextUp(1), 1 + Number.EPSILON);
  assert.equal(nextDown(1), 1 - Number.EPSILON / 2);
  assert.equal(nextUp(0), Number.MIN_VALUE);
});

test('ratioUp is the least double ≥ num/den', () => {
  fc.assert(fc.property(fc.bigInt(1n, 2n ** 200n), fc.bigInt(1n, 2n ** 200n), (num, den) => {
    fc.pre(num * 2n ** 900n > den && den * 2n ** 900n > num);
    const r = ratioUp(num, den);
    assert.ok(compareToRatio(r, num, den) >= 0);
    assert.ok(compareToRatio(nextDown(r), num, den) < 0);
  }));
  assert.equal(ratioUp(1n, 4n), 0.25);
});

test('isqrtBig is ⌊√n⌋ for integers of any size', () => {
  fc.assert(fc.property(fc.bigInt(0n, 2n ** 3000n), (n) => {
    const r = isqrtBig(n);
    assert.ok(r * r <= n && (r + 1n) * (r + 1n) > n);
  }));
});
