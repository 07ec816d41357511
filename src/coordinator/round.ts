/**
 * @module coordinator/round
 * One round on the coordinator (DESIGN.md §3–§4): open → collect partials → (if some are
 * missing) commit to the dropped set and collect survivors' seed reveals → reconstruct, decode,
 * release. Fewer than minClients survivors, or a survivor that never reveals, aborts the round
 * and nothing is released.
 */
import { ShardwireError } from '../errors.ts';
import { aint, aobject, aoneOf, describe } from '../guards.ts';
import { computeBitBudget, elementBoundOf } from '../config.ts';
import type { RingVector } from '../kernel/vectors.ts';
import { holderGraph, type HolderGraph } from '../secagg/holder-graph.ts';
import { ID_PATTERN } from '../wire/constants.ts';
import {
  decodeBody, encodeBody, encodeFloat64, OPERATIONS, parseReveal, revealedSeedBytes, ringFromBytes, RoundType,
  type Operation, type RoundOpen,
} from '../session/round-messages.ts';
import { reconstructSum } from '../secagg/reconstruct.ts';
import { releaseOf } from '../dp/noise-plan.ts';
import type { Coordinator } from './coordinator.ts';

/** Options of one round. */
export interface RoundOptions {
  /** Vector length every participant contributes. */
  readonly dim: number;
  /** 'sum' (default) or 'mean' (sum / number of contributors). */
  readonly operation?: Operation;
  /** Round memo (FeatureCloud meaning); auto-generated when omitted; never reused in a session. */
  readonly memo?: string;
  /** Participants to ask (default: every ready participant). */
  readonly participants?: readonly string[];
  /** Send the result to the participants (FeatureCloud broadcast_data). Default false. */
  readonly broadcast?: boolean;
  /** Collection timeout (default: config.timeouts.roundMs). */
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
}

/** What the coordinator learned and released. */
export interface RoundReport {
  readonly memo: string;
  readonly operation: Operation;
  readonly dim: number;
  readonly ring: 32 | 64;
  readonly contributors: readonly string[];
  readonly dropped: readonly string[];
  readonly bytesReceived: number;
  /** Differential privacy of this release (DP sessions). */
  readonly dp?: RoundPrivacy;
  readonly timings: { readonly collectMs: number; readonly recoverMs: number; readonly reconstructMs: number; readonly totalMs: number };
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
  /** Std of the noise in the released aggregate (real units, after the mean's division). */
  readonly expectedNoiseStd: number;
  readonly warnings: readonly string[];
}

export interface RoundResultWithReport {
  readonly aggregate: Float64Array;
  readonly report: RoundReport;
}

/** The live state the coordinator routes messages into. */
export interface RoundState {
  readonly memo: string;
  onMessage(from: string, type: string, memo: string | undefined, body: Uint8Array): Promise<void>;
  onOffline(id: string): void;
  onLinkClosed(): void;
}

function autoMemo(used: ReadonlySet<string>): string {
  for (;;) {
    const hex = Array.from(globalThis.crypto.getRandomValues(new Uint8Array(8)), (b) => b.toString(16).padStart(2, '0')).join('');
    const memo = `r-${hex}`;
    if (!used.has(memo)) return memo;
  }
}

/** A promise with its resolve/reject exposed, plus a timer that rejects it. */
function deferred(): { promise: Promise<void>; resolve(): void; reject(e: ShardwireError): void } {
  let resolve!: () => void, reject!: (e: ShardwireError) => void;
  const promise = new Promise<void>((a, b) => ((resolve = a), (reject = b)));
  promise.catch(() => undefined);
  return { promise, resolve, reject };
}

async function withTimeout(p: Promise<void>, ms: number, onTimeout: () => void): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const t = new Promise<void>((r) => (timer = setTimeout(() => (onTimeout(), r()), ms)));
  try {
    await Promise.race([p, t]);
  } finally {
    clearTimeout(timer);
  }
}

