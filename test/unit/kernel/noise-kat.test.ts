/**
 * Known-answer and behaviour tests of the kernel noise samplers: the pinned vectors
 * (test/vectors/noise-cks20.json) on every build, agreement with the BigInt reference
 * (test/reference/noise-cks20.ts), stream position resumption, ring widths, wiping, errors.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Kernel } from '../../../src/kernel/kernel.ts';
import { addNoise, drawSamples, sampleNoise, newNoiseKey, type SamplerKind } from '../../../src/kernel/noise.ts';
import { isShardwireError } from '../../../src/errors.ts';
import * as ref from '../../reference/noise-cks20.ts';

interface KatCase { sampler: SamplerKind; a: string; b: string; endPosition: string; samples: number[] }
const vectors = JSON.parse(readFileSync(new URL('../../vectors/noise-cks20.json', import.meta.url), 'utf8')) as { key: string; cases: KatCase[] };
const KEY = new Uint8Array(Buffer.from(vectors.key, 'hex'));

test('noise vectors cover every sampler, 1000 samples each', () => {
  const kinds = new Set(vectors.cases.map((c) => c.sampler));
  for (const s of ['uniform', 'bernoulli', 'bernExp', 'geometric', 'dlaplace', 'dgauss']) assert.ok(kinds.has(s as SamplerKind), s);
  for (const c of vectors.cases) assert.equal(c.samples.length, 1000);
});

for (const flavour of ['simd', 'scalar', 'debug'] as const) {
  test(`noise KAT [${flavour}]: first 1000 samples and end position of every case`, async () => {
    const k = await Kernel.load(flavour);
    for (const c of vectors.cases) {
      const { samples, position } = drawSamples(k, c.sampler, 1000, BigInt(c.a), BigInt(c.b), KEY);
      assert.deepEqual(Array.from(samples, Number), c.samples, `${c.sampler}(${c.a}, ${c.b})`);
      assert.equal(position, BigInt(c.endPosition), `${c.sampler}(${c.a}, ${c.b}) position`);
    }
  });
}

test('noise KAT: the BigInt reference (node:crypto ChaCha20) reproduces every case exactly', () => {
  for (const c of vectors.cases) {
    const r = new ref.BitStream(KEY);
    const a = BigInt(c.a), b = BigInt(c.b);
    const draw = (): bigint => {
      switch (c.sampler) {
        case 'uniform': return ref.uniformBelow(r, a);
        case 'bernoulli': return ref.bernoulli(r, a, b) ? 1n : 0n;
        case 'bernExp': return ref.bernExp(r, a, b) ? 1n : 0n;
        case 'geometric': return ref.geometric(r, a, b);
        case 'dlaplace': return ref.discreteLaplace(r, a, b);
        case 'dgauss': return ref.discreteGaussian(r, a);
      }
    };
    const out = Array.from({ length: 1000 }, () => Number(draw()));
    assert.deepEqual(out, c.samples, `${c.sampler}(${c.a}, ${c.b})`);
    assert.equal(BigInt(r.position), BigInt(c.endPosition));
  }
});

test('noise: the reference reproduces the kernel from bit positions that are not word-aligned', async () => {
  const k = await Kernel.load('simd');
  for (const start of [1n, 31n, 33n, 12_345n, 32_767n, 32_769n]) {
    const { samples, position } = drawSamples(k, 'dgauss', 200, 5n, 0n, KEY, start);
    const r = new ref.BitStream(KEY, Number(start));
    assert.deepEqual(Array.from(samples), Array.from({ length: 200 }, () => ref.discreteGaussian(r, 5n)), `from bit ${start}`);
    assert.equal(position, BigInt(r.position), `end position from bit ${start}`);
  }
});

/**
 * Rare paths of the kernel's 1/k run (assembly/bernoulli.ts factorialRun), probability ~2^-32 per
 * draw, hit by seeking to bit positions of the KAT key's stream (found by a one-off scan) whose
 * next 32 bits tie with ⌊2^32/k!⌋ or fall below ⌊2^32/12!⌋ = 8. bernExp(1, 1) draws exactly one
 * Bernoulli(exp(−1)) there.
 */
