/**
 * @module dp/accountant
 * The per-session privacy accountant (docs/DP.md). It records every release
 * (mechanism, Δ1, Δ2, σ or b, contributors, dimension) and reports per-round and cumulative ε at
 * the session's δ:
 * - Gaussian: zCDP, additive (Bun & Steinke 2016, Lemma 2.3), ρ per release rounded up
 *   (dp/discrete-gaussian-rho.ts): Δ2²/(2σ²) for one discrete Gaussian per coordinate (CKS20
 *   Theorem 4); distributed noise counts only n = min(contributors, h) clients' shares, whose sum
 *   is not a discrete Gaussian: KLS21 Proposition 14 bounds it, ρ = ½(Δ2/(√n·σ_local) + c·τ)²
 *   with τ = 10·Σ_{k<n} e^(−2π²σ_local²·k/(k+1)) and c = min(Δ2, √dimension);
 * - Laplace: pure ε = Δ1/b per release, added up (basic composition);
 * - both: the min of an RDP curve over a fixed grid of orders and the zCDP bound (ε²/2 per
 *   Laplace release), converted with {@link rdpToEpsilon} / {@link zcdpToEpsilon}.
 * A release that would take the session past its ε budget is refused (E_BUDGET_EXHAUSTED) and
 * not recorded. The state serialises to JSON with a BLAKE2b integrity hash (keyed when a key is
 * given, which also makes it tamper-evident) and restores exactly; a corrupted or mismatched
 * state is refused (E_BAD_STATE), so a restart never resets a spent budget.
 */
import { ShardwireError } from '../errors.ts';
import { aobject, aoneOf, describe } from '../guards.ts';
import { blake2b, canonicalJson } from '../crypto/hash.ts';
import { RDP_ORDERS, pureDpRdp, rdpToEpsilon, zcdpToEpsilon } from './privacy-loss.ts';
import { distributedGaussianRho, gaussianRho } from './discrete-gaussian-rho.ts';

/**
 * One release of an aggregate (one round's output). Sensitivities and scales share units; for
 * distributed Gaussian noise they must be the integer units the noise is sampled in (the KLS21
 * bound depends on σ_local on the integer lattice), as {@link releaseOf} writes them.
 */
export interface Release {
  readonly round: number;
  readonly mechanism: 'laplace' | 'gauss';
  /** 'distributed' (Gaussian only): `scale` is each client's σ_local. Default 'local'. */
  readonly mode?: 'local' | 'distributed';
  readonly l1Sensitivity?: number;
  readonly l2Sensitivity?: number;
  /** Laplace b, or Gaussian σ (σ_local in distributed mode). */
  readonly scale: number;
  /** Clients whose partials were summed. */
  readonly contributors: number;
  /** Vector length (reported; the sensitivities already cover the whole vector). */
  readonly dimension: number;
}

/** Cost of one release and anything worth a warning. */
export interface ReleaseCost {
  readonly release: Release;
  /** Laplace: pure ε of this release. */
  readonly pureEpsilon: number;
  /** Gaussian: ρ of this release. */
  readonly rho: number;
  /** ε of this release alone at the session's δ. */
  readonly epsilon: number;
  readonly warnings: readonly string[];
}

/** Cumulative privacy spent. */
export interface PrivacySpent {
  readonly epsilon: number;
  readonly delta: number;
  readonly rho: number;
  readonly pureEpsilon: number;
  readonly rdp: { readonly orders: readonly number[]; readonly values: readonly number[] };
  readonly releases: number;
}

/** Options of a new accountant. */
export interface AccountantOptions {
  readonly sessionId: string;
  /** Session budget: total ε at δ (δ = 0 only for Laplace-only sessions). */
  readonly budget: { readonly epsilon: number; readonly delta: number };
  /** h: minimum honest contributors (distributed Gaussian noise is counted for h clients). */
  readonly minHonest: number;
}

const STATE_FORMAT = 'shardwire-privacy-accountant';
const STATE_VERSION = 1;

const badRelease = (field: string, msg: string): never => {
  throw new ShardwireError('E_BAD_DP_CONFIG', `release "${field}" ${msg}`, { field });
};
const positive = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && v > 0;