/** Runs one round on coordinator `c` (see {@link Coordinator.runRound}). */
export async function runRound(c: Coordinator, o: RoundOptions): Promise<RoundResultWithReport> {
  const t0 = performance.now();
  aobject(o, 'options');
  const dim = aint(o.dim, 'dim', 0, 2 ** 31);
  const operation = aoneOf(o.operation ?? 'sum', 'operation', OPERATIONS);
  const memo = o.memo ?? autoMemo(c.memos);
  if (typeof memo !== 'string' || !ID_PATTERN.test(memo)) throw new ShardwireError('E_BAD_ARGUMENT', `"memo" expected 1-128 characters of [A-Za-z0-9._:@-], got ${describe(memo)}`);
  if (c.memos.has(memo)) throw new ShardwireError('E_REPLAY', `memo ${memo} was already used in this session; memos are never reused`, { memo });
  const participants = [...(o.participants ?? c.readyParticipants())];
  for (const p of participants) if (!c.bundles.has(p)) throw new ShardwireError('E_NOT_IN_SESSION', `participant ${p} has no verified key bundle (not joined yet)`, { id: p });
  const { minClients } = c.config;
  if (participants.length < minClients) throw new ShardwireError('E_TOO_FEW_CONTRIBUTORS', `${participants.length} participants are ready, fewer than minClients = ${minClients}; nothing was asked or released`, { ready: participants.length, minClients });
  const weighted = operation === 'weightedMean';
  if (weighted && c.noise) throw new ShardwireError('E_UNSUPPORTED', '"weightedMean" is not available in DP sessions in v1: weights scale each client\'s sensitivity; use "mean" or "sum"', { operation });
  const budget = computeBitBudget({ clients: participants.length, exponent: c.config.smpc.exponent, elementBound: elementBoundOf(c.config, weighted), ring: c.config.ring, noiseTail: c.noise?.tail ?? 0n });
  if (c.noise && c.accountant) {
    // refuse before asking anyone: even the fewest releasable contributors must fit the budget
    const worst = c.accountant.preview(releaseOf(c.noise, c.released + 1, minClients, dim));
    if (!worst.withinBudget) throw new ShardwireError('E_BUDGET_EXHAUSTED', `another round would bring the session to ε = ${worst.epsilon} (δ = ${worst.delta}), over its budget ε = ${c.accountant.budget.epsilon}; nothing was asked or released`, { spent: c.accountant.spent().epsilon, wouldBe: worst.epsilon });
  }
  const graph = await holderGraph(participants, memo, c.config.smpc.shards);
  c.memos.add(memo);
  const ring = budget.ring;
  const partials = new Map<string, RingVector>();
  const reveals = new Map<string, { addBack: Uint8Array[]; subtract: Uint8Array[] }>();
  let phase: 'collect' | 'recover' | 'done' = 'collect';
  let dropped: string[] = [];
  let survivors: string[] = [];
  const collected = deferred();
  const revealed = deferred();
  const progress = (p: 'open' | 'collect' | 'recover' | 'reconstruct' | 'done' | 'aborted') => c.notify('progress', { memo, phase: p, received: partials.size, expected: participants.length });
  const abortAll = (e: ShardwireError) => {
    collected.reject(e);
    revealed.reject(e);
  };
  const onAbort = () => abortAll(new ShardwireError('E_ABORTED', `round ${memo} was aborted by the caller`));
  o.signal?.addEventListener('abort', onAbort, { once: true });
  if (o.signal?.aborted) onAbort();

  c.current = {
    memo,
    async onMessage(from, type, msgMemo, body) {
      if (msgMemo !== memo) throw new ShardwireError('E_REPLAY', `${type} from ${from} for memo ${msgMemo}, but the round is ${memo}`);
      if (type === RoundType.partial) {
        if (phase !== 'collect' || !participants.includes(from) || partials.has(from)) throw new ShardwireError('E_REPLAY', `partial from ${from} refused (${phase === 'collect' ? 'duplicate or not asked' : 'after the dropped set was committed'})`);
        partials.set(from, ringFromBytes(body, weighted ? dim + 1 : dim, ring));
        progress('collect');
        // a participant that went offline before this partial arrived will never send one
        if (participants.every((p) => partials.has(p) || !c.online.has(p))) collected.resolve();
      } else if (type === RoundType.reveal) {
        if (phase !== 'recover' || !survivors.includes(from) || reveals.has(from)) throw new ShardwireError('E_REPLAY', `reveal from ${from} refused`);
        reveals.set(from, checkReveal(graph, from, dropped, parseReveal(decodeBody(type, body))));
        if (reveals.size === survivors.length) revealed.resolve();
      } else throw new ShardwireError('E_BAD_PAYLOAD', `unexpected message type ${type} from ${from}`);
    },
    onOffline(id) {
      // heartbeat loss ends a participant's round at once (FEDn/NVFlare semantics)
      if (phase === 'collect' && participants.includes(id) && !partials.has(id) && participants.every((p) => partials.has(p) || !c.online.has(p))) collected.resolve();
      if (phase === 'recover' && survivors.includes(id) && !reveals.has(id)) revealed.reject(new ShardwireError('E_TOO_FEW_CONTRIBUTORS', `survivor ${id} went offline before revealing its seeds; round ${memo} cannot be reconstructed without exposing it, so nothing is released`, { id }));
    },
    onLinkClosed() {
      abortAll(new ShardwireError('E_TIMEOUT', 'the relay connection closed during the round'));
    },
  };
  const abortRound = async (e: ShardwireError): Promise<never> => {
    phase = 'done';
    progress('aborted');
    const body = encodeBody({ memo, code: e.code, message: e.message });
    await Promise.allSettled(participants.filter((p) => c.online.has(p)).map((p) => c.channel.send(p, RoundType.abort, memo, body)));
    throw e;
  };
  try {
    const bytesBefore = c.channel.bytesReceived;
    const roster = participants.map((p) => c.roster.get(p)!);
    const open: RoundOpen = { memo, configHash: c.configHash, participants, roster, bundles: participants.map((p) => c.bundles.get(p)!), operation, dim, ring, broadcast: o.broadcast ?? false };
    progress('open');
    await Promise.all(participants.map((p) => c.channel.send(p, RoundType.open, memo, encodeBody(open))));
    if (participants.every((p) => !c.online.has(p))) collected.resolve();
    await withTimeout(collected.promise, o.timeoutMs ?? c.config.timeouts.roundMs, () => collected.resolve());
    const tCollect = performance.now();
    phase = 'recover';
    survivors = participants.filter((p) => partials.has(p));
    dropped = participants.filter((p) => !partials.has(p));
    if (survivors.length < minClients) {
      return await abortRound(new ShardwireError('E_TOO_FEW_CONTRIBUTORS', `only ${survivors.length} of ${participants.length} partials arrived in round ${memo}, fewer than minClients = ${minClients}; nothing was released`, { contributors: survivors.length, minClients, dropped }));
    }
    if (dropped.length > 0) {
      const gone = survivors.filter((p) => !c.online.has(p));
      if (gone.length > 0) {
        // without double masking, a survivor's seeds cannot be recovered without exposing its input
        return await abortRound(new ShardwireError('E_TOO_FEW_CONTRIBUTORS', `survivors ${gone.join(', ')} went offline before revealing dropout seeds; round ${memo} cannot be reconstructed, nothing was released`, { gone, dropped }));
      }
      progress('recover');
      const body = encodeBody({ memo, dropped, survivors });
      await Promise.all(survivors.map((p) => c.channel.send(p, RoundType.recover, memo, body)));
      let late = false;
      await withTimeout(revealed.promise, c.config.timeouts.revealMs, () => (late = true));
      if (late) return await abortRound(new ShardwireError('E_TIMEOUT', `${survivors.length - reveals.size} survivors did not reveal their dropout seeds within ${c.config.timeouts.revealMs} ms; round ${memo} cannot be reconstructed, nothing was released`, { missing: survivors.filter((s) => !reveals.has(s)) }));
    } else revealed.resolve();
    await revealed.promise;
    const tRecover = performance.now();
    progress('reconstruct');
    const addBack = [...reveals.values()].flatMap((r) => r.addBack);
    const subtract = [...reveals.values()].flatMap((r) => r.subtract);
    const sum = reconstructSum(c.kernel, survivors.map((p) => partials.get(p)!), { addBack, subtract });
    for (const s of [...addBack, ...subtract]) s.fill(0);
    let dp: RoundPrivacy | undefined;
    if (c.noise && c.accountant) {
      const rec = c.accountant.record(releaseOf(c.noise, c.released + 1, survivors.length, dim)); // E_BUDGET_EXHAUSTED → abort, nothing released
      const divisor = (operation === 'mean' ? survivors.length : 1) * 10 ** c.config.smpc.exponent;
      dp = {
        mechanism: c.noise.calibration.mechanism, mode: c.noise.calibration.mode,
        epsilonRound: rec.epsilon, epsilonTotal: rec.cumulative.epsilon, delta: rec.cumulative.delta, budget: c.accountant.budget,
        expectedNoiseStd: (c.noise.clientStdInt * Math.sqrt(survivors.length)) / divisor,
        warnings: rec.warnings,
      };
      c.released++;
    }
    const aggregate = decodeAggregate(c, sum, operation, dim, survivors.length);
    phase = 'done';
    const tDone = performance.now();
    if (o.broadcast) {
      const body = encodeBody({ memo, contributors: survivors, aggregate: encodeFloat64(aggregate) });
      await Promise.allSettled(participants.filter((p) => c.online.has(p)).map((p) => c.channel.send(p, RoundType.result, memo, body)));
    }
    progress('done');
    return {
      aggregate,
      report: {
        memo, operation, dim, ring, contributors: survivors, dropped,
        bytesReceived: c.channel.bytesReceived - bytesBefore,
        ...(dp ? { dp } : {}),
        timings: { collectMs: tCollect - t0, recoverMs: tRecover - tCollect, reconstructMs: tDone - tRecover, totalMs: performance.now() - t0 },
      },
    };
  } catch (e) {
    if (phase !== 'done' && e instanceof ShardwireError) return await abortRound(e);
    throw e;
  } finally {
    o.signal?.removeEventListener('abort', onAbort);
    c.current = undefined;
  }
}

