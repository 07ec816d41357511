/**
 * @module controller/session-config
 * From what a FeatureCloud app asked for (`configure_smpc`, `configure_dp`) to a shardwire
 * session configuration, and the check each site makes on the configuration the coordinator
 * proposes: only timeouts and the privacy budget are the coordinator's to choose; shards,
 * exponent, noise and the number of contributors must be what this site's app asked for.
 *
 * - `smpc { operation, shards, exponent }` keep their meaning; `multiply` runs the exact secure
 *   product (the field is sized for the unclipped bound below: 53 bits per site, so up to 38
 *   sites), with DP refused by validateConfig (no mechanism for a product). Every site must contribute
 *   (minClients = maxClients = the number of sites), as FeatureCloud's aggregation waits for all.
 * - Without DP the bit budget still needs a per-element bound. FeatureCloud has none, so the
 *   bound is L∞ ≥ 2^53 / 10^exponent: the kernel already refuses any |x·10^exponent| ≥ 2^53
 *   (E_RING_OVERFLOW), so this clip can never change a value, and n·2^53 fits the 64-bit ring for
 *   n ≤ 1023 sites.
 * - `dp { noisetype, epsilon, delta, sensitivity, clippingVal }` keep their names; clipping is L1
 *   for Laplace and L2 for Gaussian at clippingVal (as the engine documents), neighbouring
 *   'replace' (Δ = 2·clippingVal, shardwire's FeatureCloud convention), noise added locally by
 *   every site. An app that gives a sensitivity but no clippingVal is clipped at sensitivity / 2,
 *   so that the sensitivity it declared really holds.
 * - Secure rounds run in the site's threat mode (default 'malicious-coordinator'), with the
 *   roster pinned (rosterHash) and, under double masking, the share threshold at its maximum
 *   (every holder): FeatureCloud waits for every site, so a lower threshold would buy dropout
 *   tolerance the run cannot use, while the coordinator's site owns one member of every round.
 * - With DP the exponent is the app's, or the largest below it at which the calibrated noise fits
 *   the kernel's exact samplers (σ ≤ 2^28 integer units): FeatureCloud's default 8 with Gaussian
 *   noise for ε = 1 and clippingVal 10 needs σ ≈ 75, i.e. 7.5·10^9 units at 10^-8, so such a
 *   round runs at 10^-6 — a grid five orders of magnitude finer than the noise, and encoded with
 *   unbiased rounding. Every site derives the same exponent.
 */
import { ShardwireError } from '../errors.ts';
import { ceilScaled, validateConfig, type SessionConfig, type ThreatMode, type TimeoutConfig } from '../config.ts';
import { canonicalJson } from '../crypto/hash.ts';
import { noisePlan } from '../dp/noise-plan.ts';
import type { AppDp, AppSmpc } from './app-status.ts';

/** What the run adds to the app's request. */
export interface RunSettings {
  /** Number of sites: every one must contribute. */
  readonly sites: number;
  readonly timeouts: TimeoutConfig;
  /** Who the secure rounds protect against (the SDK's `threat`); every site must ask for the same. */
  readonly threat: ThreatMode;
  /** The secure-aggregation session's pinned roster (the sites, the coordinator's by its run-local client). */
  readonly rosterHash?: string;
  /** The coordinator's privacy budget (required once an app asks for DP with SMPC). */
  readonly privacyBudget?: { readonly epsilon: number; readonly delta: number };
}

/** What a site itself expects of every proposed configuration. */
export interface SiteExpectation {
  readonly sites: number;
  readonly threat: ThreatMode;
  readonly rosterHash?: string;
}

const TWO_POW_53 = 2n ** 53n;

