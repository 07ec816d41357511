/**
 * The secure sum's algebra, without a network: for random participant sets, shard counts and
 * dropout sets, Σ partials of the survivors plus the recovery correction equals the exact sum of
 * the survivors' clipped encodings; masks hide nothing that the sum needs.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Kernel, type RingBits, type RingVector } from '../../src/kernel/index.ts';
import { holderGraph } from '../../src/secagg/holder-graph.ts';
import { buildPartial } from '../../src/secagg/partial.ts';
import { reconstructSum } from '../../src/secagg/reconstruct.ts';

const k = await Kernel.load();

test('survivor partials + revealed dropout seeds reconstruct the exact survivor sum', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.integer({ min: 2, max: 20 }),
      fc.integer({ min: 0, max: 8 }),
      fc.constantFrom<RingBits>(32, 64),
      fc.integer({ min: 0, max: 40 }),
      fc.array(fc.boolean(), { minLength: 20, maxLength: 20 }),
      fc.string({ minLength: 1, maxLength: 12 }),
      async (n, shardsRaw, ring, dim, dropMask, memo) => {
        const shards = shardsRaw === 1 ? 2 : shardsRaw;
        const ids = Array.from({ length: n }, (_, i) => `p${i}`);
        const g = await holderGraph(ids, memo, shards);
        const seed = new Map<string, Uint8Array>();
        const edgeSeed = (from: string, to: string) => {
          const key = `${from}>${to}`;
          if (!seed.has(key)) seed.set(key, globalThis.crypto.getRandomValues(new Uint8Array(32)));
          return seed.get(key)!;
        };
        const inputs = ids.map((_, i) => Float64Array.from({ length: dim }, (_, e) => Math.sin(i * 31 + e) * 0.5));
        const clip = { norm: 'linf' as const, bound: 1 };
        const partials = new Map<string, RingVector>();
        const encodings = new Map<string, RingVector>();
        for (const [i, id] of ids.entries()) {
          const p = buildPartial(k, inputs[i], {
            exponent: 4,
            ring,
            clip,
            masks: {
              seeds: [...g.holdersOf(id).map((j) => edgeSeed(id, j)), ...g.heldBy(id).map((l) => edgeSeed(l, id))],
              signs: [...g.holdersOf(id).map(() => -1 as const), ...g.heldBy(id).map(() => 1 as const)],
            },
          });
          // unmask locally to learn this partial's own encoding (the test may; the coordinator cannot)
          const own = k.expandMasks(p.vector.slice() as RingVector, [...g.holdersOf(id).map((j) => edgeSeed(id, j)), ...g.heldBy(id).map((l) => edgeSeed(l, id))], [...g.holdersOf(id).map(() => 1), ...g.heldBy(id).map(() => -1)]);
          encodings.set(id, own);
          partials.set(id, p.vector);
        }
        const dropped = ids.filter((_, i) => dropMask[i]);
        const survivors = ids.filter((id) => !dropped.includes(id));
        fc.pre(survivors.length > 0);
        const seeds: Uint8Array[] = [];
        const signs: (1 | -1)[] = [];
        for (const a of survivors) {
          for (const j of g.holdersOf(a)) if (dropped.includes(j)) (seeds.push(edgeSeed(a, j)), signs.push(1));
          for (const l of g.heldBy(a)) if (dropped.includes(l)) (seeds.push(edgeSeed(l, a)), signs.push(-1));
        }
        const sum = reconstructSum(k, survivors.map((id) => partials.get(id)!), { seeds, signs });
        const expected = k.ringSum(survivors.map((id) => encodings.get(id)!));
        assert.deepEqual(sum, expected);
        if (dropped.length === 0) assert.deepEqual(reconstructSum(k, survivors.map((id) => partials.get(id)!)), expected);
      },
    ),
    { numRuns: 60 },
  );
});

test('holder graph: every party computes the same graph; H(i) has min(s, n) − 1 distinct others', async () => {
  await fc.assert(
    fc.asyncProperty(fc.uniqueArray(fc.string({ minLength: 1, maxLength: 8 }), { minLength: 1, maxLength: 30 }), fc.integer({ min: 0, max: 40 }), fc.string(), async (ids, shards, memo) => {
      const a = await holderGraph(ids, memo, shards);
      const b = await holderGraph([...ids].reverse(), memo, shards);
      assert.deepEqual(a.order, b.order);
      const s = shards === 0 ? ids.length : Math.min(shards, ids.length);
      for (const id of ids) {
        const h = a.holdersOf(id);
        assert.equal(h.length, s - 1);
        assert.equal(new Set(h).size, h.length);
        assert.ok(!h.includes(id));
        for (const j of h) assert.ok(a.heldBy(j).includes(id));
      }
    }),
    { numRuns: 100 },
  );
});
