/**
 * Statistics and weighted means in DP sessions end to end: each release is calibrated for its own
 * sensitivity (stats/noise.ts), charged to the accountant exactly once, and its error matches the
 * reported noise std. Noise comes from the CSPRNG, so no fixed seed: the checks are bounds whose
 * failure probability is stated next to each (all below 1e-9), and the hard bound of the tail clamp.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { world } from './sdk-harness.ts';
import { isShardwireError } from '../../src/errors.ts';

const dpConfig = (noisetype: 'gauss' | 'laplace', neighbouring: 'add-remove' | 'replace' = 'add-remove', mode: 'local' | 'distributed' = 'local') => ({
  ring: 64,
  smpc: { shards: 3, exponent: 3 },
  minClients: 4,
  maxWeight: 2,
  dp: { noisetype, epsilon: 1, delta: noisetype === 'gauss' ? 1e-5 : 0, clippingVal: 1, mode, neighbouring },
  privacyBudget: { epsilon: 1000, delta: noisetype === 'gauss' ? 1e-4 : 0 },
  timeouts: { joinMs: 5000, shareMs: 5000, roundMs: 5000, revealMs: 2000 },
});

/** Sample std of the errors vs the expected std: relative sd of a sample std ≈ √((κ−1)/4n), 6 sd (P < 1e-9). */
function assertStd(err: number[], expected: number, label: string): void {
  const n = err.length;
  const mean = err.reduce((s, v) => s + v, 0) / n;
  const std = Math.sqrt(err.reduce((s, v) => s + (v - mean) ** 2, 0) / (n - 1));
  const rel = 6 * Math.sqrt(5 / (4 * n));
  assert.ok(Math.abs(std / expected - 1) < rel, `${label}: observed std ${std}, expected ${expected} (±${(rel * 100).toFixed(1)}%)`);
  assert.ok(Math.abs(mean) < (6 * expected) / Math.sqrt(n), `${label}: mean error ${mean}`);
}

for (const [noisetype, mode] of [['gauss', 'local'], ['gauss', 'distributed'], ['laplace', 'local']] as const) {
  test(`DP histogram and count (${noisetype}, ${mode}): errors match the reported std; one accountant record per release`, async () => {
    const w = await world(5, dpConfig(noisetype, 'add-remove', mode));
    try {
      const edges = Array.from({ length: 1999 }, (_, i) => i); // 2000 buckets of one column
      const rows = w.clients.map((_, i) => Array.from({ length: 40 }, (_, r) => Float64Array.of((i * 37 + r * 11) % 2000)));
      const exact = new Array(2000).fill(0);
      for (const rs of rows) for (const r of rs) exact[edges.filter((e) => e <= r[0]).length]++;
      const before = w.coordinator.accountant!.releases.length;
      let calls = w.clients.map((c, i) => c.contributeRecords(rows[i]));
      const h = await w.coordinator.runStatistic({ operation: 'histogram', dim: 1, edges, maxRecords: 40 });
      await Promise.all(calls);
      const releases = w.coordinator.accountant!.releases;
      assert.equal(releases.length, before + 1);
      const last = releases[releases.length - 1];
      assert.equal(noisetype === 'gauss' ? last.l2Sensitivity : last.l1Sensitivity, 1); // one record moves one count of its one column
      assert.equal(last.dimension, 2000);
      assertStd(Array.from(h.statistic.counts, (v, b) => v - exact[b]), h.report.dp!.expectedNoiseStd, 'histogram');
      // count: one value; 12 reported std: P < 1e-30 for a sum of discrete Gaussians, < e^-(12·√2) ≈ 4e-8 for Laplace sums
      calls = w.clients.map((c, i) => c.contributeRecords(rows[i]));
      const n = await w.coordinator.runStatistic({ operation: 'count', maxRecords: 40 });
      await Promise.all(calls);
      assert.equal(w.coordinator.accountant!.releases.length, before + 2);
      assert.ok(Math.abs(n.statistic.count - 200) <= 12 * n.report.dp!.expectedNoiseStd, `count ${n.statistic.count}, std ${n.report.dp!.expectedNoiseStd}`);
      assert.ok(Number.isInteger(n.statistic.count));
    } finally {
      await w.close();
    }
  });
}

test('DP weightedMean: (x·w, w) calibrated together; the error of Σw·x matches the reported std', async () => {
  // ε = 200 keeps the noise of Σw (std ≈ 0.07) small next to Σw = 7, so the ratio's error is
  // z/Σw to within 1 % per standard deviation of the denominator's noise (15 sd inside the tolerance)
  const config = dpConfig('gauss');
  const w = await world(5, { ...config, dp: { ...config.dp, epsilon: 200 }, privacyBudget: { epsilon: 1e4, delta: 1e-4 } });
  try {
    const dim = 2000;
    const inputs = w.clients.map((_, i) => Float64Array.from({ length: dim }, (_, e) => ((i * 13 + e * 7) % 11) / 1e4)); // ‖x‖₂ < 1: unclipped
    const weights = [1, 2, 0.5, 1.5, 2];
    const num = new Float64Array(dim);
    inputs.forEach((x, i) => x.forEach((v, e) => (num[e] += v * weights[i])));
    const totalWeight = weights.reduce((a, b) => a + b, 0);
    const calls = w.clients.map((c, i) => c.aggregate(inputs[i], { weight: weights[i] }));
    const before = w.coordinator.accountant!.releases.length;
    const { aggregate, report } = await w.coordinator.runRound({ dim, operation: 'weightedMean' });
    await Promise.all(calls);
    assert.equal(w.coordinator.accountant!.releases.length, before + 1);
    const rec = w.coordinator.accountant!.releases[before];
    assert.equal(rec.l2Sensitivity, Math.ceil(Math.hypot(2000, 2000))); // a = ⌊1·2·10^3⌋, b = ⌈2·10^3⌉
    assert.equal(rec.dimension, dim + 1);
    // the weight coordinate is noisy too: compare Σw·x / Σw with the released ratio's first-order error
    const released = Array.from(aggregate, (v, e) => v - num[e] / totalWeight);
    assertStd(released, report.dp!.expectedNoiseStd / totalWeight, 'weightedMean');
  } finally {
    await w.close();
  }
});

test('DP refusals before anyone is asked: meanVariance; count under replace; weightedMean with an explicit sensitivity', async () => {
  const w = await world(4, dpConfig('gauss', 'replace'));
  try {
    let progress = 0;
    w.coordinator.on('progress', () => progress++);
    await assert.rejects(w.coordinator.runStatistic({ operation: 'meanVariance', dim: 1, maxRecords: 5 }), (e) => isShardwireError(e, 'E_UNSUPPORTED'));
    await assert.rejects(w.coordinator.runStatistic({ operation: 'count', maxRecords: 5 }), (e) => isShardwireError(e, 'E_UNSUPPORTED') && /replace/.test(e.message));
    assert.equal(progress, 0);
    assert.equal(w.coordinator.accountant!.releases.length, 0);
  } finally {
    await w.close();
  }
  const w2 = await world(4, { ...dpConfig('gauss'), dp: { ...dpConfig('gauss').dp, sensitivity: 3 } });
  try {
    await assert.rejects(w2.coordinator.runRound({ dim: 2, operation: 'weightedMean' }), (e) => isShardwireError(e, 'E_UNSUPPORTED'));
  } finally {
    await w2.close();
  }
});
