/**
 * @module dp/calibration
 * From a FeatureCloud-style `dp` configuration to the integer noise the kernel samples
 * (docs/DP.md). Sensitivity Δ in integer units is what the kernel enforces (dp/sensitivity.ts):
 * the clip bound ⌊fl(clippingVal·10^exponent)⌋ times 1 (add-remove) or 2 (replace), or
 * ⌈fl(sensitivity·10^exponent)⌉ when an explicit, larger sensitivity is given.
 * - Laplace: b = Δ1/ε with L1 clipping, as an exact rational num/den ≥ Δ1_int/ε; the discrete
 *   Laplace with integer Δ1 is then ε-DP.
 * - Gaussian: the release is a d-dimensional vector, and the discrete Gaussian is not rotation
 *   invariant: integer shifts of the same L2 norm in different directions have different privacy
 *   curves (docs/DP.md), so neither the continuous (analytic Gaussian) curve nor CKS20's exact
 *   one-dimensional curve (Theorem 7) bounds it. What holds for every dimension is zCDP:
 *   one discrete Gaussian per coordinate is (Δ²/2σ²)-zCDP (CKS20 Theorem 4 per coordinate,
 *   composed over coordinates); the sum of h clients' discrete Gaussians is bounded by KLS21
 *   Proposition 14 (with its τ term). σ is the least integer whose ρ converts to (ε, δ) by CKS20
 *   Proposition 12 ({@link zcdpMaxRho}); the accountant composes the same ρ.
 * - distributed (Gaussian only): σ_local = max(2, least integer meeting the KLS21 bound for h).
 * Every rounding goes toward more noise.
 */
import { ShardwireError } from '../errors.ts';
import { aobject, aoneOf, describe } from '../guards.ts';
import { MAX_GAUSS_SIGMA, MAX_LAPLACE_TERM } from '../kernel/noise-abi.ts';
import type { NoiseSpec, Rational } from '../kernel/noise.ts';
import { distributedGaussianRho, gaussianRho } from './discrete-gaussian-rho.ts';
import { leastDistributedSigma, leastLocalSigma } from './gaussian-sigma.ts';
import { zcdpMaxRho } from './privacy-loss.ts';
import { exactRational } from './rounding.ts';
import { sensitivityInt, sensitivityOf } from './sensitivity.ts';

/** The `dp` section of a session configuration (FeatureCloud names). */
export interface DpConfig {
  readonly noisetype: 'laplace' | 'gauss';
  readonly epsilon: number;
  /** 0 for Laplace; in (0, 1) for Gaussian. */
  readonly delta: number;
  /** Optional explicit sensitivity (real units); must be ≥ the one implied by clippingVal. */
  readonly sensitivity?: number;
  /** Clipping bound (L1 for Laplace, L2 for Gaussian), real units. */
  readonly clippingVal: number;
  readonly mode: 'local' | 'distributed';
  readonly neighbouring: 'replace' | 'add-remove';
}

/** What the calibration needs besides the dp section. */
export interface CalibrationContext {
  /** Fixed-point exponent: integer units are real·10^exponent. */
  readonly exponent: number;
  /** Minimum honest contributors h (required for distributed mode). */
  readonly minHonest?: number;
}

/** The calibrated noise: what each client adds, and what it guarantees. */
export interface Calibration {
  readonly mechanism: 'laplace' | 'gauss';
  readonly mode: 'local' | 'distributed';
  readonly epsilon: number;
  readonly delta: number;
  /** Δ in real units. */
  readonly sensitivity: number;
  /**
   * Δ in integer units, as the kernel enforces it: ⌊fl(clippingVal·10^exponent)⌋ (the clip bound
   * of `encodeAndClip`) × 1 (add-remove) or 2 (replace), or ⌈sensitivity·10^exponent⌉ if larger.
   */
  readonly sensitivityInt: bigint;
  /** Noise per client, for the kernel ({@link addNoise}). */
  readonly noise: NoiseSpec;
  /**
   * Gaussian: the least integer σ of one discrete Gaussian meeting (ε, δ) through ρ-zCDP (integer
   * units; the local mode's σ, and the reference the distributed σ_local is compared with).
   */
  readonly sigmaTarget?: bigint;
  /** Gaussian distributed: whether the least σ_local meeting (ε, δ) was raised to the minimum of 2. */
  readonly raisedToMinimum?: boolean;
  /**
   * Gaussian: ρ of one release, rounded up: Δ_int²/(2σ²) locally (CKS20 Theorem 4), the KLS21
   * Proposition 14 bound for the sum of h clients' σ_local in distributed mode. It converts to at
   * most (ε, δ) by CKS20 Proposition 12.
   */
  readonly rho?: number;
}

