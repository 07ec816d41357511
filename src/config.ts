/**
 * @module config
 * Session configuration (FeatureCloud names: `smpc { operation, shards, exponent }`) with
 * validation and defaults, and the bit budget of docs/PROTOCOL.md §2: the worst-case sum of n clients
 * must fit the signed range of the ring, or the configuration is refused — never a silent wrap.
 */
import { ShardwireError } from './errors.ts';
import { aint, aobject, aoneOf, describe } from './guards.ts';
import { MAX_EXPONENT } from './kernel/fixed-point.ts';
import { NORM_KINDS, type NormKind } from './kernel/clip.ts';
import type { RingBits } from './kernel/vectors.ts';
import { noisePlan, type NoisePlan } from './dp/noise-plan.ts';
import { ceilScaled } from './scaled.ts';
import { fieldBudget } from './field-budget.ts';

export { ceilScaled } from './scaled.ts';

/** Who the rounds protect against (docs/PROTOCOL.md §1). */
export type ThreatMode = 'malicious-coordinator' | 'honest-coordinator';

/** Most participants one session may have (bounds seeds per client and the holder graph). */
export const MAX_CLIENTS = 10_000;
/** Largest explicit `shards` value; 0 means one shard per participant. */
export const MAX_SHARDS = 1024;

/** FeatureCloud's two SMPC operations. */
export type SmpcOperation = 'add' | 'multiply';

/** Secure-aggregation settings, FeatureCloud names and meanings. */
export interface SmpcConfig {
  /**
   * 'add': rounds release sums (sum, mean, weighted mean) over a 32/64-bit ring. 'multiply':
   * rounds release the element-wise product of the factors, exactly, in a prime field sized by
   * the product's bit budget (field-budget.ts); no DP, no weights.
   */
  readonly operation: SmpcOperation;
  /** Additive pieces per input: 0 = one per participant, 1 = no protection (needs allowUnprotected), else 2..1024. */
  readonly shards: number;
  /** Fixed-point scale S = 10^exponent. */
  readonly exponent: number;
}

/** Per-element bound every client enforces by clipping before sharing. */
export interface ClipConfig {
  readonly norm: NormKind;
  /** Bound in real units (a norm bound for L1/L2; per element for L∞). Every element is ≤ it. */
  readonly bound: number;
}

/** Phase timeouts in milliseconds (FEDn `round_timeout` semantics). */
export interface TimeoutConfig {
  /**
   * A client sends its partial no earlier than this long after round.open arrives (docs/DP.md:
   * answer at the round's pace), so the coordinator does not see how long its noise sampling
   * took. 0 (default) sends at once; set it above the slowest client's compute time to hide it.
   */
  readonly paceMs: number;
  readonly joinMs: number;
  /** Malicious-coordinator mode: how long the coordinator waits for the participants' masking keys and shares. */
  readonly shareMs: number;
  readonly roundMs: number;
  readonly revealMs: number;
}

/** A validated session configuration (all defaults filled in). */
export interface SessionConfig {
  readonly smpc: SmpcConfig;
  /** Fewest contributors whose aggregate may be released (FEDn `clients_required`). */
  readonly minClients: number;
  /**
   * Most clients a round may have; sizes the bit budget. Default: max(minClients, smpc.shards),
   * so that a default can never contradict the shard count.
   */
  readonly maxClients: number;
  /** Ring width, or 'auto' for the smallest that fits the bit budget. */
  readonly ring: RingBits | 'auto';
  readonly clip: ClipConfig;
  readonly allowUnprotected: boolean;
  readonly timeouts: TimeoutConfig;
  /** FeatureCloud `dp` section (validated by src/dp), when the session adds noise. */
  readonly dp?: Readonly<Record<string, unknown>>;
  /** Total privacy this session may spend (required with `dp`). */
  readonly privacyBudget?: { readonly epsilon: number; readonly delta: number };
  /** h: minimum honest contributors (distributed noise is split over h); default minClients. */
  readonly minHonest: number;
  /** Largest weight of a weighted mean (sizes the bit budget); default 1. */
  readonly maxWeight: number;
  /**
   * Who the rounds protect against (docs/PROTOCOL.md §1): 'malicious-coordinator' (default:
   * double masking, shared self-mask seeds and masking keys, the consistency check) or
   * 'honest-coordinator' (single masking, the faster path for a coordinator trusted to follow
   * the protocol).
   */
  readonly threat: ThreatMode;
  /**
   * Malicious-coordinator mode: shares needed to rebuild a secret of a client with k neighbours
   * (clamped to ⌊k/2⌋+1 … k). Default ⌊k/2⌋+1.
   */
  readonly threshold?: number;
  /** BLAKE2b-256 (hex) of the roster (see rosterHash()): pins the participants out of band. */
  readonly rosterHash?: string;
  /**
   * The session's noise, derived once from `dp` (not a setting: not enumerable, so it is not part
   * of the canonical JSON the config hash covers).
   */
  readonly noise?: NoisePlan;
}

