/**
 * Typed tensors through the client's kernel path and the coordinator's decode, without a
 * network: for random tensor lists (every dtype, shapes with empty and scalar tensors, integer
 * extremes), n clients build masked partials (pairwise masks that cancel in the sum), the ring
 * sum is decoded, and names/dtypes/shapes come back exactly, integer sums equal bigint sums,
 * float sums are within rounding, and the saturation counts equal a plain count.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Kernel, type RingBits, type RingVector } from '../../src/kernel/index.ts';
import { buildPartial } from '../../src/secagg/partial.ts';
import { roundLayout } from '../../src/tensors/layout.ts';
import { splitTensors } from '../../src/tensors/encode.ts';
import { releaseOf } from '../../src/tensors/round-hooks.ts';
import { checkTensors, DTYPE_RANGE, numel, validateTensorSpecs, type Dtype, type Tensor, type TensorSpec } from '../../src/tensors/spec.ts';

const k = await Kernel.load();
const EXPONENT = 2; // inputs are multiples of 1/4: x·100 is an exact integer, so no rounding
const BOUND = 1; // L∞ clip bound (real units)

const specArb = fc.record({
  dtype: fc.constantFrom<Dtype>('float32', 'float64', 'int32', 'int64', 'uint8', 'bool'),
  shape: fc.oneof(fc.constant([] as number[]), fc.array(fc.integer({ min: 0, max: 5 }), { minLength: 1, maxLength: 3 })),
  bounded: fc.boolean(),
});

function values(dtype: Dtype, n: number, bound: bigint | undefined, rnd: () => number): Tensor['data'] {
  if (dtype === 'float32' || dtype === 'float64') {
    const a = Array.from({ length: n }, () => (Math.floor(rnd() * 17) - 8) / 4); // [-2, 2] in quarters
    return dtype === 'float32' ? Float32Array.from(a) : Float64Array.from(a);
  }
  const [lo0, hi0] = DTYPE_RANGE[dtype];
  const lo = bound !== undefined && -bound > lo0 ? -bound : lo0;
  const hi = bound !== undefined && bound < hi0 ? bound : hi0;
  const pick = () => {
    const r = rnd();
    if (r < 0.25) return lo;
    if (r < 0.5) return hi;
    const span = hi - lo;
    return lo + (BigInt(Math.floor(rnd() * 2 ** 30)) * span) / 2n ** 30n;
  };
  const xs = Array.from({ length: n }, pick);
  if (dtype === 'int64') return BigInt64Array.from(xs);
  if (dtype === 'int32') return Int32Array.from(xs, Number);
  return Uint8Array.from(xs, Number);
}

test('random tensor lists: exact round trip of names, dtypes, shapes; exact integer sums; saturation counts', () => {
  fc.assert(
    fc.property(
      fc.array(specArb, { minLength: 1, maxLength: 6 }),
      fc.integer({ min: 1, max: 5 }),
      fc.constantFrom<RingBits>(32, 64),
      fc.integer({ min: 1, max: 2 ** 30 }),
      (raw, n, ring, seed) => {
        let s = seed;
        const rnd = () => ((s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
        const specs: TensorSpec[] = validateTensorSpecs(raw.map((r, i) => ({ name: `t${i}`, dtype: r.dtype, shape: r.shape, ...(r.bounded && !r.dtype.startsWith('float') ? { bound: BigInt(Math.floor(rnd() * 1000)) } : {}) })));
        const dim = specs.filter((t) => t.dtype.startsWith('float')).reduce((a, t) => a + numel(t.shape), 0);
        const layout = roundLayout({ ring, clients: n, weighted: false, saturation: true, dim, tensors: specs, dp: false });
        const inputs = Array.from({ length: n }, () => checkTensors(specs, specs.map((t) => ({ ...t, data: values(t.dtype, numel(t.shape), t.bound, rnd) })), 'm'));
        // pairwise masks: client i adds PRG(s_ij) for j > i and subtracts PRG(s_ji) for j < i
        const pair = new Map<string, Uint8Array>();
        const seedOf = (a: number, b: number) => pair.get(`${a}:${b}`) ?? (pair.set(`${a}:${b}`, globalThis.crypto.getRandomValues(new Uint8Array(32))), pair.get(`${a}:${b}`)!);
        const partials: RingVector[] = inputs.map((tensors, i) => {
          const others = Array.from({ length: n }, (_, j) => j).filter((j) => j !== i);
          const seeds = others.map((j) => (i < j ? seedOf(i, j) : seedOf(j, i)));
          const signs = others.map((j) => (i < j ? 1 : -1) as 1 | -1);
          const { floats, ints } = splitTensors(layout, tensors);
          return buildPartial(k, floats, { exponent: EXPONENT, ring, clip: { norm: 'linf', bound: BOUND }, masks: { seeds, signs }, tail: { layout, ints } }).vector;
        });
        const sum = k.ringSum(partials);
        const floats = k.decode(sum.subarray(0, layout.head) as RingVector, { exponent: EXPONENT });
        const release = releaseOf(layout, floats, sum);
        assert.deepEqual(release.tensors!.map((t) => [t.name, t.dtype, t.shape]), specs.map((t) => [t.name, t.dtype, t.shape]));
        let clipped = 0;
        let clippedClients = 0;
        for (const tensors of inputs) {
          let any = false;
          for (const t of tensors) if (t.dtype.startsWith('float')) for (const v of t.data as Float64Array) if (Math.abs(v) > BOUND) (clipped++, (any = true));
          if (any) clippedClients++;
        }
        assert.equal(release.clippedElements, clipped);
        assert.equal(release.clippedClients, clippedClients);
        release.tensors!.forEach((t, ti) => {
          const m = numel(t.shape);
          assert.equal(t.data.length, m);
          for (let e = 0; e < m; e++) {
            if (t.dtype.startsWith('float')) {
              const plain = inputs.reduce((a, x) => a + Math.max(-BOUND, Math.min(BOUND, Number(x[ti].data[e]))), 0);
              assert.ok(Math.abs((t.data as Float64Array)[e] - plain) < 1e-9, `${t.name}[${e}]`);
            } else {
              const plain = inputs.reduce((a, x) => a + BigInt(x[ti].data[e]), 0n);
              const got = t.dtype === 'int64' ? (t.data as bigint[])[e] : BigInt((t.data as Float64Array)[e]);
              assert.equal(got, plain, `${t.name}[${e}]`);
            }
          }
        });
      },
    ),
    { numRuns: 1000 },
  );
});