const bad = (field: string, message: string, details: Record<string, unknown> = {}): never => {
  throw new ShardwireError('E_BAD_DP_CONFIG', `"dp.${field}" ${message}`, { field: `dp.${field}`, ...details });
};

/**
 * Validates a `dp` section; fills `mode` ('local') and `neighbouring` ('replace', FeatureCloud's
 * convention) when absent.
 * @throws {ShardwireError} E_BAD_DP_CONFIG naming the field: ε ≤ 0 or not finite, δ ∉ [0, 1),
 *   δ > 0 with Laplace, δ = 0 with Gaussian, Laplace in distributed mode, clippingVal ≤ 0,
 *   sensitivity below the clipping-implied one, unknown fields.
 * @example validateDpConfig({ noisetype: 'gauss', epsilon: 1, delta: 1e-5, clippingVal: 1 })
 */
export function validateDpConfig(input: unknown): DpConfig {
  const o = aobject(input, 'dp', 'E_BAD_DP_CONFIG');
  for (const k of Object.keys(o)) {
    if (!['noisetype', 'epsilon', 'delta', 'sensitivity', 'clippingVal', 'mode', 'neighbouring'].includes(k)) bad(k, 'is not a known field (noisetype, epsilon, delta, sensitivity, clippingVal, mode, neighbouring)');
  }
  const noisetype = aoneOf(o.noisetype, 'dp.noisetype', ['laplace', 'gauss'] as const, 'E_BAD_DP_CONFIG');
  const mode = aoneOf(o.mode ?? 'local', 'dp.mode', ['local', 'distributed'] as const, 'E_BAD_DP_CONFIG');
  const neighbouring = aoneOf(o.neighbouring ?? 'replace', 'dp.neighbouring', ['replace', 'add-remove'] as const, 'E_BAD_DP_CONFIG');
  const { epsilon, delta, clippingVal, sensitivity } = o;
  if (typeof epsilon !== 'number' || !Number.isFinite(epsilon) || epsilon <= 0) bad('epsilon', `expected a finite number > 0, got ${describe(epsilon)}`);
  if (typeof delta !== 'number' || !(delta >= 0 && delta < 1)) bad('delta', `expected a number in [0, 1), got ${describe(delta)}`);
  if (typeof clippingVal !== 'number' || !Number.isFinite(clippingVal) || clippingVal <= 0) bad('clippingVal', `expected a finite number > 0, got ${describe(clippingVal)}`);
  if (noisetype === 'laplace' && (delta as number) > 0) bad('delta', `must be 0 for Laplace noise (pure ε-DP), got ${delta}; use noisetype "gauss" for (ε, δ)`);
  if (noisetype === 'gauss' && delta === 0) bad('delta', 'must be > 0 for Gaussian noise (no Gaussian mechanism is pure ε-DP)');
  if (noisetype === 'laplace' && mode === 'distributed') {
    bad('mode', 'distributed noise is available for Gaussian noise only: a sum of discrete Laplace shares is not Laplace. Use mode "local" or noisetype "gauss"');
  }
  const implied = (neighbouring === 'replace' ? 2 : 1) * (clippingVal as number);
  if (sensitivity !== undefined) {
    if (typeof sensitivity !== 'number' || !Number.isFinite(sensitivity) || sensitivity <= 0) bad('sensitivity', `expected a finite number > 0, got ${describe(sensitivity)}`);
    if ((sensitivity as number) < implied) bad('sensitivity', `${sensitivity} is below the ${neighbouring} sensitivity ${implied} implied by clippingVal ${clippingVal}; omit it or raise it`, { implied });
  }
  return Object.freeze({ noisetype, epsilon: epsilon as number, delta: delta as number, clippingVal: clippingVal as number, mode, neighbouring, ...(sensitivity === undefined ? {} : { sensitivity: sensitivity as number }) });
}

/**
 * The discrete Laplace scale for Δ1_int/ε as num/den with den a power of two, num ≤ 2^48 and
 * num/den ≥ Δ1_int/ε exactly (ε taken as the exact value of its double).
 * @throws {ShardwireError} E_BAD_DP_CONFIG when even den = 1 needs num > 2^48.
 */
export function laplaceScaleRational(sensitivityInt: bigint, epsilon: number): Rational {
  const e = exactRational(epsilon);
  const scaled = (den: bigint) => (sensitivityInt * den * e.den + e.num - 1n) / e.num; // ⌈Δ·den/ε⌉
  let den = MAX_LAPLACE_TERM;
  while (den > 1n && scaled(den) > MAX_LAPLACE_TERM) den /= 2n;
  const num = scaled(den);
  if (num > MAX_LAPLACE_TERM) {
    throw new ShardwireError('E_BAD_DP_CONFIG', `the Laplace scale Δ/ε = ${sensitivityInt}/${epsilon} integer units exceeds the kernel's 2^48; lower the exponent or the clipping bound`, { sensitivityInt: String(sensitivityInt), epsilon });
  }
  // reduce by common powers of two (den is one)
  let n = num, d = den;
  while (d > 1n && n % 2n === 0n) {
    n /= 2n;
    d /= 2n;
  }
  return { num: n, den: d };
}

