import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ControlType, encodeControlBody, encodeFrame, FrameKind, RELAY_ID } from '../../src/wire/index.ts';
import type { Relay } from '../../src/relay/index.ts';
import { identity, Peer, session, testRelay } from './relay-harness.ts';

let relay: Relay;
before(async () => {
  relay = await testRelay();
});
after(() => relay.close());

test('coordinator creates a session and a roster member joins with a valid signature', async () => {
  const { ids, peers, id } = await session(relay, 'auth-ok', ['alice']);
  // welcome was checked by the helper; the coordinator hears the join
  const p = await peers[0]!.nextType('presence');
  assert.deepEqual(p.body, { id: id('alice'), status: 'online', reason: 'joined' });
  assert.equal(ids.length, 2);
  peers.forEach((x) => x.close());
});

test('welcome reports role, online members and effective limits', async () => {
  const [c, a] = await Promise.all([identity('coord'), identity('alice')]);
  const cp = await Peer.connect(relay.url);
  const w = await cp.create('auth-welcome', c, [a], { vectorLength: 1000, idleTimeoutMs: 5000 });
  assert.equal(w.frame.header.type, 'welcome');
  assert.deepEqual(w.body, { session: 'auth-welcome', id: c.id, role: 'coordinator', online: [c.id], limits: { maxPayloadBytes: 4 * Math.ceil(8000 / 3) + 4096, idleTimeoutMs: 5000, vectorLength: 1000 } });
  const ap = await Peer.connect(relay.url);
  const aw = await ap.join('auth-welcome', a);
  assert.equal(aw.body.role, 'participant');
  assert.deepEqual(aw.body.online, [c.id, a.id]);
  cp.close();
  ap.close();
});

test('join signed with the wrong key is refused with E_AUTH and close 1008', async () => {
  const { ids, peers } = await session(relay, 'auth-wrong-key', ['alice']);
  const mallory = await identity('mallory');
  const p = await Peer.connect(relay.url);
  p.send(await p.joinFrame('auth-wrong-key', ids[1]!, mallory.secretKey));
  const e = await p.error();
  assert.equal(e.body.code, 'E_AUTH');
  assert.equal((await p.closed).code, 1008);
  peers.forEach((x) => x.close());
});

test('a join replayed on another connection is refused (challenge is per connection)', async () => {
  const { ids, peers } = await session(relay, 'auth-replay', ['alice']);
  const first = await Peer.connect(relay.url);
  const captured = await first.joinFrame('auth-replay', ids[1]!);
  const second = await Peer.connect(relay.url);
  second.send(captured);
  assert.equal((await second.error()).body.code, 'E_AUTH');
  assert.equal((await second.closed).code, 1008);
  first.close();
  peers.forEach((x) => x.close());
});

test('unknown session is refused with E_NOT_IN_SESSION', async () => {
  const a = await identity('alice');
  const p = await Peer.connect(relay.url);
  const r = await p.join('no-such-session', a);
  assert.equal(r.body.code, 'E_NOT_IN_SESSION');
  assert.equal((r.body.details as Record<string, unknown>).reason, 'unknown-session');
  assert.equal((await p.closed).code, 1008);
});

test('an identity not in the roster is refused with E_NOT_IN_SESSION', async () => {
  const { peers } = await session(relay, 'auth-nonmember', ['alice']);
  const eve = await identity('eve');
  const p = await Peer.connect(relay.url);
  const r = await p.join('auth-nonmember', eve);
  assert.equal(r.body.code, 'E_NOT_IN_SESSION');
  assert.equal((r.body.details as Record<string, unknown>).reason, 'not-in-roster');
  peers.forEach((x) => x.close());
});

test('creating an existing session id is refused with E_SESSION_EXISTS', async () => {
  const { ids, peers } = await session(relay, 'auth-dup', []);
  const p = await Peer.connect(relay.url);
  const r = await p.create('auth-dup', ids[0]!, []);
  assert.equal(r.body.code, 'E_SESSION_EXISTS');
  peers.forEach((x) => x.close());
});

test('a create whose roster was altered after signing is refused', async () => {
  const [c, a, eve] = await Promise.all([identity('coord'), identity('alice'), identity('eve')]);
  const p = await Peer.connect(relay.url);
  const honest = await p.createFrame('auth-tamper', c, [a]);
  // Rebuild the same frame with eve added to the roster but the original signature.
  const decoded = JSON.parse(new TextDecoder().decode(honest.subarray(6 + new DataView(honest.buffer).getUint32(2))));
  decoded.roster.push(eve.entry);
  p.send(encodeFrame(FrameKind.control, { session: 'auth-tamper', from: c.id, to: RELAY_ID, type: ControlType.create, seq: 9 }, encodeControlBody(decoded)));
  assert.equal((await p.error()).body.code, 'E_AUTH');
});

test('a message frame before authentication is refused and closed', async () => {
  const p = await Peer.connect(relay.url);
  p.send(p.message('x', 'bob', new Uint8Array(3)));
  assert.equal((await p.error()).body.code, 'E_AUTH');
  assert.equal((await p.closed).code, 1008);
});

test('a malformed create body is E_BAD_PAYLOAD with close 1007', async () => {
  const p = await Peer.connect(relay.url);
  p.send(encodeFrame(FrameKind.control, { session: 's', from: 'coord', to: RELAY_ID, type: 'create', seq: 0 }, new TextEncoder().encode('{"roster": 5')));
  assert.equal((await p.error()).body.code, 'E_BAD_PAYLOAD');
  assert.equal((await p.closed).code, 1007);
});

test('no authentication within authTimeoutMs closes the connection', async () => {
  const r = await testRelay({ authTimeoutMs: 100 });
  try {
    const p = await Peer.connect(r.url);
    assert.equal((await p.error('E_AUTH', 2000)).body.code, 'E_AUTH');
    assert.equal((await p.closed).code, 1008);
  } finally {
    await r.close();
  }
});

test('allowedCoordinators restricts who may create sessions', async () => {
  const [good, bad] = await Promise.all([identity('coord'), identity('coord')]);
  const r = await testRelay({ allowedCoordinators: [good.publicKey] });
  try {
    const p1 = await Peer.connect(r.url);
    assert.equal((await p1.create('s-allowed', good, [])).frame.header.type, 'welcome');
    const p2 = await Peer.connect(r.url);
    assert.equal((await p2.create('s-denied', bad, [])).body.code, 'E_AUTH');
    p1.close();
  } finally {
    await r.close();
  }
});

test('a newer connection of the same identity replaces the older one', async () => {
  const { ids, peers, id } = await session(relay, 'auth-replace', ['alice']);
  const again = await Peer.connect(relay.url);
  assert.equal((await again.join('auth-replace', ids[1]!)).frame.header.type, 'welcome');
  assert.equal((await peers[1]!.error('E_AUTH')).body.code, 'E_AUTH');
  assert.equal((await peers[1]!.closed).code, 1008);
  // the coordinator can still reach alice, now on the new connection
  peers[0]!.send(peers[0]!.message('auth-replace', id('alice'), new Uint8Array([1, 2])));
  const m = await again.nextType('test');
  assert.deepEqual([...m.frame.payload], [1, 2]);
  again.close();
  peers[0]!.close();
});
