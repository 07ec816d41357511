/**
 * Statistics equal plain computations: the clients' local statistics (computed in the kernel),
 * summed over the ring as the coordinator does and decoded, give exactly the BigInt sums of the
 * fixed-point records (half-even, clamped), the counts and the histogram buckets of a plain
 * count; the mean and variance are the exact ratios rounded once; the budget never accepts a
 * round that can wrap, and the maxRecords it suggests fits.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Kernel } from '../../src/kernel/kernel.ts';
import { localStatistics, intsToRing } from '../../src/stats/encode.ts';
import { decodeStatistic, ringToInts } from '../../src/stats/decode.ts';
import { ratioToNumber } from '../../src/dp/rounding.ts';
import { statisticBudget } from '../../src/stats/budget.ts';
import { allocRing } from '../../src/kernel/vectors.ts';
import { exactRational, nextDown, nextUp } from '../../src/dp/rounding.ts';
import { ceilScaled } from '../../src/config.ts';
import { isShardwireError } from '../../src/errors.ts';
import type { RoundOpen } from '../../src/session/round-messages.ts';
import type { StatisticOperation } from '../../src/stats/operations.ts';

const kernelPromise = Kernel.load();

/** The kernel's half-even encoding of x at exponent e, clamped to ±⌊fl(bound·S)⌋. */
function quantise(x: number, exponent: number, bound: number): bigint {
  const v = x * 10 ** exponent;
  let r = Math.round(v);
  if (Math.abs(v - Math.trunc(v)) === 0.5) r = 2 * Math.round(v / 2);
  const b = Math.floor(bound * 10 ** exponent);
  return BigInt(Math.max(-b, Math.min(b, r)));
}

const openOf = (operation: StatisticOperation, dim: number, ring: 32 | 64, edges?: number[]): RoundOpen =>
  ({ memo: 'm', configHash: '', participants: [], roster: [], bundles: [], operation, dim, ring, broadcast: false, maxRecords: 1000, ...(edges ? { edges } : {}) }) as RoundOpen;

function sumOverRing(k: Kernel, parts: BigInt64Array[], ring: 32 | 64): BigInt64Array {
  const rings = parts.map((p) => intsToRing(k, p, ring, allocRing(ring, p.length)));
  return ringToInts(k, k.ringSum(rings));
}

const clientsArb = (dim: number) => fc.array(fc.array(fc.array(fc.double({ min: -30, max: 30, noNaN: true }), { minLength: dim, maxLength: dim }), { maxLength: 12 }), { minLength: 1, maxLength: 8 });

test('meanVariance: decoded sums equal the plain BigInt sums of the quantised records; mean and variance are the exact ratios rounded once', async () => {
  const k = await kernelPromise;
  await fc.assert(fc.asyncProperty(fc.integer({ min: 1, max: 4 }).chain((dim) => fc.tuple(fc.constant(dim), clientsArb(dim), fc.integer({ min: 0, max: 4 }), fc.constantFrom(32, 64) as fc.Arbitrary<32 | 64>, fc.constantFrom(1, 10, 25))), async ([dim, clients, exponent, ring, bound]) => {
    if (ring === 32 && exponent > 2) ring = 64; // Σq² must fit the ring: the budget would pick 64
    const config = { smpc: { exponent, shards: 0, operation: 'add' as const }, clip: { norm: 'linf' as const, bound } };
    const open = openOf('meanVariance', dim, ring);
    const parts = clients.map((rows) => localStatistics(k, open, { rows: rows.length, width: dim, data: Float64Array.from(rows.flat()) }, config));
    const ints = sumOverRing(k, parts, ring);
    const { statistic, flat } = decodeStatistic('meanVariance', ints, dim, exponent);
    const all = clients.flat();
    const n = BigInt(all.length);
    assert.equal(flat[0], all.length);
    const S = 10n ** BigInt(exponent);
    for (let j = 0; j < dim; j++) {
      const q = all.map((r) => quantise(r[j], exponent, bound));
      const s1 = q.reduce((a, b) => a + b, 0n);
      const s2 = q.reduce((a, b) => a + b * b, 0n);
      assert.equal(ints[1 + j], s1);
      assert.equal(ints[1 + dim + j], s2);
      if (statistic.operation !== 'meanVariance') throw new Error('operation');
      if (n === 0n) assert.ok(Number.isNaN(statistic.mean[j]));
      else assert.equal(statistic.mean[j], ratioToNumber(s1, n * S));
      if (n < 2n) assert.ok(Number.isNaN(statistic.variance[j]));
      else {
        assert.equal(statistic.variance[j], ratioToNumber(n * s2 - s1 * s1, n * (n - 1n) * S * S));
        assert.ok(statistic.variance[j] >= 0);
      }
    }
  }), { numRuns: 150 });
});

