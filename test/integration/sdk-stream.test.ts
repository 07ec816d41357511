/**
 * Streamed partials end to end: partials far above one relay frame (the 16 MiB single-frame
 * failure at 5·10^6 parameters on ring 32), chunk sizes that follow a small relay limit, credit
 * flow control where the relay's queue would have dropped frames, and a relay that drops or
 * duplicates a chunk or a link that closes mid-upload: the sender is told with a typed error, the
 * round recovers without it, and the aggregate is never wrong.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { world, baseConfig, kernelPromise, interceptFrames } from './sdk-harness.ts';
import { isShardwireError } from '../../src/errors.ts';
import { startRelay } from '../../src/relay/index.ts';
import { RoundType } from '../../src/session/round-messages.ts';

const timeouts = { joinMs: 10_000, shareMs: 10_000, roundMs: 20_000, revealMs: 10_000 };

/** Inputs whose exact sum is known in closed form: x_i[e] = ((e·7 + i) mod 1000) / 100. */
function input(i: number, dim: number): Float64Array {
  const x = new Float64Array(dim);
  for (let e = 0; e < dim; e++) x[e] = ((e * 7 + i) % 1000) / 100;
  return x;
}

function assertSum(aggregate: Float64Array, who: readonly number[]): void {
  for (let e = 0; e < aggregate.length; e++) {
    let want = 0;
    for (const i of who) want += ((e * 7 + i) % 1000) / 100;
    if (Math.abs(aggregate[e] - want) > 1e-6) assert.fail(`element ${e}: ${aggregate[e]} ≠ ${want}`);
  }
}

test('5·10^6 parameters on ring 32 with the default relay limits (once one 20 MB frame the relay refused): exact sum', async () => {
  const dim = 5_000_000;
  const w = await world(3, baseConfig({ ring: 32, smpc: { shards: 3, exponent: 4 }, clip: { norm: 'linf', bound: 10 }, timeouts }));
  try {
    const refused: string[] = [];
    w.coordinator.on('refused', (r) => refused.push(r.error.code));
    const calls = w.clients.map((c, i) => c.aggregate(input(i, dim)));
    const out = new Float64Array(dim);
    const { aggregate, report } = await w.coordinator.runRound({ dim, out });
    const results = await Promise.all(calls);
    assert.equal(aggregate, out, 'decoded into the caller-provided array');
    assert.equal(report.ring, 32);
    assert.equal(report.contributors.length, 3);
    assertSum(aggregate, [0, 1, 2]);
    for (const r of results) assert.ok(r.partialBytes < dim * 4 * 1.05, `bytes per element ≤ 1.05 × ring width: ${r.partialBytes / dim}`);
    assert.deepEqual(refused, []);
  } finally {
    await w.close();
  }
});

test('a relay with a small payload limit and queue: chunks follow the limit, credit keeps every frame (no E_BACKPRESSURE)', async () => {
  const relay = await startRelay({ port: 0, logLevel: 'silent', maxPayloadBytes: 64 * 1024 });
  const dim = 200_000;
  const w = await world(6, baseConfig({ ring: 32, smpc: { shards: 3, exponent: 4 }, timeouts }), undefined, relay);
  try {
    const refusals: string[] = [];
    for (const c of w.clients) c.on('refused', (r) => refusals.push(r.error.code));
    w.coordinator.on('refused', (r) => refusals.push(r.error.code));
    const calls = w.clients.map((c, i) => c.aggregate(input(i, dim)));
    const { aggregate, report } = await w.coordinator.runRound({ dim });
    await Promise.all(calls);
    assert.equal(report.contributors.length, 6);
    assertSum(aggregate, [0, 1, 2, 3, 4, 5]);
    assert.deepEqual(refusals, []);
  } finally {
    await w.close();
    await relay.close();
  }
});

for (const attack of ['drop', 'duplicate'] as const) {
  test(`a relay that ${attack}s a chunk: the sender is dropped (E_DROPPED), the others' sum is exact`, async () => {
    const relay = await startRelay({ port: 0, logLevel: 'silent', maxPayloadBytes: 16 * 1024 });
    const dim = 20_000; // 80 KB: several chunks
    const w = await world(4, baseConfig({ ring: 32, smpc: { shards: 0, exponent: 4 }, timeouts: { ...timeouts, roundMs: 3000 } }), undefined, relay);
    try {
      let chunk = 0;
      interceptFrames(w.clients[0], (f, send) => {
        if (f.header.type !== RoundType.partial) return send();
        if (chunk++ === 2) return attack === 'drop' ? undefined : (send(), send());
        send();
      });
      const refused: string[] = [];
      w.coordinator.on('refused', (r) => refused.push(r.error.code));
      const calls = w.clients.map((c, i) => c.aggregate(input(i, dim)).then(() => 'released', (e: unknown) => e));
      const { aggregate, report } = await w.coordinator.runRound({ dim });
      const results = await Promise.all(calls);
      assert.ok(isShardwireError(results[0], 'E_DROPPED'), String(results[0]));
      assert.deepEqual(results.slice(1), ['released', 'released', 'released']);
      assert.deepEqual(report.dropped, [w.identities[0].id]);
      assertSum(aggregate, [1, 2, 3]);
      // a duplicate is refused (unopened, or it fails to open as the next chunk); a dropped chunk
      // leaves the stream waiting for it until the collection ends
      if (attack === 'duplicate') assert.ok(refused.some((c) => c === 'E_CRYPTO' || c === 'E_REPLAY'), `refusals: ${refused.join(',')}`);
    } finally {
      await w.close();
      await relay.close();
    }
  });
}

test('a link that closes mid-upload: aggregate() rejects with E_UNDELIVERED naming the cause; the round recovers', async () => {
  const relay = await startRelay({ port: 0, logLevel: 'silent', maxPayloadBytes: 16 * 1024 });
  const dim = 20_000;
  const w = await world(4, baseConfig({ ring: 32, smpc: { shards: 0, exponent: 4 }, timeouts: { ...timeouts, roundMs: 3000 } }), undefined, relay);
  try {
    let chunk = 0;
    const victim = w.clients[0];
    interceptFrames(victim, (f, send) => {
      if (f.header.type === RoundType.partial && chunk++ === 1) return victim._linkForTests().close();
      send();
    });
    const calls = w.clients.map((c, i) => c.aggregate(input(i, dim)).then(() => 'released', (e: unknown) => e));
    const { aggregate, report } = await w.coordinator.runRound({ dim });
    const results = await Promise.all(calls);
    assert.ok(isShardwireError(results[0], 'E_UNDELIVERED') && results[0].details.cause === 'E_LINK_LOST', String(results[0]));
    assert.deepEqual(results.slice(1), ['released', 'released', 'released']);
    assert.deepEqual(report.dropped, [w.identities[0].id]);
    assertSum(aggregate, [1, 2, 3]);
  } finally {
    await w.close();
    await relay.close();
  }
});

test('the client refuses to start a partial the relay could never carry (E_FRAME_TOO_LARGE before any work)', async () => {
  const k = await kernelPromise;
  void k;
  const { chunkBytesFor } = await import('../../src/session/partial-stream.ts');
  assert.throws(() => chunkBytesFor(1024), (e: unknown) => isShardwireError(e, 'E_FRAME_TOO_LARGE'));
});
