/**
 * Distribution tests of the kernel's exact samplers (CKS20) against reference laws computed
 * independently in test/reference/noise-pmf.ts: Pearson χ² with pooled tails at significance
 * 1e-6 per test, and the sample variance within 6 standard errors (SE from the sample size and
 * the reference 4th moment). Sized to finish in a few seconds; the 10^7-draw run is
 * test/slow/noise-stats-long.test.ts (`npm run test:stats:long`).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Kernel } from '../../../src/kernel/kernel.ts';
import { drawSamples, newNoiseKey, type SamplerKind } from '../../../src/kernel/noise.ts';
import {
  discreteLaplace, discreteGaussian, geometric, makeBins, chiSquare, chiSquareCritical, sampleVariance, type Reference,
} from '../../reference/noise-pmf.ts';

const N = Number(process.env.NOISE_STATS_N ?? 200_000);
const kernel = Kernel.load('simd');

/** χ² and variance checks of `n` draws of `sampler`(a, b) against `ref`. */
async function checkLaw(sampler: SamplerKind, a: bigint, b: bigint, ref: Reference, n = N): Promise<void> {
  const k = await kernel;
  const { samples } = drawSamples(k, sampler, n, a, b, newNoiseKey());
  const bins = makeBins(ref, 50 / n);
  assert.ok(bins.length >= 3, `too few bins (${bins.length})`);
  const { stat, df } = chiSquare(samples, bins);
  const crit = chiSquareCritical(df);
  assert.ok(stat < crit, `χ² = ${stat.toFixed(1)} ≥ ${crit.toFixed(1)} (df ${df}) for ${sampler}(${a}, ${b})`);
  const v = sampleVariance(samples, ref.mean);
  const se = Math.sqrt((ref.fourthMoment - ref.variance ** 2) / n);
  assert.ok(Math.abs(v - ref.variance) < 6 * se, `variance ${v} vs ${ref.variance} (6·SE = ${6 * se}) for ${sampler}(${a}, ${b})`);
}

const laplaceScales: Array<[bigint, bigint]> = [[1n, 2n], [1n, 1n], [10n, 1n], [1000n, 1n], [2n ** 20n, 1n]];
for (const [num, den] of laplaceScales) {
  test(`discrete Laplace scale ${num}/${den}: χ² and variance against the exact pmf`, async () => {
    await checkLaw('dlaplace', num, den, discreteLaplace(Number(num) / Number(den)));
  });
}

for (const sigma of [1n, 2n, 10n, 1000n, 2n ** 20n]) {
  test(`discrete Gaussian σ = ${sigma}: χ² and variance against the exact pmf`, async () => {
    await checkLaw('dgauss', sigma, 0n, discreteGaussian(Number(sigma)));
  });
}

test('geometric P(g) ∝ exp(−g·s/t): χ² for (t, s) = (3, 2), (1, 1), (1000, 7)', async () => {
  await checkLaw('geometric', 3n, 2n, geometric(3, 2), 100_000);
  await checkLaw('geometric', 1n, 1n, geometric(1, 1), 100_000);
  await checkLaw('geometric', 1000n, 7n, geometric(1000, 7), 100_000);
});

test('uniform [0, n): χ² for n = 5, 7, 1000, 2^20 + 1, 2^32, 2^32 + 3, 2^48 + 5 (Lemire and masked draws)', async () => {
  const k = await kernel;
  for (const n of [5n, 7n, 1000n, 2n ** 20n + 1n, 2n ** 32n, 2n ** 32n + 3n, 2n ** 48n + 5n]) {
    const { samples } = drawSamples(k, 'uniform', 100_000, n, 0n, newNoiseKey());
    const B = n < 64n ? Number(n) : 64;
    const counts = new Float64Array(B);
    for (const x of samples) {
      assert.ok(x >= 0n && BigInt.asUintN(64, x) < n, `uniform sample ${x} outside [0, ${n})`);
      counts[Number((BigInt.asUintN(64, x) * BigInt(B)) / n)]++;
    }
    // bin j holds the integers x with ⌊x·B/n⌋ = j: ⌈(j+1)n/B⌉ − ⌈jn/B⌉ of them
    const ceilDiv = (x: bigint, y: bigint) => (x + y - 1n) / y;
    let stat = 0;
    for (let j = 0; j < B; j++) {
      const size = ceilDiv(BigInt(j + 1) * n, BigInt(B)) - ceilDiv(BigInt(j) * n, BigInt(B));
      const e = (Number(size) / Number(n)) * samples.length;
      stat += (counts[j] - e) ** 2 / e;
    }
    assert.ok(stat < chiSquareCritical(B - 1), `uniform(${n}) χ² = ${stat}`);
  }
});

test('Bernoulli(p) and Bernoulli(exp(−γ)): frequencies within 5.3 binomial SE', async () => {
  const k = await kernel;
  const n = 100_000;
  const cases: Array<[SamplerKind, bigint, bigint, number]> = [
    ['bernoulli', 0n, 5n, 0], ['bernoulli', 5n, 5n, 1], ['bernoulli', 1n, 3n, 1 / 3], ['bernoulli', 2n ** 40n, 2n ** 41n + 1n, 2 ** 40 / (2 ** 41 + 1)],
    ['bernExp', 0n, 1n, 1], ['bernExp', 1n, 3n, Math.exp(-1 / 3)], ['bernExp', 1n, 1n, Math.exp(-1)],
    ['bernExp', 5n, 2n, Math.exp(-2.5)], ['bernExp', 7n, 1n, Math.exp(-7)], ['bernExp', 999_999n, 1_000_000n, Math.exp(-0.999999)],
  ];
  for (const [sampler, a, b, p] of cases) {
    const { samples } = drawSamples(k, sampler, n, a, b, newNoiseKey());
    let ones = 0;
    for (const x of samples) {
      assert.ok(x === 0n || x === 1n);
      ones += Number(x);
    }
    const se = Math.sqrt((p * (1 - p)) / n);
    if (se === 0) assert.equal(ones / n, p, `${sampler}(${a}, ${b}) must be constant`);
    else assert.ok(Math.abs(ones / n - p) < 5.3 * se, `${sampler}(${a}, ${b}): ${ones / n} vs ${p}`);
  }
});
