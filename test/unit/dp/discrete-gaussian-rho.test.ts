/**
 * ρ of what is sampled: one discrete Gaussian (Δ²/2σ², least double above the exact value) and
 * the sum of n clients' discrete Gaussians with KLS21 Proposition 14's τ term, and the
 * accountant using them.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { distributedGaussianRho, gaussianRho, kls21Tau, PrivacyAccountant } from '../../../src/dp/index.ts';
import { compareToRatio, nextDown } from '../../../src/dp/rounding.ts';
import { isShardwireError } from '../../../src/errors.ts';

test('gaussianRho is the least double ≥ Δ²/(2σ²)', () => {
  for (const [d, s] of [[2, 10], [2000, 8091], [1, 3], [7, 1], [2 ** 40, 3 ** 20]]) {
    const r = gaussianRho(d, s);
    const num = BigInt(d) * BigInt(d), den = 2n * BigInt(s) * BigInt(s);
    assert.ok(compareToRatio(r, num, den) >= 0, `${d}, ${s}: ${r} ≥ exact`);
    assert.ok(compareToRatio(nextDown(r), num, den) < 0, `${d}, ${s}: least such double`);
  }
});

test('τ = 10·Σ_{k=1}^{n−1} e^(−2π²σ²k/(k+1)), rounded up; 0 for one client', () => {
  assert.equal(kls21Tau(1, 1), 0);
  const direct = (s: number, n: number) => {
    let t = 0;
    for (let k = 1; k < n; k++) t += Math.exp((-2 * Math.PI ** 2 * s * s * k) / (k + 1));
    return 10 * t;
  };
  for (const [s, n] of [[1, 3], [0.5, 2], [0.5, 50], [2, 1000], [1, 5000], [3, 10], [1, 10_000]]) {
    const t = kls21Tau(s, n), d = direct(s, n);
    assert.ok(t >= d && t <= d * (1 + 1e-9), `σ = ${s}, n = ${n}: ${t} vs ${d}`);
  }
  const far = kls21Tau(1, 50_000); // past 10,000 terms the rest are bounded by the last one: looser, still above
  assert.ok(far >= direct(1, 50_000) && far <= direct(1, 50_000) * 1.01);
  const twoTerms = 10 * (Math.exp(-(Math.PI ** 2)) + Math.exp((-4 * Math.PI ** 2) / 3));
  assert.ok(Math.abs(kls21Tau(1, 3) / twoTerms - 1) < 1e-9);
});

test('distributed ρ = ½(Δ/(√n·σ) + c·τ)², c = min(Δ, √d), rounded up; one client is the plain bound', () => {
  assert.equal(distributedGaussianRho(3, 1, 1), gaussianRho(3, 1));
  const tau = kls21Tau(1, 3);
  const formula = (c: number) => 0.5 * (3 / Math.sqrt(3) + c * tau) ** 2;
  const free = distributedGaussianRho(3, 1, 3), oneDim = distributedGaussianRho(3, 1, 3, 1);
  assert.ok(free >= formula(3) && free <= formula(3) * (1 + 1e-12), `${free} vs ${formula(3)}`);
  assert.ok(oneDim >= formula(1) && oneDim <= formula(1) * (1 + 1e-12), `${oneDim} vs ${formula(1)}`);
  assert.ok(oneDim < free && free > 1.5, 'τ is visible at σ = 1 and counted');
  const tauFree = 2000 ** 2 / (2 * 1000 * 4);
  assert.ok(distributedGaussianRho(2000, 2, 1000) > tauFree, 'never below the τ-free value, even when τ ≈ 1e-16');
  assert.throws(() => distributedGaussianRho(3, 0.4, 3), RangeError);
  assert.throws(() => distributedGaussianRho(2.5, 1, 3), RangeError, 'a non-integer Δ needs the dimension');
});

test('the accountant charges distributed releases KLS21 for n = min(contributors, h), refuses σ_local < 1/2', () => {
  const acc = new PrivacyAccountant({ sessionId: 's', budget: { epsilon: 100, delta: 1e-6 }, minHonest: 3 });
  const r = {
    round: 1, mechanism: 'gauss' as const, mode: 'distributed' as const,
    l2Sensitivity: 3, scale: 1, contributors: 5, dimension: 1,
  };
  assert.equal(acc.cost(r).rho, distributedGaussianRho(3, 1, 3, 1));
  assert.equal(acc.cost({ ...r, contributors: 2 }).rho, distributedGaussianRho(3, 1, 2, 1));
  assert.equal(acc.cost({ ...r, mode: 'local' }).rho, gaussianRho(3, 1));
  assert.throws(() => acc.cost({ ...r, scale: 0.4 }), (e) => isShardwireError(e, 'E_BAD_DP_CONFIG'));
});
