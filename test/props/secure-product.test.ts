/**
 * The secure product's algebra without the network (secagg/product.ts): n ≤ 20 clients with
 * pairwise and self masks, random dropouts recovered with the same corrections a sum uses; the
 * unmasked product equals the exact product of the survivors' fixed-point factors (zeros,
 * negatives, values at the bound). And what the coordinator sees: masked factors are uniform in
 * the field (χ²) even for an all-zero or all-equal input, and the zero channel of a round with a
 * zero is not 0.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Kernel } from '../../src/kernel/kernel.ts';
import { getSodium } from '../../src/sodium.ts';
import { fieldBudget, tableField } from '../../src/field-budget.ts';
import { buildProductPartial, checkProductPartial, decodeProduct, foldProduct, productPartialLength, productViews, unmaskProduct } from '../../src/secagg/product.ts';
import { exactRational, nextDown, nextUp, ratioToNumber } from '../../src/dp/rounding.ts';
import { PartialCollector } from '../../src/secagg/partial-sum.ts';
import { holderGraph } from '../../src/secagg/holder-graph.ts';
import { Identity } from '../../src/crypto/identity.ts';

const kernel = await Kernel.load();
const sodium = await getSodium();
const seed = (): Uint8Array => globalThis.crypto.getRandomValues(new Uint8Array(32)) as Uint8Array;

test('n ≤ 20 with random dropouts: the unmasked product is the exact product of the survivors\' factors', async () => {
  await fc.assert(
    fc.property(
      fc.integer({ min: 2, max: 20 }).chain((n) => fc.record({
        exponent: fc.integer({ min: 0, max: 4 }),
        bound: fc.constantFrom(1, 2.5, 7),
        dim: fc.integer({ min: 1, max: 5 }),
        rows: fc.array(fc.array(fc.oneof(fc.double({ min: -8, max: 8, noNaN: true }), fc.constantFrom(0, 7, -7, 2.5, -2.5)), { minLength: 5, maxLength: 5 }), { minLength: n, maxLength: n }),
        dropped: fc.array(fc.boolean(), { minLength: n, maxLength: n }),
      })).filter(({ dropped }) => dropped.some((d) => !d)),
      ({ exponent, bound, dim, rows, dropped }) => {
        const n = rows.length;
        const field = fieldBudget({ clients: n, exponent, elementBound: bound }).field;
        const edge = new Map<string, Uint8Array>();
        for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) edge.set(`${i}-${j}`, seed());
        const selfSeeds = rows.map(() => seed());
        const survivors = rows.map((_, i) => i).filter((i) => !dropped[i]);
        let acc: Uint32Array | undefined;
        const factors: bigint[][] = [];
        for (const i of survivors) {
          const x = Float64Array.from(rows[i].slice(0, dim));
          const seeds = [selfSeeds[i]];
          const signs: (1 | -1)[] = [1];
          for (let j = 0; j < n; j++) if (j !== i) (seeds.push(edge.get(i < j ? `${i}-${j}` : `${j}-${i}`)!), signs.push(i < j ? 1 : -1));
          const out = new Uint32Array(productPartialLength(dim, field));
          buildProductPartial(kernel, sodium, x, { exponent, clip: { norm: 'linf', bound }, field, masks: { seeds, signs } }, out);
          const ints = kernel.encodeAndClip(x, { exponent, ring: 64, rounding: 'half-even', clip: { norm: 'linf', bound } }).vector as BigUint64Array;
          factors.push([...ints].map((v) => BigInt.asIntN(64, v)));
          if (acc) foldProduct(kernel, field, dim, acc, out);
          else acc = out;
        }
        // corrections: every survivor's self mask, and each survivor's edges with dropped parties
        const seeds: Uint8Array[] = [];
        const signs: (1 | -1)[] = [];
        for (const i of survivors) {
          seeds.push(selfSeeds[i]);
          signs.push(-1);
          for (let j = 0; j < n; j++) if (dropped[j]) (seeds.push(edge.get(i < j ? `${i}-${j}` : `${j}-${i}`)!), signs.push(i < j ? -1 : 1));
        }
        unmaskProduct(kernel, sodium, field, dim, acc!, seeds, signs);
        const { exact, values } = decodeProduct(kernel, field, dim, acc!, exponent * survivors.length);
        for (let e = 0; e < dim; e++) {
          const want = factors.reduce((p, f) => p * f[e], 1n);
          assert.equal(exact[e], want, `element ${e}`);
          assert.equal(values[e], ratioToNumber(want, 10n ** BigInt(exponent * survivors.length)));
        }
      },
    ),
    { numRuns: 40 },
  );
});

/** Upper tail of χ² with k degrees of freedom at ≈ 1e-7 (Wilson–Hilferty, z = 5.2). */
const chiLimit = (k: number) => k * (1 - 2 / (9 * k) + 5.2 * Math.sqrt(2 / (9 * k))) ** 3;

