/**
 * The coordinator's primitives: accumulate (acc ± raw little-endian ring bytes, in place, at an
 * element offset, one part or several chunk-major) agrees with ringAdd/ringSub of the same
 * vectors; masks subtracted at an offset agree with the whole-vector masks; decodeInto equals
 * decode and writes into the caller's array.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Kernel, allocRing, type RingBits, type RingVector } from '../../../src/kernel/index.ts';
import { STEP_ELEMS } from '../../../src/kernel/chunks.ts';
import { isShardwireError } from '../../../src/errors.ts';

const k = await Kernel.load('simd');
const kw = await Kernel.load('scalar', { keystream: 'wasm' });

function random(ring: RingBits, length: number, seed: number): RingVector {
  return k.expandMasks(allocRing(ring, length), [new Uint8Array(32).fill(seed & 255)], [1]);
}

/** The vector's bytes at a deliberately odd byte offset of a larger buffer (as an opened chunk may be). */
function bytesAtOddOffset(v: RingVector): Uint8Array {
  const buf = new Uint8Array(v.byteLength + 3);
  buf.set(new Uint8Array(v.buffer, v.byteOffset, v.byteLength), 3);
  return buf.subarray(3);
}

function equal(a: ArrayLike<number | bigint>, b: ArrayLike<number | bigint>): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

test('accumulate ≡ ringAdd / ringSub, one part or several, any offset, unaligned bytes', () => {
  fc.assert(
    fc.property(
      fc.constantFrom<RingBits>(32, 64),
      fc.oneof(fc.nat({ max: 300 }), fc.constantFrom(STEP_ELEMS - 1, STEP_ELEMS + 1)),
      fc.nat({ max: 50 }),
      fc.nat({ max: 40 }),
      fc.integer({ min: 1, max: 4 }),
      fc.boolean(),
      (ring, length, offset, tail, parts, subtract) => {
        const total = offset + length + tail;
        const acc = random(ring, total, 1);
        const vs = Array.from({ length: parts }, (_, i) => random(ring, length, 10 + i));
        let want = acc.slice() as RingVector;
        for (const v of vs) {
          const padded = allocRing(ring, total);
          padded.set(v as never, offset);
          want = subtract ? k.ringSub(want, padded) : k.ringAdd(want, padded);
        }
        const got = acc.slice() as RingVector;
        const kk = parts % 2 ? k : kw;
        assert.equal(kk.accumulate(got, vs.map(bytesAtOddOffset), { offset, sign: subtract ? -1 : 1 }), got);
        assert.ok(equal(got, want));
        if (parts === 1)
          assert.ok(
            equal(
              kk.accumulate(acc.slice() as RingVector, bytesAtOddOffset(vs[0]), { offset, sign: subtract ? -1 : 1 }),
              want,
            ),
          );
      },
    ),
    { numRuns: 80 },
  );
});

test('partials summed chunk by chunk as they are opened, then masks removed at offsets, equal the whole sum', () => {
  for (const ring of [32, 64] as const) {
    const dim = 2 * STEP_ELEMS + 11;
    const partials = [random(ring, dim, 3), random(ring, dim, 4), random(ring, dim, 5)];
    const seed = new Uint8Array(32).fill(6);
    const want = k.expandMasks(k.ringSum(partials), [seed], [-1]);
    const acc = allocRing(ring, dim);
    const w = ring / 8;
    for (const p of partials) {
      const bytes = new Uint8Array(p.buffer);
      for (let off = 0; off < dim; off += 1000)
        k.accumulate(acc, bytes.subarray(off * w, Math.min(dim, off + 1000) * w), { offset: off });
    }
    for (let off = 0; off < dim; off += 7000)
      k.expandMasks(acc.subarray(off, Math.min(dim, off + 7000)) as RingVector, [seed], [-1], { offset: off });
    assert.ok(equal(acc, want), `ring ${ring}`);
  }
});

test('decodeInto equals decode, writes into the given array and reuses it', () => {
  for (const ring of [32, 64] as const) {
    const v = k.encode(
      Float64Array.from({ length: STEP_ELEMS + 7 }, (_, i) => Math.sin(i) * 3),
      { exponent: 6, ring },
    );
    const out = new Float64Array(v.length);
    for (const divisor of [1, 3, 0.25]) {
      assert.equal(k.decodeInto(v, out, { exponent: 6, divisor }), out);
      assert.ok(equal(out, k.decode(v, { exponent: 6, divisor })));
    }
  }
});

test('accumulate and decodeInto refuse wrong arguments with precise codes', () => {
  const acc = new Uint32Array(10);
  const bad = (fn: () => unknown, code: 'E_BAD_VECTOR' | 'E_BAD_ARGUMENT', what: string) =>
    assert.throws(fn, (e) => isShardwireError(e, code), what);
  bad(
    () => k.accumulate(new Float64Array(3) as unknown as Uint32Array, new Uint8Array(4)),
    'E_BAD_VECTOR',
    'non-ring acc',
  );
  bad(() => k.accumulate(acc, 'abc' as unknown as Uint8Array), 'E_BAD_ARGUMENT', 'parts not bytes');
  bad(() => k.accumulate(acc, new Uint8Array(6)), 'E_BAD_ARGUMENT', 'not a multiple of the width');
  bad(() => k.accumulate(acc, [new Uint8Array(8), new Uint8Array(4)]), 'E_BAD_ARGUMENT', 'parts of different lengths');
  bad(() => k.accumulate(acc, new Uint8Array(8), { offset: 9 }), 'E_BAD_ARGUMENT', 'past the end');
  bad(() => k.accumulate(acc, new Uint8Array(8), { offset: -1 }), 'E_BAD_ARGUMENT', 'negative offset');
  bad(() => k.accumulate(acc, new Uint8Array(8), { sign: 2 as 1 }), 'E_BAD_ARGUMENT', 'bad sign');
  bad(() => k.decodeInto(acc, new Float64Array(9), { exponent: 2 }), 'E_BAD_VECTOR', 'short out');
  bad(
    () => k.decodeInto(acc, new Float32Array(10) as unknown as Float64Array, { exponent: 2 }),
    'E_BAD_VECTOR',
    'Float32 out',
  );
  bad(() => k.decodeInto(acc, new Float64Array(10), { exponent: 2, divisor: 0 }), 'E_BAD_ARGUMENT', 'zero divisor');
  assert.equal(k.accumulate(acc, []), acc);
});
