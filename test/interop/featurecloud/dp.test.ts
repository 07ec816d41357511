// DP through the controllers, Laplace and Gaussian: with SMPC (noise added in each site's kernel
// before masking, the coordinator's app gets Σx + Σnoise) and without (each site noises its own
// data before it leaves). The observed noise (received − plain) must match the calibrated σ:
// T = Σ z²/σ² over m values has mean m and variance (κ − 1)·m (κ the kurtosis: 3 for Gaussian
// noise — then T is χ²_m —, 6 for one Laplace, 4 for a sum of three); we accept |T − m| ≤ 6 sd,
// which a correct σ fails with probability below 1e-8 and a σ off by 10 % fails for certain.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { calibrate, validateDpConfig } from '../../../src/dp/index.ts';
import { localExponent } from '../../../src/controller/local-noise.ts';
import { fittingExponent } from '../../../src/controller/session-config.ts';
import { describeRun, relay, runSites } from './harness.ts';

after(async () => (await relay()).close());

function checkNoise(noise: number[], sigma: number, kurtosis: number, what: string): void {
  const m = noise.length;
  const t = noise.reduce((s, z) => s + (z / sigma) ** 2, 0);
  const sd = Math.sqrt((kurtosis - 1) * m);
  assert.ok(
    Math.abs(t - m) <= 6 * sd,
    `${what}: Σz²/σ² = ${t.toFixed(1)} over ${m} values, expected ${m} ± ${(6 * sd).toFixed(1)} (σ = ${sigma})`,
  );
  const mean = noise.reduce((s, z) => s + z, 0) / m;
  assert.ok(
    Math.abs(mean) <= (6 * sigma) / Math.sqrt(m),
    `${what}: mean noise ${mean}, expected 0 ± ${(6 * sigma) / Math.sqrt(m)}`,
  );
}

/** Per-site noise std (real units) that shardwire's calibration gives for the engine's settings. */
function siteStd(noisetype: 'laplace' | 'gauss', exponent: number): number {
  const dp = validateDpConfig({
    noisetype,
    epsilon: 1,
    delta: noisetype === 'gauss' ? 1e-5 : 0,
    clippingVal: 10,
    neighbouring: 'replace',
  });
  const n = calibrate(dp, { exponent }).noise;
  const std = n.mechanism === 'dgauss' ? Number(n.sigma) : Math.SQRT2 * (Number(n.scale.num) / Number(n.scale.den));
  return std / 10 ** exponent;
}

for (const noisetype of ['gauss', 'laplace'] as const) {
  test(
    `DP ${noisetype}: secure and local noise match the calibrated σ; ε is charged per memo`,
    { timeout: 180_000 },
    async () => {
      const budget = noisetype === 'gauss' ? '20,1e-4' : '20';
      const r = await runSites({
        app: 'dp_app.py',
        env: { FC_NOISE: noisetype },
        flags: () => ['--privacy-budget', budget],
      });
      for (const c of r.controllers) assert.equal(c.code, 0, describeRun(r));
      const outs = r.ids.map((id) => r.outputs.get(id)!) as unknown as {
        inputs: { secure: number[]; local: number[] };
        received?: { secure: number[]; local: number[][] };
      }[];
      const received = outs[0]!.received!;
      // with SMPC: the aggregate is Σx + the three sites' noise
      const plain = outs[0]!.inputs.secure.map((_, i) => outs.reduce((s, o) => s + o.inputs.secure[i]!, 0));
      const appDp = {
        noisetype,
        epsilon: 1,
        delta: noisetype === 'gauss' ? 1e-5 : 0,
        sensitivity: null,
        clippingVal: 10,
      } as const;
      // the app keeps FeatureCloud's exponent 8; Gaussian σ ≈ 75 only fits the samplers at 10^-6
      const secureExponent = fittingExponent(appDp, 8, 3);
      assert.equal(secureExponent, noisetype === 'gauss' ? 6 : 8);
      const secureStd = siteStd(noisetype, secureExponent) * Math.sqrt(3);
      const round = r.controllers[0]!.events.find((e) => e.event === 'round' && e.memo === 'dp-secure') as {
        expectedNoiseStd: number;
        epsilon: number;
      };
      assert.ok(
        Math.abs(round.expectedNoiseStd - secureStd) <= 1e-9 * secureStd,
        `coordinator reports σ ${round.expectedNoiseStd}, calibration gives ${secureStd}`,
      );
      checkNoise(
        received.secure.map((v, i) => v - plain[i]!),
        secureStd,
        noisetype === 'gauss' ? 3 : 4,
        'SMPC + DP',
      );
      // without SMPC: each of the three pieces is the (shared) plain vector + one site's noise
      assert.equal(received.local.length, 3);
      const exponent = localExponent(appDp);
      assert.equal(exponent, secureExponent);
      const localStd = siteStd(noisetype, exponent);
      for (const [j, v] of received.local.entries())
        checkNoise(
          v.map((x, i) => x - outs[0]!.inputs.local[i]!),
          localStd,
          noisetype === 'gauss' ? 3 : 6,
          `local DP piece ${j}`,
        );
      for (const c of r.controllers) {
        const dpEvent = c.events.find((e) => e.event === 'dp') as { noiseStd: number };
        assert.ok(Math.abs(dpEvent.noiseStd - localStd) <= 1e-9 * localStd);
        // every site's summary says ε per memo, charged to its own accountant within the budget
        const s = c.events.find((e) => e.event === 'summary') as {
          privacy: {
            releases: { memo: string; kind: string; epsilon: number }[];
            epsilonTotal: number;
            budget: { epsilon: number };
          };
        };
        assert.deepEqual(s.privacy.releases.map((x) => [x.memo, x.kind]).sort(), [
          ['dp-local', 'local'],
          ['dp-secure', 'secure'],
        ]);
        for (const x of s.privacy.releases)
          assert.ok(x.epsilon > 0 && x.epsilon <= (noisetype === 'laplace' ? 1 + 1e-12 : 20), `ε ${x.epsilon}`);
        assert.ok(s.privacy.epsilonTotal > 0 && s.privacy.epsilonTotal <= s.privacy.budget.epsilon);
      }
    },
  );
}
