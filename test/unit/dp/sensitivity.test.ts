/**
 * Δ in integer units is what the kernel enforces: ⌊fl(clippingVal·10^exponent)⌋ (×2 for replace),
 * checked against the clip bound `encodeAndClip` reports, on the grid, just off it, and where the
 * double product rounds up to the next integer.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { calibrate, clipBoundInt, sensitivityInt, toIntegerUnits, validateDpConfig } from '../../../src/dp/index.ts';
import { Kernel } from '../../../src/kernel/kernel.ts';
import { isShardwireError } from '../../../src/errors.ts';
import { nextDown, nextUp } from '../../../src/dp/rounding.ts';
import { ceilScaled } from '../../../src/config.ts';
import fc from 'fast-check';

const dp = (clippingVal: number, neighbouring: 'replace' | 'add-remove', sensitivity?: number) => {
  const extra = sensitivity === undefined ? {} : { sensitivity };
  return validateDpConfig({ noisetype: 'gauss', epsilon: 1, delta: 1e-5, clippingVal, neighbouring, ...extra });
};

/** ⌊x·10^e⌋ of the exact value of the double x */
function exactFloor(x: number, e: number): bigint {
  let den = 1n;
  while (!Number.isInteger(x)) {
    x *= 2;
    den *= 2n;
  }
  return (BigInt(x) * 10n ** BigInt(e)) / den;
}

test('0.001 at exponent 3 is 1 unit (2 for replace), not 2 (3): the bound the kernel clips to', () => {
  assert.equal(clipBoundInt(0.001, 3), 1n);
  assert.equal(sensitivityInt(dp(0.001, 'add-remove'), 3), 1n);
  assert.equal(sensitivityInt(dp(0.001, 'replace'), 3), 2n);
  assert.equal(toIntegerUnits(0.001, 3), 2n, 'the exact ceiling of the double, which calibration no longer uses');
  const gauss = { noisetype: 'gauss', epsilon: 1, delta: 1e-5, clippingVal: 1e-3, neighbouring: 'add-remove' };
  const c = calibrate(gauss, { exponent: 3 });
  assert.equal(c.sensitivityInt, 1n);
  const l = calibrate({ noisetype: 'laplace', epsilon: 1, delta: 0, clippingVal: 0.001 }, { exponent: 3 });
  assert.equal(l.sensitivityInt, 2n);
});

test('on the grid, just off it, and where the double product rounds up: the same bound as encodeAndClip', async () => {
  const k = await Kernel.load('scalar');
  const cases: Array<[number, number]> = [
    [0.001, 3], [0.5, 1], [0.25, 2], [1, 6], [2.5, 0], [1 / 3, 6], [0.29, 2], [0.07, 2], [123.456, 3], [1e-6, 6],
    [nextUp(0.001), 3], [nextDown(0.5), 1], [nextUp(0.25), 2], [nextDown(1), 6],
    [0.16999999999999998, 2], [0.33999999999999997, 2], [1.3699999999999999, 2], // fl(x·100) = k, exact x·100 < k
  ];
  let roundedUp = 0;
  for (const [bound, exponent] of cases) {
    const x = new Float64Array([1e9, -1e9]); // far outside: always clipped (L∞ clamps to the bound)
    const { clip } = k.encodeAndClip(x, { exponent, ring: 64, clip: { norm: 'linf', bound } });
    assert.equal(clipBoundInt(bound, exponent), clip.bound, `${bound} @ ${exponent}`);
    if (clip.bound > exactFloor(bound, exponent)) roundedUp++;
  }
  // nextDown(0.5)·10 and the three marked ones: the kernel enforces one unit above the exact floor (and Δ follows it)
  assert.equal(roundedUp, 4);
});

test('just below one unit the kernel clips everything to 0: refused, not calibrated to Δ = 0', () => {
  assert.equal(clipBoundInt(nextDown(0.001), 3), 0n);
  const refused = (e: unknown) => isShardwireError(e, 'E_BAD_DP_CONFIG') && /clippingVal/.test((e as Error).message);
  assert.throws(() => sensitivityInt(dp(nextDown(0.001), 'replace'), 3), refused);
});

test('an explicit sensitivity adds noise only: ⌈fl(s·10^e)⌉, never below the clip-implied units', () => {
  assert.equal(sensitivityInt(dp(0.001, 'replace', 0.002), 3), 2n, 'a decimal on the grid stays on it');
  assert.equal(sensitivityInt(dp(0.001, 'replace', 0.0025), 3), 3n);
  assert.equal(sensitivityInt(dp(0.001, 'replace', 0.0021), 3), 3n);
  const x = 0.16999999999999998;
  assert.equal(sensitivityInt(dp(x, 'add-remove', x), 2), 17n, 'max with the implied 17');
  assert.throws(() => dp(0.001, 'replace', 0.0019), (e) => isShardwireError(e, 'E_BAD_DP_CONFIG'));
});

test('the bit budget per element (ceilScaled, exact ceiling) is never below the bound the kernel enforces', () => {
  const values = [0.001, 0.16999999999999998, nextDown(0.5), nextUp(0.25), 1 / 3, 0.29, 2.5, 1e-6, 123.456];
  for (const v of values) for (const e of [0, 1, 2, 3, 6, 9, 15]) {
    if (v * 10 ** e >= 2 ** 53) continue; // the argument below assumes a representable ceiling
    assert.ok(ceilScaled(v, e) >= clipBoundInt(v, e), `${v} @ ${e}`);
  }
  fc.assert(fc.property(fc.double({ min: 0, max: 1e6, noNaN: true }), fc.integer({ min: 0, max: 9 }), (v, e) => {
    assert.ok(ceilScaled(v, e) >= clipBoundInt(v, e));
  }));
});
