/**
 * Real model sizes end to end (`npm run test:slow`): one round at d = 10^7 and one at d = 10^8,
 * n = 3, ring 32, double masking, default relay limits, in one process. Each partial streams in
 * 1 MiB chunks; the coordinator keeps one sum and one staging vector per partial in flight. The
 * aggregate is checked exactly against the closed-form sum; the process's peak RSS is printed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { world, baseConfig } from '../integration/sdk-harness.ts';

const timeouts = { joinMs: 60_000, shareMs: 60_000, roundMs: 600_000, revealMs: 60_000 };

function input(i: number, dim: number): Float64Array {
  const x = new Float64Array(dim);
  for (let e = 0; e < dim; e++) x[e] = ((e * 7 + i) % 1000) / 100;
  return x;
}

for (const dim of [10_000_000, 100_000_000]) {
  test(`d = ${dim.toExponential(0)}, n = 3: exact sum through streamed partials`, async () => {
    const w = await world(3, baseConfig({ ring: 32, smpc: { shards: 3, exponent: 4 }, clip: { norm: 'linf', bound: 10 }, timeouts }));
    try {
      const t0 = performance.now();
      const calls = w.clients.map((c, i) => c.aggregate(input(i, dim)));
      const { aggregate, report } = await w.coordinator.runRound({ dim });
      await Promise.all(calls);
      const s = (performance.now() - t0) / 1000;
      assert.equal(report.contributors.length, 3);
      for (let e = 0; e < dim; e++) {
        const want = (((e * 7) % 1000) + ((e * 7 + 1) % 1000) + ((e * 7 + 2) % 1000)) / 100;
        if (Math.abs(aggregate[e] - want) > 1e-6) assert.fail(`element ${e}: ${aggregate[e]} ≠ ${want}`);
      }
      console.log(JSON.stringify({ test: 'stream-large', d: dim, n: 3, round_s: Number(s.toFixed(2)), coordinator_compute_s: Number((report.timings.computeMs / 1000).toFixed(3)), process_peak_rss_mb: Math.round(process.resourceUsage().maxRSS / 1024) }));
    } finally {
      await w.close();
    }
  });
}
