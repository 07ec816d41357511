/**
 * Calibration: the analytic Gaussian σ (Balle & Wang 2018) against δ computed independently
 * here (Simpson integration of the normal density, no erfc), the zCDP → (ε, δ) conversion and its
 * inverse against a brute-force grid in the δ-form of CKS20 Proposition 12, the Laplace rational
 * scale, the least σ (local) and σ_local (distributed, KLS21 Proposition 14) meeting the target,
 * the time a calibration takes, and every E_BAD_DP_CONFIG refusal.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  analyticGaussianSigma, calibrate, clipBoundInt, distributedGaussianRho, validateDpConfig, zcdpMaxRho, zcdpToEpsilon,
} from '../../../src/dp/index.ts';
import { isShardwireError } from '../../../src/errors.ts';

/** Upper normal tail P(N > x) by composite Simpson on [x, x + 40] (independent of src/dp/normal.ts). */
function tail(x: number): number {
  if (x < 0) return 1 - tail(-x);
  const n = 20000, h = 40 / n;
  const pdf = (t: number) => Math.exp(-(t * t) / 2 + (x * x) / 2) / Math.sqrt(2 * Math.PI); // scaled by e^(x²/2)
  let s = pdf(x) + pdf(x + 40);
  for (let i = 1; i < n; i++) s += (i % 2 ? 4 : 2) * pdf(x + i * h);
  return ((s * h) / 3) * Math.exp(-(x * x) / 2);
}
/** Balle & Wang Theorem 8 δ(σ), directly. */
const deltaRef = (eps: number, sigma: number, sens: number) => tail(-(sens / (2 * sigma) - (eps * sigma) / sens)) - Math.exp(eps) * tail(sens / (2 * sigma) + (eps * sigma) / sens);

test('analytic Gaussian: σ(ε=1, δ=1e-5, Δ=1) = 3.7306316… (the value quoted for Balle & Wang\'s mechanism) to 1e-6', () => {
  const s = analyticGaussianSigma(1, 1e-5, 1);
  assert.ok(Math.abs(s / 3.730631634815 - 1) < 1e-6, String(s));
  assert.ok(s < Math.sqrt(2 * Math.log(1.25 / 1e-5)), 'tighter than the classic σ = √(2 ln(1.25/δ))·Δ/ε');
});

test('analytic Gaussian: σ is tight to 1e-6 relative against an independently computed δ(σ)', () => {
  for (const [eps, delta, sens] of [[1, 1e-5, 1], [0.1, 1e-5, 1], [0.5, 1e-6, 3], [2, 1e-3, 0.25], [8, 1e-9, 10], [1, 1e-10, 1]]) {
    const s = analyticGaussianSigma(eps, delta, sens);
    assert.ok(deltaRef(eps, s, sens) <= delta * (1 + 1e-6), `δ(σ) ≤ δ at ε=${eps}, δ=${delta}`);
    assert.ok(deltaRef(eps, s * (1 - 1e-6), sens) > delta, `σ(1 − 1e-6) must not suffice at ε=${eps}, δ=${delta}`);
    assert.ok(Math.abs(analyticGaussianSigma(eps, delta, 1) * sens / s - 1) < 1e-9, 'σ is linear in Δ');
  }
});

/** CKS20 Proposition 12 in δ-form, δ = min_α e^((α−1)(αρ−ε))/(α−1)·(1−1/α)^α, on a fine grid of α */
function deltaOf(rho: number, eps: number): number {
  let best = Infinity;
  for (let i = 0; i <= 40000; i++) {
    const alpha = 1 + 10 ** (-6 + (12 * i) / 40000);
    const logd = (alpha - 1) * (alpha * rho - eps) - Math.log(alpha - 1) + alpha * Math.log1p(-1 / alpha);
    best = Math.min(best, logd);
  }
  return Math.exp(best);
}

test('zCDP → (ε, δ) matches a brute-force grid of the δ-form δ = min_α e^((α−1)(αρ−ε))/(α−1)·(1−1/α)^α', () => {
  for (const [rho, delta] of [[0.5, 1e-5], [0.01, 1e-6], [2, 1e-5], [0.125, 1e-9], [10, 1e-3]]) {
    const eps = zcdpToEpsilon(rho, delta);
    // ε_ref by bisection on the grid's δ(ε)
    let lo = 0, hi = 100;
    for (let i = 0; i < 80; i++) {
      const mid = (lo + hi) / 2;
      if (deltaOf(rho, mid) > delta) lo = mid;
      else hi = mid;
    }
    assert.ok(Math.abs(eps / hi - 1) < 1e-4, `ρ=${rho}, δ=${delta}: ${eps} vs reference ${hi}`);
    assert.ok(eps <= rho + 2 * Math.sqrt(rho * Math.log(1 / delta)) + 1e-12, 'never worse than ρ + 2√(ρ log 1/δ)');
  }
  assert.equal(zcdpToEpsilon(0, 1e-5), 0);
});

