// Offline inbox on one relay (memory backplane): frames sent to an absent member wait for it,
// a resume delivers exactly the ones after the last received, in order; caps give a reported gap.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ControlType, encodeControlBody, encodeFrame, FrameKind, RELAY_ID } from '../../src/wire/index.ts';
import { identity, Peer, sleep, testRelay, type Identity } from './relay-harness.ts';

async function payloadsOf(p: Peer, n: number): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push((await p.nextType('test')).frame.payload[0]!);
  return out;
}

async function setup(o: Parameters<typeof testRelay>[0] = {}) {
  const relay = await testRelay(o);
  const [c, a] = await Promise.all([identity('coord'), identity('alice')]);
  const cp = await Peer.connect(relay.url);
  await cp.create('inbox', c, [a]);
  const join = async (inbox: { epoch?: string; after?: number }) => {
    const p = await Peer.connect(relay.url);
    const w = await p.join('inbox', a, { coordinator: c.id, inbox });
    assert.equal(w.frame.header.type, 'welcome', JSON.stringify(w.body));
    return { p, inbox: w.body.inbox as { epoch: string; after: number; gap: boolean } };
  };
  const send = (bytes: number[]) => bytes.forEach((b) => cp.send(cp.message('inbox', a.id, new Uint8Array([b]))));
  return { relay, c, a, cp, join, send };
}

function ack(p: Peer, who: Identity, seq: number): void {
  p.send(
    encodeFrame(
      FrameKind.control,
      { session: 'inbox', from: who.id, to: RELAY_ID, type: ControlType.ack, seq: p.seq++ },
      encodeControlBody({ seq }),
    ),
  );
}

test('frames sent while a member is away are delivered on resume, in order, exactly once', async () => {
  const { relay, a, cp, join, send } = await setup();
  try {
    const first = await join({});
    assert.deepEqual({ after: first.inbox.after, gap: first.inbox.gap }, { after: 0, gap: false });
    send([1, 2, 3]);
    assert.deepEqual(await payloadsOf(first.p, 3), [1, 2, 3]);
    ack(first.p, a, 2); // the peer acknowledged 2 but received 3
    first.p.close();
    await cp.next((g) => g.body.status === 'offline');
    send([4, 5]); // alice is away: kept, no E_NOT_IN_SESSION for the sender
    await sleep(50);
    assert.equal(cp.got.filter((g) => g.frame.header.type === 'error').length, 0);
    const again = await join({ epoch: first.inbox.epoch, after: 3 });
    assert.deepEqual(
      { after: again.inbox.after, gap: again.inbox.gap, same: again.inbox.epoch === first.inbox.epoch },
      { after: 3, gap: false, same: true },
    );
    assert.deepEqual(await payloadsOf(again.p, 2), [4, 5]);
    send([6]);
    assert.deepEqual(await payloadsOf(again.p, 1), [6], 'live frames follow the replay');
    await sleep(50);
    assert.equal(again.p.got.filter((g) => g.frame.header.type === 'test').length, 0, 'nothing twice');
    [cp, again.p].forEach((p) => p.close());
  } finally {
    await relay.close();
  }
});

test('a resume past the caps is told about the gap; an unknown epoch starts afresh with gap', async () => {
  const { relay, cp, join, send } = await setup({ inboxMaxFrames: 2 });
  try {
    const first = await join({});
    first.p.close();
    await cp.next((g) => g.body.status === 'offline');
    send([1, 2, 3, 4, 5]);
    await sleep(50);
    const again = await join({ epoch: first.inbox.epoch, after: 0 });
    assert.deepEqual({ after: again.inbox.after, gap: again.inbox.gap }, { after: 3, gap: true });
    assert.deepEqual(await payloadsOf(again.p, 2), [4, 5]);
    again.p.close();
    const other = await join({ epoch: 'AAAAAAAAAAAAAAAAAAAAAA', after: 9 });
    assert.equal(other.inbox.gap, true);
    assert.notEqual(other.inbox.epoch, first.inbox.epoch);
    assert.equal(other.inbox.after, 0);
    [cp, other.p].forEach((p) => p.close());
  } finally {
    await relay.close();
  }
});

test('a slow reader with an inbox loses nothing: frames wait in the store, not in relay memory', async () => {
  const MiB = 1024 * 1024;
  const { relay, a, cp, join } = await setup({
    maxPayloadBytes: MiB,
    highWaterMarkBytes: 256 * 1024,
    messagesPerSecond: Infinity,
    bytesPerSecond: Infinity,
    inboxMaxBytes: 64 * MiB,
  });
  try {
    const { p } = await join({});
    p.ws.pause();
    const N = 40;
    for (let i = 0; i < N; i++) cp.send(cp.message('inbox', a.id, new Uint8Array(128 * 1024).fill(i)));
    await sleep(300);
    assert.ok(relay.stats().bufferedBytes <= 256 * 1024 + 200 * 1024, `relay buffered ${relay.stats().bufferedBytes}`);
    assert.equal(cp.got.filter((g) => g.body.code === 'E_BACKPRESSURE').length, 0);
    p.ws.resume();
    const got: number[] = [];
    for (let i = 0; i < N; i++) got.push((await p.nextType('test', 5000)).frame.payload[0]!);
    assert.deepEqual(got, [...Array(N).keys()]);
    [cp, p].forEach((x) => x.close());
  } finally {
    await relay.close();
  }
});
