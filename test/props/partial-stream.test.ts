/**
 * Streamed partials without a network: senders (PartialSender, real session keyrings, real
 * frame headers) → a malicious relay that drops, duplicates, reorders, truncates or splices
 * chunks (from another sender, or the same sender's partial of another round) → the
 * coordinator's checks (sequence numbers, the chunk's associated data) and PartialCollector. For
 * any split and chunk size, the collector either completes a sender's partial with exactly its
 * bytes or drops it with a typed error; the sum is always the exact sum of the completed partials.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Identity } from '../../src/crypto/identity.ts';
import { SessionKeyring } from '../../src/crypto/session-keyring.ts';
import { ShardwireError } from '../../src/errors.ts';
import { Kernel } from '../../src/kernel/kernel.ts';
import { allocRing, type RingBits, type RingVector } from '../../src/kernel/vectors.ts';
import { holderGraph } from '../../src/secagg/holder-graph.ts';
import { PartialCollector } from '../../src/secagg/partial-sum.ts';
import { ringBytes } from '../../src/session/partial-payload.ts';
import { chunkAad, chunkBytesFor, chunkCount, PartialSender } from '../../src/session/partial-stream.ts';
import { headerAad, SealedChannel } from '../../src/session/sealed-channel.ts';
import type { Frame } from '../../src/wire/frame.ts';
import type { Header } from '../../src/wire/header.ts';

const CONFIG_HASH = 'a'.repeat(64);
const k = await Kernel.load();
const coordId = await Identity.generate();
const ids = await Promise.all([0, 1, 2, 3].map(() => Identity.generate()));
const coordRing = await SessionKeyring.create(coordId, 'sess', CONFIG_HASH);
const rings = await Promise.all(ids.map((i) => SessionKeyring.create(i, 'sess', CONFIG_HASH)));
for (const [i, r] of rings.entries()) {
  await r.addPeer(coordId.toPublic(), coordRing.bundle);
  await coordRing.addPeer(ids[i].toPublic(), r.bundle);
}

/** Every chunk frame sender `i` produces for `bytes` (credited all at once), in order. */
async function framesOf(i: number, memo: string, bytes: Uint8Array, chunkBytes: number, seq0: number): Promise<Frame[]> {
  const frames: Frame[] = [];
  let seq = seq0;
  const sender = new PartialSender(memo, bytes, chunkBytes, {
    async send(body, extra) {
      const header: Header = { session: 'sess', from: ids[i].id, to: coordId.id, type: 'partial', memo, seq: seq++ };
      const aad = headerAad(header);
      const full = new Uint8Array(aad.length + extra.length);
      full.set(aad);
      full.set(extra, aad.length);
      frames.push({ kind: 1, header, payload: await rings[i].seal(coordId.id, body, full) } as unknown as Frame);
    },
    bufferedAmount: () => 0,
  });
  sender.credit(sender.total);
  await sender.run(1000);
  return frames;
}

type Attack = { kind: 'none' } | { kind: 'drop' | 'dup' | 'truncate'; at: number } | { kind: 'swap'; at: number; with: number } | { kind: 'splice'; at: number; source: 'other-sender' | 'other-round' };

const attackArb: fc.Arbitrary<Attack> = fc.oneof(
  fc.constant<Attack>({ kind: 'none' }),
  fc.record({ kind: fc.constantFrom<'drop' | 'dup' | 'truncate'>('drop', 'dup', 'truncate'), at: fc.nat(64) }),
  fc.record({ kind: fc.constant<'swap'>('swap'), at: fc.nat(64), with: fc.nat(64) }),
  fc.record({ kind: fc.constant<'splice'>('splice'), at: fc.nat(64), source: fc.constantFrom<'other-sender' | 'other-round'>('other-sender', 'other-round') }),
);

function randomBytes(n: number, salt: number): Uint8Array {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = (i * 131 + salt * 977 + ((i >> 3) ^ salt)) & 0xff;
  return b;
}

