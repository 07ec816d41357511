/**
 * fast-check laws of the privacy accountant: composition is monotone and additive in ρ, order
 * does not matter, preview(k) equals recording k copies, nothing is ever recorded past the
 * budget, and serialisation round-trips.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { PrivacyAccountant, type Release } from '../../src/dp/index.ts';
import { isShardwireError } from '../../src/errors.ts';

const release = fc.record({
  round: fc.nat(1000),
  mechanism: fc.constantFrom('gauss' as const, 'laplace' as const),
  mode: fc.constantFrom('local' as const, 'distributed' as const),
  sens: fc.double({ min: 0.01, max: 10, noNaN: true }),
  scale: fc.double({ min: 0.5, max: 200, noNaN: true }),
  contributors: fc.integer({ min: 1, max: 50 }),
}).map(({ round, mechanism, mode, sens, scale, contributors }): Release => (mechanism === 'gauss'
  ? { round, mechanism, mode, l2Sensitivity: sens, scale, contributors, dimension: 10 }
  : { round, mechanism, mode: 'local', l1Sensitivity: sens, scale, contributors, dimension: 10 }));
const gaussRelease = release.filter((r) => r.mechanism === 'gauss');
const fresh = (epsilon = 1e9) => new PrivacyAccountant({ sessionId: 'p', budget: { epsilon, delta: 1e-6 }, minHonest: 5 });

test('composition is monotone: recording a release never lowers the cumulative ε', () => {
  fc.assert(fc.property(fc.array(release, { maxLength: 12 }), (rs) => {
    const acc = fresh();
    let prev = 0;
    for (const r of rs) {
      acc.record(r);
      const e = acc.spent().epsilon;
      assert.ok(e >= prev - 1e-12, `${e} < ${prev}`);
      prev = e;
    }
  }));
});

test('Gaussian composition is additive in ρ and independent of order', () => {
  fc.assert(fc.property(fc.array(gaussRelease, { minLength: 1, maxLength: 12 }), (rs) => {
    const a = fresh(), b = fresh();
    for (const r of rs) a.record(r);
    for (const r of [...rs].reverse()) b.record(r);
    const sum = rs.reduce((s, r) => s + a.cost(r).rho, 0);
    assert.ok(Math.abs(a.spent().rho - sum) <= 1e-12 * sum);
    assert.ok(Math.abs(a.spent().epsilon - b.spent().epsilon) <= 1e-9 * a.spent().epsilon);
  }));
});

test('preview(r, k) equals recording r k times', () => {
  fc.assert(fc.property(fc.array(release, { maxLength: 5 }), release, fc.integer({ min: 0, max: 20 }), (rs, r, k) => {
    const acc = fresh();
    for (const x of rs) acc.record(x);
    const p = acc.preview(r, k);
    for (let i = 0; i < k; i++) acc.record(r);
    assert.ok(Math.abs(p.epsilon - acc.spent().epsilon) <= 1e-12 * Math.max(1, p.epsilon));
  }));
});

test('never past the budget: a refused release changes nothing; the spend stays ≤ budget', () => {
  fc.assert(fc.property(fc.array(release, { maxLength: 20 }), fc.double({ min: 0.05, max: 5, noNaN: true }), (rs, budget) => {
    const acc = fresh(budget);
    for (const r of rs) {
      const before = acc.spent();
      try {
        acc.record(r);
      } catch (e) {
        assert.ok(isShardwireError(e, 'E_BUDGET_EXHAUSTED'));
        assert.deepEqual(acc.spent(), before);
        assert.ok(acc.preview(r, 1).epsilon > budget);
      }
      assert.ok(acc.spent().epsilon <= budget);
    }
  }));
});

test('serialize → restore round-trips any history', async () => {
  await fc.assert(fc.asyncProperty(fc.array(release, { maxLength: 8 }), async (rs) => {
    const acc = fresh();
    for (const r of rs) acc.record(r);
    const back = await PrivacyAccountant.restore(await acc.serialize(), { sessionId: 'p' });
    assert.deepEqual(back.spent(), acc.spent());
  }), { numRuns: 30 });
});
