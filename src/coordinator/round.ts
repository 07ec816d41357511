/**
 * @module coordinator/round
 * One round as the application sees it: validate the options, refuse what the bit budget or the
 * privacy budget forbids before asking anyone, run the secure-aggregation state machine
 * (secagg/coordinator-round.ts), then charge the accountant, decode, tell every participant how
 * the round ended and report. Any failure sends `round.abort` and releases nothing.
 */
import { ShardwireError } from '../errors.ts';
import { aint, aobject, aoneOf, describe } from '../guards.ts';
import { computeBitBudget, elementBoundOf } from '../config.ts';
import { getSodium } from '../sodium.ts';
import type { RingVector } from '../kernel/vectors.ts';
import { giveRing } from '../kernel/ring-pool.ts';
import { ID_PATTERN } from '../wire/constants.ts';
import { encodeBody, encodeFloat64, OPERATIONS, RoundType, SESSION_OPERATIONS, type Operation, type RoundOpen } from '../session/round-messages.ts';
import { fieldBudget } from '../field-budget.ts';
import { decodeProduct, productPartialLength } from '../secagg/product.ts';
import { CoordinatorRound, type CoordinatorPhase } from '../secagg/coordinator-round.ts';
import { releaseOf } from '../dp/noise-plan.ts';
import { announcePrivacy, reportPrivacy } from './round-privacy.ts';
import type { SignedRoundReport } from '../dp/round-report.ts';
import { isStatistic, secureLength, statisticOptions } from '../stats/operations.ts';
import { roundNoise } from '../stats/noise.ts';
import { statisticBudget } from '../stats/budget.ts';
import { decodeStatistic, ringToInts, type StatisticResult } from '../stats/decode.ts';
import type { ThreatMode } from '../config.ts';
import type { Coordinator } from './coordinator.ts';
import { floatBudget, openLayout, releaseOf as tensorRelease, roundTensors, tailToBase64, type TensorRelease } from '../tensors/round-hooks.ts';
import { tensorSpecsToJson, type TensorSpecInput } from '../tensors/spec.ts';

/** Options of one round. */
export interface RoundOptions {
  /** Vector length every participant contributes (with `tensors`: optional, their float elements). */
  readonly dim?: number;
  /**
   * Typed tensors instead of one vector: names, dtypes (float32, float64, int32, int64, uint8,
   * bool), shapes and, for integer tensors, a bound (|x| ≤ bound; default the dtype's range).
   * Sent in round.open; every client checks its input against it; integers are summed exactly.
   * Not in a 'multiply' session.
   */
  readonly tensors?: readonly TensorSpecInput[];
  /**
   * 'sum' (default), 'mean' (sum / contributors) or 'weightedMean' (Σw·x / Σw) of vectors, or a
   * statistic of records ('count', 'meanVariance', 'histogram': see Coordinator.runStatistic); in
   * a session with smpc.operation 'multiply', 'multiply' (the default there and its only operation).
   */
  readonly operation?: Operation;
  /** Statistics rounds: the most records one client contributes (required; sizes the bit budget, every client enforces it). */
  readonly maxRecords?: number;
  /** Histogram rounds: bucket edges, finite and strictly increasing (sent in round.open; every client checks them). */
  readonly edges?: readonly number[];
  /** Round memo (FeatureCloud meaning); auto-generated when omitted; never reused in a session. */
  readonly memo?: string;
  /** Participants to ask (default: every ready participant). */
  readonly participants?: readonly string[];
  /** Send the aggregate to the participants (FeatureCloud broadcast_data). Default false. */
  readonly broadcast?: boolean;
  /**
   * How long to wait for the participants' contributions (FEDn round_timeout): the collection of
   * partials and, under double masking, of their shares. Default: config.timeouts.shareMs for the
   * shares and config.timeouts.roundMs for the partials.
   */
  readonly timeoutMs?: number;
  /**
   * Close the collection as soon as this many partials arrived (FEDn buffer_size); the others
   * are treated as dropped through the normal recovery. Under double masking the join phase
   * closes as well once this many joined (a participant joins when it calls aggregate(), i.e.
   * when its update is ready): the first K are the round's members, later ones get E_DROPPED.
   * Between minClients and the number of participants. Default: wait for everyone (or the timeout).
   */
  readonly bufferSize?: number;
  readonly signal?: AbortSignal;
  /**
   * Where to decode the aggregate (length dim), e.g. the same array every round; default: a new
   * Float64Array.
   */
  readonly out?: Float64Array;
}