/** Validates a release (also used on restore). */
function checkRelease(input: unknown): Release {
  const r = aobject(input, 'release', 'E_BAD_DP_CONFIG');
  const mechanism = aoneOf(r.mechanism, 'release.mechanism', ['laplace', 'gauss'] as const, 'E_BAD_DP_CONFIG');
  const mode = aoneOf(r.mode ?? 'local', 'release.mode', ['local', 'distributed'] as const, 'E_BAD_DP_CONFIG');
  if (!Number.isSafeInteger(r.round) || (r.round as number) < 0) badRelease('round', `expected an integer ≥ 0, got ${describe(r.round)}`);
  if (!positive(r.scale)) badRelease('scale', `expected a finite number > 0, got ${describe(r.scale)}`);
  if (!Number.isSafeInteger(r.contributors) || (r.contributors as number) < 1) badRelease('contributors', `expected an integer ≥ 1, got ${describe(r.contributors)}`);
  if (!Number.isSafeInteger(r.dimension) || (r.dimension as number) < 1) badRelease('dimension', `expected an integer ≥ 1, got ${describe(r.dimension)}`);
  if (mechanism === 'laplace' && !positive(r.l1Sensitivity)) badRelease('l1Sensitivity', `expected a finite number > 0 for Laplace, got ${describe(r.l1Sensitivity)}`);
  if (mechanism === 'gauss' && !positive(r.l2Sensitivity)) badRelease('l2Sensitivity', `expected a finite number > 0 for Gaussian, got ${describe(r.l2Sensitivity)}`);
  if (mechanism === 'laplace' && mode === 'distributed') badRelease('mode', 'distributed is for Gaussian noise only');
  if (mode === 'distributed' && (r.scale as number) < 0.5) {
    badRelease('scale', `σ_local ${r.scale} is below 1/2: no bound for a sum of discrete Gaussians applies`);
  }
  const out: Record<string, unknown> = { round: r.round, mechanism, mode, scale: r.scale, contributors: r.contributors, dimension: r.dimension };
  if (r.l1Sensitivity !== undefined) out.l1Sensitivity = r.l1Sensitivity;
  if (r.l2Sensitivity !== undefined) out.l2Sensitivity = r.l2Sensitivity;
  return Object.freeze(out) as unknown as Release;
}

/**
 * Privacy accountant of one session. Not thread-safe; persist with {@link serialize} after each
 * {@link record}.
 * @example
 * const acc = new PrivacyAccountant({ sessionId: 's1', budget: { epsilon: 8, delta: 1e-6 }, minHonest: 5 })
 * acc.record({ round: 1, mechanism: 'gauss', l2Sensitivity: 2, scale: 6, contributors: 9, dimension: 1000 })
 * acc.preview({ round: 2, mechanism: 'gauss', l2Sensitivity: 2, scale: 6, contributors: 9, dimension: 1000 }, 50)
 */
export class PrivacyAccountant {
  readonly sessionId: string;
  readonly budget: { readonly epsilon: number; readonly delta: number };
  readonly minHonest: number;
  readonly #releases: Release[] = [];

  /** @throws {ShardwireError} E_BAD_DP_CONFIG for a bad session id, budget or minHonest. */
  constructor(opts: AccountantOptions) {
    aobject(opts, 'options', 'E_BAD_DP_CONFIG');
    if (typeof opts.sessionId !== 'string' || opts.sessionId.length === 0) throw new ShardwireError('E_BAD_DP_CONFIG', `"sessionId" expected a non-empty string, got ${describe(opts.sessionId)}`);
    const b = aobject(opts.budget, 'budget', 'E_BAD_DP_CONFIG');
    if (!positive(b.epsilon)) throw new ShardwireError('E_BAD_DP_CONFIG', `"budget.epsilon" expected a finite number > 0, got ${describe(b.epsilon)}`);
    if (typeof b.delta !== 'number' || !(b.delta >= 0 && b.delta < 1)) throw new ShardwireError('E_BAD_DP_CONFIG', `"budget.delta" expected a number in [0, 1), got ${describe(b.delta)}`);
    if (!Number.isSafeInteger(opts.minHonest) || opts.minHonest < 1) throw new ShardwireError('E_BAD_DP_CONFIG', `"minHonest" expected an integer ≥ 1, got ${describe(opts.minHonest)}`);
    this.sessionId = opts.sessionId;
    this.budget = Object.freeze({ epsilon: b.epsilon as number, delta: b.delta as number });
    this.minHonest = opts.minHonest;
  }