const RUN_EDGE_CASES: ReadonlyArray<readonly [position: number, window: number, path: string]> = [
  [17_606_073, 4, 'U < 1/12!: independent trials from k = 13'],
  [17_606_074, 8, 'tie with 1/12! on 32 digits'],
  [1_200_640_976, 5_965_232, 'tie with 1/6!'],
  [1_241_043_384, 178_956_970, 'tie with 1/4!'],
  [2_118_184_902, 35_791_394, 'tie with 1/5!'],
];

for (const flavour of ['simd', 'scalar', 'debug'] as const) {
  test(`noise [${flavour}]: the rare tie and tail paths of the 1/k run agree with the reference`, async () => {
    const k = await Kernel.load(flavour);
    for (const [position, window, path] of RUN_EDGE_CASES) {
      assert.equal(Number(new ref.BitStream(KEY, position).bits(32)), window, `stream window at ${position}`);
      const got = drawSamples(k, 'bernExp', 4, 1n, 1n, KEY, BigInt(position));
      const r = new ref.BitStream(KEY, position);
      const want = Array.from({ length: 4 }, () => (ref.bernExp(r, 1n, 1n) ? 1n : 0n));
      assert.deepEqual(Array.from(got.samples), want, path);
      assert.equal(got.position, BigInt(r.position), `${path}: end position`);
    }
  });
}

test('noise: drawing in pieces from the returned positions equals one draw', async () => {
  const k = await Kernel.load('simd');
  const key = newNoiseKey();
  const whole = drawSamples(k, 'dgauss', 3000, 7n, 0n, key);
  const parts: bigint[] = [];
  let position = 0n;
  for (const n of [1, 999, 0, 1500, 500]) {
    const p = drawSamples(k, 'dgauss', n, 7n, 0n, key, position);
    parts.push(...p.samples);
    position = p.position;
  }
  assert.deepEqual(parts, Array.from(whole.samples));
  assert.equal(position, whole.position);
});

test('addNoise: in place over both rings, across chunk boundaries, resumable, equal to sampleNoise', async () => {
  const k = await Kernel.load('simd');
  const key = newNoiseKey();
  const n = k.chunkElems + 5;
  const spec = { mechanism: 'dlaplace', scale: { num: 100n, den: 3n }, key } as const;
  const { noise, position } = sampleNoise(k, n, spec);
  const v64 = BigUint64Array.from({ length: n }, (_, i) => BigInt(i) * 0x1_0000_0001n);
  const r64 = addNoise(k, v64, spec);
  assert.equal(r64.position, position);
  for (let i = 0; i < n; i++) assert.equal(v64[i], BigInt.asUintN(64, BigInt(i) * 0x1_0000_0001n + noise[i]));
  const v32 = Uint32Array.from({ length: n }, (_, i) => i * 7);
  addNoise(k, v32, spec);
  for (let i = 0; i < n; i++) assert.equal(v32[i], Number(BigInt.asUintN(32, BigInt(i * 7) + noise[i])));
  // the same noise in two calls, the second continuing from the first's position
  const a = new BigUint64Array(n);
  const cut = k.chunkElems - 1;
  const first = addNoise(k, a.subarray(0, cut), spec);
  addNoise(k, a.subarray(cut), { ...spec, position: first.position });
  for (let i = 0; i < n; i++) assert.equal(a[i], BigInt.asUintN(64, noise[i]));
});

test('noise: the key and keystream are wiped from wasm memory after each call; memory does not grow', async () => {
  const k = await Kernel.load('simd');
  const before = k.memoryBytes;
  const key = new Uint8Array(32).fill(0xa5);
  addNoise(k, new BigUint64Array(1000), { mechanism: 'dgauss', sigma: 3n, key });
  const keyAt = k.raw.noiseKeyPtr();
  assert.deepEqual(Array.from(k.views.bytes.subarray(keyAt, keyAt + 32)), new Array(32).fill(0));
  assert.equal(k.memoryBytes, before);
});