/** What the coordinator learned and released. */
export interface RoundReport {
  readonly memo: string;
  readonly operation: Operation;
  readonly threat: ThreatMode;
  readonly dim: number;
  /** The sum's ring (a product round: 32, the staging of its field elements; see `field`). */
  readonly ring: 32 | 64;
  /** A product round's prime field: p = 2^(32·limbs) − c (field-budget.ts). */
  readonly field?: { readonly bits: number; readonly limbs: number };
  readonly contributors: readonly string[];
  readonly dropped: readonly string[];
  /** Parties whose messages broke the protocol and were set aside (the round recovered without them). */
  readonly misbehaving: readonly string[];
  readonly bytesReceived: number;
  /**
   * Saturation (sessions without DP): Σ over contributors of the float elements their clipping
   * changed, and how many contributors' inputs were outside the clip bound (scaled for L1/L2,
   * clamped for L∞). Summed securely: the coordinator learns only these totals.
   */
  readonly clippedElements?: number;
  readonly clippedClients?: number;
  /** Differential privacy of this release (DP sessions). */
  readonly dp?: RoundPrivacy;
  /**
   * collect: from opening to the end of collection; recover: consistency check, reveals and the
   * sum; reconstructMs: accounting and decoding; totalMs: the whole round. computeMs: the
   * coordinator's own work (decrypting and handling the round's messages, rebuilding the masks,
   * summing, decoding) — the rest is waiting for participants.
   */
  readonly timings: { readonly collectMs: number; readonly recoverMs: number; readonly reconstructMs: number; readonly totalMs: number; readonly computeMs: number };
}

/** The privacy cost of one release and what noise it carries. */
export interface RoundPrivacy {
  readonly mechanism: 'laplace' | 'gauss';
  readonly mode: 'local' | 'distributed';
  /** ε of this release alone, and of the session so far, at `delta`. */
  readonly epsilonRound: number;
  readonly epsilonTotal: number;
  readonly delta: number;
  readonly budget: { readonly epsilon: number; readonly delta: number };
  /**
   * Std of the noise in the released aggregate: real units, after a mean's division; a weighted
   * mean's is Σw·x's, before the division by Σw; a count's or histogram's is in records.
   */
  readonly expectedNoiseStd: number;
  readonly warnings: readonly string[];
}

export interface RoundResultWithReport {
  /** The float aggregate (of a tensor round: the float tensors concatenated). */
  readonly aggregate: Float64Array;
  /** Statistics rounds: the released statistic (the aggregate is its flat form). */
  readonly statistic?: StatisticResult;
  readonly report: RoundReport;
  /** A tensor round's aggregate as named tensors (integers exact; see AggregateTensor). */
  readonly tensors?: TensorRelease['tensors'];
  /**
   * A product round's exact result: the product of the contributors' fixed-point factors per
   * element; aggregate[j] is exact[j] / 10^scaleExponent rounded to the nearest double.
   */
  readonly product?: { readonly exact: readonly bigint[]; readonly scaleExponent: number };
}

function autoMemo(used: ReadonlySet<string>): string {
  for (;;) {
    const hex = Array.from(globalThis.crypto.getRandomValues(new Uint8Array(8)), (b) => b.toString(16).padStart(2, '0')).join('');
    if (!used.has(`r-${hex}`)) return `r-${hex}`;
  }
}

