/**
 * A participant must not lose messages that arrive while it is still verifying the
 * coordinator's key bundle. A TCP proxy between the clients and the relay holds the relay's
 * bytes back and hands them over in one chunk, so the coordinator's bundle and the round.open
 * that follows it (the coordinator opens the round the moment the last participant is ready)
 * reach the client in the same tick. Before the fix the client tried to open the round.open
 * before the bundle's key agreement had finished, refused it (unknown peer) and never
 * contributed; the demo hung on this now and then under load.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { Identity } from '../../src/crypto/identity.ts';
import { Coordinator } from '../../src/coordinator/coordinator.ts';
import { Client } from '../../src/client/client.ts';
import { startRelay } from '../../src/relay/index.ts';
import { baseConfig, kernelPromise } from './sdk-harness.ts';

/** Forwards to `port`, passing the server's bytes on only every `holdMs`, in one write. */
async function coalescingProxy(port: number, holdMs: number): Promise<{ url: string; close(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((inbound) => {
    const outbound = net.connect(port, '127.0.0.1');
    sockets.add(inbound).add(outbound);
    inbound.pipe(outbound);
    let held: Buffer[] = [];
    const timer = setInterval(() => {
      if (held.length === 0) return;
      inbound.write(Buffer.concat(held));
      held = [];
    }, holdMs);
    outbound.on('data', (d: Buffer) => held.push(d));
    const end = () => {
      clearInterval(timer);
      inbound.destroy();
      outbound.destroy();
    };
    inbound.on('close', end).on('error', end);
    outbound.on('close', end).on('error', end);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port: proxyPort } = server.address() as net.AddressInfo;
  return {
    url: `ws://127.0.0.1:${proxyPort}/`,
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

test('a round.open that arrives together with the coordinator\'s key bundle is not lost', async () => {
  const relay = await startRelay({ port: 0, logLevel: 'silent' });
  const proxy = await coalescingProxy(relay.port, 150);
  const kernel = await kernelPromise;
  const config = baseConfig({ maxClients: 2, smpc: { shards: 2, exponent: 6 } });
  const coordId = await Identity.generate();
  const ids = [await Identity.generate(), await Identity.generate()];
  const session = `race-${Date.now()}`;
  const refused: string[] = [];
  const clients: Client[] = [];
  let coordinator: Coordinator | undefined;
  try {
    coordinator = await Coordinator.start({
      relayUrl: relay.url, session, identity: coordId, kernel, config, roster: ids.map((i) => ({ id: i.id, publicKey: i.publicKey })),
    });
    const c0 = coordinator;
    // open the round in the same tick the last participant becomes ready
    const round = new Promise<Awaited<ReturnType<Coordinator['runRound']>>>((resolve, reject) => {
      c0.on('ready', (r) => {
        if (r.ready === ids.length) c0.runRound({ dim: 3 }).then(resolve, reject);
      });
    });
    const contributions = ids.map(async (identity, i) => {
      // the second client joins after the first is ready, so its bundle is the one that races the open
      if (i === 1) await c0.waitForParticipants(1, 5000);
      const c = await Client.join({ relayUrl: proxy.url, session, identity, kernel, config, coordinator: { id: coordId.id, publicKey: coordId.publicKey } });
      c.on('refused', (e) => refused.push(`${e.type}: ${e.error.code} ${e.error.message}`));
      clients.push(c);
      return c.aggregate(Float64Array.from([i + 1, 2, -3]));
    });
    for (const c of contributions) c.catch(() => undefined); // awaited below; the round's error is the one to report
    const { aggregate, report } = await round;
    // the contributions must have resolved by now; a lost round.open would leave one waiting
    await Promise.all(contributions);
    assert.deepEqual([...aggregate], [3, 4, -6]);
    assert.equal(report.contributors.length, 2);
    assert.deepEqual(refused, []);
  } finally {
    for (const c of clients) c.close();
    coordinator?.close();
    await proxy.close();
    await relay.close();
  }
});
