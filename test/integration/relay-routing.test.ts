import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { encodeFrame, FrameKind } from '../../src/wire/index.ts';
import type { Relay } from '../../src/relay/index.ts';
import { session, sleep, testRelay } from './relay-harness.ts';

let relay: Relay;
before(async () => {
  relay = await testRelay({ maxBadFrames: 3 });
});
after(() => relay.close());

test('unicast reaches only the recipient, with from stamped and payload untouched', async () => {
  const { id, peers: [c, a, b] } = await session(relay, 'r-unicast', ['alice', 'bob']);
  a!.send(a!.message('r-unicast', id('coord'), new Uint8Array([9, 8, 7]), { type: 'partial', memo: 'round-1' }));
  const m = await c!.nextType('partial');
  assert.equal(m.frame.kind, FrameKind.message);
  assert.deepEqual(m.frame.header, { session: 'r-unicast', from: id('alice'), to: id('coord'), type: 'partial', memo: 'round-1', seq: m.frame.header.seq });
  assert.deepEqual([...m.frame.payload], [9, 8, 7]);
  await sleep(50);
  assert.equal(b!.got.filter((g) => g.frame.header.type === 'partial').length, 0);
  [c, a, b].forEach((p) => p!.close());
});

test('a frame that names its own id as from is forwarded unchanged', async () => {
  const { id, peers: [c, a] } = await session(relay, 'r-canonical', ['alice']);
  const sent = a!.message('r-canonical', id('coord'), new Uint8Array(1000).fill(3), { from: id('alice') });
  a!.send(sent);
  const m = await c!.nextType('test');
  assert.equal(m.frame.header.from, id('alice'));
  assert.equal(m.frame.payload.length, 1000);
  [c, a].forEach((p) => p!.close());
});

test('spoofing from is impossible: the frame is refused with E_AUTH and never delivered', async () => {
  const { id, peers: [c, a, b] } = await session(relay, 'r-spoof', ['alice', 'bob']);
  a!.send(a!.message('r-spoof', id('coord'), new Uint8Array([1]), { from: id('bob'), type: 'spoofed' }));
  const e = await a!.error('E_AUTH');
  assert.equal((e.body.ref as { type: string }).type, 'spoofed');
  await sleep(50);
  assert.equal(c!.got.filter((g) => g.frame.header.type === 'spoofed').length, 0);
  // and a frame with another session id is refused too
  a!.send(a!.message('other-session', id('coord'), new Uint8Array([1]), { type: 'spoofed' }));
  assert.equal((await a!.error('E_NOT_IN_SESSION')).body.code, 'E_NOT_IN_SESSION');
  [c, a, b].forEach((p) => p!.close());
});

test('broadcast reaches every other member, not the sender', async () => {
  const { id, peers: [c, a, b] } = await session(relay, 'r-broadcast', ['alice', 'bob']);
  c!.send(c!.message('r-broadcast', '*', new Uint8Array([5]), { type: 'round.start' }));
  const [ma, mb] = await Promise.all([a!.nextType('round.start'), b!.nextType('round.start')]);
  assert.equal(ma.frame.header.from, id('coord'));
  assert.equal(mb.frame.header.to, '*');
  await sleep(50);
  assert.equal(c!.got.filter((g) => g.frame.header.type === 'round.start').length, 0);
  [c, a, b].forEach((p) => p!.close());
});

test('presence: members hear joins and leaves', async () => {
  const { id, peers: [c, a, b] } = await session(relay, 'r-presence', ['alice', 'bob']);
  assert.deepEqual((await c!.nextType('presence')).body, { id: id('alice'), status: 'online', reason: 'joined' });
  assert.deepEqual((await c!.nextType('presence')).body, { id: id('bob'), status: 'online', reason: 'joined' });
  assert.deepEqual((await a!.nextType('presence')).body, { id: id('bob'), status: 'online', reason: 'joined' });
  b!.ws.close(1000);
  assert.deepEqual((await c!.nextType('presence')).body, { id: id('bob'), status: 'offline', reason: 'left' });
  assert.deepEqual((await a!.nextType('presence')).body, { id: id('bob'), status: 'offline', reason: 'left' });
  [c, a].forEach((p) => p!.close());
});

