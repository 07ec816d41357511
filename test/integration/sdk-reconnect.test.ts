// SDK reconnection over one in-process relay (the Redis suites do it across relay processes):
// a client or the coordinator whose socket drops mid-round reconnects, resumes, and the round
// completes exactly with every participant; when the relay is gone for good, pending calls
// reject with E_LINK_LOST at once instead of waiting for their round timers.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Identity } from '../../src/crypto/identity.ts';
import { Coordinator } from '../../src/coordinator/coordinator.ts';
import { Client } from '../../src/client/client.ts';
import { startRelay, type Relay } from '../../src/relay/index.ts';
import type { ShardwireError } from '../../src/errors.ts';
import type { ParticipantPhase } from '../../src/secagg/participant-context.ts';
import type { RelayLink } from '../../src/session/relay-link.ts';
import { baseConfig, kernelPromise } from './sdk-harness.ts';

/** Drops a link's socket as a network failure would. */
const dropSocket = (link: RelayLink) => (link as unknown as { socket: { terminate(): void } }).socket.terminate();

const RECONNECT = { windowMs: 5000, initialDelayMs: 20, maxDelayMs: 100 };

async function setup(n: number, relay: Relay, o: { reconnect?: typeof RECONNECT; roundMs?: number } = {}) {
  const kernel = await kernelPromise;
  const config = { ...baseConfig({ minClients: n, maxClients: n }), timeouts: { joinMs: 5000, shareMs: o.roundMs ?? 8000, roundMs: o.roundMs ?? 8000, revealMs: 4000 } };
  const coordId = await Identity.generate();
  const ids = await Promise.all(Array.from({ length: n }, () => Identity.generate()));
  const session = `rc-${coordId.id.slice(0, 8)}`;
  const coordinator = await Coordinator.start({
    relayUrls: [relay.url], session, identity: coordId, kernel, config, roster: ids.map((i) => ({ id: i.id, publicKey: i.publicKey })),
    ...(o.reconnect ? { reconnect: o.reconnect } : {}),
  });
  const clients = await Promise.all(ids.map((identity) => Client.join({
    relayUrl: relay.url, session, identity, kernel, config, coordinator: { id: coordId.id, publicKey: coordId.publicKey },
    ...(o.reconnect ? { reconnect: o.reconnect } : {}),
  })));
  await coordinator.waitForParticipants(n, 5000);
  return { coordinator, clients, ids };
}

const vec = (i: number, dim: number) => Float64Array.from({ length: dim }, (_, k) => ((i + 1) * (k + 3)) % 7 - 3 + 0.25);

async function roundWithDrop(dropWho: 'client' | 'coordinator', phase: ParticipantPhase) {
  const relay = await startRelay({ port: 0, logLevel: 'silent' });
  const n = 3;
  const dim = 64;
  const { coordinator, clients } = await setup(n, relay, { reconnect: RECONNECT });
  const events: string[] = [];
  try {
    let dropped = false;
    clients[0]!.on('progress', (p) => {
      if (p.phase !== phase || dropped) return;
      dropped = true;
      dropSocket(dropWho === 'client' ? clients[0]!._linkForTests() : coordinator.channel.link);
    });
    clients[0]!.on('resumed', (e) => events.push(`client resumed gap=${e.gap}`));
    coordinator.on('resumed', (e) => events.push(`coordinator resumed gap=${e.gap}`));
    const pending = clients.map((c, i) => c.aggregate(vec(i, dim)));
    const { aggregate, report } = await coordinator.runRound({ dim, broadcast: true });
    const results = await Promise.all(pending);
    assert.ok(dropped, `the drop at ${phase} happened`);
    assert.equal(report.contributors.length, n, `every participant contributed (${events.join('; ')})`);
    assert.deepEqual(report.dropped, []);
    const expected = Float64Array.from({ length: dim }, (_, k) => clients.reduce((s, _c, i) => s + vec(i, dim)[k]!, 0));
    assert.deepEqual(aggregate, expected, 'exact sum after the reconnection');
    for (const r of results) assert.deepEqual(r.aggregate, expected);
    assert.ok(events.some((e) => e.endsWith('gap=false')), `resumed without a gap: ${events.join('; ')}`);
    // the session goes on: a second round over the resumed links is exact too
    const again = clients.map((c, i) => c.aggregate(vec(i + 1, dim)));
    const second = await coordinator.runRound({ dim });
    await Promise.all(again);
    assert.equal(second.report.contributors.length, n);
  } finally {
    for (const c of clients) c.close();
    coordinator.close();
    await relay.close();
  }
}

for (const phase of ['open', 'shared', 'sent'] as const) {
  test(`a client's socket drops at '${phase}': it reconnects and the round is exact`, () => roundWithDrop('client', phase));
}
test(`the coordinator's socket drops mid-round: it reconnects and the round is exact`, () => roundWithDrop('coordinator', 'shared'));

test('relay gone for good: aggregate() and runRound() reject with E_LINK_LOST within the window, not at roundMs', async () => {
  const relay = await startRelay({ port: 0, logLevel: 'silent' });
  const reconnect = { windowMs: 600, initialDelayMs: 20, maxDelayMs: 100 };
  const { coordinator, clients } = await setup(3, relay, { reconnect, roundMs: 60_000 });
  try {
    const code = (c: string) => (e: ShardwireError) => e.code === c;
    const waiting = assert.rejects(clients[0]!.aggregate(vec(0, 8)), code('E_LINK_LOST')); // waits for a round.open that never comes
    const t0 = performance.now();
    await relay.close();
    await waiting;
    const waited = performance.now() - t0;
    assert.ok(waited < 5000, `rejected after ${waited.toFixed(0)} ms`);
    await assert.rejects(coordinator.runRound({ dim: 8 }), code('E_LINK_LOST'));
    await assert.rejects(clients[1]!.aggregate(vec(1, 8)), code('E_LINK_LOST'));
  } finally {
    for (const c of clients) c.close();
    coordinator.close();
  }
});

test('without reconnect a dead relay also ends pending calls at once (E_LINK_LOST)', async () => {
  const relay = await startRelay({ port: 0, logLevel: 'silent' });
  const { coordinator, clients } = await setup(3, relay, { roundMs: 60_000 });
  try {
    const waiting = assert.rejects(clients[0]!.aggregate(vec(0, 8)), (e: ShardwireError) => e.code === 'E_LINK_LOST');
    const t0 = performance.now();
    await relay.close();
    await waiting;
    assert.ok(performance.now() - t0 < 3000);
  } finally {
    for (const c of clients) c.close();
    coordinator.close();
  }
});
