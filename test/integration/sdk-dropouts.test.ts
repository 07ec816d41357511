/**
 * Dropouts over a real relay: random schedules of who drops in which phase (fast-check, n ≤ 20).
 * Whenever at least minClients survive and the recovery can complete, the released aggregate
 * equals the exact sum of the survivors; otherwise nothing is released and every caller gets a
 * typed error. Late partials from the committed dropped set are refused.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { world, baseConfig, kernelPromise } from './sdk-harness.ts';
import { startRelay } from '../../src/relay/index.ts';
import { isShardwireError } from '../../src/errors.ts';

type Fate = 'stays' | 'drops-after-open' | 'drops-after-partial';

async function exactSum(inputs: Float64Array[]): Promise<Float64Array> {
  const k = await kernelPromise;
  return k.decode(k.ringSum(inputs.map((x) => k.encode(x, { exponent: 6, ring: 64, rounding: 'half-even' }))), { exponent: 6 });
}

test('random dropout schedules: exact survivor sum or nothing released', async () => {
  const relay = await startRelay({ port: 0, logLevel: 'silent' });
  try {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 2, max: 20 }).chain((n) => fc.record({
          n: fc.constant(n),
          minClients: fc.integer({ min: 2, max: n }),
          shards: fc.constantFrom(0, 2, 3, 5).filter((s) => s <= n),
          fates: fc.array(fc.constantFrom<Fate>('stays', 'stays', 'drops-after-open', 'drops-after-partial'), { minLength: n, maxLength: n }),
        })),
        async ({ n, minClients, shards, fates }) => {
          const w = await world(n, baseConfig({ minClients, smpc: { shards, exponent: 6 }, timeouts: { joinMs: 5000, roundMs: 3000, revealMs: 1500 } }), undefined, relay);
          try {
            const dim = 9;
            const inputs = w.clients.map((_, i) => Float64Array.from({ length: dim }, (_, e) => ((i * 31 + e * 17) % 200 - 100) / 100));
            const calls = w.clients.map((c, i) => {
              if (fates[i] === 'drops-after-open') {
                c.on('progress', (p) => p.phase === 'open' && c.close());
                return c.aggregate(inputs[i]).catch(() => undefined);
              }
              if (fates[i] === 'drops-after-partial') c.on('progress', (p) => p.phase === 'sent' && c.close());
              return c.aggregate(inputs[i]).catch(() => undefined);
            });
            const survivors = fates.map((f, i) => (f === 'drops-after-open' ? -1 : i)).filter((i) => i >= 0);
            const droppedCount = n - survivors.length;
            const leavers = fates.includes('drops-after-partial');
            const shouldRelease = survivors.length >= minClients && (droppedCount === 0 || !leavers);
            const outcome = await w.coordinator.runRound({ dim }).then((r) => r, (e) => e);
            await Promise.all(calls);
            if (shouldRelease) {
              assert.ok(!(outcome instanceof Error), `expected a release, got ${outcome}`);
              assert.deepEqual(outcome.aggregate, await exactSum(survivors.map((i) => inputs[i])));
              assert.deepEqual([...outcome.report.contributors].sort(), survivors.map((i) => w.identities[i].id).sort());
            } else {
              assert.ok(isShardwireError(outcome, 'E_TOO_FEW_CONTRIBUTORS') || isShardwireError(outcome, 'E_TIMEOUT'), `expected nothing released, got ${outcome?.code ?? 'a release'}`);
            }
          } finally {
            await w.close();
          }
        },
      ),
      { numRuns: 25 },
    );
  } finally {
    await relay.close();
  }
});

test('a late partial from the committed dropped set is refused with E_REPLAY; the survivors\' sum is released', async () => {
  const w = await world(4, baseConfig({ timeouts: { joinMs: 5000, roundMs: 600, revealMs: 2000 } }));
  try {
    const refused: string[] = [];
    w.coordinator.on('refused', (r) => refused.push(r.error.code));
    const inputs = w.clients.map((_, i) => Float64Array.from([i + 1, 1]));
    const late = w.clients[3];
    const calls = w.clients.slice(0, 3).map((c, i) => c.aggregate(inputs[i]));
    const round = w.coordinator.runRound({ dim: 2 });
    // the late client answers only after the collection timeout committed it as dropped
    await new Promise((r) => setTimeout(r, 900));
    const lateCall = late.aggregate(inputs[3]).catch((e) => e);
    const { aggregate, report } = await round;
    await Promise.all(calls);
    await lateCall;
    await new Promise((r) => setTimeout(r, 100));
    assert.deepEqual([...aggregate], [6, 3]);
    assert.deepEqual(report.dropped, [w.identities[3].id]);
    assert.ok(refused.includes('E_REPLAY'), `refusals: ${refused.join(',')}`);
  } finally {
    await w.close();
  }
});

test('fewer than minClients contributors: E_TOO_FEW_CONTRIBUTORS, and the clients learn the round was aborted', async () => {
  const w = await world(3, baseConfig({ minClients: 3, timeouts: { joinMs: 5000, roundMs: 500, revealMs: 500 } }));
  try {
    const calls = w.clients.slice(0, 2).map((c) => c.aggregate(Float64Array.from([1]), { timeoutMs: 3000 }));
    await assert.rejects(w.coordinator.runRound({ dim: 1, broadcast: true }), (e) => isShardwireError(e, 'E_TOO_FEW_CONTRIBUTORS'));
    for (const r of await Promise.allSettled(calls)) {
      assert.equal(r.status, 'rejected');
      assert.ok(isShardwireError((r as PromiseRejectedResult).reason, 'E_TOO_FEW_CONTRIBUTORS'));
    }
  } finally {
    await w.close();
  }
});