test('Laplace: b = Δ1/ε as an exact rational rounded up, Δ from clippingVal and neighbouring', () => {
  for (const [eps, clip, exponent, neighbouring] of [[1, 1, 6, 'replace'], [0.1, 0.37, 4, 'add-remove'], [3, 2.5, 0, 'replace'], [0.3, 1e-3, 9, 'add-remove']] as const) {
    const c = calibrate({ noisetype: 'laplace', epsilon: eps, delta: 0, clippingVal: clip, neighbouring }, { exponent });
    assert.equal(c.mechanism, 'laplace');
    const sens = (neighbouring === 'replace' ? 2n : 1n) * clipBoundInt(clip, exponent);
    assert.equal(c.sensitivityInt, sens);
    assert.equal(c.noise.mechanism, 'dlaplace');
    const { num, den } = (c.noise as { scale: { num: bigint; den: bigint } }).scale;
    // num/den ≥ Δ/ε ⇔ num·ε ≥ Δ·den, with ε's exact binary value m·2^e (from its IEEE-754 bits)
    const view = new DataView(new ArrayBuffer(8));
    view.setFloat64(0, eps);
    const bits = view.getBigUint64(0);
    const m = (bits & (2n ** 52n - 1n)) | 2n ** 52n, e = Number((bits >> 52n) & 0x7ffn) - 1075;
    const [en, ed] = e >= 0 ? [m * 2n ** BigInt(e), 1n] : [m, 2n ** BigInt(-e)];
    assert.ok(num * en >= sens * den * ed, `scale ${num}/${den} ≥ ${sens}/${eps} exactly`);
    assert.ok(Number(num) / Number(den) <= (Number(sens) / eps) * (1 + 2 ** -20) + 1, 'and not much more');
  }
});

test('zcdpMaxRho: the largest ρ whose Proposition 12 bound meets (ε, δ), from the safe side', () => {
  for (const [eps, delta] of [[1, 1e-5], [0.1, 1e-6], [2, 1e-5], [8, 1e-9], [0.01, 0.1], [20, 1e-12]]) {
    const rho = zcdpMaxRho(eps, delta);
    assert.ok(deltaOf(rho, eps) <= delta * (1 + 1e-6), `ρ_max(${eps}, ${delta}) = ${rho} meets δ on the grid`);
    assert.ok(deltaOf(rho * (1 + 1e-5), eps) > delta, `and 1e-5 more does not`);
    assert.ok(zcdpToEpsilon(rho, delta) <= eps, 'the accountant converts it back to at most ε');
  }
});

test('Gaussian local: σ is the least integer with Δ_int²/(2σ²) ≤ ρ_max(ε, δ); ρ is rounded up', () => {
  const cases = [[1, 1e-5, 1, 3], [0.1, 1e-6, 0.37, 4], [8, 1e-9, 2.5, 0], [1, 1e-5, 1, 0], [4, 1e-5, 1.5, 0]] as const;
  for (const [eps, delta, clip, exponent] of cases) {
    const c = calibrate({ noisetype: 'gauss', epsilon: eps, delta, clippingVal: clip }, { exponent });
    const d = c.sensitivityInt, s = c.sigmaTarget!;
    assert.equal(d, 2n * clipBoundInt(clip, exponent));
    assert.deepEqual(c.noise, { mechanism: 'dgauss', sigma: s });
    const rhoMax = zcdpMaxRho(eps, delta);
    const rhoOf = (sigma: bigint) => Number(d * d) / (2 * Number(sigma * sigma));
    assert.ok(rhoOf(s) <= rhoMax, `σ = ${s} meets ρ_max`);
    assert.ok(s === 1n || rhoOf(s - 1n) > rhoMax * (1 + 1e-15), `σ − 1 = ${s - 1n} does not`);
    assert.ok(c.rho! >= rhoOf(s) && c.rho! <= rhoOf(s) * (1 + 1e-15), 'ρ = Δ²/(2σ²), rounded up');
    assert.ok(zcdpToEpsilon(c.rho!, delta) <= eps * (1 + 1e-12), 'the release converts to ε at δ');
  }
  const local = calibrate({ noisetype: 'gauss', epsilon: 1, delta: 1e-5, clippingVal: 1 }, { exponent: 3 });
  const continuous = analyticGaussianSigma(1, 1e-5, 2000);
  assert.ok(Number(local.sigmaTarget) > continuous, 'more noise than the continuous curve asks for');
  assert.ok(Number(local.sigmaTarget) < 1.1 * continuous, 'but less than 10 % more here');
});

