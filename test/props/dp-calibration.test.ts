/**
 * fast-check laws of the calibration: σ is the least integer meeting the zCDP target for the
 * noise actually sampled (local, or distributed over h clients with the KLS21 bound), the
 * release converts back to at most ε at δ, the accountant never charges a calibrated release
 * more than the calibration's ρ, and more ε never asks for more noise.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  PrivacyAccountant, calibrate, distributedGaussianRho, gaussianRho, zcdpMaxRho, zcdpToEpsilon,
} from '../../src/dp/index.ts';
import { noisePlan, releaseOf } from '../../src/dp/noise-plan.ts';

const config = fc.record({
  epsilon: fc.double({ min: 0.05, max: 20, noNaN: true }),
  delta: fc.double({ min: 1e-12, max: 0.1, noNaN: true }),
  clippingVal: fc.double({ min: 0.01, max: 10, noNaN: true }),
  exponent: fc.integer({ min: 0, max: 6 }),
  mode: fc.constantFrom('local' as const, 'distributed' as const),
  neighbouring: fc.constantFrom('replace' as const, 'add-remove' as const),
  h: fc.integer({ min: 1, max: 10_000 }),
}).filter((c) => c.clippingVal * 10 ** c.exponent >= 1);

test('σ is the least integer (≥ 2 when distributed) whose ρ meets ρ_max(ε, δ); ρ converts back to ≤ ε', () => {
  fc.assert(fc.property(config, ({ epsilon, delta, clippingVal, exponent, mode, neighbouring, h }) => {
    const dp = { noisetype: 'gauss', epsilon, delta, clippingVal, mode, neighbouring };
    let c;
    try {
      c = calibrate(dp, { exponent, minHonest: h });
    } catch (e) {
      fc.pre(!/2\^28/.test((e as Error).message)); // σ past the kernel's limit: refused, fine
      throw e;
    }
    const sigma = Number((c.noise as { sigma: bigint }).sigma), d = Number(c.sensitivityInt);
    const rhoMax = zcdpMaxRho(epsilon, delta);
    const rhoAt = (s: number) => (mode === 'local' ? gaussianRho(d, s) : distributedGaussianRho(d, s, h));
    assert.equal(c.rho, rhoAt(sigma));
    assert.ok(c.rho! <= rhoMax, `ρ ${c.rho} ≤ ρ_max ${rhoMax}`);
    const floor = mode === 'distributed' ? 2 : 1;
    assert.ok(sigma === floor || rhoAt(sigma - 1) > rhoMax, `σ − 1 = ${sigma - 1} would do`);
    assert.ok(zcdpToEpsilon(c.rho!, delta) <= epsilon * (1 + 1e-12));
  }), { numRuns: 200 });
});

test('the accountant charges a calibrated release no more than calibration.rho once h clients contribute', () => {
  const dims = fc.integer({ min: 1, max: 10_000 }), more = fc.integer({ min: 0, max: 50 });
  fc.assert(fc.property(config, dims, more, (cfg, dimension, extra) => {
    const { epsilon, delta, clippingVal, exponent, mode, neighbouring, h } = cfg;
    let plan;
    try {
      plan = noisePlan({ noisetype: 'gauss', epsilon, delta, clippingVal, mode, neighbouring }, exponent, h);
    } catch {
      return fc.pre(false);
    }
    const acc = new PrivacyAccountant({ sessionId: 's', budget: { epsilon: 1e9, delta }, minHonest: h });
    const cost = acc.cost(releaseOf(plan, 1, h + extra, dimension));
    assert.ok(cost.rho <= plan.calibration.rho!, `${cost.rho} ≤ ${plan.calibration.rho}`);
    assert.ok(cost.epsilon <= epsilon * (1 + 1e-12), `ε of the release ${cost.epsilon} ≤ ${epsilon}`);
  }), { numRuns: 200 });
});

test('more ε or more δ never asks for more noise', () => {
  fc.assert(fc.property(config, fc.double({ min: 1, max: 4, noNaN: true }), (cfg, factor) => {
    const { epsilon, delta, clippingVal, exponent, mode, neighbouring, h } = cfg;
    const sigmaOf = (e: number, d: number) => {
      const dp = { noisetype: 'gauss', epsilon: e, delta: d, clippingVal, mode, neighbouring };
      const c = calibrate(dp, { exponent, minHonest: h });
      return (c.noise as { sigma: bigint }).sigma;
    };
    let base;
    try {
      base = sigmaOf(epsilon, delta);
    } catch {
      return fc.pre(false);
    }
    assert.ok(sigmaOf(Math.min(epsilon * factor, 20), delta) <= base);
    assert.ok(sigmaOf(epsilon, Math.min(delta * factor, 0.5)) <= base);
  }), { numRuns: 100 });
});
