/**
 * @module dp/noise-announcement
 * What the coordinator announces about a DP round inside the sealed `round.open` (its noise plan,
 * the session budget, h = minHonest, and its own cumulative spend), and how a participant checks
 * that announcement against the plan it derives itself from the agreed config and the round's
 * operation (a statistic's noise is calibrated for its own sensitivity: stats/noise.ts) (docs/DP.md
 * "Client-side accounting"). A participant never samples the announced noise: it always adds its
 * own plan's noise; the check is there so that the coordinator's accounting (which decides when the
 * session stops) is about the noise that is really added, and so that a coordinator asking for a
 * round the plan does not cover (fewer participants than h) gets nothing.
 *
 * The plan hash is BLAKE2b-256 over the canonical JSON of
 * `{context: "shardwire/noise-plan/v1", mechanism, mode, sigma | scale, tail, sensitivity,
 * exponent, minHonest, budget}` (integers as decimal strings).
 */
import { ShardwireError } from '../errors.ts';
import { blake2b, canonicalJson } from '../crypto/hash.ts';
import { describe } from '../guards.ts';
import type { NoisePlan } from './noise-plan.ts';

/** The noise plan of a session as the coordinator announces it in `round.open` (field `dp`). */
export interface NoiseAnnouncement {
  /** Hex BLAKE2b-256 of the plan fields below (not of `spent`). */
  readonly plan: string;
  readonly mechanism: 'laplace' | 'gauss';
  readonly mode: 'local' | 'distributed';
  /** Gaussian: each client's σ in integer units (decimal). */
  readonly sigma?: string;
  /** Laplace: each client's scale b = num/den in integer units (decimals). */
  readonly scale?: { readonly num: string; readonly den: string };
  /** Clamp bound of every noise value, integer units (decimal). */
  readonly tail: string;
  /** Δ in integer units (decimal). */
  readonly sensitivity: string;
  readonly exponent: number;
  /** h: the honest contributors the noise is calibrated for. */
  readonly minHonest: number;
  readonly budget: { readonly epsilon: number; readonly delta: number };
  /** The coordinator's accountant before this round: cumulative ε at budget.delta and releases. */
  readonly spent: { readonly epsilon: number; readonly releases: number };
}

/** What a plan is derived from: the session's validated config. */
export interface PlanSource {
  readonly noise?: NoisePlan;
  readonly minHonest: number;
  readonly privacyBudget?: { readonly epsilon: number; readonly delta: number };
  readonly smpc: { readonly exponent: number };
}

type PlanFields = Omit<NoiseAnnouncement, 'plan' | 'spent'>;

function fieldsOf(plan: NoisePlan, s: PlanSource): PlanFields {
  const c = plan.calibration;
  const n = c.noise;
  const budget = s.privacyBudget;
  if (!budget) throw new ShardwireError('E_BAD_DP_CONFIG', 'a DP session needs privacyBudget', { field: 'privacyBudget' });
  return {
    mechanism: c.mechanism, mode: c.mode,
    ...(n.mechanism === 'dgauss' ? { sigma: n.sigma.toString() } : { scale: { num: n.scale.num.toString(), den: n.scale.den.toString() } }),
    tail: plan.tail.toString(), sensitivity: c.sensitivityInt.toString(), exponent: s.smpc.exponent, minHonest: s.minHonest,
    budget: { epsilon: budget.epsilon, delta: budget.delta },
  };
}

async function hashOf(fields: PlanFields): Promise<string> {
  const digest = await blake2b(new TextEncoder().encode(canonicalJson({ context: 'shardwire/noise-plan/v1', ...fields })), 32);
  return Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** The plan hash of a session's config (undefined without DP). */
export async function planHashOf(s: PlanSource): Promise<string | undefined> {
  return s.noise ? hashOf(fieldsOf(s.noise, s)) : undefined;
}

/** The hash of one round's plan (`plan` of a round report). */
export async function roundPlanHash(s: PlanSource, plan: NoisePlan): Promise<string> {
  return hashOf(fieldsOf(plan, s));
}

/** The coordinator's announcement of a round with noise `plan`, with its spend so far. */
export async function announceNoise(s: PlanSource, plan: NoisePlan, spent: { epsilon: number; releases: number }): Promise<NoiseAnnouncement> {
  const fields = fieldsOf(plan, s);
  return { plan: await hashOf(fields), ...fields, spent: { epsilon: spent.epsilon, releases: spent.releases } };
}

const bad = (msg: string): never => {
  throw new ShardwireError('E_BAD_PAYLOAD', `round.open: "dp" ${msg}`, { type: 'round.open', field: 'dp' });
};
const decimal = (v: unknown, field: string): string => (typeof v === 'string' && /^[0-9]{1,40}$/.test(v) ? v : bad(`${field} expected a decimal integer string, got ${describe(v)}`));
const finite = (v: unknown, field: string): number => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : bad(`${field} expected a finite number ≥ 0, got ${describe(v)}`));

/**
 * Validates the `dp` field of a `round.open` (undefined when absent).
 * @throws {ShardwireError} E_BAD_PAYLOAD for a malformed announcement.
 */
