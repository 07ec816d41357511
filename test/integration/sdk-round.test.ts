/**
 * Secure aggregation end to end over a real relay on 127.0.0.1 with in-process clients: exact
 * sums for several n and shard counts, mean, broadcast of the result.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { world, baseConfig, kernelPromise } from './sdk-harness.ts';

/** What the plain (insecure) sum of the clients' encodings would be, decoded. */
async function plainSum(inputs: Float64Array[], exponent: number): Promise<Float64Array> {
  const k = await kernelPromise;
  const enc = inputs.map((x) => k.encode(x, { exponent, ring: 64, rounding: 'half-even' }));
  return k.decode(k.ringSum(enc), { exponent });
}

for (const [n, shards] of [[3, 2], [5, 3], [8, 0], [12, 4]] as const) {
  test(`sum over the relay is exact: n=${n}, shards=${shards}`, async () => {
    const w = await world(n, baseConfig({ smpc: { shards, exponent: 6 } }));
    try {
      const dim = 257;
      // values on the fixed-point grid: every rounding is exact, so the sum must be bit-exact
      const inputs = w.clients.map((_, i) => Float64Array.from({ length: dim }, (_, e) => ((i * 7919 + e * 104729) % 2001 - 1000) / 1000));
      const contributions = w.clients.map((c, i) => c.aggregate(inputs[i]));
      const { aggregate, report } = await w.coordinator.runRound({ dim, operation: 'sum' });
      await Promise.all(contributions);
      assert.deepEqual(aggregate, await plainSum(inputs, 6));
      assert.equal(report.contributors.length, n);
      assert.deepEqual(report.dropped, []);
      assert.equal(report.ring, 32);
    } finally {
      await w.close();
    }
  });
}

test('mean, and a broadcast result every participant receives', async () => {
  const w = await world(4);
  try {
    const inputs = w.clients.map((_, i) => Float64Array.from([i, -i, 0.5, 2 * i]));
    const contributions = w.clients.map((c, i) => c.aggregate(inputs[i]));
    const { aggregate } = await w.coordinator.runRound({ dim: 4, operation: 'mean', broadcast: true });
    assert.deepEqual([...aggregate], [1.5, -1.5, 0.5, 3]);
    for (const r of await Promise.all(contributions)) {
      assert.deepEqual(r.aggregate, aggregate);
      assert.equal(r.contributors?.length, 4);
      assert.ok(r.bytesSent > 4 * 4, 'sealed partial carries the vector plus AEAD overhead');
    }
  } finally {
    await w.close();
  }
});

test('a broadcast result at the session\'s largest vector fits the relay\'s payload limit', async () => {
  const dim = 20_000; // base64url of the Float64 aggregate is 10.7 bytes per element, more than the 8 the limit once assumed
  const w = await world(3, baseConfig(), undefined, undefined, { maxDim: dim });
  try {
    const inputs = w.clients.map((_, i) => new Float64Array(dim).fill(i / 4));
    const contributions = w.clients.map((c, i) => c.aggregate(inputs[i]));
    const { aggregate } = await w.coordinator.runRound({ dim, broadcast: true });
    assert.equal(aggregate[dim - 1], 0.75);
    for (const r of await Promise.all(contributions)) assert.deepEqual(r.aggregate, aggregate);
  } finally {
    await w.close();
  }
});

test('several rounds in one session use fresh memos; a reused memo is refused', async () => {
  const w = await world(3);
  try {
    for (let round = 0; round < 3; round++) {
      const contributions = w.clients.map((c) => c.aggregate(Float64Array.from([round, 1])));
      const { aggregate, report } = await w.coordinator.runRound({ dim: 2, memo: `round-${round}` });
      await Promise.all(contributions);
      assert.deepEqual([...aggregate], [3 * round, 3]);
      assert.equal(report.memo, `round-${round}`);
    }
    await assert.rejects(w.coordinator.runRound({ dim: 2, memo: 'round-1' }), (e: { code?: string }) => e.code === 'E_REPLAY');
  } finally {
    await w.close();
  }
});

