/**
 * A differentially private round end to end: the released error matches the configured noise
 * (std within a tolerance derived from the sample size), ε accumulates in the report, the
 * session budget is enforced before anyone is asked, and the accountant survives a restart.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { world } from './sdk-harness.ts';
import { isShardwireError } from '../../src/errors.ts';
import { PrivacyAccountant } from '../../src/dp/accountant.ts';

const dpConfig = (noisetype: 'gauss' | 'laplace', budget: number, mode: 'local' | 'distributed' = 'local', ring: 'auto' | 64 = 'auto') => ({
  ring,
  smpc: { shards: 3, exponent: 4 },
  minClients: 4,
  dp: { noisetype, epsilon: 1, delta: noisetype === 'gauss' ? 1e-5 : 0, clippingVal: 1, mode },
  privacyBudget: { epsilon: budget, delta: noisetype === 'gauss' ? 1e-4 : 0 },
  timeouts: { joinMs: 5000, shareMs: 5000, roundMs: 5000, revealMs: 2000 },
});

for (const [noisetype, mode, ring] of [['gauss', 'local', 'auto'], ['gauss', 'distributed', 64], ['laplace', 'local', 64]] as const) {
  test(`DP round (${noisetype}, ${mode}, ring ${ring}): error std matches the expected noise std; ε is reported`, async () => {
    const w = await world(6, dpConfig(noisetype, 100, mode, ring));
    try {
      const dim = 3000;
      const inputs = w.clients.map((_, i) => Float64Array.from({ length: dim }, (_, e) => ((i * 13 + e * 7) % 11) / 1e4)); // ‖x‖ < 1: unclipped
      const exact = new Float64Array(dim);
      for (const x of inputs) x.forEach((v, e) => (exact[e] += v));
      const calls = w.clients.map((c, i) => c.aggregate(inputs[i]));
      const { aggregate, report } = await w.coordinator.runRound({ dim });
      await Promise.all(calls);
      const err = Array.from(aggregate, (v, e) => v - exact[e]);
      const mean = err.reduce((s, v) => s + v, 0) / dim;
      const std = Math.sqrt(err.reduce((s, v) => s + (v - mean) ** 2, 0) / (dim - 1));
      const expected = report.dp!.expectedNoiseStd;
      // the sample std of n draws has relative sd ≈ √((κ−1)/4n) (κ = kurtosis, 6 for Laplace sums ≤ 6): 6 sd margin
      const rel = 6 * Math.sqrt(5 / (4 * dim));
      assert.ok(Math.abs(std / expected - 1) < rel, `observed std ${std}, expected ${expected} (±${(rel * 100).toFixed(1)}%)`);
      assert.ok(Math.abs(mean) < (6 * expected) / Math.sqrt(dim), `mean error ${mean}`);
      assert.ok(report.dp!.epsilonRound > 0 && report.dp!.epsilonRound <= report.dp!.epsilonTotal);
      assert.equal(report.dp!.mechanism, noisetype);
    } finally {
      await w.close();
    }
  });
}

test('the session budget is enforced before a round is opened, and the accountant restores exactly', async () => {
  const w = await world(4, dpConfig('gauss', 2.5));
  try {
    const spent: number[] = [];
    for (let r = 0; r < 10; r++) {
      const calls = w.clients.map((c) => c.aggregate(new Float64Array(5), { timeoutMs: 2000 }).catch((e) => e));
      const outcome = await w.coordinator.runRound({ dim: 5 }).catch((e) => e);
      await Promise.all(calls);
      if (outcome instanceof Error) {
        assert.ok(isShardwireError(outcome, 'E_BUDGET_EXHAUSTED'), String(outcome));
        break;
      }
      spent.push(outcome.report.dp.epsilonTotal);
    }
    assert.ok(spent.length >= 1 && spent.length < 10, `rounds released: ${spent.length}`);
    for (let i = 1; i < spent.length; i++) assert.ok(spent[i] > spent[i - 1]);
    assert.ok(spent[spent.length - 1] <= 2.5);
    const saved = (await w.coordinator.saveAccountant())!;
    const restored = await PrivacyAccountant.restore(saved, { sessionId: w.coordinator.channel.keyring.sessionId });
    assert.equal(restored.spent().epsilon, w.coordinator.accountant!.spent().epsilon);
    await assert.rejects(PrivacyAccountant.restore(saved.replace(/"round":1/, '"round":7'), {}), (e) => isShardwireError(e, 'E_BAD_STATE'));
  } finally {
    await w.close();
  }
});