/** The smallest double b with ⌊b·10^exponent⌋ ≥ 2^53 (exact, from the double's bits). */
export function unclippedBound(exponent: number): number {
  let b = 2 ** 53 / 10 ** exponent;
  const view = new DataView(new ArrayBuffer(8));
  // ceil ≥ 2^53 + 1 implies floor ≥ 2^53; step to the next double up until it holds (a few steps)
  while (ceilScaled(b, exponent) < TWO_POW_53 + 1n) {
    view.setFloat64(0, b);
    view.setBigUint64(0, view.getBigUint64(0) + 1n);
    b = view.getFloat64(0);
  }
  return b;
}

/**
 * The shardwire `dp` section for a FeatureCloud `dp` status.
 * @throws {ShardwireError} E_BAD_DP_CONFIG when neither clippingVal nor sensitivity is given.
 * @example dpSection({ noisetype: 'gauss', epsilon: 1, delta: 1e-5, sensitivity: null, clippingVal: 1 })
 */
export function dpSection(dp: AppDp): Record<string, unknown> {
  const clip = dp.clippingVal ?? (dp.sensitivity === null ? null : dp.sensitivity / 2);
  if (clip === null) {
    throw new ShardwireError(
      'E_BAD_DP_CONFIG',
      '"dp" has neither clippingVal nor sensitivity; shardwire clips every contribution, so configure_dp needs ' +
        'clippingVal (or a sensitivity)',
      { field: 'dp.clippingVal' },
    );
  }
  return {
    noisetype: dp.noisetype,
    epsilon: dp.epsilon,
    delta: dp.noisetype === 'laplace' ? 0 : dp.delta,
    clippingVal: clip,
    mode: 'local',
    neighbouring: 'replace',
    ...(dp.sensitivity === null ? {} : { sensitivity: dp.sensitivity }),
  };
}

/**
 * The largest exponent ≤ `max` at which the noise of `dp` fits the kernel's samplers.
 * @throws {ShardwireError} E_BAD_DP_CONFIG when none does, or for invalid settings.
 * @example fittingExponent({ noisetype: 'gauss', epsilon: 1, delta: 1e-5, sensitivity: null, clippingVal: 10 }, 8) // 6
 */
export function fittingExponent(dp: AppDp, max: number, minHonest = 1): number {
  const section = dpSection(dp);
  let last: unknown;
  for (let e = Math.min(max, 15); e >= 0; e--) {
    try {
      noisePlan(section, e, minHonest);
      return e;
    } catch (err) {
      last = err;
    }
  }
  throw last;
}

/**
 * The session configuration of secure rounds with the app's `smpc` (and `dp`) settings, as a
 * plain object (what travels to the sites), checked with validateConfig.
 * @throws {ShardwireError} E_UNSUPPORTED (multiply with dp), E_BAD_CONFIG (shards, exponent),
 *   E_BAD_DP_CONFIG (noise settings, or DP without a privacy budget), E_RING_OVERFLOW.
 * @example secureConfig({ operation: 'add', serialization: 'json', shards: 0, exponent: 8 }, null, run)
 */
export function secureConfig(smpc: AppSmpc, dp: AppDp | null, run: RunSettings): Record<string, unknown> {
  if (dp !== null) checkBudgetFor(dp, run.privacyBudget, "the coordinator's controller");
  const exponent =
    dp === null || !Number.isSafeInteger(smpc.exponent) || smpc.exponent < 0
      ? smpc.exponent
      : fittingExponent(dp, smpc.exponent, run.sites);
  const config: Record<string, unknown> = {
    smpc: { operation: smpc.operation, shards: smpc.shards, exponent },
    minClients: run.sites,
    maxClients: run.sites,
    timeouts: { ...run.timeouts },
    threat: run.threat,
    // every site must contribute anyway, so rebuilding a secret may need all of its holders: a
    // lying coordinator (which also owns one member, its site's client) then needs every one of
    // a victim's neighbours to collude, at no cost in dropout tolerance (clamped to k by the SDK)
    ...(run.threat === 'malicious-coordinator' ? { threshold: run.sites } : {}),
    ...(run.rosterHash === undefined ? {} : { rosterHash: run.rosterHash }),
    ...(dp === null
      ? {
          clip: {
            norm: 'linf',
            bound:
              Number.isSafeInteger(smpc.exponent) && smpc.exponent >= 0 && smpc.exponent <= 15
                ? unclippedBound(smpc.exponent)
                : 1,
          },
        }
      : { dp: dpSection(dp), privacyBudget: { ...run.privacyBudget! } }),
  };
  validateConfig(config);
  return config;
}