/** Defaults applied by {@link validateConfig}. */
export const DEFAULT_CONFIG = {
  smpc: { operation: 'add', shards: 0, exponent: 8 },
  ring: 'auto',
  allowUnprotected: false,
  timeouts: { joinMs: 60_000, shareMs: 30_000, roundMs: 120_000, revealMs: 30_000, paceMs: 0 },
  threat: 'malicious-coordinator',
} as const;

const KNOWN_KEYS = ['smpc', 'minClients', 'maxClients', 'ring', 'clip', 'allowUnprotected', 'timeouts', 'dp', 'privacyBudget', 'minHonest', 'maxWeight', 'threat', 'threshold', 'rosterHash'];
const THREATS: readonly ThreatMode[] = ['malicious-coordinator', 'honest-coordinator'];

function bad(field: string, message: string, details: Record<string, unknown> = {}): never {
  throw new ShardwireError('E_BAD_CONFIG', `"${field}" ${message}`, { field, ...details });
}

/** Refuses keys outside `known` (a typo must not silently fall back to a default). */
function onlyKeys(o: Record<string, unknown>, section: string, known: readonly string[]): void {
  for (const key of Object.keys(o)) {
    if (!known.includes(key)) bad(section ? `${section}.${key}` : key, `is not a${section ? ` ${section}` : ''} configuration field (known: ${known.join(', ')})`);
  }
}

/**
 * Validates a session configuration and fills in defaults. Unknown keys are refused (a typo
 * must not silently fall back to a default). With a `dp` section, `clip` defaults to the norm the
 * noise needs (L1 for Laplace, L2 for Gaussian) at `dp.clippingVal`, a given `clip` must match
 * it, `privacyBudget` is required, and the bit budget includes the noise tail.
 * @throws {ShardwireError} E_BAD_CONFIG naming the field; E_BAD_DP_CONFIG for the dp section;
 *   E_UNSUPPORTED for dp with operation 'multiply'; E_RING_OVERFLOW when no ring holds the
 *   sums (no table field holds the products).
 * @example validateConfig({ smpc: { shards: 3, exponent: 6 }, minClients: 3, maxClients: 10, clip: { norm: 'l2', bound: 1 } })
 */
