/**
 * The privacy accountant: composition per mechanism, budget refusal, contributor warnings,
 * and JSON persistence that restores exactly and refuses corrupted or mismatched states.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PrivacyAccountant, zcdpToEpsilon, type Release } from '../../../src/dp/index.ts';
import { isShardwireError } from '../../../src/errors.ts';

const gauss = (round: number, extra: Partial<Release> = {}): Release => ({ round, mechanism: 'gauss', l2Sensitivity: 2, scale: 10, contributors: 8, dimension: 100, ...extra });
const laplace = (round: number, extra: Partial<Release> = {}): Release => ({ round, mechanism: 'laplace', l1Sensitivity: 1, scale: 2, contributors: 8, dimension: 100, ...extra });

test('Laplace-only session (δ = 0): pure ε adds up', () => {
  const acc = new PrivacyAccountant({ sessionId: 's', budget: { epsilon: 2, delta: 0 }, minHonest: 5 });
  for (let r = 0; r < 4; r++) assert.equal(acc.record(laplace(r)).epsilon, 0.5);
  assert.equal(acc.spent().epsilon, 2);
  assert.equal(acc.spent().pureEpsilon, 2);
  assert.throws(() => acc.record(laplace(4)), (e) => isShardwireError(e, 'E_BUDGET_EXHAUSTED'));
  assert.equal(acc.releases.length, 4, 'the refused release was not recorded');
  assert.throws(() => acc.record(gauss(5)), (e) => isShardwireError(e, 'E_BAD_DP_CONFIG'), 'Gaussian needs δ > 0');
});

test('Gaussian session: ρ adds up, ε is the zCDP conversion at the session δ; distributed counts h shares', () => {
  const acc = new PrivacyAccountant({ sessionId: 's', budget: { epsilon: 100, delta: 1e-6 }, minHonest: 4 });
  acc.record(gauss(1));
  acc.record(gauss(2, { mode: 'distributed', scale: 5, contributors: 10 })); // σ_eff² = 4·25 = 100
  const s = acc.spent();
  assert.ok(Math.abs(s.rho - 2 * (4 / 200)) < 1e-15);
  assert.equal(s.epsilon, Math.min(zcdpToEpsilon(s.rho, 1e-6), s.epsilon));
  assert.ok(Math.abs(s.epsilon - zcdpToEpsilon(0.04, 1e-6)) < 1e-9);
});

test('mixed session: RDP grid and zCDP both valid, ε no more than either alone', () => {
  const acc = new PrivacyAccountant({ sessionId: 's', budget: { epsilon: 100, delta: 1e-6 }, minHonest: 1 });
  acc.record(gauss(1));
  acc.record(laplace(2));
  const s = acc.spent();
  assert.ok(s.epsilon <= zcdpToEpsilon(s.rho + 0.5 ** 2 / 2, 1e-6) + 1e-12);
  assert.ok(s.epsilon > zcdpToEpsilon(s.rho, 1e-6));
  assert.equal(s.rdp.values.length, s.rdp.orders.length);
});

test('a round with fewer contributors than h is flagged', () => {
  const acc = new PrivacyAccountant({ sessionId: 's', budget: { epsilon: 100, delta: 1e-6 }, minHonest: 10 });
  const r = acc.record(gauss(1, { contributors: 3 }));
  assert.equal(r.warnings.length, 1);
  assert.match(r.warnings[0], /fewer than the 10 honest/);
  assert.equal(acc.record(gauss(2, { contributors: 10 })).warnings.length, 0);
});

test('preview: what more rounds would cost, without recording', () => {
  const acc = new PrivacyAccountant({ sessionId: 's', budget: { epsilon: 5, delta: 1e-6 }, minHonest: 1 });
  acc.record(gauss(1));
  const p = acc.preview(gauss(2), 50);
  assert.equal(acc.releases.length, 1);
  assert.equal(p.releases, 51);
  assert.ok(Math.abs(p.rho - 51 * 0.02) < 1e-12);
  assert.equal(p.withinBudget, p.epsilon <= 5);
});

test('serialize → restore is exact; corrupted, mismatched or foreign states are refused', async () => {
  const acc = new PrivacyAccountant({ sessionId: 'sess-42', budget: { epsilon: 10, delta: 1e-5 }, minHonest: 3 });
  acc.record(gauss(1, { scale: 7.123456789 }));
  acc.record(laplace(2, { l1Sensitivity: 0.1, scale: 0.3 }));
  const json = await acc.serialize();
  const back = await PrivacyAccountant.restore(json, { sessionId: 'sess-42' });
  assert.deepEqual(back.releases, acc.releases);
  assert.deepEqual(back.spent(), acc.spent());
  assert.deepEqual(back.budget, acc.budget);
  const refuse = async (text: string, opts = {}) => assert.rejects(PrivacyAccountant.restore(text, opts), (e) => isShardwireError(e, 'E_BAD_STATE'));
  await refuse(json.replace('7.123456789', '71.23456789'));
  await refuse(json.replace('"epsilon":10', '"epsilon":100'));
  await refuse(json.replace('"version":1', '"version":2'));
  await refuse(json.slice(0, -5));
  await refuse('[]');
  await refuse(json, { sessionId: 'other' });
  const o = JSON.parse(json);
  o.releases.pop();
  await refuse(JSON.stringify(o), {});
  // keyed: only the key holder can write a state that restores
  const key = new Uint8Array(32).fill(9);
  const keyed = await acc.serialize(key);
  assert.deepEqual((await PrivacyAccountant.restore(keyed, { key })).spent(), acc.spent());
  await refuse(keyed);
  await refuse(keyed, { key: new Uint8Array(32).fill(8) });
});

test('bad options and releases: E_BAD_DP_CONFIG', () => {
  const bad = [
    { sessionId: '', budget: { epsilon: 1, delta: 0 }, minHonest: 1 },
    { sessionId: 's', budget: { epsilon: 0, delta: 0 }, minHonest: 1 },
    { sessionId: 's', budget: { epsilon: 1, delta: 1 }, minHonest: 1 },
    { sessionId: 's', budget: { epsilon: 1, delta: 0 }, minHonest: 0 },
  ];
  for (const o of bad) assert.throws(() => new PrivacyAccountant(o), (e) => isShardwireError(e, 'E_BAD_DP_CONFIG'));
  const acc = new PrivacyAccountant({ sessionId: 's', budget: { epsilon: 1, delta: 1e-6 }, minHonest: 1 });
  for (const r of [gauss(1, { scale: 0 }), gauss(1, { l2Sensitivity: undefined }), laplace(1, { mode: 'distributed' }), gauss(-1), gauss(1, { contributors: 0 }), gauss(1, { dimension: 1.5 })]) {
    assert.throws(() => acc.record(r), (e) => isShardwireError(e, 'E_BAD_DP_CONFIG'), JSON.stringify(r));
  }
});
