// Three relays over one Redis: sessions, presence and routing span them; a Redis restart makes
// the relays hang up and refuse until it is back (loud), never route on lost state.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Relay } from '../../src/relay/index.ts';
import { identity, Peer, sleep, testRelay } from '../integration/relay-harness.ts';
import { startRedis, type RedisServer } from './redis-server.ts';

let redis: RedisServer;
let relays: Relay[];
before(async () => {
  redis = await startRedis();
  relays = await Promise.all([0, 1, 2].map(() => testRelay({ backplaneUrl: redis.url })));
});
after(async () => {
  await Promise.all(relays.map((r) => r.close()));
  await redis.stop();
});

test('a session created on relay A is joined on B and C; unicast, broadcast and presence cross relays', async () => {
  const [c, a, b] = await Promise.all([identity('coord'), identity('alice'), identity('bob')]);
  const cp = await Peer.connect(relays[0]!.url);
  assert.equal((await cp.create('cluster', c, [a, b])).frame.header.type, 'welcome');
  const ap = await Peer.connect(relays[1]!.url);
  assert.equal((await ap.join('cluster', a, { coordinator: c.id })).frame.header.type, 'welcome');
  const bp = await Peer.connect(relays[2]!.url);
  const w = await bp.join('cluster', b); // name lookup works across relays too
  assert.deepEqual(w.body.online, [c.id, a.id, b.id]);
  assert.deepEqual((await cp.nextType('presence')).body, { id: a.id, status: 'online', reason: 'joined' });
  ap.send(ap.message('cluster', c.id, new Uint8Array([1, 2, 3]), { type: 'partial' }));
  const m = await cp.nextType('partial');
  assert.equal(m.frame.header.from, a.id);
  assert.deepEqual([...m.frame.payload], [1, 2, 3]);
  cp.send(cp.message('cluster', '*', new Uint8Array([9]), { type: 'round.open' }));
  await Promise.all([ap.nextType('round.open'), bp.nextType('round.open')]);
  for (let i = 0; i < 100; i++) bp.send(bp.message('cluster', a.id, new Uint8Array([i]), { type: 'seq' }));
  const order: number[] = [];
  for (let i = 0; i < 100; i++) order.push((await ap.nextType('seq')).frame.payload[0]!);
  assert.deepEqual(order, [...Array(100).keys()], 'in order across relays');
  bp.close();
  assert.deepEqual((await ap.next((g) => g.body.status === 'offline')).body, {
    id: b.id,
    status: 'offline',
    reason: 'left',
  });
  ap.send(ap.message('cluster', b.id, new Uint8Array([1])));
  assert.equal((await ap.error('E_NOT_IN_SESSION')).body.code, 'E_NOT_IN_SESSION');
  [cp, ap].forEach((p) => p.close());
});

test('a second connection of the same identity on another relay replaces the first', async () => {
  const [c, a] = await Promise.all([identity('coord'), identity('alice')]);
  const cp = await Peer.connect(relays[0]!.url);
  await cp.create('replace', c, [a]);
  const a1 = await Peer.connect(relays[1]!.url);
  await a1.join('replace', a);
  const a2 = await Peer.connect(relays[2]!.url);
  assert.equal((await a2.join('replace', a)).frame.header.type, 'welcome');
  assert.equal((await a1.error('E_AUTH')).body.code, 'E_AUTH');
  cp.send(cp.message('replace', a.id, new Uint8Array([5])));
  assert.deepEqual([...(await a2.nextType('test')).frame.payload], [5]);
  await sleep(50);
  assert.equal(a1.got.filter((g) => g.frame.header.type === 'test').length, 0, 'only the newest connection gets it');
  [cp, a2].forEach((p) => p.close());
});

test('Redis restarted: relays hang up on their peers, refuse until it is back, then serve new sessions', async () => {
  const [c, a] = await Promise.all([identity('coord'), identity('alice')]);
  const cp = await Peer.connect(relays[0]!.url);
  await cp.create('restart', c, [a]);
  const ap = await Peer.connect(relays[1]!.url);
  await ap.join('restart', a);
  await redis.restart();
  assert.equal((await cp.nextType('shutdown', 5000)).body.code, 'E_SHUTTING_DOWN');
  assert.equal((await ap.closed).code, 1001);
  // once Redis is back, the state is gone: the session must be created again (not routed blind)
  let joined = false;
  for (let i = 0; i < 100 && !joined; i++) {
    const p = await Peer.connect(relays[1]!.url);
    const r = await p.join('restart', a);
    if (r.body.code === 'E_SHUTTING_DOWN') {
      await sleep(50);
      continue;
    }
    assert.equal(r.body.code, 'E_NOT_IN_SESSION', 'the old session did not survive the restart');
    joined = true;
  }
  assert.ok(joined, 'relay came back');
  const c2 = await Peer.connect(relays[0]!.url);
  assert.equal((await c2.create('restart', c, [a])).frame.header.type, 'welcome');
  const a2 = await Peer.connect(relays[2]!.url);
  assert.equal((await a2.join('restart', a)).frame.header.type, 'welcome');
  a2.send(a2.message('restart', c.id, new Uint8Array([1])));
  assert.equal((await c2.nextType('test')).frame.payload[0], 1);
  [c2, a2].forEach((p) => p.close());
});
