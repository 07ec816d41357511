// Property: whatever the interleaving of frames sent to a peer and drops of its link (ordered by
// fast-check's scheduler), the peer receives every frame exactly once and in order, as long as
// it comes back within the inbox window. Two relays share one backplane; the link walks both.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import fc from 'fast-check';
import { MemoryBackplane, type Relay } from '../../src/relay/index.ts';
import { RelayLink } from '../../src/session/relay-link.ts';
import { identity, Peer, sleep, testRelay, type Identity } from '../integration/relay-harness.ts';

let backplane: MemoryBackplane;
let relays: Relay[];
before(async () => {
  backplane = new MemoryBackplane();
  relays = await Promise.all(
    [0, 1].map(() => testRelay({ backplane, messagesPerSecond: Infinity, bytesPerSecond: Infinity })),
  );
});
after(async () => {
  await Promise.all(relays.map((r) => r.close()));
  await backplane.close();
});

type Op = { kind: 'send'; count: number } | { kind: 'drop' } | { kind: 'pause'; ms: number };
const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 5, arbitrary: fc.integer({ min: 1, max: 8 }).map((count) => ({ kind: 'send' as const, count })) },
  { weight: 2, arbitrary: fc.constant({ kind: 'drop' as const }) },
  { weight: 1, arbitrary: fc.integer({ min: 0, max: 15 }).map((ms) => ({ kind: 'pause' as const, ms })) },
);

let run = 0;
test('random drops and reconnections never lose or duplicate a frame inside the inbox window', async () => {
  const [c, a]: Identity[] = await Promise.all([identity('coord'), identity('alice')]);
  await fc.assert(
    fc.asyncProperty(fc.scheduler(), fc.array(op, { minLength: 1, maxLength: 25 }), async (s, ops) => {
      const sid = `drops-${++run}`;
      const cp = await Peer.connect(relays[1]!.url);
      await cp.create(sid, c!, [a!]);
      const link = await RelayLink.connect({
        urls: relays.map((r) => r.url),
        session: sid,
        identity: a!,
        coordinator: c!.id,
        reconnect: { windowMs: 10_000, initialDelayMs: 1, maxDelayMs: 20 },
      });
      const got: number[] = [];
      link.on({ message: (f) => got.push(f.payload[0]! | (f.payload[1]! << 8)) });
      let sent = 0;
      try {
        await Promise.all(
          ops
            .map((o) =>
              s.schedule(Promise.resolve(o)).then(async () => {
                if (o.kind === 'send') {
                  for (let i = 0; i < o.count; i++) {
                    const n = ++sent;
                    cp.send(cp.message(sid, a!.id, new Uint8Array([n & 255, n >> 8])));
                  }
                } else if (o.kind === 'drop') {
                  (link as unknown as { socket: { terminate(): void } }).socket.terminate();
                } else await sleep(o.ms);
              }),
            )
            .concat([s.waitAll()]),
        );
        const end = Date.now() + 10_000;
        while (got.length < sent && Date.now() < end) await sleep(5);
        await sleep(20);
        assert.deepEqual(
          got,
          Array.from({ length: sent }, (_, i) => i + 1),
          `ops ${JSON.stringify(ops)}`,
        );
        assert.equal(cp.got.filter((g) => g.frame.header.type === 'error').length, 0, 'no frame was refused');
      } finally {
        link.close();
        cp.close();
      }
    }),
    { numRuns: 25 },
  );
});

type Op2 = { kind: 'send'; count: number } | { kind: 'drop'; who: 'sender' | 'receiver' } | { kind: 'pause'; ms: number };
const op2: fc.Arbitrary<Op2> = fc.oneof(
  { weight: 5, arbitrary: fc.integer({ min: 1, max: 8 }).map((count) => ({ kind: 'send' as const, count })) },
  { weight: 2, arbitrary: fc.constantFrom('sender' as const, 'receiver' as const).map((who) => ({ kind: 'drop' as const, who })) },
  { weight: 1, arbitrary: fc.integer({ min: 0, max: 15 }).map((ms) => ({ kind: 'pause' as const, ms })) },
);

test('drops on both ends (the SDK setting: sender resends its last frames, receiver refuses seqs it has seen) never lose or duplicate a frame', async () => {
  const [c, a]: Identity[] = await Promise.all([identity('coord'), identity('alice')]);
  const drop = (l: RelayLink) => (l as unknown as { socket: { terminate(): void } }).socket.terminate();
  await fc.assert(
    fc.asyncProperty(fc.scheduler(), fc.array(op2, { minLength: 1, maxLength: 25 }), async (s, ops) => {
      const sid = `drops2-${++run}`;
      const reconnect = { windowMs: 10_000, initialDelayMs: 1, maxDelayMs: 20, resendMs: 2000 };
      const sender = await RelayLink.connect({ urls: relays.map((r) => r.url), session: sid, identity: c!, create: { roster: [a!.entry] }, reconnect });
      const receiver = await RelayLink.connect({ urls: [...relays.map((r) => r.url)].reverse(), session: sid, identity: a!, coordinator: c!.id, reconnect });
      const got: number[] = [];
      let lastSeq = -1;
      receiver.on({
        message: (f) => {
          if (f.header.seq <= lastSeq) return; // what the SDK's sealed channel does
          lastSeq = f.header.seq;
          got.push(f.payload[0]! | (f.payload[1]! << 8));
        },
      });
      let sent = 0;
      try {
        await Promise.all(
          ops
            .map((o) =>
              s.schedule(Promise.resolve(o)).then(async () => {
                if (o.kind === 'send') {
                  for (let i = 0; i < o.count; i++) {
                    const n = ++sent;
                    sender.send(sender.nextHeader(a!.id, 'data'), new Uint8Array([n & 255, n >> 8]));
                  }
                } else if (o.kind === 'drop') drop(o.who === 'sender' ? sender : receiver);
                else await sleep(o.ms);
              }),
            )
            .concat([s.waitAll()]),
        );
        const end = Date.now() + 10_000;
        while (got.length < sent && Date.now() < end) await sleep(5);
        await sleep(20);
        assert.deepEqual(got, Array.from({ length: sent }, (_, i) => i + 1), `ops ${JSON.stringify(ops)}`);
      } finally {
        receiver.close();
        sender.close();
      }
    }),
    { numRuns: 25 },
  );
});
