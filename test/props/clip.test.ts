/**
 * Clipping laws in the integer domain: after clipping, the exact norm (bigint reference) is at
 * most the bound; vectors inside the bound are unchanged; clipping does not shrink more than
 * rounding toward zero explains.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Kernel, type NormKind, type RingBits, type RingVector } from '../../src/kernel/index.ts';
import { toSigned } from '../reference/ring.ts';

const k = await Kernel.load('simd');

function refMeasure(v: bigint[], norm: NormKind): bigint {
  const abs = v.map((x) => (x < 0n ? -x : x));
  if (norm === 'linf') return abs.reduce((m, x) => (x > m ? x : m), 0n);
  if (norm === 'l1') return abs.reduce((s, x) => s + x, 0n);
  return abs.reduce((s, x) => s + x * x, 0n);
}

function fromSigned(values: bigint[], ring: RingBits): RingVector {
  return ring === 32 ? Uint32Array.from(values, (x) => Number(BigInt.asUintN(32, x))) : BigUint64Array.from(values, (x) => BigInt.asUintN(64, x));
}

const caseArb = fc.constantFrom<RingBits>(32, 64).chain((ring) =>
  fc.record({
    ring: fc.constant(ring),
    norm: fc.constantFrom<NormKind>('l1', 'l2', 'linf'),
    values: fc.array(fc.bigInt({ min: ring === 32 ? -(2n ** 31n) + 1n : -(2n ** 52n), max: ring === 32 ? 2n ** 31n - 1n : 2n ** 52n }), { maxLength: 150 }),
    bound: fc.bigInt({ min: 0n, max: ring === 32 ? 2n ** 31n - 1n : 2n ** 60n }),
  }),
);

test('after clipping the exact norm is within the bound; inside the bound nothing changes', () => {
  fc.assert(
    fc.property(caseArb, ({ ring, norm, values, bound }) => {
      const v = fromSigned(values, ring);
      const before = refMeasure(values, norm);
      const limit = norm === 'l2' ? bound * bound : bound;
      const report = k.clip(v, { norm, bound });
      const after = toSigned(v);
      assert.equal(report.before, before);
      assert.ok(refMeasure(after, norm) <= limit, `${norm} measure ${refMeasure(after, norm)} > ${limit}`);
      assert.equal(report.after, refMeasure(after, norm));
      if (before <= limit) {
        assert.equal(report.clipped, false);
        assert.deepEqual(after, values);
      } else {
        assert.equal(report.clipped, true);
        // signs never flip and magnitudes never grow
        after.forEach((x, i) => assert.ok((x === 0n || x < 0n === values[i] < 0n) && (x < 0n ? -x : x) <= (values[i] < 0n ? -values[i] : values[i])));
        // and the clipped vector is close to the bound: rounding toward zero loses < 1 per element
        const d = BigInt(values.length);
        if (norm === 'l1') assert.ok(refMeasure(after, norm) + d + 1n >= bound);
        if (norm === 'l2') {
          const root = Math.sqrt(Number(refMeasure(after, norm)));
          assert.ok(root + Math.sqrt(values.length) + 1 >= Number(bound) * (1 - 1e-9), `l2 ${root} far below ${bound}`);
        }
      }
    }),
    { numRuns: 300 },
  );
});

test('encodeAndClip: the encoded vector respects ⌊bound·S⌋ for every norm, across chunks', () => {
  const d = k.chunkElems * 2 + 9;
  const x = Float64Array.from({ length: d }, (_, i) => Math.cos(i * 0.37) * 2);
  for (const norm of ['l1', 'l2', 'linf'] as const) {
    for (const ring of [32, 64] as const) {
      const bound = norm === 'linf' ? 0.5 : 10;
      const { vector, clip } = k.encodeAndClip(x, { exponent: 4, ring, clip: { norm, bound } });
      const B = BigInt(Math.floor(bound * 1e4));
      assert.equal(clip.bound, B);
      assert.ok(refMeasure(toSigned(vector), norm) <= (norm === 'l2' ? B * B : B));
      assert.equal(clip.clipped, true);
    }
  }
});

test('a zero bound clips everything to zero; an empty vector is fine', () => {
  const v = BigUint64Array.from([5n, 2n ** 64n - 3n]);
  k.clip(v, { norm: 'l2', bound: 0n });
  assert.deepEqual([...v], [0n, 0n]);
  const r = k.clip(new Uint32Array(0), { norm: 'l1', bound: 1n });
  assert.equal(r.clipped, false);
});
