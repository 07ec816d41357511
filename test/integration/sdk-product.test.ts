/**
 * The secure product over a real relay, both threat modes: exact products of the fixed-point
 * factors (zeros, negatives, values at the bound), dropouts recovered as for sums (random
 * schedules: the exact product of the named contributors or a typed failure), and the refusals.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { world, baseConfig } from './sdk-harness.ts';
import { Rogue } from './adversary-harness.ts';
import { startRelay } from '../../src/relay/index.ts';
import { isShardwireError } from '../../src/errors.ts';
import { ratioToNumber } from '../../src/dp/rounding.ts';
import type { Client } from '../../src/client/client.ts';
import type { ParticipantPhase } from '../../src/secagg/participant-context.ts';

const EXPONENT = 3;
const BOUND = 4;
const productConfig = (over: Record<string, unknown> = {}) => baseConfig({ smpc: { operation: 'multiply', shards: 0, exponent: EXPONENT }, clip: { norm: 'linf', bound: BOUND }, ...over });

/** The exact product of the half-even fixed-point encodings (inputs are on the grid: exact). */
function exactProduct(inputs: Float64Array[], j: number): bigint {
  return inputs.reduce((acc, x) => acc * BigInt(Math.round(Math.max(-BOUND, Math.min(BOUND, x[j])) * 10 ** EXPONENT)), 1n);
}

const grid = fc.integer({ min: -BOUND * 10 ** EXPONENT, max: BOUND * 10 ** EXPONENT }).map((v) => v / 10 ** EXPONENT);
const factor = fc.oneof(grid, fc.constantFrom(0, BOUND, -BOUND, 10 ** -EXPONENT, -(10 ** -EXPONENT)));

for (const threat of ['malicious-coordinator', 'honest-coordinator'] as const) {
  test(`${threat}: the product over the relay is exact (zeros, signs, bounds)`, async () => {
    const relay = await startRelay({ port: 0, logLevel: 'silent' });
    try {
      await fc.assert(
        fc.asyncProperty(fc.integer({ min: 2, max: 7 }).chain((n) => fc.array(fc.array(factor, { minLength: 6, maxLength: 6 }), { minLength: n, maxLength: n })), async (rows) => {
          const n = rows.length;
          const w = await world(n, productConfig({ threat }), undefined, relay);
          try {
            const inputs = rows.map((r) => Float64Array.from(r));
            const calls = w.clients.map((c, i) => c.aggregate(inputs[i]));
            const { aggregate, product, report } = await w.coordinator.runRound({ dim: 6, broadcast: true });
            const results = await Promise.all(calls);
            assert.equal(report.operation, 'multiply');
            assert.equal(product!.scaleExponent, EXPONENT * n);
            for (let j = 0; j < 6; j++) {
              const want = exactProduct(inputs, j);
              assert.equal(product!.exact[j], want, `element ${j}`);
              assert.equal(aggregate[j], ratioToNumber(want, 10n ** BigInt(EXPONENT * n))); // the nearest double (tested in props)
            }
            for (const r of results) assert.deepEqual(r.aggregate, aggregate);
          } finally {
            await w.close();
          }
        }),
        { numRuns: 6 },
      );
    } finally {
      await relay.close();
    }
  });
}

type Fate = 'stays' | 'absent' | ParticipantPhase;
const SENT: Fate[] = ['stays', 'sent', 'signed', 'recover'];
function contribute(c: Client, x: Float64Array, fate: Fate): Promise<unknown> {
  if (fate === 'absent') return Promise.resolve();
  if (fate !== 'stays') c.on('progress', (p) => p.phase === fate && c.close());
  return c.aggregate(x).catch(() => undefined);
}

