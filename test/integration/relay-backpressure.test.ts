// A receiver that never reads and a sender that floods: the relay's queue to the receiver stays
// under the high-water mark, the sender is told (E_BACKPRESSURE), other members are unaffected.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import v8 from 'node:v8';
import vm from 'node:vm';
import { session, sleep, testRelay } from './relay-harness.ts';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;
const MiB = 1024 * 1024;

test('slow receiver: bounded relay memory, sender told, others still served', async () => {
  const HWM = 2 * MiB;
  const relay = await testRelay({ maxPayloadBytes: MiB, highWaterMarkBytes: HWM, messagesPerSecond: Infinity, bytesPerSecond: Infinity });
  try {
    const { id, peers: [coord, alice, bob] } = await session(relay, 'bp', ['alice', 'bob']);
    coord!.ws.pause(); // the coordinator stops reading its socket entirely
    gc();
    const before = process.memoryUsage();
    const frame = alice!.message('bp', id('coord'), new Uint8Array(MiB - 64).fill(0xab), { type: 'flood' });
    const FLOOD = 128; // 128 MiB, far beyond anything the relay may hold for one receiver
    let maxBuffered = 0;
    for (let i = 0; i < FLOOD; i++) {
      alice!.send(frame);
      // let the relay run, like a real sender that awaits its own socket draining
      while (alice!.ws.bufferedAmount > 4 * MiB) await sleep(1);
      maxBuffered = Math.max(maxBuffered, relay.stats().bufferedBytes);
    }
    const e = await alice!.error('E_BACKPRESSURE', 5000);
    assert.equal((e.body.details as Record<string, unknown>).to, id('coord'));
    // bob is not affected by the coordinator's stall
    alice!.send(alice!.message('bp', id('bob'), new Uint8Array([42]), { type: 'hello' }));
    assert.deepEqual([...(await bob!.nextType('hello')).frame.payload], [42]);
    while (alice!.ws.bufferedAmount > 0) await sleep(5);
    await sleep(50);
    maxBuffered = Math.max(maxBuffered, relay.stats().bufferedBytes);
    assert.ok(maxBuffered <= HWM + MiB, `relay queued ${maxBuffered} bytes for the slow receiver (limit ${HWM} + one frame)`);
    gc();
    const after = process.memoryUsage();
    const growth = after.heapUsed + after.arrayBuffers - (before.heapUsed + before.arrayBuffers);
    assert.ok(growth < 24 * MiB, `heap + buffers grew by ${(growth / MiB).toFixed(1)} MiB after a ${FLOOD} MiB flood`);
    const m = relay.metrics.render();
    const dropped = Number(/frames_dropped_total\{reason="backpressure"\} (\d+)/.exec(m)?.[1] ?? 0);
    assert.ok(dropped > FLOOD / 2, `expected most of the flood dropped, got ${dropped}`);
    // once the receiver reads again it gets what was queued, and new frames flow
    coord!.ws.resume();
    for (let i = 0; i < 500 && relay.stats().bufferedBytes > 0; i++) await sleep(10);
    alice!.send(alice!.message('bp', id('coord'), new Uint8Array([7]), { type: 'after' }));
    const late = await coord!.nextType('after', 5000);
    assert.deepEqual([...late.frame.payload], [7]);
    const received = coord!.got.filter((g) => g.frame.header.type === 'flood').length;
    assert.ok(received >= 1 && received < FLOOD, `receiver got ${received} flood frames`);
    [coord, alice, bob].forEach((p) => p!.close());
  } finally {
    await relay.close();
  }
});
