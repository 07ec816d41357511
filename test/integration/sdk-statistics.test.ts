/**
 * Statistics rounds end to end through the relay (count, meanVariance, histogram): the released
 * statistic equals the plain computation over all records exactly (fixed-point integers), with
 * dropouts, broadcast to participants; refusals happen before anyone sends.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { baseConfig, world } from './sdk-harness.ts';
import { isShardwireError } from '../../src/errors.ts';

const rowsOf = (values: number[][]) => values.map((r) => Float64Array.from(r));

/** Plain sums of the half-even fixed-point encodings (inputs on the grid, |x| ≤ bound). */
function plainMoments(all: number[][], dim: number, exponent: number) {
  const S = 10 ** exponent;
  const sum = Array.from({ length: dim }, () => 0n);
  const sumSquares = Array.from({ length: dim }, () => 0n);
  for (const r of all) r.forEach((x, j) => {
    const q = BigInt(Math.round(x * S));
    sum[j] += q;
    sumSquares[j] += q * q;
  });
  return { sum, sumSquares };
}

test('meanVariance, count and histogram over the records of 4 clients, both threat modes, broadcast', async () => {
  for (const threat of ['malicious-coordinator', 'honest-coordinator'] as const) {
    const w = await world(4, baseConfig({ threat }));
    try {
      const data = [
        [[1.5, -2], [0.25, 4], [3, 3]],
        [[-1, 0.5]],
        [[2, 2], [2, -2]],
        [],
      ];
      const dim = 2;
      // meanVariance
      let calls = w.clients.map((c, i) => c.contributeRecords(rowsOf(data[i])));
      const mv = await w.coordinator.runStatistic({ operation: 'meanVariance', dim, maxRecords: 5, broadcast: true });
      const results = await Promise.all(calls);
      const all = data.flat();
      const { sum, sumSquares } = plainMoments(all, dim, 6);
      assert.equal(mv.statistic.count, all.length);
      assert.deepEqual([...mv.statistic.sums!.sum], sum);
      assert.deepEqual([...mv.statistic.sums!.sumSquares], sumSquares);
      for (let j = 0; j < dim; j++) {
        const xs = all.map((r) => r[j]);
        const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
        const variance = xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (xs.length - 1);
        assert.ok(Math.abs(mv.statistic.mean[j] - mean) <= 1e-12, `mean ${mv.statistic.mean[j]} vs ${mean}`);
        assert.ok(Math.abs(mv.statistic.variance[j] - variance) <= 1e-12, `variance ${mv.statistic.variance[j]} vs ${variance}`);
      }
      for (const r of results) {
        assert.equal(r.statistic?.operation, 'meanVariance');
        assert.deepEqual(r.statistic && 'mean' in r.statistic ? [...r.statistic.mean] : [], [...mv.statistic.mean]);
      }
      // count (a count reads no values: { rows } is enough)
      calls = w.clients.map((c, i) => c.contributeRecords(i === 0 ? { rows: 7 } : rowsOf(data[i])));
      const count = await w.coordinator.runStatistic({ operation: 'count', maxRecords: 10 });
      await Promise.all(calls);
      assert.equal(count.statistic.count, 7 + 1 + 2 + 0);
      // histogram over 2 columns, edges pinned by client 0
      const edges = [0, 1, 2.5];
      calls = w.clients.map((c, i) => c.contributeRecords(rowsOf(data[i]), i === 0 ? { edges } : {}));
      const h = await w.coordinator.runStatistic({ operation: 'histogram', dim, edges, maxRecords: 3 });
      await Promise.all(calls);
      const expected = new Array(dim * 4).fill(0);
      for (const r of all) r.forEach((x, j) => (expected[j * 4 + edges.filter((e) => e <= x).length] += 1));
      assert.deepEqual([...h.statistic.counts], expected);
      assert.equal(h.statistic.buckets, 4);
      assert.equal(h.report.operation, 'histogram');
    } finally {
      await w.close();
    }
  }
});

