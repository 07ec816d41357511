/**
 * @module dp/calibration
 * From a FeatureCloud-style `dp` configuration to the integer noise the kernel samples
 * (DESIGN.md §5). Sensitivity Δ = clippingVal (add-remove) or 2·clippingVal (replace), or the
 * explicit `sensitivity` when it is at least that; in integer units Δ_int = ⌈Δ·10^exponent⌉.
 * - Laplace: b = Δ1/ε with L1 clipping, as an exact rational num/den ≥ Δ1_int/ε (pure ε-DP).
 * - Gaussian: σ from the analytic Gaussian mechanism (Balle & Wang 2018) for one release,
 *   rounded up to an integer σ_int; the discrete Gaussian is then (Δ²/2σ²)-zCDP (CKS20 Thm 4),
 *   which the accountant uses for composition.
 * - distributed (Gaussian only): each client adds σ_local = max(2, ⌈σ_target/√h⌉).
 * Every rounding goes toward more noise.
 */
import { ShardwireError } from '../errors.ts';
import { aobject, aoneOf, describe } from '../guards.ts';
import { analyticGaussianSigma } from './analytic-gaussian.ts';
import { MAX_GAUSS_SIGMA, MAX_LAPLACE_TERM } from '../kernel/noise-abi.ts';
import type { NoiseSpec, Rational } from '../kernel/noise.ts';

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
  /** Δ in integer units: ⌈Δ·10^exponent⌉. */
  readonly sensitivityInt: bigint;
  /** Noise per client, for the kernel ({@link addNoise}). */
  readonly noise: NoiseSpec;
  /** Gaussian: σ of the aggregate noise the release is calibrated for (integer units). */
  readonly sigmaTarget?: bigint;
  /** Gaussian distributed: whether ⌈σ_target/√h⌉ was raised to the minimum of 2. */
  readonly raisedToMinimum?: boolean;
  /** Gaussian: ρ of one release, Δ_int²/(2σ_eff²) with σ_eff² = h·σ_local² (or σ_target² locally). */
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

/** The sensitivity Δ in real units a validated config implies. */
export function sensitivityOf(dp: DpConfig): number {
  return dp.sensitivity ?? (dp.neighbouring === 'replace' ? 2 : 1) * dp.clippingVal;
}

/** x (a finite double) as an exact rational n / 2^k. */
function exactRational(x: number): { n: bigint; d: bigint } {
  let d = 1n;
  let k = 0;
  while (!Number.isInteger(x) && k < 1100) {
    x *= 2; // exact for doubles until the value becomes an integer
    d *= 2n;
    k++;
  }
  return { n: BigInt(x), d };
}

/** ⌈Δ·10^exponent⌉ computed exactly from the double Δ. */
export function toIntegerUnits(x: number, exponent: number): bigint {
  const { n, d } = exactRational(x);
  const num = n * 10n ** BigInt(exponent);
  return (num + d - 1n) / d;
}

/**
 * The discrete Laplace scale for Δ1_int/ε as num/den with den a power of two, num ≤ 2^48 and
 * num/den ≥ Δ1_int/ε exactly (ε taken as the exact value of its double).
 * @throws {ShardwireError} E_BAD_DP_CONFIG when even den = 1 needs num > 2^48.
 */
export function laplaceScaleRational(sensitivityInt: bigint, epsilon: number): Rational {
  const e = exactRational(epsilon);
  const scaled = (den: bigint) => (sensitivityInt * den * e.d + e.n - 1n) / e.n; // ⌈Δ·den/ε⌉
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
  const sensitivity = sensitivityOf(dp);
  const sensitivityInt = toIntegerUnits(sensitivity, exponent);
  const base = { mode: dp.mode, epsilon: dp.epsilon, delta: dp.delta, sensitivity, sensitivityInt };
  if (dp.noisetype === 'laplace') {
    const scale = laplaceScaleRational(sensitivityInt, dp.epsilon);
    return Object.freeze({ ...base, mechanism: 'laplace', noise: Object.freeze({ mechanism: 'dlaplace', scale }) });
  }
  const sigma = analyticGaussianSigma(dp.epsilon, dp.delta, Number(sensitivityInt));
  const sigmaTarget = BigInt(Math.ceil(sigma));
  if (dp.mode === 'local') {
    if (sigmaTarget > MAX_GAUSS_SIGMA) bad('epsilon', `needs σ = ${sigmaTarget} integer units, above the kernel's 2^28; lower the exponent or the clipping bound`);
    const rho = Number(sensitivityInt) ** 2 / (2 * Number(sigmaTarget) ** 2);
    return Object.freeze({ ...base, mechanism: 'gauss', noise: Object.freeze({ mechanism: 'dgauss', sigma: sigmaTarget }), sigmaTarget, rho });
  }
  const h = ctx.minHonest;
  if (typeof h !== 'number' || !Number.isSafeInteger(h) || h < 1) bad('mode', `distributed noise needs minHonest (minimum honest contributors) as an integer ≥ 1, got ${describe(h)}`);
  // ⌈σ_target/√h⌉ exactly: the least integer s with s²·h ≥ σ_target²
  let s = BigInt(Math.ceil(Number(sigmaTarget) / Math.sqrt(h as number)));
  while (s > 0n && (s - 1n) ** 2n * BigInt(h as number) >= sigmaTarget ** 2n) s--;
  while (s ** 2n * BigInt(h as number) < sigmaTarget ** 2n) s++;
  const raisedToMinimum = s < 2n;
  const sigmaLocal = raisedToMinimum ? 2n : s;
  if (sigmaLocal > MAX_GAUSS_SIGMA) bad('epsilon', `needs σ_local = ${sigmaLocal} integer units, above the kernel's 2^28; lower the exponent or the clipping bound`);
  const rho = Number(sensitivityInt) ** 2 / (2 * (h as number) * Number(sigmaLocal) ** 2);
  return Object.freeze({ ...base, mechanism: 'gauss', noise: Object.freeze({ mechanism: 'dgauss', sigma: sigmaLocal }), sigmaTarget, raisedToMinimum, rho });
}
