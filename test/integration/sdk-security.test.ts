/**
 * Security properties of a round, observed from outside: the coordinator's view of one partial
 * is statistically uniform over the ring; the relay only ever carries ciphertext; a different
 * config hash, a replayed frame and a spoofed coordinator message are all refused with codes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import { world, baseConfig, kernelPromise } from './sdk-harness.ts';
import { Identity } from '../../src/crypto/identity.ts';
import { Client } from '../../src/client/client.ts';
import { Coordinator } from '../../src/coordinator/coordinator.ts';
import { startRelay } from '../../src/relay/index.ts';
import { isShardwireError } from '../../src/errors.ts';
import { holderGraph } from '../../src/secagg/holder-graph.ts';
import { buildPartial } from '../../src/secagg/partial.ts';

/** χ² statistic of the top byte of each u32 against the uniform distribution (255 d.o.f.). */
function chiSquareTopByte(v: Uint32Array): number {
  const counts = new Array(256).fill(0);
  for (const x of v) counts[x >>> 24]++;
  const e = v.length / 256;
  return counts.reduce((s, c) => s + (c - e) ** 2 / e, 0);
}
// χ²(255): mean 255, sd ≈ 22.6; 400 is ~6.4 sd above the mean (false alarm < 1e-9)
const CHI2_LIMIT = 400;

test('one client\'s partial looks uniform over Z_2^32 to the coordinator (and the unmasked encoding does not)', async () => {
  const k = await kernelPromise;
  const ids = ['a', 'b', 'c'];
  const g = await holderGraph(ids, 'memo-1', 2);
  const seed = () => globalThis.crypto.getRandomValues(new Uint8Array(32));
  const x = new Float64Array(40_000).fill(0.25); // a maximally non-random input
  const clip = { norm: 'linf' as const, bound: 1 };
  const partial = buildPartial(k, x, { exponent: 6, ring: 32, clip, masks: { seeds: [...g.holdersOf('a').map(seed), ...g.heldBy('a').map(seed)], signs: [...g.holdersOf('a').map(() => -1 as const), ...g.heldBy('a').map(() => 1 as const)] } });
  assert.ok(chiSquareTopByte(partial.vector as Uint32Array) < CHI2_LIMIT, `masked χ² ${chiSquareTopByte(partial.vector as Uint32Array)}`);
  const plain = buildPartial(k, x, { exponent: 6, ring: 32, clip, masks: { seeds: [], signs: [] } });
  assert.ok(chiSquareTopByte(plain.vector as Uint32Array) > CHI2_LIMIT, 'the test can tell an unmasked vector apart');
});

test('the relay carries only ciphertext: no plaintext vector bytes in any frame', async () => {
  const sent: Buffer[] = [];
  const original = WebSocket.prototype.send;
  WebSocket.prototype.send = function (this: WebSocket, data: unknown, ...rest: unknown[]) {
    if (data instanceof Uint8Array) sent.push(Buffer.from(data));
    return (original as (...a: unknown[]) => void).call(this, data, ...rest);
  } as typeof original;
  const w = await world(3, baseConfig({ smpc: { shards: 2, exponent: 6 } }));
  try {
    const k = await kernelPromise;
    const dim = 64;
    const inputs = w.clients.map((_, i) => Float64Array.from({ length: dim }, (_, e) => (i + 1) * 0.125 + e * 0.001));
    const calls = w.clients.map((c, i) => c.aggregate(inputs[i]));
    const { aggregate } = await w.coordinator.runRound({ dim, broadcast: true });
    await Promise.all(calls);
    const everything = Buffer.concat(sent);
    for (const x of inputs) {
      const enc = k.encode(x, { exponent: 6, ring: 32, rounding: 'half-even' });
      assert.equal(everything.indexOf(Buffer.from(enc.buffer).subarray(0, 16)), -1, 'encoded input bytes on the wire');
      assert.equal(everything.indexOf(Buffer.from(x.buffer).subarray(0, 16)), -1, 'float input bytes on the wire');
    }
    assert.equal(everything.indexOf(Buffer.from(aggregate.buffer).subarray(0, 16)), -1, 'the broadcast aggregate travels sealed too');
    assert.ok(sent.length > 10);
  } finally {
    WebSocket.prototype.send = original;
    await w.close();
  }
});

test('a participant with another configuration is refused with E_CONFIG_MISMATCH', async () => {
  const relay = await startRelay({ port: 0, logLevel: 'silent' });
  const coordId = await Identity.generate();
  const me = await Identity.generate();
  const other = await Identity.generate();
  const config = baseConfig({ maxClients: 2, smpc: { shards: 2, exponent: 6 } });
  const coordinator = await Coordinator.start({ relayUrl: relay.url, session: 'cfg', identity: coordId, config, roster: [me, other].map((i) => ({ id: i.id, publicKey: i.publicKey })) });
  try {
    await assert.rejects(
      Client.join({ relayUrl: relay.url, session: 'cfg', identity: me, coordinator: { id: coordId.id, publicKey: coordId.publicKey }, config: { ...config, smpc: { shards: 2, exponent: 7 } }, timeoutMs: 3000 }),
      (e) => isShardwireError(e, 'E_CONFIG_MISMATCH'),
    );
  } finally {
    coordinator.close();
    await relay.close();
  }
});

test('a replayed frame and a spoofed coordinator message are refused', async () => {
  const w = await world(3);
  try {
    const refusedAtCoordinator: string[] = [];
    const refusedAtClient: string[] = [];
    w.coordinator.on('refused', (r) => refusedAtCoordinator.push(r.error.code));
    w.clients[1].on('refused', (r) => refusedAtClient.push(r.error.code));
    // capture client 0's partial frame as it leaves, then send the identical bytes again
    const link = w.clients[0]._linkForTests() as unknown as { socket: { send(b: Uint8Array): void } };
    let captured: Uint8Array | undefined;
    const send = link.socket.send.bind(link.socket);
    link.socket.send = (b: Uint8Array) => ((captured ??= b), send(b));
    const calls = w.clients.map((c) => c.aggregate(Float64Array.from([1, 2])));
    await w.coordinator.runRound({ dim: 2 });
    await Promise.all(calls);
    const next = w.clients.map((c) => c.aggregate(Float64Array.from([1, 2])));
    const round2 = w.coordinator.runRound({ dim: 2 });
    send(captured!);
    // and client 2 pretends to be the coordinator towards client 1
    const spoofer = w.clients[2]._linkForTests();
    spoofer.send(spoofer.nextHeader(w.identities[1].id, 'round.open', 'evil'), new Uint8Array(64));
    const { aggregate } = await round2;
    await Promise.all(next);
    await new Promise((r) => setTimeout(r, 100));
    assert.deepEqual([...aggregate], [3, 6]);
    assert.ok(refusedAtCoordinator.includes('E_REPLAY'), `coordinator refusals: ${refusedAtCoordinator.join(',')}`);
    assert.ok(refusedAtClient.includes('E_NOT_IN_SESSION'), `client refusals: ${refusedAtClient.join(',')}`);
  } finally {
    await w.close();
  }
});
