/**
 * @module dp/noise-plan
 * What a session's `dp` section means for a round: the calibrated per-client noise, the tail
 * bound every noise value is clamped to (so the bit budget can prove no wrap-around), the
 * accountant's release record, and the noise std the aggregate should show.
 *
 * Tail bounds: |z| ≤ 20σ (discrete Gaussian) or 100b (discrete Laplace). Exceeding them has
 * probability below e^-200·(1 + σ/10) resp. ≈ e^-100 ≈ 4e-44 per value; clamping there changes the
 * output distribution by at most that much per value in total variation, which is what buys the
 * guarantee that sums never wrap. It is not free: a clamped mechanism is not zCDP or pure-DP in
 * the strict sense, the accountant's ε holds at δ + k(1 + e^ε)η after k releases (η the total
 * variation of one release, < 1e-63 for Gaussian noise; docs/DP.md "Accountant").
 */
import { calibrate, validateDpConfig, type Calibration, type DpConfig } from './calibration.ts';
import type { Release } from './accountant.ts';

/** The noise of a session, derived once from its validated config. */
export interface NoisePlan {
  readonly dp: DpConfig;
  readonly calibration: Calibration;
  /** Clamp bound of every noise value, integer units. */
  readonly tail: bigint;
  /** Std of one client's noise in integer units (√(2)·b for Laplace, σ for Gaussian). */
  readonly clientStdInt: number;
}

const GAUSS_TAIL_SIGMAS = 20n;
const LAPLACE_TAIL_SCALES = 100n;

/**
 * Calibrates the `dp` section for the session's exponent and h (minimum honest contributors).
 * @throws {ShardwireError} E_BAD_DP_CONFIG
 */
export function noisePlan(dpSection: unknown, exponent: number, minHonest: number): NoisePlan {
  const dp = validateDpConfig(dpSection);
  return planOf(dp, calibrate(dp, { exponent, minHonest }));
}

/** The plan of a calibrated noise: its tail clamp and per-client std (statistics rounds calibrate their own). */
export function planOf(dp: DpConfig, calibration: Calibration): NoisePlan {
  const n = calibration.noise;
  const tail = n.mechanism === 'dgauss' ? n.sigma * GAUSS_TAIL_SIGMAS : (n.scale.num * LAPLACE_TAIL_SCALES + n.scale.den - 1n) / n.scale.den;
  const clientStdInt = n.mechanism === 'dgauss' ? Number(n.sigma) : Math.SQRT2 * (Number(n.scale.num) / Number(n.scale.den));
  return { dp, calibration, tail, clientStdInt };
}

/** The accountant's record of one released round. */
export function releaseOf(plan: NoisePlan, round: number, contributors: number, dimension: number): Release {
  const c = plan.calibration;
  const n = c.noise;
  return {
    round,
    mechanism: c.mechanism,
    mode: c.mode,
    ...(c.mechanism === 'laplace' ? { l1Sensitivity: Number(c.sensitivityInt) } : { l2Sensitivity: Number(c.sensitivityInt) }),
    scale: n.mechanism === 'dgauss' ? Number(n.sigma) : Number(n.scale.num) / Number(n.scale.den),
    contributors,
    dimension,
  };
}
