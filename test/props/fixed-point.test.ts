/**
 * Encoding laws: |decode(encode(x)) − x| < 1/S (randomized) and ≤ 1/(2S) (half-even);
 * randomized rounding is unbiased (checked against a tolerance derived from its variance);
 * SIMD, scalar and debug builds encode identically.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Kernel, type RingBits } from '../../src/kernel/index.ts';
import { toSigned } from '../reference/ring.ts';

const simd = await Kernel.load('simd');
const scalar = await Kernel.load('scalar');
const debug = await Kernel.load('debug');

/** Doubles with |x·10^e| < 2^31 so both rings hold them. */
const caseArb = fc.integer({ min: 0, max: 9 }).chain((exponent) =>
  fc.record({
    exponent: fc.constant(exponent),
    ring: fc.constantFrom<RingBits>(32, 64),
    xs: fc.array(fc.double({ min: -(2 ** 30) / 10 ** exponent, max: 2 ** 30 / 10 ** exponent, noNaN: true }), { maxLength: 200 }),
  }),
);

test('encode → decode error is below 1/S (randomized) and at most 1/(2S) (half-even)', () => {
  fc.assert(
    fc.property(caseArb, ({ exponent, ring, xs }) => {
      const x = Float64Array.from(xs);
      const s = 10 ** exponent;
      for (const rounding of ['randomized', 'half-even'] as const) {
        const back = simd.decode(simd.encode(x, { exponent, ring, rounding }), { exponent });
        const limit = rounding === 'randomized' ? 1 / s : 0.5 / s;
        x.forEach((v, i) => {
          const slack = Math.abs(v) * 2 ** -50 + 2 ** -1000; // the float product x·S and the division v/S each round once
          assert.ok(Math.abs(back[i] - v) <= limit + slack, `${rounding} x=${v} e=${exponent} decoded ${back[i]}`);
        });
      }
    }),
    { numRuns: 200 },
  );
});

test('randomized rounding is unbiased: mean error within 5 standard errors derived from f(1−f)', () => {
  const n = 200_000; // one vector of n copies: every element draws from its own stream position
  for (const [value, exponent] of [[0.3, 0], [-2.71828, 2], [1e-7, 8], [123.456789, 3]] as const) {
    const x = new Float64Array(n).fill(value);
    const enc = simd.encode(x, { exponent, ring: 64 });
    const target = value * 10 ** exponent;
    const f = target - Math.floor(target);
    let sum = 0;
    for (const v of toSigned(enc)) sum += Number(v) - target;
    const mean = sum / n;
    const stdErr = Math.sqrt((f * (1 - f)) / n);
    assert.ok(Math.abs(mean) <= 5 * stdErr + 1e-12, `x=${value} e=${exponent}: mean error ${mean}, 5·stderr ${5 * stdErr}`);
    // and each draw is ⌊x·S⌋ or ⌈x·S⌉, with both seen when 0 < f < 1
    const seen = new Set(toSigned(enc).map(Number));
    assert.ok([...seen].every((v) => v === Math.floor(target) || v === Math.ceil(target)));
    if (f > 0.01 && f < 0.99) assert.equal(seen.size, 2);
  }
});

test('half-even rounding ties go to even; a fixed key makes randomized rounding reproducible', () => {
  const enc = simd.encode(new Float64Array([0.5, 1.5, 2.5, -0.5, -1.5]), { exponent: 0, ring: 64, rounding: 'half-even' });
  assert.deepEqual(toSigned(enc), [0n, 2n, 2n, 0n, -2n]);
  const key = new Uint8Array(32).fill(9);
  const x = Float64Array.from({ length: 1000 }, (_, i) => i / 7);
  assert.deepEqual(simd.encode(x, { exponent: 2, ring: 32, key }), simd.encode(x, { exponent: 2, ring: 32, key }));
});

test('SIMD, scalar and debug builds encode, clip and decode identically (across chunk boundaries)', () => {
  const key = new Uint8Array(32).fill(3);
  const d = simd.chunkElems + 17;
  const x = Float64Array.from({ length: d }, (_, i) => Math.sin(i) * 3);
  for (const ring of [32, 64] as const) {
    const a = simd.encodeAndClip(x, { exponent: 4, ring, key, clip: { norm: 'l2', bound: 50 } });
    const b = scalar.encodeAndClip(x, { exponent: 4, ring, key, clip: { norm: 'l2', bound: 50 } });
    const c = debug.encodeAndClip(x, { exponent: 4, ring, key, clip: { norm: 'l2', bound: 50 } });
    assert.deepEqual(a.vector, b.vector);
    assert.deepEqual(a.vector, c.vector);
    assert.deepEqual(a.clip, b.clip);
    assert.deepEqual(simd.decode(a.vector, { exponent: 4 }), scalar.decode(a.vector, { exponent: 4 }));
  }
});

test('Float32Array input encodes like its Float64 widening', () => {
  const x32 = Float32Array.from([0.1, -0.2, 3.5]);
  const key = new Uint8Array(32).fill(1);
  assert.deepEqual(simd.encode(x32, { exponent: 5, ring: 64, key }), simd.encode(Float64Array.from(x32), { exponent: 5, ring: 64, key }));
});

test('decode with a divisor (mean, weighted mean) divides once: v / (S·d)', () => {
  fc.assert(
    fc.property(fc.array(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), { maxLength: 50 }), fc.integer({ min: 1, max: 1000 }), fc.integer({ min: 0, max: 9 }), (values, d, exponent) => {
      const v32 = Uint32Array.from(values, (x) => x >>> 0);
      const v64 = BigUint64Array.from(values, (x) => BigInt.asUintN(64, BigInt(x)));
      const expected = values.map((x) => x / (10 ** exponent * d));
      assert.deepEqual([...simd.decode(v32, { exponent, divisor: d })], expected);
      assert.deepEqual([...simd.decode(v64, { exponent, divisor: d })], expected);
    }),
    { numRuns: 100 },
  );
});

test('a weight is folded into the scale: decode(encode(x, weight w)) ≈ x·w within 1/S', () => {
  fc.assert(
    fc.property(fc.array(fc.double({ min: -100, max: 100, noNaN: true }), { maxLength: 50 }), fc.double({ min: 1e-3, max: 1e3, noNaN: true }), fc.integer({ min: 0, max: 6 }), (xs, weight, exponent) => {
      const x = Float64Array.from(xs);
      const back = simd.decode(simd.encode(x, { exponent, ring: 64, weight }), { exponent });
      x.forEach((v, i) => assert.ok(Math.abs(back[i] - v * weight) <= 1 / 10 ** exponent + Math.abs(v * weight) * 2 ** -48, `${v}·${weight}`));
    }),
    { numRuns: 100 },
  );
});