test('any split and chunk size, any drop/duplicate/reorder/truncate/splice: exact partial or a typed error, never a wrong sum', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.constantFrom<RingBits>(32, 64),
      fc.integer({ min: 1, max: 300 }),
      fc.integer({ min: 1, max: 40 }),
      fc.array(attackArb, { minLength: 3, maxLength: 3 }),
      fc.integer({ min: 0, max: 1000 }),
      async (ring, length, chunkElems, attacks, salt) => {
        const width = ring / 8;
        const chunkBytes = Math.ceil((chunkElems * width) / 8) * 8;
        const memo = `r${salt}`;
        const graph = await holderGraph(ids.slice(0, 3).map((i) => i.id), memo, 0); // everyone adjacent
        const partials = [0, 1, 2].map((i) => randomBytes(length * width, salt + i));
        const broken = new Map<string, ShardwireError>();
        const receiver = new SealedChannel(undefined as never, coordRing); // fresh sequence numbers per run
        const collector = new PartialCollector(
          { kernel: k, grant: () => undefined, broken: (from, e) => broken.set(from, e) },
          { memo, length, ring, graph, queueBytes: 1 << 30, stallMs: 60_000 },
        );
        const seqBase = (salt + 1) * 10_000;
        const streams: Frame[][] = [];
        for (const i of [0, 1, 2]) {
          collector.begin(ids[i].id, chunkBytes);
          streams.push(await framesOf(i, memo, partials[i], chunkBytes, seqBase));
        }
        // the relay's hand
        for (const [i, a] of attacks.entries()) {
          const f = streams[i];
          const at = a.kind === 'none' ? 0 : a.at % f.length;
          if (a.kind === 'drop') f.splice(at, 1);
          else if (a.kind === 'dup') f.splice(at, 0, f[at]);
          else if (a.kind === 'truncate') f.length = at;
          else if (a.kind === 'swap') [f[at], f[a.with % f.length]] = [f[a.with % f.length], f[at]];
          else if (a.kind === 'splice') {
            // a frame the relay really saw: another sender's chunk (re-stamped as the victim's), or
            // the victim's own chunk of another round (a sender seals one partial per round)
            const donor = a.source === 'other-sender' ? await framesOf((i + 1) % 3, memo, partials[(i + 1) % 3], chunkBytes, seqBase + 5000)
              : await framesOf(i, `${memo}x`, randomBytes(length * width, salt + 7), chunkBytes, seqBase + 5000);
            const d = donor[Math.min(at, donor.length - 1)];
            f[at] = { ...d, header: { ...d.header, from: ids[i].id } } as Frame;
          }
        }
        // interleave the three streams and deliver as the coordinator would
        const queue = streams.flatMap((f, i) => f.map((frame, j) => ({ frame, key: j * 3 + i }))).sort((x, y) => x.key - y.key);
        for (const { frame } of queue) {
          const from = frame.header.from;
          if (frame.header.memo !== memo || !collector.accepts(from)) continue; // refused unopened (coordinator.ts)
          let plain: Uint8Array;
          try {
            plain = await receiver.open(frame, collector.chunkAad(from));
          } catch (e) {
            assert.ok(e instanceof ShardwireError && ['E_CRYPTO', 'E_REPLAY'].includes(e.code), String(e));
            collector.fail(from, e);
            continue;
          }
          collector.onChunk(from, plain);
        }
        const expectSum = allocRing(ring, length);
        const completedIds = [0, 1, 2].filter((i) => collector.settled(ids[i].id) && !broken.has(ids[i].id));
        for (const i of [0, 1, 2]) {
          const id = ids[i].id;
          const attacked = attacks[i].kind !== 'none' && !(attacks[i].kind === 'swap' && (attacks[i] as { at: number }).at % streams[i].length === (attacks[i] as { with: number }).with % streams[i].length);
          if (!attacked) assert.ok(completedIds.includes(i), `untouched stream ${i} did not complete`);
          if (broken.has(id)) assert.ok(broken.get(id) instanceof ShardwireError);
        }
        for (const i of completedIds) k.accumulate(expectSum, partials[i]);
        if (completedIds.length === 0) {
          assert.throws(() => collector.finish(), (e: unknown) => e instanceof ShardwireError && e.code === 'E_TOO_FEW_CONTRIBUTORS');
          return;
        }
        const { sum, members } = collector.finish();
        assert.deepEqual([...members].sort(), completedIds.map((i) => ids[i].id).sort());
        assert.deepEqual(ringBytes(sum), ringBytes(expectSum));
        collector.dispose();
      },
    ),
    { numRuns: 150 },
  );
});