  /** Releases recorded so far (copies). */
  get releases(): readonly Release[] {
    return [...this.#releases];
  }

  /**
   * Cost of one release alone (validated), without recording it.
   * @throws {ShardwireError} E_BAD_DP_CONFIG for a malformed release or a Gaussian one in a δ = 0 session.
   */
  cost(release: Release): ReleaseCost {
    const r = checkRelease(release);
    const warnings: string[] = [];
    if (r.contributors < this.minHonest) {
      warnings.push(`round ${r.round}: only ${r.contributors} contributors, fewer than the ${this.minHonest} honest ones the noise was calibrated for`);
    }
    if (r.mechanism === 'laplace') {
      const pureEpsilon = r.l1Sensitivity! / r.scale;
      return { release: r, pureEpsilon, rho: 0, epsilon: pureEpsilon, warnings };
    }
    if (this.budget.delta === 0) throw new ShardwireError('E_BAD_DP_CONFIG', 'a Gaussian release needs a session budget with δ > 0', { round: r.round });
    const shares = r.mode === 'distributed' ? Math.min(r.contributors, this.minHonest) : 1;
    const d2 = r.l2Sensitivity!;
    const rho = shares === 1 ? gaussianRho(d2, r.scale) : distributedGaussianRho(d2, r.scale, shares, r.dimension);
    return { release: r, pureEpsilon: 0, rho, epsilon: zcdpToEpsilon(rho, this.budget.delta), warnings };
  }

  /** Cumulative spend of the recorded releases plus `extra` (repeated `times`). */
  #spent(extra: readonly ReleaseCost[] = [], times = 0): PrivacySpent {
    const costs = this.#releases.map((r) => this.cost(r));
    for (let i = 0; i < times; i++) costs.push(...extra);
    let rho = 0, pure = 0, pureRho = 0;
    const rdp = RDP_ORDERS.map(() => 0);
    for (const c of costs) {
      rho += c.rho;
      pure += c.pureEpsilon;
      pureRho += (c.pureEpsilon * c.pureEpsilon) / 2;
      RDP_ORDERS.forEach((a, i) => (rdp[i] += c.rho > 0 ? a * c.rho : pureDpRdp(c.pureEpsilon, a)));
    }
    const delta = this.budget.delta;
    let epsilon: number;
    if (delta === 0) epsilon = pure; // Laplace only (Gaussian releases are refused when δ = 0)
    else if (rho === 0) epsilon = Math.min(pure, rdpToEpsilon(rdp, delta), zcdpToEpsilon(pureRho, delta));
    else epsilon = Math.min(rdpToEpsilon(rdp, delta), zcdpToEpsilon(rho + pureRho, delta));
    return { epsilon, delta, rho, pureEpsilon: pure, rdp: { orders: RDP_ORDERS, values: rdp }, releases: costs.length };
  }

  /** Privacy spent by the recorded releases. */
  spent(): PrivacySpent {
    return this.#spent();
  }

  /**
   * What the session would have spent after `times` more releases like `release` ("what would
   * 50 more rounds cost?"). Records nothing.
   * @throws {ShardwireError} E_BAD_DP_CONFIG for a malformed release or times.
   */
  preview(release: Release, times = 1): PrivacySpent & { readonly withinBudget: boolean } {
    if (!Number.isSafeInteger(times) || times < 0 || times > 1_000_000) throw new ShardwireError('E_BAD_DP_CONFIG', `"times" expected an integer in [0, 1000000], got ${describe(times)}`);
    const s = this.#spent([this.cost(release)], times);
    return { ...s, withinBudget: s.epsilon <= this.budget.epsilon };
  }