export function parseNoiseAnnouncement(v: unknown): NoiseAnnouncement | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return bad(`expected an object, got ${describe(v)}`);
  const o = v as Record<string, unknown>;
  if (typeof o.plan !== 'string' || !/^[0-9a-f]{64}$/.test(o.plan)) bad('plan expected 64 hex digits');
  if (o.mechanism !== 'laplace' && o.mechanism !== 'gauss') bad('mechanism expected "laplace" or "gauss"');
  if (o.mode !== 'local' && o.mode !== 'distributed') bad('mode expected "local" or "distributed"');
  const b = (o.budget ?? {}) as Record<string, unknown>;
  const s = (o.spent ?? {}) as Record<string, unknown>;
  const sc = o.scale as Record<string, unknown> | undefined;
  if (!Number.isSafeInteger(o.minHonest) || (o.minHonest as number) < 1) bad('minHonest expected an integer ≥ 1');
  if (!Number.isSafeInteger(o.exponent)) bad('exponent expected an integer');
  if (!Number.isSafeInteger(s.releases) || (s.releases as number) < 0) bad('spent.releases expected an integer ≥ 0');
  return {
    plan: o.plan as string, mechanism: o.mechanism as 'laplace' | 'gauss', mode: o.mode as 'local' | 'distributed',
    ...(o.mechanism === 'gauss' ? { sigma: decimal(o.sigma, 'sigma') } : { scale: { num: decimal(sc?.num, 'scale.num'), den: decimal(sc?.den, 'scale.den') } }),
    tail: decimal(o.tail, 'tail'), sensitivity: decimal(o.sensitivity, 'sensitivity'), exponent: o.exponent as number, minHonest: o.minHonest as number,
    budget: { epsilon: finite(b.epsilon, 'budget.epsilon'), delta: finite(b.delta, 'budget.delta') },
    spent: { epsilon: finite(s.epsilon, 'spent.epsilon'), releases: s.releases as number },
  };
}

/** b1 ≥ b2 for Laplace scales num/den (exact). */
const scaleAtLeast = (a: { num: bigint; den: bigint }, b: { num: bigint; den: bigint }) => a.num * b.den >= b.num * a.den;

/** The round's noise plan for h = `minHonest` (undefined without DP); throws where none applies. */
export type RoundPlanFor = (minHonest: number) => NoisePlan | undefined;

/**
 * A participant's checks of the announcement of round `memo` against its own config and the
 * round's plan (`planFor`, from the config and the round's operation):
 * (a) the announced plan is exactly the one the config gives (mechanism, mode, noise scale,
 * tail, sensitivity, exponent, h, budget, hash); (b) the round has at least h participants and
 * this participant's own noise share is at least what the plan requires for the announced h.
 * The budget check against the participant's own ledger is the ledger's (client/privacy-ledger.ts).
 * @throws {ShardwireError} E_NOISE_PLAN_MISMATCH naming what differs (nothing may be contributed).
 */
export async function checkAnnouncement(own: PlanSource, planFor: RoundPlanFor, a: NoiseAnnouncement | undefined, round: { readonly memo: string; readonly participants: readonly string[] }): Promise<void> {
  const { memo } = round;
  const mismatch = (what: string, announced: unknown, expected: unknown): never => {
    throw new ShardwireError('E_NOISE_PLAN_MISMATCH', `round ${memo}: the coordinator announced ${what} ${JSON.stringify(announced)}, the agreed config gives ${JSON.stringify(expected)}; refusing to contribute`, { memo, field: what, announced: announced as never, expected: expected as never });
  };
  const plan = own.noise ? planFor(own.minHonest) : undefined; // E_UNSUPPORTED for a statistic DP cannot calibrate
  if (!plan) {
    if (a !== undefined) mismatch('a noise plan', a.plan, null);
    return;
  }
  if (a === undefined) return mismatch('no noise plan', null, 'a DP round');
  const mine = fieldsOf(plan, own);
  for (const k of ['mechanism', 'mode', 'exponent', 'minHonest'] as const) if (a[k] !== mine[k]) mismatch(k, a[k], mine[k]);
  if (a.budget.epsilon !== mine.budget.epsilon || a.budget.delta !== mine.budget.delta) mismatch('privacyBudget', a.budget, mine.budget);
  if (mine.sigma !== undefined && a.sigma !== mine.sigma) mismatch(BigInt(a.sigma ?? '0') < BigInt(mine.sigma) ? 'less noise: σ' : 'another noise: σ', a.sigma, mine.sigma);
  if (mine.scale !== undefined && (a.scale?.num !== mine.scale.num || a.scale.den !== mine.scale.den)) mismatch('the Laplace scale', a.scale, mine.scale);
  if (a.tail !== mine.tail) mismatch('the noise tail', a.tail, mine.tail);
  if (a.sensitivity !== mine.sensitivity) mismatch('the sensitivity', a.sensitivity, mine.sensitivity);
  const hash = await hashOf(mine);
  if (a.plan !== hash) mismatch('the plan hash', a.plan, hash);
  // (b) the round can meet the plan: h honest shares need h participants, and this share is large enough for h
  if (round.participants.length < a.minHonest) {
    throw new ShardwireError('E_NOISE_PLAN_MISMATCH', `round ${memo} asks ${round.participants.length} participants, fewer than the ${a.minHonest} honest contributors the noise is calibrated for; refusing to contribute`, { memo, participants: round.participants.length, minHonest: a.minHonest });
  }
  let required: NoisePlan | undefined;
  try {
    required = planFor(a.minHonest);
  } catch (e) {
    return mismatch(`minHonest (${e instanceof ShardwireError ? e.message : String(e)})`, a.minHonest, own.minHonest);
  }
  if (!required) return mismatch('minHonest', a.minHonest, own.minHonest);
  const have = plan.calibration.noise;
  const need = required.calibration.noise;
  const enough = have.mechanism === 'dgauss' && need.mechanism === 'dgauss' ? have.sigma >= need.sigma : have.mechanism === 'dlaplace' && need.mechanism === 'dlaplace' && scaleAtLeast(have.scale, need.scale);
  if (!enough) throw new ShardwireError('E_NOISE_PLAN_MISMATCH', `round ${memo}: this participant's noise share is below what the plan requires for ${a.minHonest} honest contributors; refusing to contribute`, { memo });
}
