/**
 * Release-time distribution run (`npm run test:stats:long`): 10^7 draws per law, same χ² and
 * variance checks as test/unit/kernel/noise-distribution.test.ts at a far higher power.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Kernel } from '../../src/kernel/kernel.ts';
import { drawSamples, newNoiseKey, type SamplerKind } from '../../src/kernel/noise.ts';
import { discreteLaplace, discreteGaussian, makeBins, chiSquare, chiSquareCritical, sampleVariance, type Reference } from '../reference/noise-pmf.ts';

const N = 10_000_000;

async function checkLaw(sampler: SamplerKind, a: bigint, b: bigint, ref: Reference): Promise<void> {
  const k = await Kernel.load('simd');
  const { samples } = drawSamples(k, sampler, N, a, b, newNoiseKey());
  const { stat, df } = chiSquare(samples, makeBins(ref, 200 / N, 200));
  assert.ok(stat < chiSquareCritical(df), `χ² = ${stat} (df ${df}) for ${sampler}(${a}, ${b})`);
  const v = sampleVariance(samples, ref.mean);
  const se = Math.sqrt((ref.fourthMoment - ref.variance ** 2) / N);
  assert.ok(Math.abs(v - ref.variance) < 6 * se, `variance ${v} vs ${ref.variance} for ${sampler}(${a}, ${b})`);
}

for (const [num, den] of [[1n, 2n], [1n, 1n], [10n, 1n], [1000n, 1n], [2n ** 20n, 1n]] as const) {
  test(`10^7 discrete Laplace(${num}/${den})`, async () => checkLaw('dlaplace', num, den, discreteLaplace(Number(num) / Number(den))));
}
for (const sigma of [1n, 2n, 10n, 1000n, 2n ** 20n]) {
  test(`10^7 discrete Gaussian(σ = ${sigma})`, async () => checkLaw('dgauss', sigma, 0n, discreteGaussian(Number(sigma))));
}
