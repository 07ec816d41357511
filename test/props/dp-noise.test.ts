/**
 * fast-check laws of the kernel noise: splitting a draw at any points and resuming from the
 * returned positions changes nothing; the same key gives the same noise on both rings (u32 =
 * low 32 bits of u64); addNoise(v) − v is the sampled noise; scalar ≡ SIMD.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Kernel } from '../../src/kernel/kernel.ts';
import { addNoise, sampleNoise, drawSamples, type NoiseSpec } from '../../src/kernel/noise.ts';

const spec: fc.Arbitrary<NoiseSpec> = fc.oneof(
  fc.record({ num: fc.bigInt(1n, 2n ** 30n), den: fc.bigInt(1n, 1000n) }).map(({ num, den }) => ({ mechanism: 'dlaplace' as const, scale: { num, den } })),
  fc.bigInt(1n, 2n ** 28n).map((sigma) => ({ mechanism: 'dgauss' as const, sigma })),
);
const key = fc.uint8Array({ minLength: 32, maxLength: 32 });

test('resuming from returned positions at arbitrary split points equals one draw', async () => {
  const k = await Kernel.load('simd');
  fc.assert(fc.property(spec, key, fc.array(fc.nat(300), { maxLength: 5 }), (s, kb, cuts) => {
    const total = cuts.reduce((a, b) => a + b, 0);
    const whole = sampleNoise(k, total, { ...s, key: kb });
    let position = 0n;
    const parts: bigint[] = [];
    for (const n of cuts) {
      const p = sampleNoise(k, n, { ...s, key: kb, position });
      parts.push(...p.noise);
      position = p.position;
    }
    assert.deepEqual(parts, Array.from(whole.noise));
    assert.equal(position, whole.position);
  }), { numRuns: 60 });
});

test('addNoise over Z_2^32 and Z_2^64 adds the same noise (mod the ring) as sampleNoise; scalar ≡ SIMD', async () => {
  const simd = await Kernel.load('simd');
  const scalar = await Kernel.load('scalar');
  fc.assert(fc.property(spec, key, fc.array(fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }), { maxLength: 200 }), (s, kb, xs) => {
    const { noise } = sampleNoise(simd, xs.length, { ...s, key: kb });
    const v64 = BigUint64Array.from(xs);
    addNoise(scalar, v64, { ...s, key: kb });
    const v32 = Uint32Array.from(xs, (x) => Number(x & 0xffffffffn));
    addNoise(simd, v32, { ...s, key: kb });
    xs.forEach((x, i) => {
      assert.equal(v64[i], BigInt.asUintN(64, x + noise[i]));
      assert.equal(BigInt(v32[i]), BigInt.asUintN(32, x + noise[i]));
    });
  }), { numRuns: 60 });
});

test('discrete noise is symmetric in sign and never "−0": P(z) = P(−z) on a seeded sample', async () => {
  const k = await Kernel.load('simd');
  fc.assert(fc.property(key, (kb) => {
    const { samples } = drawSamples(k, 'dlaplace', 20_000, 1n, 1n, kb);
    let pos = 0, neg = 0;
    for (const z of samples) (z > 0n ? pos++ : z < 0n ? neg++ : 0);
    const se = Math.sqrt(pos + neg);
    assert.ok(Math.abs(pos - neg) < 5.5 * se, `${pos} positive vs ${neg} negative`);
  }), { numRuns: 10 });
});
