// Test helpers for SDK integration tests: a relay on 127.0.0.1:0, a coordinator and n clients
// in this process, all with fresh identities.
import { Identity } from '../../src/crypto/identity.ts';
import { rosterHash } from '../../src/crypto/hash.ts';
import { Coordinator } from '../../src/coordinator/coordinator.ts';
import { Client } from '../../src/client/client.ts';
import { Kernel } from '../../src/kernel/kernel.ts';
import { startRelay, type Relay } from '../../src/relay/index.ts';
import { decodeFrame, type Frame } from '../../src/wire/frame.ts';

export const kernelPromise = Kernel.load();

export interface World {
  relay: Relay;
  coordinator: Coordinator;
  clients: Client[];
  identities: Identity[];
  close(): Promise<void>;
}

export function baseConfig(over: Record<string, unknown> = {}): Record<string, unknown> {
  return { smpc: { shards: 3, exponent: 6 }, minClients: 2, clip: { norm: 'linf', bound: 10 }, timeouts: { joinMs: 5000, shareMs: 4000, roundMs: 4000, revealMs: 2000 }, ...over };
}

export async function world(n: number, config: Record<string, unknown> = baseConfig(), session = `s-${Math.random().toString(36).slice(2)}`, relay?: Relay, o: { pinRoster?: boolean; maxDim?: number; client?: (i: number) => Record<string, unknown> } = {}): Promise<World> {
  const r = relay ?? (await startRelay({ port: 0, logLevel: 'silent' }));
  const kernel = await kernelPromise;
  const coordId = await Identity.generate();
  const identities = await Promise.all(Array.from({ length: n }, () => Identity.generate()));
  if (o.pinRoster) config = { ...config, rosterHash: await rosterHash(identities.map((i) => ({ id: i.id, publicKey: i.publicKey }))) };
  const coordinator = await Coordinator.start({
    relayUrl: r.url, session, identity: coordId, kernel, ...(o.maxDim === undefined ? {} : { maxDim: o.maxDim }), config: { ...config, maxClients: Math.max(n, (config.minClients as number) ?? 2) },
    roster: identities.map((i) => ({ id: i.id, publicKey: i.publicKey })),
  });
  const clients = await Promise.all(identities.map((identity, i) => Client.join({
    relayUrl: r.url, session, identity, kernel, config: { ...config, maxClients: Math.max(n, (config.minClients as number) ?? 2) }, ...o.client?.(i),
    coordinator: { id: coordId.id, publicKey: coordId.publicKey },
  })));
  await coordinator.waitForParticipants(n, 5000);
  return {
    relay: r, coordinator, clients, identities,
    async close() {
      for (const c of clients) c.close();
      coordinator.close();
      if (!relay) await r.close();
    },
  };
}

/**
 * Puts a hand between a client and the relay, as a malicious or slow network would: every frame
 * the client sends goes through `fn`, which gets the decoded frame and a function that sends the
 * original bytes (call it now, later, twice or never).
 */
export function interceptFrames(client: Client, fn: (frame: Frame, send: () => void) => void): void {
  const socket = (client._linkForTests() as unknown as { socket: { send(b: Uint8Array): void } }).socket;
  const send = socket.send.bind(socket);
  socket.send = (bytes: Uint8Array) => fn(decodeFrame(bytes), () => send(bytes));
}

/** Delays the client's frames of the given types by `ms` (a slow link). */
export function delayFrames(client: Client, types: readonly string[], ms: number): void {
  interceptFrames(client, (f, send) => (types.includes(f.header.type) ? setTimeout(send, ms) : send()));
}