/**
 * Refuses DP when there is no budget to charge it to, and Gaussian noise under a budget with
 * δ = 0 (no Gaussian mechanism is pure ε-DP: every release would cost ε = ∞).
 * @throws {ShardwireError} E_BAD_DP_CONFIG saying which flag to set.
 */
export function checkBudgetFor(dp: AppDp, budget: RunSettings['privacyBudget'], where = 'this controller'): void {
  if (budget === undefined) {
    throw new ShardwireError(
      'E_BAD_DP_CONFIG',
      `the app asks for ${dp.noisetype} noise, but ${where} has no privacy budget; start it with --privacy-budget ` +
        `<epsilon>[,<delta>]`,
      { field: 'privacyBudget' },
    );
  }
  if (dp.noisetype === 'gauss' && budget.delta === 0) {
    throw new ShardwireError(
      'E_BAD_DP_CONFIG',
      `the app asks for Gaussian noise, but ${where}'s privacy budget has δ = 0; give one with δ > 0, e.g. ` +
        `--privacy-budget ${budget.epsilon},1e-5`,
      { field: 'privacyBudget.delta' },
    );
  }
}

/**
 * A key that is equal for two data pieces exactly when their apps asked for the same SMPC and DP
 * settings (they can then share one secure-aggregation session).
 */
export function requestKey(smpc: AppSmpc, dp: AppDp | null): string {
  return canonicalJson({ smpc, dp });
}

/**
 * Checks that the configuration the coordinator proposes is what this site's app asked for, with
 * this site's threat mode and pinned roster, up to timeouts and the privacy budget; returns it
 * validated.
 * @throws {ShardwireError} E_ROSTER_MISMATCH (another roster); E_CONFIG_MISMATCH naming the difference.
 */
export function checkProposed(
  proposed: unknown,
  smpc: AppSmpc,
  dp: AppDp | null,
  site: SiteExpectation,
): SessionConfig {
  const p = proposed as Record<string, unknown>;
  if (p?.rosterHash !== site.rosterHash) {
    throw new ShardwireError(
      'E_ROSTER_MISMATCH',
      `the coordinator proposed a session whose roster hash is ${JSON.stringify(p?.rosterHash)}, but the roster ` +
        `file and the coordinator's announced client give ${JSON.stringify(site.rosterHash)}; refusing to join`,
      {},
    );
  }
  const budget = p?.privacyBudget as RunSettings['privacyBudget'];
  const expected = secureConfig(smpc, dp, {
    ...site,
    timeouts: p?.timeouts as TimeoutConfig,
    ...(budget ? { privacyBudget: budget } : {}),
  });
  let got: string;
  try {
    got = canonicalJson(proposed, 'E_CONFIG_MISMATCH');
  } catch (e) {
    throw new ShardwireError(
      'E_CONFIG_MISMATCH',
      `the coordinator proposed a session configuration that is not plain JSON (${(e as Error).message})`,
    );
  }
  const want = canonicalJson(expected);
  if (got !== want) {
    throw new ShardwireError(
      'E_CONFIG_MISMATCH',
      `the coordinator proposed ${got.slice(0, 300)}, but this site's app asked for ${want.slice(0, 300)} (only ` +
        `timeouts and privacyBudget may differ); are all sites running the same app with the same --threat?`,
      {},
    );
  }
  return validateConfig(proposed);
}
