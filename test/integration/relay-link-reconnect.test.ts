// RelayLink reconnection: drops are survived with reconnecting/resumed events and no lost or
// doubled frame; a list of relays is walked; a link that cannot come back reports `lost`.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MemoryBackplane } from '../../src/relay/index.ts';
import { RelayLink } from '../../src/session/relay-link.ts';
import type { Frame } from '../../src/wire/index.ts';
import { identity, Peer, sleep, testRelay, type Identity } from './relay-harness.ts';

/** Forcibly drops a link's current socket, as a network failure would. */
export function dropSocket(link: RelayLink): void {
  (link as unknown as { socket: { terminate(): void } }).socket.terminate();
}

async function until(cond: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) assert.fail('condition not met in time');
    await sleep(5);
  }
}

async function linkFor(
  urls: string[],
  sid: string,
  who: Identity,
  coord: Identity,
  windowMs = 5000,
): Promise<{ link: RelayLink; got: number[]; events: string[] }> {
  const link = await RelayLink.connect({
    urls,
    session: sid,
    identity: who,
    coordinator: coord.id,
    reconnect: { windowMs, initialDelayMs: 10, maxDelayMs: 50 },
  });
  const got: number[] = [];
  const events: string[] = [];
  link.on({
    message: (f: Frame) => got.push(f.payload[0]! | (f.payload[1]! << 8)),
    reconnecting: (e) => events.push(`reconnecting:${e.attempt}`),
    resumed: (e) => events.push(`resumed:${e.gap}`),
    lost: (e) => events.push(`lost:${e.code}`),
    close: () => events.push('close'),
  });
  return { link, got, events };
}

test('a dropped link reconnects, resumes its inbox, and misses nothing nor gets anything twice', async () => {
  const relay = await testRelay();
  try {
    const [c, a] = await Promise.all([identity('coord'), identity('alice')]);
    const cp = await Peer.connect(relay.url);
    await cp.create('rl', c, [a]);
    const { link, got, events } = await linkFor([relay.url], 'rl', a, c);
    const send = (i: number) => cp.send(cp.message('rl', a.id, new Uint8Array([i & 255, i >> 8])));
    for (let i = 1; i <= 20; i++) send(i);
    await until(() => got.length === 20);
    dropSocket(link);
    for (let i = 21; i <= 40; i++) send(i); // while alice is away
    await until(() => events.includes('resumed:false'));
    for (let i = 41; i <= 50; i++) send(i);
    await until(() => got.length >= 50);
    await sleep(50);
    assert.deepEqual(
      got,
      Array.from({ length: 50 }, (_, i) => i + 1),
    );
    assert.ok(events[0]!.startsWith('reconnecting:1'));
    // what alice sends while reconnecting waits and goes out after the resume
    dropSocket(link);
    link.send(link.nextHeader(c.id, 'late'), new Uint8Array([7]));
    assert.equal((await cp.nextType('late', 5000)).frame.payload[0], 7);
    link.close();
    cp.close();
  } finally {
    await relay.close();
  }
});

test('when its relay goes away the link moves to the next relay of its list', async () => {
  const backplane = new MemoryBackplane(); // two relays sharing one backplane: an in-process cluster
  const [r1, r2] = await Promise.all([testRelay({ backplane }), testRelay({ backplane })]);
  try {
    const [c, a] = await Promise.all([identity('coord'), identity('alice')]);
    const cp = await Peer.connect(r2.url);
    await cp.create('rl2', c, [a]);
    const { link, got, events } = await linkFor([r1.url, r2.url], 'rl2', a, c);
    cp.send(cp.message('rl2', a.id, new Uint8Array([1, 0])));
    await until(() => got.length === 1);
    await r1.close();
    cp.send(cp.message('rl2', a.id, new Uint8Array([2, 0])));
    await until(() => events.includes('resumed:false'));
    assert.equal(link.url, r2.url);
    await until(() => got.length === 2);
    assert.deepEqual(got, [1, 2]);
    link.close();
    cp.close();
  } finally {
    await r2.close();
    await backplane.close();
  }
});

test('a link that cannot come back within its window reports lost (E_LINK_LOST), then close', async () => {
  const relay = await testRelay();
  const [c, a] = await Promise.all([identity('coord'), identity('alice')]);
  const cp = await Peer.connect(relay.url);
  await cp.create('rl3', c, [a]);
  const { events } = await linkFor([relay.url], 'rl3', a, c, 300);
  await relay.close();
  await until(() => events.includes('close'), 3000);
  assert.ok(events.includes('lost:E_LINK_LOST'), events.join());
  assert.equal(events.at(-1), 'close');
});

test('a session gone from the relay is never resumed into: the link is lost after its window', async () => {
  const backplane = new MemoryBackplane();
  const relay = await testRelay({ backplane });
  try {
    const [c, a] = await Promise.all([identity('coord'), identity('alice')]);
    const cp = await Peer.connect(relay.url);
    await cp.create('rl4', c, [a]);
    const { link, events } = await linkFor([relay.url], 'rl4', a, c, 500);
    await backplane.deleteSession(`${c.id}/rl4`);
    dropSocket(link);
    await until(() => events.includes('close'), 5000);
    assert.ok(!events.includes('resumed:false'), 'never resumed into a session that is gone');
    assert.ok(events.includes('lost:E_LINK_LOST'), events.join());
    cp.close();
  } finally {
    await relay.close();
  }
});