/** Turns the survivors' ring sum into the released aggregate: sum, mean, or Σw·x / Σw. */
function decodeAggregate(c: Coordinator, sum: RingVector, operation: Operation, dim: number, contributors: number): Float64Array {
  const exponent = c.config.smpc.exponent;
  if (operation !== 'weightedMean') return c.kernel.decode(sum, { exponent, divisor: operation === 'mean' ? contributors : 1 });
  const totalWeight = c.kernel.decode(sum.subarray(dim) as RingVector, { exponent })[0];
  if (!(totalWeight > 0)) throw new ShardwireError('E_BAD_VECTOR', `the contributors' weights sum to ${totalWeight}; a weighted mean needs a positive total`, { totalWeight });
  return c.kernel.decode(sum.subarray(0, dim) as RingVector, { exponent, divisor: totalWeight });
}

/** Checks that a survivor revealed exactly its edges with the dropped set, and splits them. */
function checkReveal(graph: HolderGraph, from: string, dropped: readonly string[], r: { seeds: readonly { from: string; to: string; seed: string }[] }): { addBack: Uint8Array[]; subtract: Uint8Array[] } {
  const expected = new Set<string>();
  for (const j of graph.holdersOf(from)) if (dropped.includes(j)) expected.add(`${from}>${j}`);
  for (const l of graph.heldBy(from)) if (dropped.includes(l)) expected.add(`${l}>${from}`);
  const got = new Set(r.seeds.map((s) => `${s.from}>${s.to}`));
  if (got.size !== r.seeds.length || got.size !== expected.size || [...got].some((e) => !expected.has(e))) {
    throw new ShardwireError('E_BAD_PAYLOAD', `reveal from ${from} does not list exactly its ${expected.size} edges with dropped participants`, { from });
  }
  const addBack: Uint8Array[] = [];
  const subtract: Uint8Array[] = [];
  for (const s of r.seeds) (s.from === from ? addBack : subtract).push(revealedSeedBytes(s));
  return { addBack, subtract };
}

