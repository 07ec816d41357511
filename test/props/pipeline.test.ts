/**
 * The one-pass client pipeline (encodeMasked) gives exactly what the multi-call composition
 * encodeAndClip → (+ weight coordinate) → ringAdd(noise) → expandMasks gives for the same
 * rounding key: vector and clip report, every norm and ring, with and without weight, noise and
 * masks, across step and chunk boundaries, on both keystream sources and every build flavour.
 * The composition's weight coordinate is w·S rounded with the rounding bits of element d (the
 * pipeline's rule; secagg/partial.ts draws it from a fresh key instead, the same law).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  Kernel,
  allocRing,
  type ClipReport,
  type NormKind,
  type RingBits,
  type RingVector,
} from '../../src/kernel/index.ts';
import { STEP_ELEMS } from '../../src/kernel/chunks.ts';
import { isShardwireError } from '../../src/errors.ts';

const kernels = [
  await Kernel.load('simd', { keystream: 'node:crypto' }),
  await Kernel.load('simd', { keystream: 'wasm' }),
  await Kernel.load('scalar', { keystream: 'node:crypto' }),
  await Kernel.load('debug', { keystream: 'wasm' }),
];
const [k0] = kernels;
const CHUNK = k0.chunkElems;

interface Case {
  x: Float64Array;
  exponent: number;
  ring: RingBits;
  norm: NormKind;
  bound: number;
  weight?: number;
  noise?: RingVector;
  seeds: Uint8Array[];
  signs: number[];
  key: Uint8Array;
  rounding: 'randomized' | 'half-even';
}

/** The multi-call composition the pipeline must reproduce. */
function composition(k: Kernel, c: Case): { vector: RingVector; clip: ClipReport } {
  const d = c.x.length;
  const common = { exponent: c.exponent, ring: c.ring, key: c.key, rounding: c.rounding };
  const enc = k.encodeAndClip(c.x, {
    ...common,
    clip: { norm: c.norm, bound: c.bound },
    ...(c.weight === undefined ? {} : { weight: c.weight }),
  });
  let vector = enc.vector;
  if (c.weight !== undefined) {
    const padded = new Float64Array(d + 1);
    padded[d] = c.weight;
    const withWeight = allocRing(c.ring, d + 1);
    withWeight.set(vector as never);
    withWeight[d] = k.encode(padded, common)[d] as never; // element d of the same rounding stream
    vector = withWeight;
  }
  if (c.noise) vector = k.ringAdd(vector, c.noise);
  k.expandMasks(vector, c.seeds, c.signs);
  return { vector, clip: enc.clip };
}

function pipeline(k: Kernel, c: Case, out?: RingVector) {
  return k.encodeMasked(c.x, {
    exponent: c.exponent,
    ring: c.ring,
    key: c.key,
    rounding: c.rounding,
    clip: { norm: c.norm, bound: c.bound },
    seeds: c.seeds,
    signs: c.signs,
    ...(c.weight === undefined ? {} : { weight: c.weight }),
    ...(c.noise ? { noise: c.noise } : {}),
    ...(out ? { out } : {}),
  });
}

function equal(a: ArrayLike<number | bigint>, b: ArrayLike<number | bigint>): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function assertSame(k: Kernel, c: Case, what: string): void {
  const want = composition(k, c);
  const got = pipeline(k, c);
  assert.ok(equal(got.vector, want.vector), `${what}: vectors differ (${k.flavour}/${k.keystreamSource})`);
  assert.deepEqual(got.clip, want.clip, `${what}: clip reports differ (${k.flavour}/${k.keystreamSource})`);
}

const seedArb = fc.uint8Array({ minLength: 32, maxLength: 32 });