/**
 * Calibrates the noise of one release for a validated `dp` section.
 * @throws {ShardwireError} E_BAD_DP_CONFIG for a bad exponent or minHonest, a noise scale past
 *   the kernel's limits (Laplace 2^48, σ 2^28 integer units), or a config that fails
 *   {@link validateDpConfig}.
 * @example calibrate({ noisetype: 'gauss', epsilon: 1, delta: 1e-5, clippingVal: 1, mode: 'distributed', neighbouring: 'replace' }, { exponent: 6, minHonest: 10 })
 */
export function calibrate(config: DpConfig | Record<string, unknown>, ctx: CalibrationContext): Calibration {
  const dp = validateDpConfig(config);
  aobject(ctx, 'context', 'E_BAD_DP_CONFIG');
  const { exponent } = ctx;
  if (!Number.isInteger(exponent) || exponent < 0 || exponent > 18) bad('exponent', `(fixed-point exponent) expected an integer in [0, 18], got ${describe(exponent)}`);
  return calibrateSensitivity(dp, sensitivityInt(dp, exponent), sensitivityOf(dp), ctx);
}

/**
 * Calibrates the noise of one release of the session's (ε, δ, mode, h) for a given sensitivity
 * Δ in integer units (L1 for Laplace, L2 for Gaussian): what {@link calibrate} does for the
 * clip-implied Δ, and what statistics rounds (src/stats/noise.ts) do for their own Δ.
 * @param sensitivity Δ in the release's real units (reported only).
 * @throws {ShardwireError} E_BAD_DP_CONFIG as {@link calibrate}, or for Δ_int < 1.
 */
export function calibrateSensitivity(dp: DpConfig, deltaInt: bigint, sensitivity: number, ctx: CalibrationContext): Calibration {
  if (typeof deltaInt !== 'bigint' || deltaInt < 1n) bad('sensitivity', `in integer units expected ≥ 1, got ${describe(deltaInt)}`);
  const base = { mode: dp.mode, epsilon: dp.epsilon, delta: dp.delta, sensitivity, sensitivityInt: deltaInt };
  if (dp.noisetype === 'laplace') {
    const scale = laplaceScaleRational(deltaInt, dp.epsilon);
    return Object.freeze({ ...base, mechanism: 'laplace', noise: Object.freeze({ mechanism: 'dlaplace', scale }) });
  }
  const tooLarge = (what: string, sigma: bigint): never =>
    bad('epsilon', `needs ${what} = ${sigma} integer units, above the kernel's 2^28; lower the exponent or the clip`);
  // ρ is evaluated (here and by the accountant, from the release record) with Δ as a double
  if (deltaInt > 2n ** 53n) {
    bad('clippingVal', `gives Δ = ${deltaInt} integer units, above 2^53; lower the exponent or the clipping bound`);
  }
  const rhoMax = zcdpMaxRho(dp.epsilon, dp.delta);
  const sigmaTarget = leastLocalSigma(deltaInt, rhoMax);
  if (dp.mode === 'local') {
    if (sigmaTarget > MAX_GAUSS_SIGMA) tooLarge('σ', sigmaTarget);
    const rho = gaussianRho(Number(deltaInt), Number(sigmaTarget));
    const noise = Object.freeze({ mechanism: 'dgauss' as const, sigma: sigmaTarget });
    return Object.freeze({ ...base, mechanism: 'gauss', noise, sigmaTarget, rho });
  }
  const h = ctx.minHonest;
  if (typeof h !== 'number' || !Number.isSafeInteger(h) || h < 1) {
    bad('mode', `distributed noise needs minHonest (minimum honest contributors), an integer ≥ 1, got ${describe(h)}`);
  }
  const least = leastDistributedSigma(deltaInt, h as number, rhoMax);
  const raisedToMinimum = least < 2n;
  const sigmaLocal = raisedToMinimum ? 2n : least;
  if (sigmaLocal > MAX_GAUSS_SIGMA) tooLarge('σ_local', sigmaLocal);
  const rho = distributedGaussianRho(Number(deltaInt), Number(sigmaLocal), h as number);
  const noise = Object.freeze({ mechanism: 'dgauss' as const, sigma: sigmaLocal });
  return Object.freeze({ ...base, mechanism: 'gauss', noise, sigmaTarget, raisedToMinimum, rho });
}
