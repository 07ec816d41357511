import { test } from 'node:test';
import assert from 'node:assert/strict';
import { clearRingPool, giveRing, KEEP_PER_SHAPE, takeRing } from '../../../src/kernel/ring-pool.ts';

test('ring-pool: a vector given back is reused for the same shape, wiped unless told not to', () => {
  clearRingPool();
  const a = takeRing(32, 16);
  assert.ok(a instanceof Uint32Array && a.length === 16);
  a.fill(7);
  giveRing(a);
  const b = takeRing(32, 16);
  assert.equal(b, a);
  assert.ok(b.every((x) => x === 0));
  b.fill(9);
  giveRing(b, false);
  assert.ok(takeRing(32, 16).every((x) => x === 9), 'masked bytes are kept as they are');
  const c = takeRing(64, 16);
  assert.ok(c instanceof BigUint64Array && c !== (a as unknown));
  assert.notEqual(takeRing(32, 17) as unknown, a);
  clearRingPool();
});

test('ring-pool: keeps at most KEEP_PER_SHAPE small vectors and two large ones', () => {
  clearRingPool();
  const small = Array.from({ length: KEEP_PER_SHAPE + 3 }, () => takeRing(32, 8));
  for (const v of small) giveRing(v);
  const again = Array.from({ length: KEEP_PER_SHAPE + 3 }, () => takeRing(32, 8));
  assert.equal(again.filter((v) => small.includes(v)).length, KEEP_PER_SHAPE);
  const large = Array.from({ length: 3 }, () => takeRing(32, 10 << 20)); // 40 MiB each
  for (const v of large) giveRing(v, false);
  const back = Array.from({ length: 3 }, () => takeRing(32, 10 << 20));
  assert.equal(back.filter((v) => large.includes(v)).length, 2);
  clearRingPool();
});
