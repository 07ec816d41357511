// A Node participant in its own process (forked by the browser tests), so its client time is
// measured like the browser's: its own event loop, round.open → sealed partial sent. Receives
// its start message over IPC and reports { type: 'sent', memo, ms } per round.
import { Client } from '../../src/client/client.ts';
import { parseIdentity } from '../../src/crypto/identity.ts';
import { Kernel } from '../../src/kernel/kernel.ts';

/** The start message. */
export interface NodeParticipantStart {
  readonly relayUrl: string;
  readonly session: string;
  readonly identity: string;
  readonly coordinator: { readonly id: string; readonly publicKey: Uint8Array };
  readonly config: unknown;
  readonly vector: Float64Array;
  readonly rounds: number;
}

async function work(s: NodeParticipantStart): Promise<void> {
  const identity = await parseIdentity(s.identity);
  const kernel = await Kernel.load();
  const client = await Client.join({
    relayUrl: s.relayUrl,
    session: s.session,
    identity,
    coordinator: s.coordinator,
    config: s.config,
    kernel,
  });
  identity.zeroise();
  let opened = 0;
  const times = new Map<string, number>();
  client.on('progress', (p) => {
    if (p.phase === 'open') opened = performance.now();
    if (p.phase === 'sent') times.set(p.memo, performance.now() - opened);
  });
  process.send!({ type: 'joined', flavour: kernel.flavour });
  for (let r = 0; r < s.rounds; r++) {
    const result = await client.aggregate(s.vector);
    process.send!({ type: 'sent', memo: result.memo, ms: times.get(result.memo) });
  }
  await new Promise((resolve) => process.once('disconnect', resolve));
  client.close();
}

process.once('message', (m: NodeParticipantStart) => {
  work(m).then(
    () => process.exit(0),
    (e: unknown) => {
      process.send?.({ type: 'error', message: e instanceof Error ? e.message : String(e) });
      process.exit(1);
    },
  );
});
process.once('disconnect', () => setTimeout(() => process.exit(0), 200).unref());