test('histogram and count: equal plain counting over all records', async () => {
  const k = await kernelPromise;
  await fc.assert(fc.asyncProperty(
    fc.integer({ min: 1, max: 3 }).chain((dim) => fc.tuple(fc.constant(dim), clientsArb(dim), fc.uniqueArray(fc.double({ min: -40, max: 40, noNaN: true }), { minLength: 1, maxLength: 20 }))),
    async ([dim, clients, rawEdges]) => {
      const edges = [...new Set(rawEdges.map((e) => (Object.is(e, -0) ? 0 : e)))].sort((a, b) => a - b);
      const config = { smpc: { exponent: 0, shards: 0, operation: 'add' as const }, clip: { norm: 'linf' as const, bound: 1 } };
      const open = openOf('histogram', dim, 32, edges);
      const parts = clients.map((rows) => localStatistics(k, open, { rows: rows.length, width: dim, data: Float64Array.from(rows.flat()) }, config));
      const ints = sumOverRing(k, parts, 32);
      const B = edges.length + 1;
      const expected = new Array(dim * B).fill(0);
      for (const r of clients.flat()) r.forEach((x, j) => expected[j * B + edges.filter((e) => e <= x).length]++);
      assert.deepEqual(Array.from(ints, Number), expected);
      const counts = clients.map((rows) => localStatistics(k, openOf('count', 0, 64), { rows: rows.length, width: 0, data: new Float64Array(0) }, config));
      assert.equal(sumOverRing(k, counts, 64)[0], BigInt(clients.flat().length));
    },
  ), { numRuns: 150 });
});

test('ratioToNumber is the nearest double to num/den (ties to even)', () => {
  const big = fc.bigInt({ min: -(2n ** 200n), max: 2n ** 200n });
  fc.assert(fc.property(big, fc.bigInt({ min: 1n, max: 2n ** 150n }), (num, den) => {
    const x = ratioToNumber(num, den);
    if (num === 0n) return assert.equal(x, 0);
    // |num/den − x| ≤ |num/den − y| for both neighbours y of x, in exact rationals
    const dist = (y: number) => {
      const r = exactRational(Math.abs(y));
      const a = (num < 0n ? -num : num) * r.den - r.num * den;
      return { num: a < 0n ? -a : a, den: den * r.den };
    };
    const d0 = dist(x);
    for (const y of [nextUp(Math.abs(x)), nextDown(Math.abs(x))]) {
      const d1 = dist(y);
      assert.ok(d0.num * d1.den <= d1.num * d0.den, `${num}/${den} → ${x}, ${y} is closer`);
    }
    assert.equal(Math.sign(x), num < 0n ? -1 : 1);
  }), { numRuns: 2000 });
  assert.equal(ratioToNumber(1n, 3n), 1 / 3);
  assert.equal(ratioToNumber(-7n, 2n), -3.5);
  assert.equal(ratioToNumber(2n ** 53n + 1n, 1n), 2 ** 53); // tie to even
  assert.equal(ratioToNumber(2n ** 53n + 3n, 1n), 2 ** 53 + 4);
});

test('statistics budget: never accepts a round that can wrap; the maxRecords it names fits and one more does not', () => {
  fc.assert(fc.property(
    fc.constantFrom('count', 'meanVariance', 'histogram') as fc.Arbitrary<StatisticOperation>, fc.integer({ min: 1, max: 10_000 }), fc.integer({ min: 1, max: 2 ** 40 }),
    fc.integer({ min: 0, max: 8 }), fc.double({ min: 1e-3, max: 1e3, noNaN: true }), fc.constantFrom('auto', 32, 64) as fc.Arbitrary<'auto' | 32 | 64>, fc.bigInt({ min: 0n, max: 2n ** 20n }),
    (operation, clients, maxRecords, exponent, bound, ring, tail) => {
      const config = { clip: { norm: 'linf' as const, bound }, smpc: { exponent, shards: 0, operation: 'add' as const }, ring };
      const b = ceilScaled(bound, exponent);
      const perRecord = operation === 'meanVariance' ? (b > 1n ? b * b : 1n) : 1n;
      const worst = (r: bigint) => BigInt(clients) * (r * perRecord + tail);
      try {
        const budget = statisticBudget(config, operation, clients, maxRecords, tail);
        assert.ok(worst(BigInt(maxRecords)) <= (1n << BigInt(budget.ring - 1)) - 1n);
      } catch (e) {
        assert.ok(isShardwireError(e, 'E_RING_OVERFLOW'), String(e));
        const cap = (1n << BigInt(ring === 32 ? 31 : 63)) - 1n;
        assert.ok(worst(BigInt(maxRecords)) > cap);
        const fit = BigInt(e.details.maxRecords as number);
        if (fit > 0n) assert.ok(worst(fit) <= cap, `named ${fit}`);
        assert.ok(worst(fit + 1n) > cap, `named ${fit}, ${fit + 1n} fits too`);
      }
    },
  ), { numRuns: 2000 });
});
