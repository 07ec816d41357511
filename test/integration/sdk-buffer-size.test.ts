/**
 * bufferSize when participants are slow before they contribute (slow training, not a slow link):
 * under double masking the join phase closes at K joined, so the round does not wait for the
 * share timeout; a join that comes later gets E_DROPPED; a participant that never called
 * aggregate() contributes to the next round.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { world, baseConfig, kernelPromise, delayFrames } from './sdk-harness.ts';
import { isShardwireError } from '../../src/errors.ts';

const timeouts = { joinMs: 5000, shareMs: 20_000, roundMs: 20_000, revealMs: 5000 };

async function exactSum(inputs: Float64Array[]): Promise<Float64Array> {
  const k = await kernelPromise;
  return k.decode(k.ringSum(inputs.map((x) => k.encode(x, { exponent: 6, ring: 64, rounding: 'half-even' }))), { exponent: 6 });
}

const inputsFor = (n: number, dim: number) => Array.from({ length: n }, (_, i) => Float64Array.from({ length: dim }, (_, e) => ((i * 31 + e * 17) % 200 - 100) / 100));

test('bufferSize closes the join phase at K joined; a later join is dropped; an absent client joins the next round', async () => {
  for (const threat of ['malicious-coordinator', 'honest-coordinator'] as const) {
    const w = await world(5, baseConfig({ threat, minClients: 2, smpc: { shards: 0, exponent: 6 }, timeouts }));
    try {
      const inputs = inputsFor(5, 4);
      // client 3 calls aggregate() but its join (or, single-masked, its partial) comes late; client 4 never calls in round 1
      delayFrames(w.clients[3], ['round.join', 'partial.begin', 'partial'], 800);
      const calls = w.clients.slice(0, 4).map((c, i) => c.aggregate(inputs[i]).then(() => 'released', (e: unknown) => e));
      const t0 = performance.now();
      const { aggregate, report } = await w.coordinator.runRound({ dim: 4, bufferSize: 3, memo: `b1-${threat}` });
      assert.ok(performance.now() - t0 < 10_000, `${threat}: closed at 3 contributions, not at the timeout`);
      assert.deepEqual([...report.contributors].sort(), w.identities.slice(0, 3).map((x) => x.id).sort());
      assert.deepEqual([...report.dropped].sort(), w.identities.slice(3).map((x) => x.id).sort());
      assert.deepEqual(aggregate, await exactSum(inputs.slice(0, 3)));
      const results = await Promise.all(calls);
      assert.deepEqual(results.slice(0, 3), ['released', 'released', 'released']);
      assert.ok(isShardwireError(results[3], 'E_DROPPED'), `${threat}: the late client is told: ${String(results[3])}`);
      // the next round: everyone; client 4 names it (a call without a memo made before the closed
      // round's result reached this client would take that round's open and get E_DROPPED)
      const next = w.clients.map((c, i) => c.aggregate(inputs[i], i === 4 ? { memo: `b2-${threat}` } : {}));
      const r2 = await w.coordinator.runRound({ dim: 4, memo: `b2-${threat}` });
      await Promise.all(next);
      assert.equal(r2.report.contributors.length, 5);
      assert.deepEqual(r2.aggregate, await exactSum(inputs));
    } finally {
      await w.close();
    }
  }
});