test('chunk sizes follow the relay limit: ≤ 1 MiB, multiples of 8, room for the seal; too small a limit is a typed error', () => {
  assert.equal(chunkBytesFor(16 << 20), 1 << 20);
  assert.equal(chunkBytesFor(65536) % 8, 0);
  assert.ok(chunkBytesFor(65536) + 2048 <= 65536);
  assert.throws(() => chunkBytesFor(2000), (e: unknown) => e instanceof ShardwireError && e.code === 'E_FRAME_TOO_LARGE');
  assert.equal(chunkCount(0, 8), 1);
  assert.equal(chunkCount(17, 8), 3);
  assert.notDeepEqual(chunkAad(0, 2, 16, 8), chunkAad(1, 2, 16, 8));
  assert.notDeepEqual(chunkAad(0, 2, 16, 8), chunkAad(0, 2, 16, 16));
});

test('a sender without credit waits, then fails with E_UNDELIVERED naming the cause', async () => {
  const sent: Uint8Array[] = [];
  const s = new PartialSender('m', new Uint8Array(64), 16, { send: async (b) => void sent.push(b), bufferedAmount: () => 0 });
  s.credit(2);
  const run = s.run(10_000);
  await new Promise((r) => setTimeout(r, 20));
  assert.equal(sent.length, 2);
  s.fail(new ShardwireError('E_FRAME_TOO_LARGE', 'relay: too large'));
  await assert.rejects(run, (e: unknown) => e instanceof ShardwireError && e.code === 'E_UNDELIVERED' && e.details.cause === 'E_FRAME_TOO_LARGE');
  const t = new PartialSender('m', new Uint8Array(64), 16, { send: async () => undefined, bufferedAmount: () => 0 });
  await assert.rejects(t.run(30), (e: unknown) => e instanceof ShardwireError && e.code === 'E_UNDELIVERED' && e.details.cause === 'E_TIMEOUT');
});

test('the collector keeps a partial with no neighbour in the sum staged, and leaves it out if none joins', async () => {
  const memo = 'parked';
  const six = await Promise.all(Array.from({ length: 6 }, () => Identity.generate()));
  const graph = await holderGraph(six.map((i) => i.id), memo, 2); // a cycle: neighbours are ±1
  const [a, , c] = graph.order;
  const collector = new PartialCollector({ kernel: k, grant: () => undefined, broken: () => undefined }, { memo, length: 4, ring: 32, graph, queueBytes: 1 << 20, stallMs: 60_000 });
  collector.begin(a, 16);
  collector.onChunk(a, new Uint8Array(16).fill(1));
  collector.begin(c, 16);
  collector.onChunk(c, new Uint8Array(16).fill(2));
  assert.equal(collector.completed, 2);
  const { sum, members, leftOut } = collector.finish();
  assert.deepEqual(members, [a]);
  assert.deepEqual(leftOut, [c]);
  assert.deepEqual([...(sum as Uint32Array)], [0x01010101, 0x01010101, 0x01010101, 0x01010101]);
  collector.dispose();
  void (sum as RingVector);
});
