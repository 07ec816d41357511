// Offline inbox over Redis Streams: a member resumes on another relay and gets exactly the
// frames after its last one, in order; caps report a gap; broadcasts are numbered per member.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Relay } from '../../src/relay/index.ts';
import { identity, Peer, sleep, testRelay } from '../integration/relay-harness.ts';
import { startRedis, type RedisServer } from './redis-server.ts';

let redis: RedisServer;
let relays: Relay[];
before(async () => {
  redis = await startRedis();
  relays = await Promise.all([0, 1, 2].map(() => testRelay({ backplaneUrl: redis.url, inboxMaxFrames: 50 })));
});
after(async () => {
  await Promise.all(relays.map((r) => r.close()));
  await redis.stop();
});

async function payloads(p: Peer, n: number, type = 'test'): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push((await p.nextType(type)).frame.payload[0]!);
  return out;
}

test('resume on another relay: the frames sent meanwhile, in order, exactly once', async () => {
  const [c, a, b] = await Promise.all([identity('coord'), identity('alice'), identity('bob')]);
  const cp = await Peer.connect(relays[0]!.url);
  await cp.create('rin', c, [a, b]);
  const a1 = await Peer.connect(relays[1]!.url);
  const w1 = await a1.join('rin', a, { coordinator: c.id, inbox: {} });
  const box = w1.body.inbox as { epoch: string; after: number };
  const bp = await Peer.connect(relays[2]!.url);
  await bp.join('rin', b, { coordinator: c.id });
  for (const i of [1, 2, 3]) cp.send(cp.message('rin', a.id, new Uint8Array([i])));
  assert.deepEqual(await payloads(a1, 3), [1, 2, 3]);
  a1.close();
  await cp.next((g) => g.body.status === 'offline' && g.body.id === a.id);
  for (const i of [4, 5]) cp.send(cp.message('rin', a.id, new Uint8Array([i])));
  cp.send(cp.message('rin', '*', new Uint8Array([6]), { type: 'all' })); // numbered 6 for alice
  assert.deepEqual(await payloads(bp, 1, 'all'), [6]);
  await sleep(100);
  assert.equal(
    cp.got.filter((g) => g.frame.header.type === 'error').length,
    0,
    'frames to alice were kept, not refused',
  );
  const a2 = await Peer.connect(relays[2]!.url);
  const w2 = await a2.join('rin', a, { coordinator: c.id, inbox: { epoch: box.epoch, after: 3 } });
  assert.deepEqual(w2.body.inbox, { epoch: box.epoch, after: 3, gap: false });
  assert.deepEqual(await payloads(a2, 2), [4, 5]);
  assert.deepEqual(await payloads(a2, 1, 'all'), [6]);
  cp.send(cp.message('rin', a.id, new Uint8Array([7])));
  assert.deepEqual(await payloads(a2, 1), [7]);
  await sleep(100);
  assert.equal(a2.got.filter((g) => g.frame.kind === 2).length, 0, 'nothing twice');
  [cp, a2, bp].forEach((p) => p.close());
});

test('over the caps while away: the resume says gap and starts after the oldest kept frame', async () => {
  const [c, a] = await Promise.all([identity('coord'), identity('alice')]);
  const cp = await Peer.connect(relays[0]!.url);
  await cp.create('rin-cap', c, [a]);
  const a1 = await Peer.connect(relays[1]!.url);
  const box = (await a1.join('rin-cap', a, { inbox: {} })).body.inbox as { epoch: string };
  a1.close();
  await cp.next((g) => g.body.status === 'offline');
  for (let i = 1; i <= 60; i++) cp.send(cp.message('rin-cap', a.id, new Uint8Array([i])));
  await sleep(200);
  const a2 = await Peer.connect(relays[2]!.url);
  const w = await a2.join('rin-cap', a, { inbox: { epoch: box.epoch, after: 0 } });
  assert.deepEqual(w.body.inbox, { epoch: box.epoch, after: 10, gap: true });
  const got = await payloads(a2, 50);
  assert.deepEqual(
    got,
    Array.from({ length: 50 }, (_, i) => i + 11),
  );
  [cp, a2].forEach((p) => p.close());
});