test('Gaussian distributed: σ_local is the least integer ≥ 2 meeting the KLS21 bound for h clients', () => {
  for (const h of [1, 2, 3, 10, 100, 12345]) {
    const d = calibrate({ noisetype: 'gauss', epsilon: 1, delta: 1e-5, clippingVal: 1, mode: 'distributed' }, { exponent: 3, minHonest: h });
    const s = (d.noise as { sigma: bigint }).sigma;
    const rhoMax = zcdpMaxRho(1, 1e-5);
    assert.equal(d.rho, distributedGaussianRho(2000, Number(s), h));
    assert.ok(d.rho! <= rhoMax, `h = ${h}: σ_local = ${s} meets ρ_max`);
    assert.ok(s === 2n || distributedGaussianRho(2000, Number(s - 1n), h) > rhoMax, `h = ${h}: σ_local − 1 does not`);
    assert.ok(s ** 2n * BigInt(h) >= (d.sigmaTarget! - 1n) ** 2n, 'about σ_target/√h');
  }
  const tiny = calibrate({ noisetype: 'gauss', epsilon: 1, delta: 1e-5, clippingVal: 1, mode: 'distributed' }, { exponent: 0, minHonest: 1000 });
  assert.equal((tiny.noise as { sigma: bigint }).sigma, 2n);
  assert.equal(tiny.raisedToMinimum, true);
});

test('a calibration takes milliseconds (median of 21 < 20 ms even on a loaded machine)', () => {
  const times: number[] = [];
  for (let i = 0; i < 21; i++) {
    const t0 = performance.now();
    const mode = i % 2 ? 'distributed' : 'local';
    const dp = { noisetype: 'gauss', epsilon: 0.1 + i, delta: 1e-9, clippingVal: 1, mode };
    calibrate(dp, { exponent: 6, minHonest: 1000 });
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  assert.ok(times[10] < 20, `median ${times[10]} ms`);
});

test('E_BAD_DP_CONFIG for every invalid dp section', () => {
  const ok = { noisetype: 'gauss', epsilon: 1, delta: 1e-5, clippingVal: 1 };
  const cases: Array<[Record<string, unknown>, Record<string, unknown>?]> = [
    [{ ...ok, epsilon: 0 }], [{ ...ok, epsilon: -1 }], [{ ...ok, epsilon: NaN }], [{ ...ok, epsilon: Infinity }], [{ ...ok, epsilon: '1' }],
    [{ ...ok, delta: 1 }], [{ ...ok, delta: -1e-9 }], [{ ...ok, delta: 0 }], [{ ...ok, delta: NaN }],
    [{ ...ok, noisetype: 'laplace', delta: 1e-5 }], [{ ...ok, noisetype: 'laplace', delta: 0, mode: 'distributed' }],
    [{ ...ok, clippingVal: 0 }], [{ ...ok, clippingVal: Infinity }], [{ ...ok, sensitivity: 1 }], [{ ...ok, noisetype: 'gaussian' }],
    [{ ...ok, mode: 'central' }], [{ ...ok, neighbouring: 'swap' }], [{ ...ok, extra: 1 }],
    [{ ...ok, mode: 'distributed' }, { exponent: 3 }], [{ ...ok, mode: 'distributed' }, { exponent: 3, minHonest: 0 }],
    [ok, { exponent: 2.5 }], [ok, { exponent: 19 }], [{ ...ok, clippingVal: 1e6 }, { exponent: 9 }],
    [{ ...ok, clippingVal: 1e-4 }, { exponent: 3 }], [{ ...ok, epsilon: 1e12, clippingVal: 1e4 }, { exponent: 15 }],
    [{ ...ok, noisetype: 'laplace', delta: 0, clippingVal: 1e9, epsilon: 1e-3 }, { exponent: 9 }],
  ];
  for (const [dp, ctx] of cases) {
    assert.throws(() => calibrate(dp, (ctx ?? { exponent: 3 }) as { exponent: number }), (e) => isShardwireError(e, 'E_BAD_DP_CONFIG'), JSON.stringify(dp) + JSON.stringify(ctx));
  }
  assert.throws(() => validateDpConfig(null), (e) => isShardwireError(e, 'E_BAD_DP_CONFIG'));
  assert.deepEqual(validateDpConfig(ok), { ...ok, mode: 'local', neighbouring: 'replace' });
});
