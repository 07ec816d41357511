/**
 * The discrete Gaussian's own privacy, computed exactly (test/reference/discrete-gaussian-curve.ts):
 * the continuous calibration misses δ at small σ (CKS20 Theorem 7's exact curve), CKS20's
 * one-dimensional curve does not cover a vector release, and shardwire's zCDP calibration meets
 * (ε, δ) for one coordinate and for every integer shift of the allowed L2 norm tried.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyticGaussianSigma, calibrate } from '../../../src/dp/index.ts';
import { discreteGaussianDelta, vectorShiftDelta } from '../../reference/discrete-gaussian-curve.ts';
import { ratioOf, toNumber, type Fixed } from '../../reference/normal-bigint.ts';

const atMost = (f: Fixed, target: number): boolean => {
  const t = ratioOf(target);
  return f.value * t.den <= t.num << BigInt(f.bits);
};

test('reference check: ⌈continuous σ⌉ misses δ = 1e-5 by 1.65 / 1.12 / 1.013 at σ_int = 1 / 2 / 4 (Δ = 1)', () => {
  for (const [sigma, ratio] of [[1, 1.6476], [2, 1.1188], [4, 1.0131]] as const) {
    // the ε at which the analytic Gaussian σ for Δ = 1 is exactly σ_int
    let lo = 0.01, hi = 50;
    for (let i = 0; i < 80; i++) {
      const mid = (lo + hi) / 2;
      if (analyticGaussianSigma(mid, 1e-5, 1) > sigma) lo = mid;
      else hi = mid;
    }
    const d = discreteGaussianDelta(BigInt(sigma), hi, 1n);
    assert.ok(Math.abs(toNumber(d.hi) / 1e-5 - ratio) < 1e-3, `σ = ${sigma}: ${toNumber(d.hi) / 1e-5}`);
  }
});

test('the one-dimensional exact curve does not bound a vector: shift (1,1,1,1) beats shift (2) at σ = 2, ε = 2', () => {
  const axis = vectorShiftDelta(2n, 2, [2]), spread = vectorShiftDelta(2n, 2, [1, 1, 1, 1]);
  const theorem7 = discreteGaussianDelta(2n, 2, 2n);
  assert.ok(Math.abs(toNumber(axis.hi) - toNumber(theorem7.hi)) < 1e-15, 'the 1-D shift is Theorem 7');
  assert.ok(spread.lo.value > axis.hi.value, `${toNumber(spread.lo)} > ${toNumber(axis.hi)}`);
  assert.ok(toNumber(spread.lo) > 0.0202 && toNumber(axis.hi) < 0.0184);
});

test('calibrated σ meets δ exactly: one coordinate (Theorem 7) at small σ, Δ = 1', () => {
  for (const eps of [4.3772, 1.9931, 0.9263, 0.5, 3]) {
    const dp = { noisetype: 'gauss', epsilon: eps, delta: 1e-5, clippingVal: 1, neighbouring: 'add-remove' };
    const c = calibrate(dp, { exponent: 0 });
    assert.equal(c.sensitivityInt, 1n);
    const sigma = c.sigmaTarget!;
    const d = discreteGaussianDelta(sigma, eps, 1n);
    assert.ok(atMost(d.hi, 1e-5), `ε = ${eps}, σ = ${sigma}: ${toNumber(d.hi)}`);
  }
});

test('calibrated σ meets δ exactly for every integer shift of L2 norm ≤ 2: (2), (1,1), (1,1,1), (1,1,1,1)', () => {
  for (const [eps, delta] of [[2, 1e-3], [4, 1e-5], [1, 0.01]] as const) {
    const dp = { noisetype: 'gauss', epsilon: eps, delta, clippingVal: 1, neighbouring: 'add-remove', sensitivity: 2 };
    const c = calibrate(dp, { exponent: 0 });
    assert.equal(c.sensitivityInt, 2n);
    const sigma = c.sigmaTarget!;
    for (const mu of [[2], [1, 1], [1, 1, 1], [1, 1, 1, 1]]) {
      const d = vectorShiftDelta(sigma, eps, mu);
      assert.ok(atMost(d.hi, delta), `ε = ${eps}, σ = ${sigma}, μ = (${mu}): δ = ${toNumber(d.hi)} > ${delta}`);
    }
  }
});
