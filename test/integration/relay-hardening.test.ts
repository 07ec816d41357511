// Attacks on the relay, each refused: claiming ids with other keys, squatting session names,
// half-open connection floods, rate limits reset by reconnecting, session floods from one address.
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { test } from 'node:test';
import {
  canonicalCreateBody,
  ControlType,
  createBodyDigest,
  authMessage,
  encodeControlBody,
  encodeFrame,
  FrameKind,
  RELAY_ID,
  toBase64url,
} from '../../src/wire/index.ts';
import { sign } from '../../src/crypto/signature.ts';
import { identity, Peer, session, sleep, testRelay, type Identity } from './relay-harness.ts';

const reason = (g: { body: Record<string, unknown> }) =>
  (g.body.details as Record<string, unknown> | undefined)?.reason;

/** A create frame whose header claims `claimedId` while the body presents `who`'s key. */
async function createAs(
  p: Peer,
  sid: string,
  claimedId: string,
  who: Identity,
  roster: { id: string; publicKey: string }[] = [],
): Promise<Uint8Array> {
  const signed = canonicalCreateBody(who.entry.publicKey, roster, {});
  const sig = await sign(authMessage('create', sid, claimedId, p.nonce, await createBodyDigest(signed)), who.secretKey);
  return encodeFrame(
    FrameKind.control,
    { session: sid, from: claimedId, to: RELAY_ID, type: ControlType.create, seq: 0 },
    encodeControlBody({ ...signed, signature: toBase64url(sig) }),
  );
}

test('nobody can create a session under an id that is not the hash of the key it presents', async () => {
  const relay = await testRelay();
  try {
    const [real, mallory] = await Promise.all([identity('coord'), identity('mallory')]);
    const p = await Peer.connect(relay.url);
    p.send(await createAs(p, 'study', real.id, mallory)); // the real coordinator's id, mallory's key
    const e = await p.error('E_AUTH');
    assert.equal(reason(e), 'id-not-derived');
    assert.equal((await p.closed).code, 1008);
    const q = await Peer.connect(relay.url);
    q.send(await createAs(q, 'study', 'coord', mallory)); // a readable name is no id either
    assert.equal(reason(await q.error('E_AUTH')), 'id-not-derived');
  } finally {
    await relay.close();
  }
});

test('a roster entry whose id is not the hash of its key is refused', async () => {
  const relay = await testRelay();
  try {
    const [c, alice, mallory] = await Promise.all([identity('coord'), identity('alice'), identity('mallory')]);
    const p = await Peer.connect(relay.url);
    // mallory's key listed under alice's id: she could then join as alice and spend alice's limits
    p.send(await createAs(p, 'study', c.id, c, [{ id: alice.id, publicKey: mallory.entry.publicKey }]));
    assert.equal(reason(await p.error('E_AUTH')), 'roster-id-not-derived');
  } finally {
    await relay.close();
  }
});

test('a squatter holding the session name first locks nobody out: sessions are namespaced by creator', async () => {
  const relay = await testRelay();
  try {
    const [real, squatter, alice] = await Promise.all([identity('coord'), identity('squatter'), identity('alice')]);
    const sp = await Peer.connect(relay.url);
    assert.equal((await sp.create('study-7', squatter, [alice])).frame.header.type, 'welcome'); // copies the roster
    const cp = await Peer.connect(relay.url);
    assert.equal(
      (await cp.create('study-7', real, [alice])).frame.header.type,
      'welcome',
      'the real coordinator still creates its session',
    );
    // alice names her coordinator: she lands in the real session
    const ap = await Peer.connect(relay.url);
    const w = await ap.join('study-7', alice, { coordinator: real.id });
    assert.equal(w.frame.header.type, 'welcome');
    assert.deepEqual(w.body.online, [real.id, alice.id]);
    assert.deepEqual((await cp.nextType('presence')).body, { id: alice.id, status: 'online', reason: 'joined' });
    ap.send(ap.message('study-7', real.id, new Uint8Array([1]), { type: 'partial' }));
    assert.equal((await cp.nextType('partial')).frame.header.from, alice.id);
    // the squatter's broadcast stays in the squatter's session
    sp.send(sp.message('study-7', '*', new Uint8Array([6]), { type: 'fake' }));
    await sleep(50);
    assert.equal(ap.got.filter((g) => g.frame.header.type === 'fake').length, 0);
    assert.equal(cp.got.filter((g) => g.frame.header.type === 'fake').length, 0);
    // without naming the coordinator, two sessions list alice: refused rather than guessed
    const guess = await Peer.connect(relay.url);
    const r = await guess.join('study-7', alice);
    assert.equal(r.body.code, 'E_NOT_IN_SESSION');
    assert.equal(reason(r), 'ambiguous-session');
    // the same coordinator cannot open the same name twice
    const again = await Peer.connect(relay.url);
    assert.equal((await again.create('study-7', real, [alice])).body.code, 'E_SESSION_EXISTS');
    [sp, cp, ap].forEach((p) => p.close());
  } finally {
    await relay.close();
  }
});

test('with --allow-coordinator only the configured key creates sessions; squatters are refused', async () => {
  const [real, squatter, alice] = await Promise.all([identity('coord'), identity('squatter'), identity('alice')]);
  const relay = await testRelay({ allowedCoordinators: [real.publicKey] });
  try {
    const sp = await Peer.connect(relay.url);
    const r = await sp.create('study-7', squatter, [alice]);
    assert.equal(r.body.code, 'E_AUTH');
    assert.equal(reason(r), 'coordinator-not-allowed');
    const cp = await Peer.connect(relay.url);
    assert.equal((await cp.create('study-7', real, [alice])).frame.header.type, 'welcome');
    const ap = await Peer.connect(relay.url);
    assert.equal(
      (await ap.join('study-7', alice)).frame.header.type,
      'welcome',
      'one session of that name: no need to name it',
    );
    [cp, ap].forEach((p) => p.close());
  } finally {
    await relay.close();
  }
});