export function validateConfig(input: unknown): SessionConfig {
  const o = aobject(input, 'config', 'E_BAD_CONFIG');
  onlyKeys(o, '', KNOWN_KEYS);
  const s = aobject(o.smpc ?? {}, 'smpc', 'E_BAD_CONFIG');
  onlyKeys(s, 'smpc', ['operation', 'shards', 'exponent', 'serialize']);
  const operation = aoneOf(s.operation ?? DEFAULT_CONFIG.smpc.operation, 'smpc.operation', ['add', 'multiply'] as const, 'E_BAD_CONFIG');
  const product = operation === 'multiply';
  if (product && o.dp !== undefined) {
    throw new ShardwireError('E_UNSUPPORTED', '"dp" with smpc.operation "multiply": no differential-privacy mechanism for a product is defined (FeatureCloud defines none either); remove dp, or release sums of logarithms with "add" and dp', { field: 'dp' });
  }
  if (product && o.ring !== undefined && o.ring !== 'auto') bad('ring', `is ${describe(o.ring)}, but a product is computed in a prime field sized by its bit budget, not a ring; remove it`);
  if (product && o.maxWeight !== undefined && o.maxWeight !== 1) bad('maxWeight', 'is set, but a product has no weights; remove it');
  if (s.serialize !== undefined && s.serialize !== 'json') bad('smpc.serialize', `expected "json" (FeatureCloud compatibility; shardwire frames are binary), got ${describe(s.serialize)}`);
  const allowUnprotected = o.allowUnprotected ?? DEFAULT_CONFIG.allowUnprotected;
  if (typeof allowUnprotected !== 'boolean') bad('allowUnprotected', `expected a boolean, got ${describe(allowUnprotected)}`);
  const shards = aint(s.shards ?? DEFAULT_CONFIG.smpc.shards, 'smpc.shards', 0, MAX_SHARDS, 'E_BAD_CONFIG');
  if (shards === 1 && !allowUnprotected) bad('smpc.shards', 'is 1, which sends every input in the clear to the coordinator; use 0 (one shard per participant) or ≥ 2, or set allowUnprotected: true knowingly');
  const exponent = aint(s.exponent ?? DEFAULT_CONFIG.smpc.exponent, 'smpc.exponent', 0, MAX_EXPONENT, 'E_BAD_CONFIG');
  const minClients = aint(o.minClients, 'minClients', allowUnprotected ? 1 : 2, MAX_CLIENTS, 'E_BAD_CONFIG');
  // A round with s shards needs at least s participants; the default never contradicts that.
  const maxClients = aint(o.maxClients ?? Math.max(minClients, shards), 'maxClients', minClients, MAX_CLIENTS, 'E_BAD_CONFIG');
  if (shards > maxClients) bad('smpc.shards', `is ${shards}, more than maxClients (${maxClients}); a client cannot have more holders than there are participants`);
  const ring = aoneOf(o.ring ?? DEFAULT_CONFIG.ring, 'ring', ['auto', 32, 64] as const, 'E_BAD_CONFIG');
  const minHonest = aint(o.minHonest ?? minClients, 'minHonest', 1, minClients, 'E_BAD_CONFIG');
  const maxWeight = o.maxWeight ?? 1;
  if (typeof maxWeight !== 'number' || !Number.isFinite(maxWeight) || maxWeight <= 0) bad('maxWeight', `expected a finite number > 0, got ${describe(maxWeight)}`);
  const plan = o.dp === undefined ? undefined : noisePlan(o.dp, exponent, minHonest);
  const neededNorm: NormKind | undefined = plan ? (plan.dp.noisetype === 'laplace' ? 'l1' : 'l2') : undefined;
  if (o.clip === undefined && !plan) {
    const example = "clip: { norm: 'l2', bound: 1 } (real units)";
    bad('clip', `is required without a dp section: the bit budget needs a per-element bound, e.g. ${example}`);
  }
  const c = aobject(o.clip ?? { norm: neededNorm, bound: plan!.dp.clippingVal }, 'clip', 'E_BAD_CONFIG');
  onlyKeys(c, 'clip', ['norm', 'bound']);
  const norm = aoneOf(c.norm, 'clip.norm', NORM_KINDS, 'E_BAD_CONFIG');
  if (typeof c.bound !== 'number' || !Number.isFinite(c.bound) || c.bound <= 0) bad('clip.bound', `expected a finite number > 0 (real units), got ${describe(c.bound)}`);
  if (plan && (norm !== neededNorm || (c.bound as number) > plan.dp.clippingVal)) {
    throw new ShardwireError('E_BAD_DP_CONFIG', `"clip" must be ${neededNorm} with bound ≤ dp.clippingVal (${plan.dp.clippingVal}) for ${plan.dp.noisetype} noise, got ${norm} ${String(c.bound)}; omit clip to derive it`, { field: 'clip' });
  }
  let privacyBudget: { epsilon: number; delta: number } | undefined;
  if (plan) {
    const b = aobject(o.privacyBudget, 'privacyBudget', 'E_BAD_DP_CONFIG');
    onlyKeys(b, 'privacyBudget', ['epsilon', 'delta']);
    if (typeof b.epsilon !== 'number' || !(b.epsilon > 0) || !Number.isFinite(b.epsilon)) throw new ShardwireError('E_BAD_DP_CONFIG', `"privacyBudget.epsilon" expected a finite number > 0 (the total ε this session may spend), got ${describe(b.epsilon)}`, { field: 'privacyBudget.epsilon' });
    if (typeof b.delta !== 'number' || !(b.delta >= 0 && b.delta < 1)) throw new ShardwireError('E_BAD_DP_CONFIG', `"privacyBudget.delta" expected a number in [0, 1), got ${describe(b.delta)}`, { field: 'privacyBudget.delta' });
    privacyBudget = { epsilon: b.epsilon, delta: b.delta };
  } else if (o.privacyBudget !== undefined) bad('privacyBudget', 'is set without a dp section; there is no noise to account for');
  const t = aobject(o.timeouts ?? {}, 'timeouts', 'E_BAD_CONFIG');
  onlyKeys(t, 'timeouts', ['joinMs', 'shareMs', 'roundMs', 'revealMs', 'paceMs']);
  const timeouts = {
    paceMs: aint(t.paceMs ?? DEFAULT_CONFIG.timeouts.paceMs, 'timeouts.paceMs', 0, 86_400_000, 'E_BAD_CONFIG'),
    joinMs: aint(t.joinMs ?? DEFAULT_CONFIG.timeouts.joinMs, 'timeouts.joinMs', 1, 86_400_000, 'E_BAD_CONFIG'),
    shareMs: aint(t.shareMs ?? DEFAULT_CONFIG.timeouts.shareMs, 'timeouts.shareMs', 1, 86_400_000, 'E_BAD_CONFIG'),
    roundMs: aint(t.roundMs ?? DEFAULT_CONFIG.timeouts.roundMs, 'timeouts.roundMs', 1, 86_400_000, 'E_BAD_CONFIG'),
    revealMs: aint(t.revealMs ?? DEFAULT_CONFIG.timeouts.revealMs, 'timeouts.revealMs', 1, 86_400_000, 'E_BAD_CONFIG'),
  };
  const threat = aoneOf(o.threat ?? DEFAULT_CONFIG.threat, 'threat', THREATS, 'E_BAD_CONFIG');
  const threshold = o.threshold === undefined ? undefined : aint(o.threshold, 'threshold', 1, MAX_CLIENTS, 'E_BAD_CONFIG');
  if (threshold !== undefined && threat !== 'malicious-coordinator') bad('threshold', 'is set, but only the malicious-coordinator mode shares secrets; remove it or set threat: "malicious-coordinator"');
  const rosterHash = o.rosterHash;
  if (rosterHash !== undefined && (typeof rosterHash !== 'string' || !/^[0-9a-f]{64}$/.test(rosterHash))) bad('rosterHash', `expected 64 lower-case hex digits (see rosterHash()), got ${describe(rosterHash)}`);
  const config: SessionConfig = {
    smpc: { operation, shards, exponent },
    minClients,
    maxClients,
    ring,
    clip: { norm, bound: c.bound as number },
    allowUnprotected: allowUnprotected as boolean,
    timeouts,
    minHonest,
    maxWeight: maxWeight as number,
    threat,
    ...(threshold === undefined ? {} : { threshold }),
    ...(rosterHash === undefined ? {} : { rosterHash: rosterHash as string }),
    ...(plan ? { dp: o.dp as Record<string, unknown>, privacyBudget } : {}),
  };
  if (plan) Object.defineProperty(config, 'noise', { value: plan, enumerable: false });
  // refuse now, not at the first round, a configuration whose sums (products) cannot fit any ring (field)
  if (product) {
    fieldBudget({ clients: maxClients, exponent, elementBound: config.clip.bound });
    return config;
  }
  computeBitBudget({ clients: maxClients, exponent, elementBound: elementBoundOf(config, false), ring, noiseTail: plan?.tail ?? 0n });
  if (o.maxWeight !== undefined) computeBitBudget({ clients: maxClients, exponent, elementBound: elementBoundOf(config, true), ring, noiseTail: plan?.tail ?? 0n });
  return config;
}

