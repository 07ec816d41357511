/**
 * Rounds whose clients are separate processes (the demo's worker, cli/demo-client.ts) over a
 * real relay on 127.0.0.1: the sum is exact, and a process that exits once the round opens is
 * recovered from. Also (in-process) the collection ends as soon as every missing participant is
 * offline, even when one left before the others' partials arrived.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Identity, serialiseIdentity } from '../../src/crypto/identity.ts';
import { Coordinator } from '../../src/coordinator/coordinator.ts';
import { startRelay } from '../../src/relay/index.ts';
import { inputGrid, plainSum } from '../../src/cli/demo-inputs.ts';
import { spawnWorkers } from '../../src/cli/demo-workers.ts';
import type { WorkerStart } from '../../src/cli/demo-client.ts';
import { world, baseConfig, kernelPromise } from './sdk-harness.ts';

async function processRound(n: number, dim: number, drop: number[]) {
  const relay = await startRelay({ port: 0, logLevel: 'silent' });
  const session = `proc-${n}-${drop.length}`;
  const config = { ...baseConfig({ minClients: n - drop.length, maxClients: n, clip: { norm: 'linf', bound: 1 } }), timeouts: { joinMs: 20_000, shareMs: 20_000, roundMs: 20_000, revealMs: 5000 } };
  const grid = inputGrid(dim, 1, 'linf', 6);
  const coordId = await Identity.generate();
  const ids = await Promise.all(Array.from({ length: n }, () => Identity.generate()));
  const coordinator = await Coordinator.start({
    relayUrl: relay.url, session, identity: coordId, kernel: await kernelPromise, config, maxDim: dim,
    roster: ids.map((i) => ({ id: i.id, publicKey: i.publicKey })),
  });
  const starts: WorkerStart[] = await Promise.all(ids.map(async (identity, index) => ({
    type: 'start' as const, relayUrl: relay.url, session, identity: await serialiseIdentity(identity),
    coordinator: { id: coordId.id, publicKey: coordId.publicKey }, config, index, dim, rounds: 1, grid, drop: drop.includes(index),
  })));
  const pool = spawnWorkers(starts);
  try {
    await Promise.race([coordinator.waitForParticipants(n, 20_000), pool.failed]);
    const { aggregate, report } = await Promise.race([coordinator.runRound({ dim }), pool.failed]);
    const survivors = ids.map((_, i) => i).filter((i) => !drop.includes(i));
    assert.ok(grid.onGrid);
    assert.deepEqual(aggregate, plainSum(survivors, 0, dim, grid), 'secure sum equals the plain sum exactly');
    assert.deepEqual([...report.contributors].sort(), survivors.map((i) => ids[i].id).sort());
    assert.deepEqual(report.dropped, drop.map((i) => ids[i].id));
    // the collection ended when the dropped process went offline, not at the 20 s timeout
    assert.ok(report.timings.totalMs < 10_000, `round took ${report.timings.totalMs} ms`);
    assert.ok(await pool.until((rs) => rs.filter((m) => m.type === 'sent').length === survivors.length, 5000));
    for (const m of pool.reports) if (m.type === 'sent') assert.ok(m.partialBytes >= dim * (report.ring / 8) && m.partialBytes <= dim * (report.ring / 8) + 200, `partial of ${m.partialBytes} bytes`);
  } finally {
    const codes = await pool.close();
    if (process.env.DEBUG_POOL) console.error(JSON.stringify(pool.reports));
    coordinator.close();
    await relay.close();
    assert.deepEqual(codes, starts.map(() => 0), 'every client process exited with 0');
    assert.ok(pool.children.every((c) => c.exitCode !== null || c.signalCode !== null), 'no child outlives the test');
  }
}

test('client processes: the secure sum is exact (n = 4, dim 300)', () => processRound(4, 300, []));

test('client processes: one exits once the round opens; the survivors\' sum is exact (n = 5)', () => processRound(5, 200, [4]));

test('collection ends at once when a participant left before the others\' partials arrived', async () => {
  const w = await world(4, baseConfig({ minClients: 3, timeouts: { joinMs: 5000, shareMs: 20_000, roundMs: 20_000, revealMs: 5000 } }));
  try {
    const [a, b, c, leaver] = w.clients;
    leaver.on('progress', (p) => p.phase === 'open' && leaver.close());
    const gone = new Promise<void>((r) => w.coordinator.on('offline', () => r()));
    const round = w.coordinator.runRound({ dim: 3 });
    await gone; // the leaver is offline before any partial arrives
    const calls = [a, b, c].map((cl, i) => cl.aggregate(Float64Array.from([i, 1, 0.5])));
    const { aggregate, report } = await round;
    await Promise.all(calls);
    assert.deepEqual([...aggregate], [3, 3, 1.5]);
    assert.equal(report.dropped.length, 1);
    assert.ok(report.timings.collectMs < 10_000, `collection waited ${report.timings.collectMs} ms`);
  } finally {
    await w.close();
  }
});