test('refusals: maxRecords missing or too small for the records, wrong width, other edges, vector calls', async () => {
  const w = await world(3);
  try {
    await assert.rejects(w.coordinator.runStatistic({ operation: 'meanVariance', dim: 2 } as never), (e) => isShardwireError(e) && e.code === 'E_BAD_ARGUMENT');
    await assert.rejects(w.coordinator.runStatistic({ operation: 'histogram', dim: 1, maxRecords: 2, edges: [1, 1] }), (e) => isShardwireError(e) && e.code === 'E_BAD_ARGUMENT');
    await assert.rejects(w.coordinator.runRound({ dim: 2, maxRecords: 3 }), (e) => isShardwireError(e) && e.code === 'E_BAD_ARGUMENT');
    // a client with too many records, too wide rows, or other edges is refused; the round stays open for a corrected call
    const round = w.coordinator.runStatistic({ operation: 'histogram', dim: 1, edges: [0], maxRecords: 2, timeoutMs: 3000 });
    const c0 = w.clients[0];
    await assert.rejects(c0.contributeRecords(rowsOf([[1], [2], [3]])), (e) => isShardwireError(e) && e.code === 'E_BAD_ARGUMENT');
    await assert.rejects(c0.contributeRecords(rowsOf([[1, 2]])), (e) => isShardwireError(e) && e.code === 'E_BAD_VECTOR');
    await assert.rejects(c0.contributeRecords(rowsOf([[1]]), { edges: [1] }), (e) => isShardwireError(e) && e.code === 'E_INCONSISTENT');
    await assert.rejects(c0.aggregate(Float64Array.of(1)), (e) => isShardwireError(e) && e.code === 'E_BAD_ARGUMENT');
    const calls = w.clients.map((c, i) => c.contributeRecords(rowsOf(i === 0 ? [[-1], [1]] : [[0.5]])));
    const { statistic } = await round;
    await Promise.all(calls);
    assert.deepEqual([...statistic.counts], [1, 3]);
  } finally {
    await w.close();
  }
});

test('overflow is refused before anyone is asked, naming the largest maxRecords that fits', async () => {
  const w = await world(3, baseConfig({ ring: 32, smpc: { shards: 3, exponent: 3 } }));
  try {
    let sent = 0;
    w.coordinator.on('progress', () => sent++);
    await assert.rejects(w.coordinator.runStatistic({ operation: 'meanVariance', dim: 1, maxRecords: 100 }), (e) => {
      assert.ok(isShardwireError(e) && e.code === 'E_RING_OVERFLOW', String(e));
      // 3 clients × R × (10·10^3)² ≤ 2^31 − 1 → R ≤ 7
      assert.equal(e.details.maxRecords, 7);
      return true;
    });
    assert.equal(sent, 0);
  } finally {
    await w.close();
  }
});

test('a client that does not contribute is left out: the statistic is over the survivors\' records, exactly', async () => {
  for (const threat of ['malicious-coordinator', 'honest-coordinator'] as const) {
    const w = await world(4, baseConfig({ threat }));
    try {
      const data = [[[1, 2]], [[3, 4], [5, 6]], [[7, 8]], [[100, 100]]];
      // client 3 never calls contributeRecords; the others' rounds complete without it
      const calls = w.clients.slice(0, 3).map((c, i) => c.contributeRecords(rowsOf(data[i])));
      const { statistic, report } = await w.coordinator.runStatistic({ operation: 'meanVariance', dim: 2, maxRecords: 2, timeoutMs: 1500 });
      await Promise.all(calls);
      assert.equal(report.contributors.length, 3);
      assert.equal(statistic.count, 4);
      assert.deepEqual([...statistic.mean], [4, 5]);
      assert.deepEqual([...statistic.variance], [20 / 3, 20 / 3]);
    } finally {
      await w.close();
    }
  }
});
