// Fuzz: random and mutated frames at a live relay; afterwards it must still route a good
// message, only ever answer with valid frames and known codes, and hold bounded memory.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import v8 from 'node:v8';
import vm from 'node:vm';
import fc from 'fast-check';
import { encodeFrame, FrameKind, type Header } from '../../src/wire/index.ts';
import type { Relay } from '../../src/relay/index.ts';
import { identity, Peer, session, testRelay, type Identity } from '../integration/relay-harness.ts';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

const RUNS = 100;
const FRAMES_PER_RUN = 100; // RUNS × FRAMES_PER_RUN = 10^4 frames
const SID = 'fuzz';
const ALLOWED_CODES = new Set(['E_BAD_FRAME', 'E_BAD_PAYLOAD', 'E_FRAME_TOO_LARGE', 'E_AUTH', 'E_NOT_IN_SESSION']);

let relay: Relay;
let coord: Peer;
let ids: Identity[];
/** Name → derived id, filled once the session exists (arbitraries map names lazily). */
let idOf: (name: string) => string = (n) => n;
before(async () => {
  // Unlimited strikes and rates so that every fuzz frame reaches the decoder and router.
  relay = await testRelay({ maxPayloadBytes: 64 * 1024, maxBadFrames: Infinity, messagesPerSecond: Infinity, bytesPerSecond: Infinity });
  const s = await session(relay, SID, ['alice', 'bob'], { maxPayloadBytes: 512 });
  ids = s.ids;
  idOf = s.id;
  coord = s.peers[0]!;
  s.peers[2]!.close(); // bob stays offline: frames to him exercise the offline path
  s.peers[1]!.close();
});
after(async () => {
  coord.close();
  await relay.close();
});

type Wire = { bytes: Uint8Array } | { text: string };
const utf8 = new TextEncoder();

function rawFrame(version: number, kind: number, header: Uint8Array, payload: Uint8Array, declared = header.length): Uint8Array {
  const out = new Uint8Array(6 + header.length + payload.length);
  out[0] = version;
  out[1] = kind;
  new DataView(out.buffer).setUint32(2, declared >>> 0);
  out.set(header, 6);
  out.set(payload, 6 + header.length);
  return out;
}

const header = fc.record({
  session: fc.constantFrom(SID, 'other', ''),
  from: fc.constantFrom('', 'alice', 'coord', 'bob', 'relay').map((n) => idOf(n)),
  to: fc.constantFrom('coord', 'alice', 'bob', '*', 'nobody', 'relay', '').map((n) => idOf(n)),
  type: fc.constantFrom('t', 'partial', 'round.recover', 'join', 'create'),
  seq: fc.nat(),
});
const payload = fc.oneof({ weight: 4, arbitrary: fc.uint8Array({ maxLength: 600 }) }, { weight: 1, arbitrary: fc.integer({ min: 513, max: 8192 }).map((n) => new Uint8Array(n)) });
const validMessage = fc.tuple(header, payload, fc.constantFrom(FrameKind.message, FrameKind.control)).filter(([h, , k]) => k === FrameKind.control || h.session !== '').map(([h, p, k]) => {
  try {
    return encodeFrame(k, h as Header, p);
  } catch {
    return rawFrame(1, k, utf8.encode(JSON.stringify(h)), p);
  }
});
const wrongTypes = fc.tuple(fc.dictionary(fc.constantFrom('session', 'from', 'to', 'type', 'seq', 'memo', 'extra', '__proto__'), fc.jsonValue({ maxDepth: 2 })), fc.integer({ min: 0, max: 4 }), fc.uint8Array({ maxLength: 64 }))
  .map(([h, kind, p]) => rawFrame(1, kind, utf8.encode(JSON.stringify(h)), p));