/**
 * Largest |value| of one coordinate a client contributes, in real units: the clip bound, or for
 * a weighted mean (x·w with ‖x‖ ≤ bound, and w itself, both ≤ maxWeight) max(bound, 1)·maxWeight.
 */
export function elementBoundOf(config: Pick<SessionConfig, 'clip' | 'maxWeight'>, weighted: boolean): number {
  return weighted ? Math.max(config.clip.bound, 1) * config.maxWeight : config.clip.bound;
}

/** Inputs of the bit budget. */
export interface BitBudgetInput {
  /** Number of contributions summed (clients; add one per extra secure coordinate's worth if any). */
  readonly clients: number;
  readonly exponent: number;
  /** Largest |x| of one element after clipping, in real units. */
  readonly elementBound: number;
  /** Per-element noise tail bound in integer units (from the DP layer); default 0n. */
  readonly noiseTail?: bigint;
  readonly ring?: RingBits | 'auto';
}

/** The chosen ring and the margins behind the choice. */
export interface BitBudget {
  readonly ring: RingBits;
  /** Largest |Σ| one coordinate can reach: n · (⌈bound·S⌉ + noiseTail). */
  readonly worstCaseSum: bigint;
  /** 2^(b−1) − 1: the largest magnitude the ring decodes correctly. */
  readonly capacity: bigint;
  /** log2(capacity / worstCaseSum), rounded down. */
  readonly headroomBits: number;
}