/** Opens `n` raw TCP connections from `localAddress` that never speak. */
async function halfOpen(port: number, n: number, localAddress: string): Promise<Socket[]> {
  const out: Socket[] = [];
  for (let i = 0; i < n; i++) {
    const s = connect({ host: '127.0.0.1', port, localAddress });
    s.on('error', () => undefined);
    s.resume(); // read, so that the relay's close shows up here as 'close'
    out.push(s);
  }
  await Promise.all(
    out.map((s) => new Promise((r) => (s.connecting ? s.once('connect', r).once('close', r) : r(undefined)))),
  );
  return out;
}

test('300 half-open connections from one address do not lock honest peers out', async () => {
  const relay = await testRelay({ maxConnections: 300, maxPreAuthPerIp: 20, authTimeoutMs: 400 });
  try {
    const flood = await halfOpen(relay.port, 300, '127.0.0.2');
    await sleep(50);
    assert.ok(relay.stats().pending <= 20, `pending ${relay.stats().pending}`);
    for (let i = 0; i < 100 && flood.filter((s) => !s.destroyed).length > 20; i++) await sleep(10);
    assert.equal(flood.filter((s) => !s.destroyed).length, 20, 'sockets over the per-address cap are closed at once');
    const { peers } = await session(relay, 'honest', ['alice', 'bob']);
    assert.equal(relay.stats().authenticated, 3);
    // the survivors of the flood are cut at the pre-auth timeout (+ grace)
    await sleep(1600);
    assert.equal(relay.stats().pending, 0);
    assert.ok(
      flood.every((s) => s.destroyed),
      'every flood socket was closed by the relay',
    );
    peers.forEach((p) => p.close());
    flood.forEach((s) => s.destroy());
  } finally {
    await relay.close();
  }
});

test('a flood spread over many addresses evicts the oldest pending sockets, not honest handshakes', async () => {
  const relay = await testRelay({ maxPreAuth: 40, maxPreAuthPerIp: 40 });
  try {
    const flood: Socket[] = [];
    for (let a = 2; a < 8; a++) flood.push(...(await halfOpen(relay.port, 20, `127.0.0.${a}`)));
    await sleep(50);
    assert.ok(relay.stats().pending <= 40);
    const { peers } = await session(relay, 'honest-2', ['alice']);
    assert.equal(relay.stats().authenticated, 2);
    assert.match(relay.metrics.render(), /frames_dropped_total\{reason="preauth-evicted"\} \d+/);
    peers.forEach((p) => p.close());
    flood.forEach((s) => s.destroy());
  } finally {
    await relay.close();
  }
});

test('maxConnections caps authenticated connections only, and frees a slot when one leaves', async () => {
  const relay = await testRelay({ maxConnections: 2 });
  try {
    const { ids, peers } = await session(relay, 'cap', ['alice', 'bob'].slice(0, 1));
    const [, , bob] = [...ids, await identity('bob')];
    const extra = await Peer.connect(relay.url); // pending connections are not refused
    const r = await extra.create('cap-2', bob!, []);
    assert.equal(r.body.code, 'E_RATE_LIMITED');
    assert.equal(reason(r), 'relay-full');
    peers[1]!.close();
    for (let i = 0; i < 100 && relay.stats().authenticated > 1; i++) await sleep(10);
    const later = await Peer.connect(relay.url);
    assert.equal((await later.create('cap-2', bob!, [])).frame.header.type, 'welcome');
    peers[0]!.close();
    later.close();
  } finally {
    await relay.close();
  }
});

test('rate limits follow the identity: reconnecting does not refill the bucket', async () => {
  const relay = await testRelay({ messagesPerSecond: 1, burstMessages: 5 });
  try {
    const { ids, peers, id } = await session(relay, 'rate-id', ['alice']);
    const a1 = peers[1]!;
    for (let i = 0; i < 5; i++) a1.send(a1.message('rate-id', id('coord'), new Uint8Array([i])));
    for (let i = 0; i < 5; i++) await peers[0]!.nextType('test');
    a1.close();
    const a2 = await Peer.connect(relay.url);
    assert.equal((await a2.join('rate-id', ids[1]!)).frame.header.type, 'welcome');
    a2.send(a2.message('rate-id', id('coord'), new Uint8Array([9])));
    a2.send(a2.message('rate-id', id('coord'), new Uint8Array([10])));
    assert.equal((await a2.error('E_RATE_LIMITED')).body.code, 'E_RATE_LIMITED');
    peers[0]!.close();
    a2.close();
  } finally {
    await relay.close();
  }
});

test('one address cannot use up maxSessions: maxSessionsPerIp', async () => {
  const relay = await testRelay({ maxSessionsPerIp: 2 });
  try {
    const held: Peer[] = [];
    for (const n of ['s1', 's2']) {
      const p = await Peer.connect(relay.url);
      assert.equal((await p.create(n, await identity('c'), [])).frame.header.type, 'welcome');
      held.push(p);
    }
    const p = await Peer.connect(relay.url);
    const r = await p.create('s3', await identity('c'), []);
    assert.equal(r.body.code, 'E_RATE_LIMITED');
    assert.equal(reason(r), 'too-many-sessions-per-ip');
    held.forEach((x) => x.close());
  } finally {
    await relay.close();
  }
});