const wire: fc.Arbitrary<Wire> = fc.oneof(
  fc.uint8Array({ maxLength: 300 }).map((bytes) => ({ bytes })),
  validMessage.map((bytes) => ({ bytes })),
  fc.tuple(validMessage, fc.nat()).map(([f, n]) => ({ bytes: f.subarray(0, n % (f.length + 1)) })),
  fc.tuple(validMessage, fc.nat(), fc.integer({ min: 1, max: 255 })).map(([f, i, x]) => {
    const g = f.slice();
    g[i % g.length]! ^= x;
    return { bytes: g };
  }),
  fc.tuple(validMessage, fc.nat({ max: 2 ** 32 - 1 })).map(([f, len]) => {
    const g = f.slice();
    new DataView(g.buffer).setUint32(2, len);
    return { bytes: g };
  }),
  wrongTypes.map((bytes) => ({ bytes })),
  fc.tuple(fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 255 }), fc.string({ maxLength: 80 })).map(([v, k, s]) => ({ bytes: rawFrame(v, k, utf8.encode(s), new Uint8Array(0)) })),
  fc.string({ maxLength: 50 }).map((text) => ({ text })),
);

function assertRelayFrames(p: Peer): void {
  for (const g of p.got.splice(0)) {
    if (g.frame.header.type === 'error') assert.ok(ALLOWED_CODES.has(g.body.code as string), `unexpected error code ${String(g.body.code)}`);
  }
}

test(`relay survives ${RUNS * FRAMES_PER_RUN} random and mutated frames from a member, still routes, memory bounded`, async () => {
  const alice = await Peer.connect(relay.url);
  assert.equal((await alice.join(SID, ids[1]!)).frame.header.type, 'welcome');
  let fuzzer = alice;
  let probeSeq = 0;
  gc();
  const before = process.memoryUsage();
  await fc.assert(
    fc.asyncProperty(fc.array(wire, { minLength: FRAMES_PER_RUN, maxLength: FRAMES_PER_RUN }), async (frames) => {
      for (const f of frames) fuzzer.ws.send('text' in f ? f.text : f.bytes);
      const probe = fuzzer.message(SID, idOf('coord'), new Uint8Array([1, 2, 3]), { type: 'probe', memo: `p${++probeSeq}` });
      fuzzer.ws.send(probe);
      const got = await coord.next((g) => g.frame.header.type === 'probe' && g.frame.header.memo === `p${probeSeq}`, 5000);
      assert.equal(got.frame.header.from, idOf('alice'));
      assertRelayFrames(fuzzer);
      coord.got.length = 0;
      assert.equal(fuzzer.ws.readyState, 1, 'fuzzer connection still open');
    }),
    { numRuns: RUNS },
  );
  gc();
  const afterMem = process.memoryUsage();
  const growth = afterMem.heapUsed + afterMem.arrayBuffers - (before.heapUsed + before.arrayBuffers);
  assert.ok(growth < 32 * 1024 * 1024, `heap + buffers grew by ${growth} bytes`);
  assert.equal(relay.stats().bufferedBytes, 0);
  assert.equal(relay.stats().authenticated, 2);
  fuzzer.close();
});

test('unauthenticated connections: any first frame but a valid create/join is refused and closed, relay stays up', async () => {
  const me = await identity('coord');
  await fc.assert(
    fc.asyncProperty(wire, async (f) => {
      const p = await Peer.connect(relay.url);
      p.ws.send('text' in f ? f.text : f.bytes);
      const e = await p.next((g) => g.frame.header.type === 'error' || g.frame.header.type === 'welcome', 3000).catch(() => undefined);
      assert.ok(e && e.frame.header.type === 'error', 'every bad first frame gets an error frame');
      assert.ok(ALLOWED_CODES.has(e.body.code as string), `unexpected code ${String(e.body.code)}`);
      assert.ok([1002, 1007, 1008, 1009].includes((await p.closed).code));
    }),
    { numRuns: 200 },
  );
  // still accepts a real session afterwards
  const p = await Peer.connect(relay.url);
  assert.equal((await p.create('after-fuzz', me, [])).frame.header.type, 'welcome');
  p.close();
});