function worstCase(clients: number, exponent: number, elementBound: number, noiseTail: bigint): bigint {
  return BigInt(clients) * (ceilScaled(elementBound, exponent) + noiseTail);
}

/**
 * Picks the smallest ring (32, then 64 bits) whose signed range holds the worst-case sum, so
 * that the aggregate decodes without wrap-around.
 * @throws {ShardwireError} E_RING_OVERFLOW naming the largest exponent, bound and number of
 *   clients that would fit the largest allowed ring; E_BAD_CONFIG for malformed inputs.
 * @example computeBitBudget({ clients: 100, exponent: 8, elementBound: 10 }).ring // 64
 */
export function computeBitBudget(input: BitBudgetInput): BitBudget {
  const clients = aint(input.clients, 'clients', 1, MAX_CLIENTS, 'E_BAD_CONFIG');
  const exponent = aint(input.exponent, 'exponent', 0, MAX_EXPONENT, 'E_BAD_CONFIG');
  const bound = input.elementBound;
  if (typeof bound !== 'number' || !Number.isFinite(bound) || bound < 0) bad('elementBound', `expected a finite number ≥ 0, got ${describe(bound)}`);
  const noiseTail = input.noiseTail ?? 0n;
  if (typeof noiseTail !== 'bigint' || noiseTail < 0n) bad('noiseTail', `expected a bigint ≥ 0, got ${describe(noiseTail)}`);
  const ringChoice = aoneOf(input.ring ?? 'auto', 'ring', ['auto', 32, 64] as const, 'E_BAD_CONFIG');
  const worst = worstCase(clients, exponent, bound, noiseTail);
  const candidates: RingBits[] = ringChoice === 'auto' ? [32, 64] : [ringChoice];
  for (const ring of candidates) {
    const capacity = (1n << BigInt(ring - 1)) - 1n;
    if (worst <= capacity) {
      const headroomBits = worst === 0n ? ring - 1 : capacity.toString(2).length - worst.toString(2).length;
      return { ring, worstCaseSum: worst, capacity, headroomBits: Math.max(0, headroomBits) };
    }
  }
  const ring = candidates[candidates.length - 1];
  const capacity = (1n << BigInt(ring - 1)) - 1n;
  const perClient = ceilScaled(bound, exponent) + noiseTail;
  const fitClients = perClient === 0n ? MAX_CLIENTS : Number(capacity / perClient);
  let fitExponent = -1;
  for (let e = exponent - 1; e >= 0; e--) {
    if (worstCase(clients, e, bound, noiseTail) <= capacity) {
      fitExponent = e;
      break;
    }
  }
  const perClientRoom = capacity / BigInt(clients) - noiseTail; // integer units one client may add
  let fitBound = perClientRoom <= 0n ? 0 : Number(perClientRoom) / 10 ** exponent;
  // the division rounds; step down until ⌈fitBound·S⌉ really fits (a few steps at most)
  for (let step = 1; fitBound > 0 && ceilScaled(fitBound, exponent) > perClientRoom; step *= 2) {
    fitBound = Math.max(0, (Number(perClientRoom) - step) / 10 ** exponent);
  }
  throw new ShardwireError(
    'E_RING_OVERFLOW',
    `${clients} clients × (⌈${bound}·10^${exponent}⌉ + noise tail ${noiseTail}) = ${worst} exceeds the ${ring}-bit ring's capacity ${capacity}. ` +
      `What would fit: at most ${fitClients} clients, or exponent ≤ ${fitExponent < 0 ? 'none' : fitExponent}, or an element bound ≤ ${fitBound} (with the other settings unchanged)`,
    { ring, worstCaseSum: String(worst), capacity: String(capacity), maxClients: fitClients, maxExponent: fitExponent, maxElementBound: fitBound },
  );
}