test('sending to a non-member or an offline member is refused with E_NOT_IN_SESSION', async () => {
  const { id, peers: [c, a, b] } = await session(relay, 'r-nonmember', ['alice', 'bob']);
  b!.ws.close(1000);
  await c!.next((g) => g.body.status === 'offline');
  c!.send(c!.message('r-nonmember', 'mallory', new Uint8Array(1)));
  assert.equal((await c!.error('E_NOT_IN_SESSION')).body.code, 'E_NOT_IN_SESSION');
  c!.send(c!.message('r-nonmember', id('bob'), new Uint8Array(1)));
  const e = await c!.error('E_NOT_IN_SESSION');
  assert.equal((e.body.details as Record<string, unknown>).reason, 'offline');
  [c, a].forEach((p) => p!.close());
});

test('a payload over the session limit is E_FRAME_TOO_LARGE; over the relay limit ws closes 1009', async () => {
  const small = await testRelay({ maxPayloadBytes: 64 * 1024 });
  try {
    const { id, peers: [c, a] } = await session(small, 'r-large', ['alice'], { maxPayloadBytes: 1000 });
    a!.send(a!.message('r-large', id('coord'), new Uint8Array(1001)));
    const e = await a!.error('E_FRAME_TOO_LARGE');
    assert.equal((e.body.details as Record<string, unknown>).max, 1000);
    a!.send(a!.message('r-large', id('coord'), new Uint8Array(1000)));
    assert.equal((await c!.nextType('test')).frame.payload.length, 1000);
    a!.send(a!.message('r-large', id('coord'), new Uint8Array(200 * 1024)));
    assert.equal((await a!.closed).code, 1009);
    c!.close();
  } finally {
    await small.close();
  }
});

test('bad frames get error frames; repeated ones close with the matching code', async () => {
  const { id, peers: [c, a] } = await session(relay, 'r-strikes', ['alice']);
  a!.send(new Uint8Array([1, 2, 0, 0, 0, 50, 123])); // header length past the end
  const e1 = await a!.error('E_BAD_FRAME');
  assert.match(e1.body.message as string, /runs past the end/);
  a!.send(new Uint8Array([9, 2, 0, 0, 0, 0]));
  assert.match((await a!.error('E_BAD_FRAME')).body.message as string, /unsupported protocol version 9/);
  // still routes good frames between bad ones
  a!.send(a!.message('r-strikes', id('coord'), new Uint8Array([1])));
  await c!.nextType('test');
  a!.send(encodeFrame(FrameKind.message, { session: 'r-strikes', from: '', to: id('coord'), type: 'x', seq: 0 }).subarray(0, 10));
  assert.equal((await a!.closed).code, 1002);
  c!.close();
});

test('text frames are refused', async () => {
  const { peers: [c, a] } = await session(relay, 'r-text', ['alice']);
  a!.ws.send('hello');
  assert.match((await a!.error('E_BAD_FRAME')).body.message as string, /text WebSocket messages/);
  [c, a].forEach((p) => p!.close());
});

test('per-connection message rate limit drops frames with E_RATE_LIMITED', async () => {
  const r = await testRelay({ messagesPerSecond: 5, burstMessages: 5 });
  try {
    const { id, peers: [c, a] } = await session(r, 'r-rate', ['alice']);
    for (let i = 0; i < 10; i++) a!.send(a!.message('r-rate', id('coord'), new Uint8Array([i])));
    assert.equal((await a!.error('E_RATE_LIMITED')).body.code, 'E_RATE_LIMITED');
    await sleep(100);
    assert.ok(c!.got.filter((g) => g.frame.header.type === 'test').length <= 6);
    [c, a].forEach((p) => p!.close());
  } finally {
    await r.close();
  }
});
