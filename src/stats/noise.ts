/**
 * @module stats/noise
 * The noise of one round in a DP session (docs/DP.md "Statistics and weighted means"): the
 * session's plan for a sum or mean, and for the operations whose sensitivity differs from the
 * clip-implied Δ a plan calibrated for their own Δ with the session's (ε, δ, mode, h) — the same
 * calibration (dp/calibration.ts), tail clamp and accountant record (dp/noise-plan.ts). Client
 * and coordinator derive it from the agreed config and round.open alone, so both sample and
 * account the same noise. Neighbouring relation: the session's `dp.neighbouring`, applied to
 * one record for the statistics (record-level; client-level when maxRecords is 1) and to one
 * client's (vector, weight) for a weighted mean (client-level).
 *
 *   count         add-remove: Δ1 = Δ2 = 1. replace: the count does not change (Δ = 0): refused.
 *   histogram     one record moves one count per column: Δ1 = m·dim, Δ2 = ⌈√(m·dim)⌉
 *                 (m = 1 add-remove, 2 replace; the ceiling because the calibration and the KLS21
 *                 bound are stated for integer Δ — it only adds noise)
 *   weightedMean  (x·w clipped to a = ⌊fl(fl(clippingVal·W)·S)⌋, w·S ≤ b = ⌈fl(W·S)⌉, W = maxWeight):
 *                 Δ1 = m·a + b, Δ2 = ⌈√((m·a)² + b²)⌉ (the weight changes by at most b either way)
 *   meanVariance  refused: (n, Σq, Σq²) have sensitivities 1, B and B² in their own units, and one
 *                 noise scale for the whole vector would bury n and Σq under noise sized for Σq².
 */
import { ShardwireError } from '../errors.ts';
import type { SessionConfig } from '../config.ts';
import { calibrateSensitivity } from '../dp/calibration.ts';
import { planOf, type NoisePlan } from '../dp/noise-plan.ts';
import { isqrtBig } from '../dp/rounding.ts';

/** ⌈√v⌉ for v ≥ 0. */
function ceilSqrt(v: bigint): bigint {
  const r = isqrtBig(v);
  return r * r === v ? r : r + 1n;
}

/** What decides a round's noise: the operation and the round.open fields that shape it. */
export interface NoiseShape {
  readonly operation: string;
  readonly dim: number;
  readonly edges?: readonly number[];
}

/**
 * The noise plan of one round in a DP session (undefined without DP).
 * @throws {ShardwireError} E_UNSUPPORTED for a statistic whose release cannot be calibrated
 *   (meanVariance; count under replace neighbouring; weightedMean with an explicit
 *   dp.sensitivity); E_BAD_DP_CONFIG when the noise needed passes the kernel's limits.
 */
export function roundNoise(config: Pick<SessionConfig, 'noise' | 'maxWeight' | 'smpc' | 'minHonest'>, shape: NoiseShape): NoisePlan | undefined {
  const plan = config.noise;
  if (!plan) return undefined;
  const { dp } = plan;
  const m = dp.neighbouring === 'replace' ? 2n : 1n;
  const l1 = dp.noisetype === 'laplace';
  const calibrated = (l1Delta: bigint, l2DeltaSquared: bigint, sensitivity: number) =>
    planOf(dp, calibrateSensitivity(dp, l1 ? l1Delta : ceilSqrt(l2DeltaSquared), sensitivity, { exponent: config.smpc.exponent, minHonest: config.minHonest }));
  switch (shape.operation) {
    case 'sum':
    case 'mean':
      return plan;
    case 'count':
      if (m === 2n) throw new ShardwireError('E_UNSUPPORTED', 'a DP count under dp.neighbouring "replace" protects nothing: replacing one record leaves the count unchanged (Δ = 0), so the count is public under that relation. Use neighbouring "add-remove" to protect it', { operation: 'count' });
      return calibrated(1n, 1n, 1);
    case 'histogram': {
      const d = BigInt(shape.dim);
      return calibrated(m * d, m * d, l1 ? Number(m * d) : Math.sqrt(Number(m * d)));
    }
    case 'weightedMean': {
      if (dp.sensitivity !== undefined) throw new ShardwireError('E_UNSUPPORTED', '"weightedMean" in a DP session derives its sensitivity from dp.clippingVal and maxWeight; an explicit dp.sensitivity states the Δ of an unweighted vector: remove it to run weighted means', { operation: 'weightedMean' });
      const S = 10 ** config.smpc.exponent;
      const a = BigInt(Math.floor(dp.clippingVal * config.maxWeight * S)); // the kernel's clip bound at the largest weight
      const b = BigInt(Math.ceil(config.maxWeight * S)); // the weight coordinate's largest encoding
      const real = l1 ? Number(m) * dp.clippingVal * config.maxWeight + config.maxWeight : Math.hypot(Number(m) * dp.clippingVal * config.maxWeight, config.maxWeight);
      return calibrated(m * a + b, (m * a) ** 2n + b * b, real);
    }
    case 'meanVariance':
      throw new ShardwireError('E_UNSUPPORTED', 'a DP meanVariance is not available: its parts (n, Σx, Σx²) have sensitivities 1, clip and clip² in their own units, and one noise scale for the vector would bury n and Σx under noise sized for Σx². Run a DP count and a DP "mean" of clipped values instead, or use a session without dp', { operation: 'meanVariance' });
    default:
      throw new ShardwireError('E_UNSUPPORTED', `no DP calibration for operation ${shape.operation}`, { operation: shape.operation });
  }
}
