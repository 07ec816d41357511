/**
 * Dropouts over a real relay, in both threat modes. The law (fast-check over random schedules of
 * who leaves in which phase, n ≤ 14, shards and threshold varied): a round either releases
 * exactly the sum of the inputs of the contributors it names — at least minClients of them, all of
 * whom sent a partial — or fails with a typed error; never a wrong release. And the liveness that
 * double masking buys: a dropout in any single phase is survived. Late partials are refused.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { world, baseConfig, kernelPromise, delayFrames } from './sdk-harness.ts';
import { startRelay } from '../../src/relay/index.ts';
import { isShardwireError } from '../../src/errors.ts';
import type { Client } from '../../src/client/client.ts';
import type { ParticipantPhase } from '../../src/secagg/participant-context.ts';

/** When a client leaves: never contributes, or closes on reaching a phase. */
type Fate = 'stays' | 'absent' | ParticipantPhase;
const LEAVING: Fate[] = ['absent', 'open', 'joined', 'shared', 'sent', 'signed', 'recover'];
/** Phases that exist only under double masking. */
const MASKING_ONLY: Fate[] = ['joined', 'shared', 'signed'];
/** Fates whose client has sent its partial before leaving. */
const SENT: Fate[] = ['stays', 'sent', 'signed', 'recover'];
const TYPED = ['E_TOO_FEW_CONTRIBUTORS', 'E_TIMEOUT', 'E_BAD_SHARE'];

async function exactSum(inputs: Float64Array[]): Promise<Float64Array> {
  const k = await kernelPromise;
  return k.decode(k.ringSum(inputs.map((x) => k.encode(x, { exponent: 6, ring: 64, rounding: 'half-even' }))), { exponent: 6 });
}

function contribute(c: Client, x: Float64Array, fate: Fate): Promise<unknown> {
  if (fate === 'absent') return Promise.resolve();
  if (fate !== 'stays') c.on('progress', (p) => p.phase === fate && c.close());
  return c.aggregate(x).catch(() => undefined);
}

const inputsFor = (n: number, dim: number) => Array.from({ length: n }, (_, i) => Float64Array.from({ length: dim }, (_, e) => ((i * 31 + e * 17) % 200 - 100) / 100));

const timeouts = { joinMs: 5000, shareMs: 1500, roundMs: 1500, revealMs: 1500 };

for (const threat of ['malicious-coordinator', 'honest-coordinator'] as const) {
  test(`${threat}: random dropout schedules release the exact sum of the named contributors or nothing`, async () => {
    const relay = await startRelay({ port: 0, logLevel: 'silent' });
    try {
      await fc.assert(
        fc.asyncProperty(
          fc.integer({ min: 2, max: 14 }).chain((n) => fc.record({
            n: fc.constant(n),
            minClients: fc.integer({ min: 2, max: n }),
            shards: fc.constantFrom(0, 2, 3, 5).filter((s) => s <= n),
            threshold: fc.option(fc.integer({ min: 1, max: 8 }), { nil: undefined }),
            fates: fc.array(fc.constantFrom<Fate>('stays', 'stays', 'stays', ...LEAVING.filter((f) => threat === 'malicious-coordinator' || !MASKING_ONLY.includes(f))), { minLength: n, maxLength: n }),
          })),
          async ({ n, minClients, shards, threshold, fates }) => {
            const config = baseConfig({ minClients, threat, smpc: { shards, exponent: 6 }, timeouts, ...(threat === 'malicious-coordinator' && threshold ? { threshold } : {}) });
            const w = await world(n, config, undefined, relay);
            try {
              const dim = 9;
              const inputs = inputsFor(n, dim);
              const calls = w.clients.map((c, i) => contribute(c, inputs[i], fates[i]));
              const outcome = await w.coordinator.runRound({ dim }).then((r) => r, (e: Error) => e);
              await Promise.all(calls);
              if (outcome instanceof Error) {
                assert.ok(TYPED.some((code) => isShardwireError(outcome, code as never)), `a typed failure, got ${String(outcome)}`);
                assert.ok(fates.some((f) => f !== 'stays'), 'a round without dropouts must release');
                return;
              }
              const named = outcome.report.contributors.map((id) => w.identities.findIndex((x) => x.id === id));
              assert.ok(named.length >= minClients);
              for (const i of named) assert.ok(SENT.includes(fates[i]), `contributor ${i} (${fates[i]}) never sent a partial`);
              assert.deepEqual(outcome.aggregate, await exactSum(named.map((i) => inputs[i])));
              if (fates.every((f) => f === 'stays')) assert.equal(named.length, n);
            } finally {
              await w.close();
            }
          },
        ),
        { numRuns: 20 },
      );
    } finally {
      await relay.close();
    }
  });
}