for (const [title, value] of [['all zero', 0], ['all equal', 1.5], ['all at the bound', -4]] as const) {
  test(`what the coordinator sees is uniform in the field (χ², masked factors of an ${title} input)`, () => {
    const field = tableField(2);
    const dim = 20_000;
    const out = new Uint32Array(productPartialLength(dim, field));
    buildProductPartial(kernel, sodium, new Float64Array(dim).fill(value), { exponent: 3, clip: { norm: 'linf', bound: 4 }, field, masks: { seeds: [seed(), seed()], signs: [1, -1] } }, out);
    const { factors, zeros } = productViews(out, dim, field);
    const bins = 64;
    const counts = new Array<number>(bins).fill(0);
    const zeroBins = new Array<number>(bins).fill(0);
    for (let j = 0; j < dim; j++) {
      const v = (BigInt(factors[2 * j + 1]) << 32n) | BigInt(factors[2 * j]);
      counts[Number((v * BigInt(bins)) / field.p)]++;
      zeroBins[Number(zeros[2 * j] >> 58n)]++;
    }
    const chi = (c: number[]) => c.reduce((s, o) => s + (o - dim / bins) ** 2 / (dim / bins), 0);
    assert.ok(chi(counts) < chiLimit(bins - 1), `factors χ² = ${chi(counts)}`);
    assert.ok(chi(zeroBins) < chiLimit(bins - 1), `zero channel χ² = ${chi(zeroBins)}`);
  });
}

test('ratioToNumber rounds once, to the nearest double', () => {
  fc.assert(
    fc.property(fc.bigInt({ min: -(1n << 300n), max: 1n << 300n }), fc.integer({ min: 0, max: 80 }), (num, e) => {
      const den = 10n ** BigInt(e);
      const got = ratioToNumber(num, den);
      if (num === 0n) return assert.equal(got, 0);
      assert.equal(Math.sign(got), num < 0n ? -1 : 1);
      // |got| is the nearest double to |num|/den: no neighbour is strictly nearer (exact rationals)
      const n = num < 0n ? -num : num;
      const x = Math.abs(got);
      const dist = (d: number) => {
        const r = exactRational(d);
        const diff = n * r.den - r.num * den;
        return { n: diff < 0n ? -diff : diff, d: r.den * den };
      };
      const a = dist(x);
      for (const nb of [nextUp(x), nextDown(x)]) {
        const b = dist(nb);
        assert.ok(a.n * b.d <= b.n * a.d, `${num}/${den}: ${got} is not the nearest`);
      }
    }),
    { numRuns: 300 },
  );
});

test('the coordinator refuses a partial whose factors are not field elements whole: the others\' product stays exact', async () => {
  const field = tableField(2);
  const dim = 3000; // more than one kernel chunk of field elements
  const ids = await Promise.all(Array.from({ length: 4 }, () => Identity.generate()));
  const memo = 'r-bad-factor';
  const graph = await holderGraph(ids.map((i) => i.id), memo, 0);
  const [a, b, c, bad] = graph.order;
  const edge = [seed(), seed(), seed()]; // a–b, b–c, a–c among the honest three
  const masks: Record<string, { seeds: Uint8Array[]; signs: (1 | -1)[] }> = {
    [a]: { seeds: [edge[0], edge[2]], signs: [1, 1] },
    [b]: { seeds: [edge[0], edge[1]], signs: [-1, 1] },
    [c]: { seeds: [edge[1], edge[2]], signs: [-1, -1] },
  };
  const x = { [a]: 1.5, [b]: -2, [c]: 0.25 };
  const broken = new Map<string, string>();
  const collector = new PartialCollector(
    {
      kernel, grant: () => undefined, broken: (from, e) => broken.set(from, e.code),
      fold: (acc, p) => foldProduct(kernel, field, dim, acc, p),
      check: (p) => checkProductPartial(kernel, field, dim, p),
    },
    { memo, length: productPartialLength(dim, field), ring: 32, graph, queueBytes: 1 << 30, stallMs: 60_000 },
  );
  const bytes = productPartialLength(dim, field) * 4;
  const send = (id: string, partial: Uint32Array) => {
    collector.begin(id, Math.ceil(bytes / 8) * 8); // one chunk
    collector.onChunk(id, new Uint8Array(partial.buffer, partial.byteOffset, partial.byteLength));
  };
  // the bad partial first: had it been kept, every later fold would have been refused (or half-done)
  const forged = new Uint32Array(productPartialLength(dim, field));
  buildProductPartial(kernel, sodium, new Float64Array(dim).fill(1), { exponent: 2, clip: { norm: 'linf', bound: 4 }, field, masks: { seeds: [], signs: [] } }, forged);
  const { factors } = productViews(forged, dim, field);
  factors[2 * (dim - 1)] = Number(field.p & 0xffffffffn); // the last element is p itself: limbs not below p
  factors[2 * (dim - 1) + 1] = Number(field.p >> 32n);
  send(bad, forged);
  for (const id of [a, b, c]) {
    const out = new Uint32Array(productPartialLength(dim, field));
    buildProductPartial(kernel, sodium, new Float64Array(dim).fill(x[id]), { exponent: 2, clip: { norm: 'linf', bound: 4 }, field, masks: masks[id] }, out);
    send(id, out);
  }
  assert.deepEqual([...broken], [[bad, 'E_BAD_VECTOR']]);
  const { sum, members } = collector.finish();
  assert.deepEqual([...members].sort(), [a, b, c].sort());
  const { exact } = decodeProduct(kernel, field, dim, sum, 6);
  assert.ok(exact.every((v) => v === 150n * -200n * 25n), 'the exact product of the three honest factors');
  collector.dispose();
});
