/**
 * Laws of the shard math (STYLE.md): reconstruct(split(x)) ≡ x, masks cancel, same seed → same
 * masks, chunk-boundary invariance, a changed secret changes only the residual share by exactly
 * the difference, agreement with a plain reference, and SIMD ≡ scalar.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Kernel, allocRing, type RingBits, type RingVector } from '../../src/kernel/index.ts';
import { refAdd, refMask, toBig } from '../reference/ring.ts';

const simd = await Kernel.load('simd');
const scalar = await Kernel.load('scalar');
const CHUNK = simd.chunkElems;
const BOUNDARY_LENGTHS = [0, 1, 2, 15, 16, 17, CHUNK - 1, CHUNK, CHUNK + 1, 2 * CHUNK + 3];

const seedArb = fc.uint8Array({ minLength: 32, maxLength: 32 });
const ringArb = fc.constantFrom<RingBits>(32, 64);
const lengthArb = fc.oneof(fc.nat({ max: 300 }), fc.constantFrom(...BOUNDARY_LENGTHS));

/** A random ring vector of `length` elements from a 32-byte seed (deterministic, fast). */
function randomRing(ring: RingBits, length: number, seed: Uint8Array): RingVector {
  return simd.expandMasks(allocRing(ring, length), [seed], [1]);
}

function equal(a: RingVector, b: RingVector): boolean {
  return a.length === b.length && a.every((v: number | bigint, i: number) => v === b[i]);
}

test('split into s shares and sum reconstructs exactly (both rings, s in 2..64, any length)', () => {
  fc.assert(
    fc.property(ringArb, lengthArb, fc.integer({ min: 2, max: 64 }), seedArb, fc.array(seedArb, { minLength: 63, maxLength: 63 }), (ring, length, s, xSeed, seeds) => {
      const x = randomRing(ring, length, xSeed);
      const shares = simd.splitIntoShares(x, seeds.slice(0, s - 1));
      assert.equal(shares.length, s);
      assert.ok(equal(simd.ringSum(shares), x));
    }),
    { numRuns: 60 },
  );
});

test('a mask added then subtracted cancels exactly; the same seed gives the same mask', () => {
  fc.assert(
    fc.property(ringArb, lengthArb, seedArb, seedArb, (ring, length, xSeed, seed) => {
      const x = randomRing(ring, length, xSeed);
      const y = simd.expandMasks(x.slice() as RingVector, [seed], [1]);
      assert.ok(equal(simd.expandMasks(y, [seed], [-1]), x));
      const m1 = simd.expandMasks(allocRing(ring, length), [seed], [1]);
      const m2 = simd.expandMasks(allocRing(ring, length), [seed], [1]);
      assert.ok(equal(m1, m2));
      // +seed and −seed in one call cancel too
      assert.ok(equal(simd.expandMasks(x.slice() as RingVector, [seed, seed], [1, -1]), x));
    }),
    { numRuns: 60 },
  );
});

test('masks agree with the plain reference (ChaCha20 words, little-endian) at any offset', () => {
  fc.assert(
    fc.property(ringArb, fc.nat({ max: 200 }), fc.nat({ max: 1000 }), seedArb, (ring, length, offset, seed) => {
      const m = simd.expandMasks(allocRing(ring, length), [seed], [1], { offset });
      assert.deepEqual(toBig(m), refMask(seed, length, ring, offset));
    }),
    { numRuns: 100 },
  );
});

test('chunk-boundary invariance: masking slices at any split point equals masking the whole', () => {
  for (const ring of [32, 64] as const) {
    const length = 2 * CHUNK + 5;
    const seed = new Uint8Array(32).fill(7);
    const whole = simd.expandMasks(allocRing(ring, length), [seed], [1]);
    for (const cut of [0, 1, 3, CHUNK - 1, CHUNK, CHUNK + 1, 2 * CHUNK]) {
      const a = simd.expandMasks(allocRing(ring, cut), [seed], [1], { offset: 0 });
      const b = simd.expandMasks(allocRing(ring, length - cut), [seed], [1], { offset: cut });
      assert.ok(equal(a, whole.subarray(0, cut) as RingVector), `ring ${ring} cut ${cut} head`);
      assert.ok(equal(b, whole.subarray(cut) as RingVector), `ring ${ring} cut ${cut} tail`);
    }
  }
});

test('with fixed seeds, changing the secret changes only the residual share, by exactly the difference', () => {
  fc.assert(
    fc.property(ringArb, fc.nat({ max: 200 }), seedArb, seedArb, fc.array(seedArb, { minLength: 1, maxLength: 5 }), (ring, length, s1, s2, seeds) => {
      const x1 = randomRing(ring, length, s1);
      const x2 = randomRing(ring, length, s2);
      const a = simd.splitIntoShares(x1, seeds);
      const b = simd.splitIntoShares(x2, seeds);
      for (let i = 1; i < a.length; i++) assert.ok(equal(a[i], b[i]));
      assert.ok(equal(simd.ringSub(b[0], a[0]), simd.ringSub(x2, x1)));
    }),
    { numRuns: 60 },
  );
});

test('many seeds (more than one kernel batch) equal the sum of single-seed masks', () => {
  const seeds = Array.from({ length: simd.maxSeeds + 3 }, (_, i) => new Uint8Array(32).fill(i & 0xff).map((v, j) => v ^ j ^ (i >> 8)));
  const signs = seeds.map((_, i) => (i % 3 === 0 ? -1 : 1));
  for (const ring of [32, 64] as const) {
    const length = 37;
    const all = simd.expandMasks(allocRing(ring, length), seeds, signs);
    let expected = new Array<bigint>(length).fill(0n);
    seeds.forEach((s, i) => {
      const m = refMask(s, length, ring);
      expected = refAdd(expected, signs[i] === 1 ? m : m.map((v) => -v), ring);
    });
    assert.deepEqual(toBig(all), expected);
  }
});

test('ring add/sub/neg/sum agree with bigint arithmetic; SIMD ≡ scalar', () => {
  fc.assert(
    fc.property(ringArb, lengthArb, seedArb, seedArb, (ring, length, sa, sb) => {
      const a = randomRing(ring, length, sa);
      const b = randomRing(ring, length, sb);
      const sum = simd.ringAdd(a, b);
      assert.deepEqual(toBig(sum), refAdd(toBig(a), toBig(b), ring));
      assert.ok(equal(simd.ringSub(sum, b), a));
      assert.ok(equal(simd.ringAdd(a, simd.ringNeg(a)), allocRing(ring, length)));
      assert.ok(equal(simd.ringSum([a, b, a]), simd.ringAdd(sum, a)));
      assert.ok(equal(scalar.ringAdd(a, b), sum));
      assert.ok(equal(scalar.ringNeg(a), simd.ringNeg(a)));
      assert.ok(equal(scalar.expandMasks(a.slice() as RingVector, [sb], [-1]), simd.expandMasks(a.slice() as RingVector, [sb], [-1])));
    }),
    { numRuns: 40 },
  );
});