for (const fate of LEAVING) {
  test(`malicious-coordinator: one participant leaving at '${fate}' is survived (n = 6, shards 3)`, async () => {
    const n = 6;
    const w = await world(n, baseConfig({ minClients: 4, smpc: { shards: 3, exponent: 6 }, timeouts }));
    try {
      const inputs = inputsFor(n, 5);
      const fates: Fate[] = inputs.map((_, i) => (i === 0 ? fate : 'stays'));
      const calls = w.clients.map((c, i) => contribute(c, inputs[i], fates[i]));
      const { aggregate, report } = await w.coordinator.runRound({ dim: 5 });
      await Promise.all(calls);
      const expected = SENT.includes(fate) ? inputs.map((_, i) => i) : inputs.map((_, i) => i).filter((i) => i !== 0);
      assert.deepEqual([...report.contributors].sort(), expected.map((i) => w.identities[i].id).sort());
      assert.deepEqual(aggregate, await exactSum(expected.map((i) => inputs[i])));
    } finally {
      await w.close();
    }
  });
}

test('fewer than minClients contributors: E_TOO_FEW_CONTRIBUTORS, and the clients learn the round was aborted', async () => {
  for (const threat of ['malicious-coordinator', 'honest-coordinator'] as const) {
    const w = await world(3, baseConfig({ threat, minClients: 3, timeouts: { joinMs: 5000, shareMs: 500, roundMs: 500, revealMs: 500 } }));
    try {
      const calls = w.clients.slice(0, 2).map((c) => c.aggregate(Float64Array.from([1]), { timeoutMs: 3000 }));
      await assert.rejects(w.coordinator.runRound({ dim: 1, broadcast: true }), (e) => isShardwireError(e, 'E_TOO_FEW_CONTRIBUTORS'));
      for (const r of await Promise.allSettled(calls)) {
        assert.equal(r.status, 'rejected');
        assert.ok(isShardwireError((r as PromiseRejectedResult).reason, 'E_TOO_FEW_CONTRIBUTORS'), String((r as PromiseRejectedResult).reason));
      }
    } finally {
      await w.close();
    }
  }
});

test('bufferSize: the round closes once K partials arrived; the rest are dropped and told so', async () => {
  for (const threat of ['malicious-coordinator', 'honest-coordinator'] as const) {
    const w = await world(5, baseConfig({ threat, minClients: 2, smpc: { shards: 0, exponent: 6 }, timeouts }));
    try {
      const inputs = inputsFor(5, 3);
      // the last two take part but their partials travel a slow link
      for (const c of w.clients.slice(3)) delayFrames(c, ['partial.begin', 'partial'], 600);
      const calls = w.clients.map((c, i) => c.aggregate(inputs[i]).then(() => 'released', (e: unknown) => e));
      const t0 = performance.now();
      const { aggregate, report } = await w.coordinator.runRound({ dim: 3, bufferSize: 3 });
      assert.ok(performance.now() - t0 < 1400, 'closed at 3 partials, not at the timeout');
      assert.deepEqual([...report.contributors].sort(), w.identities.slice(0, 3).map((x) => x.id).sort());
      assert.deepEqual(aggregate, await exactSum([0, 1, 2].map((i) => inputs[i])));
      const results = await Promise.all(calls);
      assert.deepEqual(results.slice(0, 3), ['released', 'released', 'released']);
      for (const r of results.slice(3)) assert.ok(isShardwireError(r, 'E_DROPPED'), `the late contributions are not released and their clients are told: ${String(r)}`);
    } finally {
      await w.close();
    }
  }
});