test('weighted mean: weights travel as a secure coordinate; the result is Σ w·x / Σ w', async () => {
  const w = await world(3, baseConfig({ maxWeight: 1000, clip: { norm: 'linf', bound: 10 } }));
  try {
    const weights = [100, 300, 600];
    const inputs = [Float64Array.from([1, 2]), Float64Array.from([3, 4]), Float64Array.from([5, -6])];
    const calls = w.clients.map((c, i) => c.aggregate(inputs[i], { weight: weights[i] }));
    const { aggregate } = await w.coordinator.runRound({ dim: 2, operation: 'weightedMean' });
    await Promise.all(calls);
    const expected = [(100 * 1 + 300 * 3 + 600 * 5) / 1000, (100 * 2 + 300 * 4 - 600 * 6) / 1000];
    aggregate.forEach((v, i) => assert.ok(Math.abs(v - expected[i]) < 1e-9, `${v} vs ${expected[i]}`));
    // a missing or too large weight is refused before anything is sent
    const bad = w.clients[0].aggregate(inputs[0], { weight: 5000 });
    const round = w.coordinator.runRound({ dim: 2, operation: 'weightedMean', timeoutMs: 300 }).catch((e) => e);
    await assert.rejects(bad, (e: { code?: string }) => e.code === 'E_BAD_ARGUMENT');
    await round;
  } finally {
    await w.close();
  }
});

test('ring 64 end to end (forced by config), with a sum past the 32-bit range', async () => {
  const w = await world(3, baseConfig({ ring: 64, clip: { norm: 'linf', bound: 1e6 } }));
  try {
    const inputs = w.clients.map((_, i) => Float64Array.from([9e5 + i, -9e5, 0.5]));
    const calls = w.clients.map((c, i) => c.aggregate(inputs[i]));
    const { aggregate, report } = await w.coordinator.runRound({ dim: 3 });
    await Promise.all(calls);
    assert.equal(report.ring, 64);
    assert.deepEqual([...aggregate], [2.7e6 + 3, -2.7e6, 1.5]);
  } finally {
    await w.close();
  }
});

test('50 clients, one shard per participant (shards 0) and shards 5: sums exact', async () => {
  for (const shards of [5, 0]) {
    const w = await world(50, baseConfig({ smpc: { shards, exponent: 3 }, timeouts: { joinMs: 20000, shareMs: 20000, roundMs: 20000, revealMs: 5000 } }));
    try {
      const dim = 100;
      const inputs = w.clients.map((_, i) => Float64Array.from({ length: dim }, (_, e) => ((i * 31 + e) % 1000) / 1000 - 0.5));
      const calls = w.clients.map((c, i) => c.aggregate(inputs[i]));
      const { aggregate, report } = await w.coordinator.runRound({ dim, timeoutMs: 20000 });
      await Promise.all(calls);
      assert.equal(report.contributors.length, 50);
      assert.deepEqual(aggregate, await plainSum(inputs, 3));
    } finally {
      await w.close();
    }
  }
});

test('timeouts.paceMs: partials are sent no earlier than paceMs after round.open', async () => {
  const w = await world(3, baseConfig({ timeouts: { joinMs: 5000, shareMs: 4000, roundMs: 4000, revealMs: 2000, paceMs: 400 } }));
  try {
    const start = performance.now();
    const calls = w.clients.map((c) => c.aggregate(Float64Array.from([1])));
    const { aggregate, report } = await w.coordinator.runRound({ dim: 1 });
    await Promise.all(calls);
    assert.deepEqual([...aggregate], [3]);
    assert.ok(report.timings.collectMs >= 390 && performance.now() - start >= 390, `collected after ${report.timings.collectMs} ms`);
  } finally {
    await w.close();
  }
});

test('SDK entry points refuse malformed options with typed errors', async () => {
  const { Coordinator } = await import('../../src/coordinator/coordinator.ts');
  const { Client } = await import('../../src/client/client.ts');
  const code = (c: string) => (e: { code?: string }) => e.code === c;
  await assert.rejects(Coordinator.start(null as never), code('E_BAD_ARGUMENT'));
  await assert.rejects(Client.join(undefined as never), code('E_BAD_ARGUMENT'));
  await assert.rejects(Coordinator.start({ relayUrl: 'ws://127.0.0.1:1/', session: 's', identity: null as never, config: baseConfig({ maxClients: 5 }), roster: [{ id: 'a', publicKey: new Uint8Array(5) }] }), code('E_BAD_ARGUMENT'));
  await assert.rejects(Coordinator.start({ relayUrl: 'ws://127.0.0.1:1/', session: 's', identity: null as never, config: baseConfig({ maxClients: 5 }), roster: [{ id: 'bad id', publicKey: new Uint8Array(32) }] }), code('E_BAD_ARGUMENT'));
  const w = await world(3);
  try {
    await assert.rejects(w.coordinator.runRound(undefined as never), code('E_BAD_ARGUMENT'));
    await assert.rejects(w.clients[0].aggregate(new Float64Array(1), null as never), code('E_BAD_ARGUMENT'));
    await assert.rejects(w.clients[0].aggregate([1, 2] as never), code('E_BAD_VECTOR'));
  } finally {
    await w.close();
  }
});