/** Cases whose clipped values fit both rings; lengths around the step and chunk boundaries. */
const caseArb = fc
  .record({
    length: fc.oneof(fc.nat({ max: 200 }), fc.constantFrom(0, 1, STEP_ELEMS - 1, STEP_ELEMS, STEP_ELEMS + 1)),
    exponent: fc.integer({ min: 0, max: 9 }),
    ring: fc.constantFrom<RingBits>(32, 64),
    norm: fc.constantFrom<NormKind>('l1', 'l2', 'linf'),
    scale: fc.double({ min: 0.01, max: 1000, noNaN: true }),
    boundFraction: fc.double({ min: 0, max: 2, noNaN: true }),
    weight: fc.option(fc.double({ min: 0.05, max: 4, noNaN: true }), { nil: undefined }),
    withNoise: fc.boolean(),
    seeds: fc.array(seedArb, { maxLength: 4 }),
    key: seedArb,
    halfEven: fc.boolean(),
    noiseSeed: seedArb,
  })
  .map((r): Case => {
    // x·w·S below 2^30 so every value fits ring 32 even unclipped; the bound around ‖x‖
    const cap = 2 ** 30 / 10 ** r.exponent / 4;
    const weight = r.weight === undefined ? undefined : Math.min(r.weight, cap); // w·S fits ring 32 too
    const scale = Math.min(r.scale, cap / (weight ?? 1) / 4);
    const x = Float64Array.from({ length: r.length }, (_, i) => Math.sin(i * 1.7 + r.key[0]) * scale);
    const norm =
      r.norm === 'linf' ? scale : r.norm === 'l1' ? scale * r.length * 0.64 : scale * Math.sqrt(r.length / 2);
    const bound = Math.min(norm * r.boundFraction, cap);
    const total = r.length + (r.weight === undefined ? 0 : 1);
    const noise = r.withNoise ? k0.expandMasks(allocRing(r.ring, total), [r.noiseSeed], [1]) : undefined;
    return {
      x,
      exponent: r.exponent,
      ring: r.ring,
      norm: r.norm,
      bound,
      weight,
      noise,
      seeds: r.seeds,
      signs: r.seeds.map((s) => (s[0] & 1 ? -1 : 1)),
      key: r.key,
      rounding: r.halfEven ? 'half-even' : 'randomized',
    };
  });

test('encodeMasked ≡ encodeAndClip → weight → ringAdd(noise) → expandMasks (random cases, all kernels)', () => {
  fc.assert(
    fc.property(caseArb, fc.nat({ max: kernels.length - 1 }), (c, which) =>
      assertSame(kernels[which], c, `d=${c.x.length} ${c.norm} ring ${c.ring}`),
    ),
    { numRuns: 150 },
  );
});

test('encodeMasked ≡ composition across chunk boundaries (two steps and more, parked rounding bits)', () => {
  const seeds = [new Uint8Array(32).fill(1), new Uint8Array(32).fill(2), new Uint8Array(32).fill(3)];
  for (const length of [2 * STEP_ELEMS + 3, CHUNK + 5]) {
    const x = Float64Array.from({ length }, (_, i) => Math.cos(i) * 0.01);
    for (const ring of [32, 64] as const) {
      for (const norm of ['l2', 'l1', 'linf'] as const) {
        const bound = norm === 'linf' ? 0.005 : norm === 'l1' ? length * 0.003 : Math.sqrt(length) * 0.004; // clipped
        for (const k of kernels.slice(0, 2)) {
          const c: Case = {
            x,
            exponent: 6,
            ring,
            norm,
            bound,
            seeds,
            signs: [1, -1, 1],
            key: new Uint8Array(32).fill(9),
            rounding: 'randomized',
            weight: 0.5,
            noise: k0.expandMasks(allocRing(ring, length + 1), [seeds[0]], [1]),
          };
          assertSame(k, c, `d=${length} ${norm} ring ${ring}`);
          assertSame(
            k,
            { ...c, bound: bound * 10, weight: undefined, noise: undefined },
            `d=${length} ${norm} ring ${ring} unclipped`,
          );
        }
      }
    }
  }
});

test('a reused output gives the same result as a fresh one, round after round', () => {
  const c: Case = {
    x: Float64Array.from({ length: STEP_ELEMS + 9 }, (_, i) => (i % 7) - 3),
    exponent: 3,
    ring: 64,
    norm: 'l2',
    bound: 50,
    seeds: [new Uint8Array(32).fill(4)],
    signs: [-1],
    key: new Uint8Array(32).fill(5),
    rounding: 'randomized',
  };
  const out = allocRing(64, c.x.length);
  const fresh = pipeline(k0, c).vector;
  for (let round = 0; round < 3; round++) {
    const again = pipeline(k0, c, out);
    assert.equal(again.vector, out);
    assert.ok(equal(out, fresh));
  }
});

test('bad elements fail as the composition does, and the output is zeroed', () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 0, max: STEP_ELEMS + 20 }),
      fc.constantFrom(NaN, Infinity, 1e300),
      fc.constantFrom<NormKind>('l2', 'linf'),
      (index, bad, norm) => {
        const x = new Float64Array(STEP_ELEMS + 21).fill(0.5);
        x[index] = bad;
        const c: Case = {
          x,
          exponent: 6,
          ring: 32,
          norm,
          bound: 1,
          seeds: [new Uint8Array(32)],
          signs: [1],
          key: new Uint8Array(32),
          rounding: 'randomized',
        };
        const out = new Uint32Array(x.length).fill(7);
        const code = bad === 1e300 ? 'E_RING_OVERFLOW' : 'E_BAD_VECTOR';
        assert.throws(
          () => composition(k0, c),
          (e) => isShardwireError(e, code) && e.details.index === index,
        );
        assert.throws(
          () => pipeline(k0, c, out),
          (e) => isShardwireError(e, code) && e.details.index === index,
        );
        assert.ok(out.every((v) => v === 0));
      },
    ),
    { numRuns: 20 },
  );
});