test('noise: bad arguments are refused with codes, never trapped', async () => {
  const k = await Kernel.load('debug');
  const key = newNoiseKey();
  const bad: Array<[() => unknown, string]> = [
    [() => addNoise(k, new BigUint64Array(4), { mechanism: 'dgauss', sigma: 0n, key }), 'E_BAD_ARGUMENT'],
    [() => addNoise(k, new BigUint64Array(4), { mechanism: 'dgauss', sigma: 2n ** 28n + 1n, key }), 'E_BAD_ARGUMENT'],
    [() => addNoise(k, new BigUint64Array(4), { mechanism: 'dgauss', sigma: 3 as unknown as bigint, key }), 'E_BAD_ARGUMENT'],
    [() => addNoise(k, new BigUint64Array(4), { mechanism: 'dlaplace', scale: { num: 0n, den: 1n }, key }), 'E_BAD_ARGUMENT'],
    [() => addNoise(k, new BigUint64Array(4), { mechanism: 'dlaplace', scale: { num: 1n, den: 2n ** 48n + 1n }, key }), 'E_BAD_ARGUMENT'],
    [() => addNoise(k, new BigUint64Array(4), { mechanism: 'gauss' as 'dgauss', sigma: 3n, key }), 'E_BAD_ARGUMENT'],
    [() => addNoise(k, new BigUint64Array(4), { mechanism: 'dgauss', sigma: 3n, key: key.subarray(1) }), 'E_BAD_ARGUMENT'],
    [() => addNoise(k, new BigUint64Array(4), { mechanism: 'dgauss', sigma: 3n, key, position: 2n ** 41n }), 'E_BAD_ARGUMENT'],
    [() => addNoise(k, new BigUint64Array(4), { mechanism: 'dgauss', sigma: 3n, key, position: -1n }), 'E_BAD_ARGUMENT'],
    [() => addNoise(k, new Float64Array(4) as unknown as BigUint64Array, { mechanism: 'dgauss', sigma: 3n, key }), 'E_BAD_VECTOR'],
    [() => drawSamples(k, 'bernoulli', 4, 5n, 4n, key), 'E_BAD_ARGUMENT'],
    [() => drawSamples(k, 'uniform', 4, 0n, 0n, key), 'E_BAD_ARGUMENT'],
    [() => drawSamples(k, 'uniform', -1, 3n, 0n, key), 'E_BAD_ARGUMENT'],
    // a stream that would pass 2^32 ChaCha20 blocks (2^41 bits)
    [() => addNoise(k, new BigUint64Array(100), { mechanism: 'dgauss', sigma: 3n, key, position: 2n ** 41n - 10n }), 'E_BAD_ARGUMENT'],
  ];
  for (const [f, code] of bad) assert.throws(f, (e) => isShardwireError(e, code as 'E_BAD_ARGUMENT'), String(f));
  // and the kernel still works afterwards
  assert.equal(drawSamples(k, 'dgauss', 10, 3n, 0n, key).samples.length, 10);
});

/**
 * The digit-by-digit path of the discrete Gaussian's K (assembly/noise.ts gaussKSlow), taken by
 * the release builds only when the first 32 bits of U tie with a threshold's first word
 * (probability ~2^-29 per draw): bit positions of the KAT key's stream (found by a one-off scan)
 * whose next 32 bits equal the first word of T_1 … T_6, or 0 (the first word of T_7 … T_22).
 */
const GAUSS_K_TIES: ReadonlyArray<readonly [position: number, window: number]> = [
  [14_749_412_209, 0x6dfda4e6], [4_790_582_554, 0x156e867a], [16_861_507_670, 0x01abea39],
  [244_365_731, 0x000cadcc], [4_447_539_217, 0x000023ce], [3_148_557_590, 0x00000025], [3_946_733_811, 0],
];

for (const flavour of ['simd', 'scalar', 'debug'] as const) {
  test(`noise [${flavour}]: the Gaussian's K agrees with the reference where U ties a threshold's first word`, async () => {
    const k = await Kernel.load(flavour);
    for (const [position, window] of GAUSS_K_TIES) {
      assert.equal(Number(new ref.BitStream(KEY, position).bits(32)), window, `stream window at ${position}`);
      for (const sigma of [1n, 3n, 1000n]) {
        const got = drawSamples(k, 'dgauss', 3, sigma, 0n, KEY, BigInt(position));
        const r = new ref.BitStream(KEY, position);
        const want = Array.from({ length: 3 }, () => ref.discreteGaussian(r, sigma));
        assert.deepEqual(Array.from(got.samples), want, `tie at ${position}, σ = ${sigma}`);
        assert.equal(got.position, BigInt(r.position), `tie at ${position}, σ = ${sigma}: end position`);
      }
    }
  });
}
