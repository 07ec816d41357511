/**
 * The float erfcx used to search (src/dp/normal.ts) against the 400-bit reference of Q(x): the
 * scaled tail Q(x)·e^(x²/2) = erfcx(x/√2)/2 to 1e-14 relative on [0, 12]. With the series used up
 * to 3, as before, it was off by up to ≈ 2e-11.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { scaledUpperTail } from '../../../src/dp/normal.ts';
import { exp, ratioOf, toNumber, upperTail } from '../../reference/normal-bigint.ts';

test('scaledUpperTail(x) = Q(x)·e^(x²/2) to 1e-14 relative', () => {
  let worst = 0;
  for (let x = 0; x <= 12; x += 0.0625 * 1.37) {
    const r = ratioOf(x);
    const bits = 400;
    const q = upperTail(r, bits);
    const e = exp({ num: r.num * r.num, den: 2n * r.den * r.den }, bits);
    const ref = toNumber({ value: (q * e) >> BigInt(bits), bits });
    const rel = Math.abs(scaledUpperTail(x) / ref - 1);
    worst = Math.max(worst, rel);
    assert.ok(rel < 1e-14, `x = ${x}: ${scaledUpperTail(x)} vs ${ref} (${rel})`);
  }
  assert.ok(worst > 0, 'compared something');
});