test('encodeMasked refuses a wrong output, noise or mask list with precise codes', () => {
  const x = new Float64Array(10);
  const base = { exponent: 2, ring: 32 as const, clip: { norm: 'l2' as const, bound: 1 }, seeds: [], signs: [] };
  const bad = (opts: object, code: 'E_BAD_VECTOR' | 'E_BAD_ARGUMENT' | 'E_RING_OVERFLOW', what: string) =>
    assert.throws(
      () => k0.encodeMasked(x, { ...base, ...opts }),
      (e) => isShardwireError(e, code),
      what,
    );
  bad({ out: new Uint32Array(9) }, 'E_BAD_VECTOR', 'short out');
  bad({ out: new BigUint64Array(10) }, 'E_BAD_VECTOR', 'out of the other ring');
  bad({ weight: 2, out: new Uint32Array(10) }, 'E_BAD_VECTOR', 'out without room for the weight');
  bad({ out: new Uint32Array(x.buffer, 0, 10) }, 'E_BAD_ARGUMENT', 'out sharing x');
  const shared = new Uint32Array(20);
  bad({ out: shared.subarray(0, 10), noise: shared.subarray(10) }, 'E_BAD_ARGUMENT', 'out sharing the noise');
  bad({ noise: new Uint32Array(11) }, 'E_BAD_VECTOR', 'noise of another length');
  bad({ noise: new BigUint64Array(10) }, 'E_BAD_VECTOR', 'noise of another ring');
  bad({ seeds: [new Uint8Array(31)], signs: [1] }, 'E_BAD_ARGUMENT', 'short seed');
  bad({ seeds: [new Uint8Array(32)], signs: [] }, 'E_BAD_ARGUMENT', 'missing sign');
  bad({ seeds: [new Uint8Array(32)], signs: [2] }, 'E_BAD_ARGUMENT', 'bad sign');
  bad({ clip: { norm: 'l3', bound: 1 } }, 'E_BAD_ARGUMENT', 'bad norm');
  bad({ clip: { norm: 'l2', bound: 1e9 } }, 'E_RING_OVERFLOW', 'bound past ring 32');
  bad({ weight: 1e8, clip: { norm: 'l2', bound: 1e-9 } }, 'E_RING_OVERFLOW', 'weight coordinate past ring 32');
});

test('wasm memory stays constant and no key stays in the arena across pipeline calls', () => {
  for (const k of kernels.slice(0, 2)) {
    const before = k.memoryBytes;
    const x = Float64Array.from({ length: 300 }, (_, i) => i / 300);
    const out = new Uint32Array(301);
    for (let i = 0; i < 2000; i++)
      k.encodeMasked(x, {
        exponent: 4,
        ring: 32,
        clip: { norm: i % 2 ? 'l2' : 'linf', bound: 1 },
        weight: 0.5,
        seeds: [new Uint8Array(32).fill(i & 255)],
        signs: [1],
        out,
      });
    assert.equal(k.memoryBytes, before);
    const { bytes, keyOffset, seedsOffset } = k.views;
    const ioA = k.raw.ioAPtr();
    const ioB = k.raw.ioBPtr();
    assert.ok(bytes.subarray(keyOffset, keyOffset + 32).every((b) => b === 0));
    assert.ok(bytes.subarray(seedsOffset, seedsOffset + 32).every((b) => b === 0));
    assert.ok(
      bytes.subarray(ioA, ioA + 8 * STEP_ELEMS).every((b) => b === 0),
      'IO_A wiped',
    );
    assert.ok(
      bytes.subarray(ioB, ioB + 8 * STEP_ELEMS).every((b) => b === 0),
      'IO_B wiped',
    );
  }
});

test('values the SIMD part hands to the scalar loop (|x·S| in [2^51, 2^53)) encode as the composition does', () => {
  fc.assert(
    fc.property(
      fc.array(fc.nat({ max: 299 }), { minLength: 1, maxLength: 5 }),
      fc.constantFrom<NormKind>('linf', 'l2'),
      fc.double({ min: 2 ** 51, max: 2 ** 53 - 2 ** 10, noNaN: true }),
      seedArb,
      (at, norm, big, key) => {
        const x = Float64Array.from({ length: 300 }, (_, i) => Math.sin(i) * 1000);
        for (const i of at) x[i] = i % 2 ? big : -big;
        for (const k of kernels)
          assertSame(
            k,
            {
              x,
              exponent: 0,
              ring: 64,
              norm,
              bound: norm === 'linf' ? 2 ** 52 : 2 ** 60,
              seeds: [key],
              signs: [1],
              key,
              rounding: 'randomized',
            },
            `big values at ${at}`,
          );
      },
    ),
    { numRuns: 30 },
  );
});