/** Runs one round on coordinator `c` (see {@link Coordinator.runRound}). */
export async function runRound(c: Coordinator, o: RoundOptions): Promise<RoundResultWithReport> {
  const t0 = performance.now();
  aobject(o, 'options');
  const { specs, dim } = roundTensors(o.tensors, o.dim);
  if (o.out !== undefined && (!(o.out instanceof Float64Array) || o.out.length !== dim)) throw new ShardwireError('E_BAD_VECTOR', `"out" expected a Float64Array of length ${dim}, got ${describe(o.out)}`, { field: 'out' });
  const sessionOp = c.config.smpc.operation;
  const operation = aoneOf(o.operation ?? SESSION_OPERATIONS[sessionOp][0], 'operation', OPERATIONS);
  const allowed: readonly Operation[] = SESSION_OPERATIONS[sessionOp];
  if (!allowed.includes(operation)) throw new ShardwireError('E_UNSUPPORTED', `"operation" ${operation} is not available in a session with smpc.operation "${sessionOp}" (it runs ${allowed.join(', ')})`, { field: 'operation', operation });
  const memo = o.memo ?? autoMemo(c.memos);
  if (typeof memo !== 'string' || !ID_PATTERN.test(memo)) throw new ShardwireError('E_BAD_ARGUMENT', `"memo" expected 1-128 characters of [A-Za-z0-9._:@-], got ${describe(memo)}`);
  if (c.memos.has(memo)) throw new ShardwireError('E_REPLAY', `memo ${memo} was already used in this session; memos are never reused`, { memo });
  const participants = [...(o.participants ?? c.readyParticipants())];
  for (const p of participants) if (!c.bundles.has(p)) throw new ShardwireError('E_NOT_IN_SESSION', `participant ${p} has no verified key bundle (not joined yet)`, { id: p });
  const { minClients } = c.config;
  if (participants.length < minClients) throw new ShardwireError('E_TOO_FEW_CONTRIBUTORS', `${participants.length} participants are ready, fewer than minClients = ${minClients}; nothing was asked or released`, { ready: participants.length, minClients });
  const bufferSize = o.bufferSize === undefined ? undefined : aint(o.bufferSize, 'bufferSize', minClients, participants.length);
  const timeoutMs = o.timeoutMs === undefined ? undefined : aint(o.timeoutMs, 'timeoutMs', 1, 86_400_000);
  const weighted = operation === 'weightedMean';
  const stat = isStatistic(operation) ? statisticOptions(operation, dim, o) : undefined;
  if (!stat && (o.maxRecords !== undefined || o.edges !== undefined)) throw new ShardwireError('E_BAD_ARGUMENT', `"maxRecords" and "edges" belong to statistics rounds, not to a ${operation}`, { field: o.edges === undefined ? 'maxRecords' : 'edges' });
  if (stat && o.out !== undefined) throw new ShardwireError('E_BAD_ARGUMENT', `"out" is for vector rounds; a ${operation} returns its statistic`, { field: 'out' });
  const product = operation === 'multiply' ? { field: fieldBudget({ clients: participants.length, exponent: c.config.smpc.exponent, elementBound: c.config.clip.bound }).field, dim } : undefined;
  if ((product || stat) && specs) throw new ShardwireError('E_UNSUPPORTED', `"tensors" are not available in a ${operation} round (only sum, mean and weightedMean carry typed tensors); send one vector`, { field: 'tensors' });
  const noise = product ? undefined : roundNoise(c.config, { operation, dim, ...(stat?.edges ? { edges: stat.edges } : {}) }); // E_UNSUPPORTED where no calibration applies
  const noiseTail = noise?.tail ?? 0n;
  const ring = product
    ? 32
    : stat
      ? statisticBudget(c.config, operation as 'count', participants.length, stat.maxRecords, noiseTail).ring
      : floatBudget(specs, () => computeBitBudget({ clients: participants.length, exponent: c.config.smpc.exponent, elementBound: elementBoundOf(c.config, weighted), ring: c.config.ring, noiseTail })).ring;
  const tensorsJson = specs ? tensorSpecsToJson(specs) : undefined;
  // every integer tensor and saturation count certified per tensor (E_RING_OVERFLOW / E_UNSUPPORTED) before anyone is asked
  const layout = openLayout({ ring, participants, operation, dim, ...(tensorsJson ? { tensors: tensorsJson } : {}) }, c.config);
  const length = product ? productPartialLength(dim, product.field) : layout.length > layout.head ? layout.length : secureLength(operation, dim, stat?.edges);
  if (noise && c.accountant) {
    // refuse before asking anyone: even the fewest releasable contributors must fit the budget
    const worst = c.accountant.preview(releaseOf(noise, c.released + 1, minClients, length));
    if (!worst.withinBudget) throw new ShardwireError('E_BUDGET_EXHAUSTED', `another round would bring the session to ε = ${worst.epsilon} (δ = ${worst.delta}), over its budget ε = ${c.accountant.budget.epsilon}; nothing was asked or released`, { spent: c.accountant.spent().epsilon, wouldBe: worst.epsilon });
  }
  c.memos.add(memo);
  await c.journal.opened(memo, participants, operation, dim); // saved before anyone is asked
  const announced = await announcePrivacy(c, noise); // DP: this round's noise plan and the spend so far, checked by every participant
  const open: RoundOpen = { memo, configHash: c.configHash, participants, roster: participants.map((p) => c.roster.get(p)!), bundles: participants.map((p) => c.bundles.get(p)!), operation, dim, ring, broadcast: o.broadcast ?? false, ...stat, ...(tensorsJson ? { tensors: tensorsJson } : {}), ...(product ? { fieldLimbs: product.field.limbs } : {}), ...(announced ? { dp: announced } : {}) };
  const progress = (phase: CoordinatorPhase, received: number) => c.notify('progress', { memo, phase, received, expected: participants.length });
  const round = new CoordinatorRound({
    sessionId: c.channel.keyring.sessionId, configHash: c.configHash, config: c.config, kernel: c.kernel, sodium: await getSodium(),
    send: (to, type, body) => c.channel.send(to, type, memo, body),
    isOnline: (id) => c.online.has(id),
    identityKey: (id) => c.identityKey(id),
    progress,
    maxPayloadBytes: c.channel.link.welcome.limits.maxPayloadBytes,
    refused: (from, type, error) => c.notify('refused', { from, type, error }),
  }, { memo, participants, shards: c.config.smpc.shards, openBody: encodeBody(open), length, ring, ...(product ? { product } : {}), ...(bufferSize === undefined ? {} : { bufferSize }), shareMs: timeoutMs ?? c.config.timeouts.shareMs, collectMs: timeoutMs ?? c.config.timeouts.roundMs });
  const onAbort = () => round.fail(new ShardwireError('E_ABORTED', `round ${memo} was aborted by the caller`));
  o.signal?.addEventListener('abort', onAbort, { once: true });
  if (o.signal?.aborted) onAbort();
  c.current = round;
  const bytesBefore = c.channel.bytesReceived;
  let sum: RingVector | undefined;
  try {
    const outcome = await round.run();
    sum = outcome.sum;
    const tRecover = performance.now();
    const survivors = outcome.survivors;
    let dp: RoundPrivacy | undefined;
    let signed: SignedRoundReport | undefined;
    if (noise && c.accountant) {
      const rec = c.accountant.record(releaseOf(noise, c.released + 1, survivors.length, length)); // E_BUDGET_EXHAUSTED → abort, nothing released
      await c.journal.charged(memo, rec.epsilon, rec.cumulative.epsilon, rec.cumulative.delta); // saved before anything is released
      // counts are released in units of one record; a weighted mean's std is Σw·x's, before ÷ Σw
      const divisor = stat ? 1 : (operation === 'mean' ? survivors.length : 1) * 10 ** c.config.smpc.exponent;
      dp = {
        mechanism: noise.calibration.mechanism, mode: noise.calibration.mode,
        epsilonRound: rec.epsilon, epsilonTotal: rec.cumulative.epsilon, delta: rec.cumulative.delta, budget: c.accountant.budget,
        expectedNoiseStd: (noise.clientStdInt * Math.sqrt(survivors.length)) / divisor,
        warnings: rec.warnings,
      };
      c.released++;
      signed = await reportPrivacy(c, announced!, memo, survivors, length, rec); // compared with every participant's ledger
    }
    const scaleExponent = c.config.smpc.exponent * survivors.length;
    const decodedProduct = product ? decodeProduct(c.kernel, product.field, dim, sum, scaleExponent, o.out) : undefined;
    const decoded = stat ? decodeStatistic(operation as 'count', ringToInts(c.kernel, sum), dim, c.config.smpc.exponent, stat.edges) : undefined;
    const aggregate = decodedProduct ? decodedProduct.values : decoded ? decoded.flat : decodeAggregate(c, sum.subarray(0, layout.head) as RingVector, operation, dim, survivors.length, o.out);
    const release = product || stat ? {} : tensorRelease(layout, aggregate, sum);
    const tail = o.broadcast && !product && !stat ? tailToBase64(layout, sum) : undefined;
    round.phase = 'done';
    await c.journal.released(memo, survivors, outcome.dropped, outcome.misbehaving);
    const tDone = performance.now();
    const result = encodeBody({ memo, contributors: survivors, ...(o.broadcast ? { aggregate: encodeFloat64(aggregate) } : {}), ...(tail === undefined ? {} : { tail }), ...(signed ? { report: signed } : {}) });
    await Promise.allSettled(participants.filter((p) => c.online.has(p)).map((p) => c.channel.send(p, RoundType.result, memo, result)));
    progress('done', survivors.length);
    return {
      aggregate,
      ...(release.tensors ? { tensors: release.tensors } : {}),
      ...(decoded ? { statistic: decoded.statistic } : {}),
      ...(decodedProduct ? { product: { exact: decodedProduct.exact, scaleExponent } } : {}),
      report: {
        memo, operation, threat: c.config.threat, dim, ring, ...(product ? { field: { bits: product.field.bits, limbs: product.field.limbs } } : {}), contributors: survivors, dropped: outcome.dropped, misbehaving: outcome.misbehaving,
        bytesReceived: c.channel.bytesReceived - bytesBefore,
        ...(release.clippedElements === undefined ? {} : { clippedElements: release.clippedElements, clippedClients: release.clippedClients }),
        ...(dp ? { dp } : {}),
        timings: { collectMs: outcome.timings.collectMs, recoverMs: outcome.timings.recoverMs, reconstructMs: tDone - tRecover, totalMs: performance.now() - t0, computeMs: outcome.timings.computeMs + (tDone - tRecover) },
      },
    };
  } catch (e) {
    const error = e instanceof ShardwireError ? e : new ShardwireError('E_ABORTED', `round ${memo} failed: ${String(e)}`);
    round.phase = 'aborted';
    progress('aborted', 0);
    await c.journal.aborted(memo, error.code, error.message).catch(() => undefined);
    const body = encodeBody({ memo, code: error.code, message: error.message });
    await Promise.allSettled(participants.filter((p) => c.online.has(p)).map((p) => c.channel.send(p, RoundType.abort, memo, body)));
    throw e;
  } finally {
    if (sum) giveRing(sum);
    o.signal?.removeEventListener('abort', onAbort);
    c.current = undefined;
  }
}

/** Turns the survivors' ring sum into the released aggregate: sum, mean, or Σw·x / Σw. */
function decodeAggregate(c: Coordinator, sum: RingVector, operation: Operation, dim: number, contributors: number, out?: Float64Array): Float64Array {
  const exponent = c.config.smpc.exponent;
  const into = (v: RingVector, divisor: number) => (out ? c.kernel.decodeInto(v, out, { exponent, divisor }) : c.kernel.decode(v, { exponent, divisor }));
  if (operation !== 'weightedMean') return into(sum, operation === 'mean' ? contributors : 1);
  const totalWeight = c.kernel.decode(sum.subarray(dim) as RingVector, { exponent })[0];
  if (!(totalWeight > 0)) throw new ShardwireError('E_BAD_VECTOR', `the contributors' weights sum to ${totalWeight}; a weighted mean needs a positive total`, { totalWeight });
  return into(sum.subarray(0, dim) as RingVector, totalWeight);
}