  /**
   * Records a release if the session stays within budget.
   * @returns the release's own cost and the cumulative spend after it.
   * @throws {ShardwireError} E_BUDGET_EXHAUSTED when the cumulative ε would exceed the budget
   *   (nothing is recorded); E_BAD_DP_CONFIG for a malformed release.
   */
  record(release: Release): ReleaseCost & { readonly cumulative: PrivacySpent } {
    const c = this.cost(release);
    const after = this.#spent([c], 1);
    if (after.epsilon > this.budget.epsilon) {
      throw new ShardwireError('E_BUDGET_EXHAUSTED', `round ${c.release.round} would bring the session to ε = ${after.epsilon} at δ = ${this.budget.delta}, over its budget ε = ${this.budget.epsilon}; nothing was released`, { round: c.release.round, epsilon: after.epsilon, budget: this.budget.epsilon, spent: this.spent().epsilon });
    }
    this.#releases.push(c.release);
    return { ...c, cumulative: after };
  }

  /**
   * An accountant holding `releases` (each validated, none refused for the budget: a caller that
   * keeps its own record of releases, like a participant's ledger, rebuilds the figures with it).
   * @throws {ShardwireError} E_BAD_DP_CONFIG for bad options or a malformed release.
   */
  static fromReleases(opts: AccountantOptions, releases: readonly unknown[]): PrivacyAccountant {
    const acc = new PrivacyAccountant(opts);
    for (const r of releases) acc.#releases.push(acc.cost(checkRelease(r)).release);
    return acc;
  }

  /** The state as a plain object (hash excluded). */
  #body(): Record<string, unknown> {
    return { format: STATE_FORMAT, version: STATE_VERSION, sessionId: this.sessionId, budget: { ...this.budget }, minHonest: this.minHonest, releases: this.#releases.map((r) => ({ ...r })) };
  }

  /**
   * JSON state with a BLAKE2b-256 integrity hash of its canonical form (keyed with `key`, 16–64
   * bytes, when given: then only key holders can produce a state that restores).
   * @throws {ShardwireError} E_BAD_ARGUMENT for a bad key.
   */
  async serialize(key?: Uint8Array): Promise<string> {
    const body = this.#body();
    return JSON.stringify({ ...body, integrity: await integrity(body, key) });
  }

  /**
   * Restores a state written by {@link serialize}, exactly.
   * @throws {ShardwireError} E_BAD_STATE for unparsable JSON, another format or version, a hash
   *   that does not match (corruption or the wrong key), a different session id than `expect`,
   *   or a state whose releases exceed its budget.
   */
  static async restore(json: string, expect: { sessionId?: string; key?: Uint8Array } = {}): Promise<PrivacyAccountant> {
    const fail = (msg: string, details: Record<string, unknown> = {}): never => {
      throw new ShardwireError('E_BAD_STATE', `privacy accountant state: ${msg}`, details);
    };
    let parsed: unknown;
    try {
      parsed = JSON.parse(json);
    } catch (e) {
      fail(`not JSON (${(e as Error).message})`);
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return fail('not a JSON object');
    const { integrity: stored, ...body } = parsed as Record<string, unknown>;
    if (body.format !== STATE_FORMAT) fail(`format ${describe(body.format)}, expected "${STATE_FORMAT}"`);
    if (body.version !== STATE_VERSION) fail(`version ${describe(body.version)}, this build reads version ${STATE_VERSION}`, { version: body.version });
    let expected: string;
    try {
      expected = await integrity(body, expect.key);
    } catch {
      return fail('its content has no canonical JSON form');
    }
    if (stored !== expected) fail('integrity hash mismatch: the state is corrupted or was written with another key; restore a good copy (the spent budget must not be reset)');
    if (expect.sessionId !== undefined && body.sessionId !== expect.sessionId) fail(`belongs to session ${describe(body.sessionId)}, expected ${JSON.stringify(expect.sessionId)}`);
    if (!Array.isArray(body.releases)) return fail('"releases" is not an array');
    let acc: PrivacyAccountant;
    try {
      acc = PrivacyAccountant.fromReleases(body as unknown as AccountantOptions, body.releases);
    } catch (e) {
      return fail(`invalid content (${(e as Error).message})`);
    }
    if (acc.spent().epsilon > acc.budget.epsilon) fail('its releases exceed its own budget');
    return acc;
  }
}

async function integrity(body: Record<string, unknown>, key?: Uint8Array): Promise<string> {
  const digest = await blake2b(new TextEncoder().encode(canonicalJson(body)), 32, key);
  return Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('');
}