for (const threat of ['malicious-coordinator', 'honest-coordinator'] as const) {
  test(`${threat}: random dropouts release the exact product of the named contributors or nothing`, async () => {
    const relay = await startRelay({ port: 0, logLevel: 'silent' });
    const leaving: Fate[] = threat === 'malicious-coordinator' ? ['absent', 'open', 'joined', 'shared', 'sent', 'signed', 'recover'] : ['absent', 'open', 'sent', 'recover'];
    try {
      await fc.assert(
        fc.asyncProperty(
          fc.integer({ min: 3, max: 9 }).chain((n) => fc.record({
            fates: fc.array(fc.constantFrom<Fate>('stays', 'stays', 'stays', ...leaving), { minLength: n, maxLength: n }),
            rows: fc.array(fc.array(factor, { minLength: 3, maxLength: 3 }), { minLength: n, maxLength: n }),
            shards: fc.constantFrom(0, 3),
          })),
          async ({ fates, rows, shards }) => {
            const n = rows.length;
            const timeouts = { joinMs: 5000, shareMs: 1500, roundMs: 1500, revealMs: 1500 };
            const w = await world(n, productConfig({ threat, minClients: 2, timeouts, smpc: { operation: 'multiply', shards, exponent: EXPONENT } }), undefined, relay);
            try {
              const inputs = rows.map((r) => Float64Array.from(r));
              const calls = w.clients.map((c, i) => contribute(c, inputs[i], fates[i]));
              const outcome = await w.coordinator.runRound({ dim: 3 }).then((r) => r, (e: Error) => e);
              await Promise.all(calls);
              if (outcome instanceof Error) {
                assert.ok(['E_TOO_FEW_CONTRIBUTORS', 'E_TIMEOUT', 'E_BAD_SHARE'].some((code) => isShardwireError(outcome, code as never)), String(outcome));
                assert.ok(fates.some((f) => f !== 'stays'));
                return;
              }
              const named = outcome.report.contributors.map((id) => w.identities.findIndex((x) => x.id === id));
              for (const i of named) assert.ok(SENT.includes(fates[i]));
              for (let j = 0; j < 3; j++) assert.equal(outcome.product!.exact[j], exactProduct(named.map((i) => inputs[i]), j));
            } finally {
              await w.close();
            }
          },
        ),
        { numRuns: 8 },
      );
    } finally {
      await relay.close();
    }
  });
}

test('a product session refuses sum rounds, DP and rings; an add session refuses multiply', async () => {
  const w = await world(3, productConfig());
  try {
    await assert.rejects(w.coordinator.runRound({ dim: 2, operation: 'sum' }), (e) => isShardwireError(e, 'E_UNSUPPORTED'));
  } finally {
    await w.close();
  }
  const a = await world(3);
  try {
    await assert.rejects(a.coordinator.runRound({ dim: 2, operation: 'multiply' }), (e) => isShardwireError(e, 'E_UNSUPPORTED'));
  } finally {
    await a.close();
  }
});

test('a coordinator announcing a smaller field, or a sum in a product session, gets nothing from any client', async () => {
  const w = await world(3, productConfig({ timeouts: { joinMs: 5000, shareMs: 1500, roundMs: 1500, revealMs: 1500 } }));
  try {
    const ids = w.identities.map((x) => x.id);
    const refused: string[] = [];
    w.clients.forEach((c) => c.on('refused', (r) => refused.push(r.error.code)));
    const calls = w.clients.map((c) => c.aggregate(Float64Array.from([1, 2]), { timeoutMs: 2500 }).then(() => 'released', (e: unknown) => e));
    // 3 factors of up to 4000 need 37 bits: the 64-bit table field; announce it as too small… there is none smaller,
    // so announce a different (larger) one: any field but the budget's own is refused
    const small = new Rogue(w.coordinator, 'field-1');
    await small.start(ids, 2, { operation: 'multiply', fieldLimbs: 3 });
    for (const r of await Promise.all(calls)) assert.ok(isShardwireError(r, 'E_CONFIG_MISMATCH'), String(r));
    const sum = new Rogue(w.coordinator, 'sum-1');
    const again = w.clients.map((c) => c.aggregate(Float64Array.from([1, 2]), { timeoutMs: 1500 }).then(() => 'released', (e: unknown) => e));
    await sum.start(ids, 2, { operation: 'sum' });
    for (const r of await Promise.all(again)) assert.ok(isShardwireError(r, 'E_TIMEOUT'), String(r)); // the open was refused, never taken
    assert.equal(refused.filter((c) => c === 'E_CONFIG_MISMATCH').length, 3);
    for (const rogue of [small, sum]) assert.equal(rogue.got.size, 0, 'nothing was sent to the coordinator');
  } finally {
    await w.close();
  }
});
