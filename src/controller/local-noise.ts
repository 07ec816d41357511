/**
 * @module controller/local-noise
 * DP without SMPC (`send_data_to_coordinator(use_dp=True)`, `send_data_to_participant(use_dp=True)`,
 * `broadcast_data(use_dp=True)`): the sending site clips its data and adds exact discrete noise
 * before anything leaves it, then charges the release to its own privacy accountant. The steps
 * are the SDK client's: noise first (sampled before the data is read, DESIGN §5), clamped to its
 * tail bound, then encode + clip in the kernel, add, decode. The app's SMPC exponent does not
 * apply to data that is not aggregated: the fixed point is 10^-8 (FeatureCloud's default
 * exponent), or coarser when the noise would pass the kernel's sampler limits there (σ ≤ 2^28
 * integer units: a σ of 75 needs 10^-6) — a grid far finer than the noise either way.
 */
import { ShardwireError } from '../errors.ts';
import { computeBitBudget } from '../config.ts';
import type { Kernel } from '../kernel/kernel.ts';
import { allocRing, wipeRing } from '../kernel/vectors.ts';
import { addNoise, newNoiseKey } from '../kernel/noise.ts';
import type { PrivacyAccountant } from '../dp/accountant.ts';
import { noisePlan, releaseOf } from '../dp/noise-plan.ts';
import type { AppDp } from './app-status.ts';
import { checkBudgetFor, dpSection, fittingExponent } from './session-config.ts';

/** Finest fixed-point exponent of locally noised data. */
export const LOCAL_DP_MAX_EXPONENT = 8;

/** The exponent local noise for `dp` is sampled at (see {@link fittingExponent}). */
export function localExponent(dp: AppDp): number {
  return fittingExponent(dp, LOCAL_DP_MAX_EXPONENT);
}

/** What one local release cost. */
export interface LocalRelease {
  readonly values: Float64Array;
  /** ε of this release alone and of every release of this site so far, at the budget's δ. */
  readonly epsilon: number;
  readonly epsilonTotal: number;
  readonly noiseStd: number;
}

/**
 * Clips `values`, adds the noise `dp` asks for and records the release in `accountant` (before
 * anything is released: a release past the budget is refused and nothing leaves the site).
 * @throws {ShardwireError} E_BAD_DP_CONFIG (settings, or no accountant: start the controller with
 *   --privacy-budget), E_BUDGET_EXHAUSTED, E_RING_OVERFLOW / E_BAD_VECTOR (values too large).
 * @example const r = addLocalNoise(kernel, accountant, values, status.dp!, 3)
 */
export function addLocalNoise(
  kernel: Kernel,
  accountant: PrivacyAccountant | undefined,
  values: Float64Array,
  dp: AppDp,
  release: number,
): LocalRelease {
  checkBudgetFor(dp, accountant?.budget);
  const section = dpSection(dp);
  const exponent = localExponent(dp);
  const plan = noisePlan(section, exponent, 1);
  const noiseStd = plan.clientStdInt / 10 ** exponent;
  if (values.length === 0) return { values, epsilon: 0, epsilonTotal: accountant!.spent().epsilon, noiseStd };
  const bound = section.clippingVal as number;
  computeBitBudget({ clients: 1, exponent, elementBound: bound, noiseTail: plan.tail, ring: 64 });
  const cost = accountant!.record(releaseOf(plan, release, 1, values.length)); // E_BUDGET_EXHAUSTED: nothing released
  const noise = allocRing(64, values.length);
  const key = newNoiseKey();
  try {
    addNoise(kernel, noise, { ...plan.calibration.noise, key });
  } finally {
    key.fill(0);
  }
  kernel.clip(noise, { norm: 'linf', bound: plan.tail });
  const norm = dp.noisetype === 'laplace' ? 'l1' : 'l2';
  const { vector } = kernel.encodeAndClip(values, { exponent, ring: 64, clip: { norm, bound } });
  const noisy = kernel.ringAdd(vector, noise);
  wipeRing(noise);
  wipeRing(vector);
  const out = kernel.decode(noisy, { exponent });
  wipeRing(noisy);
  return { values: out, epsilon: cost.epsilon, epsilonTotal: cost.cumulative.epsilon, noiseStd };
}
