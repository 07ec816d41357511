/**
 * @module secagg/coordinator-round
 * One round on the coordinator as a state machine (docs/PROTOCOL.md §3–§7):
 *
 *   open → [join → share] → collect → [consent] → recover → reconstruct → done   ([…]: double masking)
 *
 * The coordinator drives it through a narrow {@link RoundHost} (send, presence, identity keys);
 * message handlers only record what arrived and open the phase's gate. Whether a frame fits the
 * current phase is decided by {@link CoordinatorRound.accepts} from its header alone, before any
 * byte is decrypted: a late, duplicate or unasked partial is never opened.
 */
import { ShardwireError } from '../errors.ts';
import type { SessionConfig } from '../config.ts';
import type { Kernel } from '../kernel/kernel.ts';
import type { RingBits, RingVector } from '../kernel/vectors.ts';
import { giveRing } from '../kernel/ring-pool.ts';
import type { Sodium } from '../sodium.ts';
import { decodeBody, encodeBody, parseReveal, RoundType, type RevealedSeed } from '../session/round-messages.ts';
import {
  encodeMaskingBody, parseRoundConsent, parseRoundKeys, parseShareReveal, type RevealedShare, type RoundKeys,
} from '../session/masking-messages.ts';
import { PARTIAL_BEGIN, parsePartialBegin, type PartialBegin } from '../session/partial-payload.ts';
import { PARTIAL_CREDIT } from '../session/partial-stream.ts';
import { Gate } from './gate.ts';
import { holderGraph, type HolderGraph } from './holder-graph.ts';
import { PartialCollector } from './partial-sum.ts';
import { edgesOf, viableSharers } from './recovery.ts';
import { edgeCorrections, maskedCorrections, type Corrections } from './unmask.ts';
import { checkProductPartial, foldProduct, unmaskProduct } from './product.ts';
import type { PrimeField } from '../kernel/field.ts';

/** What the round needs from the coordinator. */
export interface RoundHost {
  readonly sessionId: string;
  readonly configHash: string;
  readonly config: SessionConfig;
  readonly kernel: Kernel;
  readonly sodium: Sodium;
  /** Seals `body` to `to` and sends it as a `type` message of this round. */
  send(to: string, type: string, body: Uint8Array): Promise<void>;
  isOnline(id: string): boolean;
  /** The Ed25519 identity key of a roster member. */
  identityKey(id: string): Uint8Array;
  progress(phase: CoordinatorPhase, received: number, expected: number): void;
  /** Largest payload the relay routes in this session (bounds the upload credit). */
  readonly maxPayloadBytes: number;
  /** A message or stream of `from` was refused (it is then treated as dropped). */
  refused?(from: string, type: string, e: ShardwireError): void;
}

/** What the round is about. */
export interface RoundPlan {
  readonly memo: string;
  readonly participants: readonly string[];
  readonly shards: number;
  /** The encoded `round.open` body. */
  readonly openBody: Uint8Array;
  /** Ring elements per partial (dim, + 1 for a weighted mean). */
  readonly length: number;
  readonly ring: RingBits;
  /** Close the collection as soon as this many partials arrived (double masking: the join phase too, at this many joined). */
  readonly bufferSize?: number;
  /** How long the share phase (double masking) and the collection of partials wait. */
  readonly shareMs: number;
  readonly collectMs: number;
  /** A streamed partial with no chunk for this long is dropped (default 30 s, at most collectMs). */
  readonly stallMs?: number;
  /** A product round: partials are multiplied in this field (secagg/product.ts; length and ring describe the staged vector). */
  readonly product?: { readonly field: PrimeField; readonly dim: number };
}

export type CoordinatorPhase = 'open' | 'join' | 'share' | 'collect' | 'consent' | 'recover' | 'reconstruct' | 'done' | 'aborted';

/** What a round produced. */
export interface RoundOutcome {
  readonly sum: RingVector;
  readonly survivors: readonly string[];
  readonly dropped: readonly string[];
  /** Parties whose messages broke the protocol and were set aside. */
  readonly misbehaving: readonly string[];
  readonly timings: { readonly collectMs: number; readonly recoverMs: number; readonly computeMs: number };
}

function tooFew(memo: string, message: string, details: Record<string, unknown>): ShardwireError {
  return new ShardwireError('E_TOO_FEW_CONTRIBUTORS', `round ${memo}: ${message}; nothing was released`, { memo, ...details });
}

export class CoordinatorRound {
  phase: CoordinatorPhase = 'open';
  readonly #host: RoundHost;
  readonly #plan: RoundPlan;
  readonly #masked: boolean;
  /** Who takes part: everyone asked (single masking) or those who joined (double masking). */
  #members: readonly string[];
  #graph: HolderGraph | undefined;
  readonly #joined = new Set<string>();
  readonly #keys = new Map<string, RoundKeys>();
  #sharers = new Set<string>();
  readonly #begins = new Map<string, PartialBegin>();
  #collector: PartialCollector | undefined;
  #survivors: string[] = [];
  readonly #consents = new Map<string, Uint8Array>();
  readonly #shareReveals = new Map<string, readonly RevealedShare[]>();
  readonly #seedReveals = new Map<string, readonly RevealedSeed[]>();
  #gate = new Gate();
  #failure: ShardwireError | undefined;
  #computeMs = 0;

  constructor(host: RoundHost, plan: RoundPlan) {
    this.#host = host;
    this.#plan = plan;
    this.#masked = host.config.threat === 'malicious-coordinator';
    this.#members = plan.participants;
  }

  get memo(): string {
    return this.#plan.memo;
  }

  /** Whether a `type` frame from `from` fits the current phase (decided before decryption). */
  accepts(from: string, type: string): boolean {
    switch (type) {
      case RoundType.join: return this.phase === 'join' && this.#plan.participants.includes(from) && !this.#joined.has(from) && !this.#bufferFull(this.#joined.size);
      case RoundType.keys: return this.phase === 'share' && this.#members.includes(from) && !this.#keys.has(from);
      case PARTIAL_BEGIN: return this.phase === 'collect' && this.#eligible(from) && !this.#begins.has(from);
      case RoundType.partial:
        return this.phase === 'collect' && this.#collector !== undefined && this.#collector.accepts(from) && !this.#bufferFull(this.#received());
      case RoundType.consent: return this.phase === 'consent' && this.#sharers.has(from) && !this.#consents.has(from);
      case RoundType.reveal:
        return this.phase === 'recover' && !this.#shareReveals.has(from) && !this.#seedReveals.has(from) && (this.#masked ? this.#consents.has(from) : this.#survivors.includes(from));
      default: return false;
    }
  }

  /** Whether `count` arrivals reach the plan's bufferSize. */
  #bufferFull(count: number): boolean {
    return this.#plan.bufferSize !== undefined && count >= this.#plan.bufferSize;
  }

  #received(): number {
    return this.#collector?.completed ?? 0;
  }

  /** Associated data a `type` frame of `from` binds besides its header (a partial's chunk position). */
  extraAad(from: string, type: string): Uint8Array | undefined {
    return type === RoundType.partial ? this.#collector?.chunkAad(from) : undefined;
  }

  /** A frame of `from` that fitted the phase did not open: a broken partial stream is dropped. */
  onRefused(from: string, type: string, e: ShardwireError): void {
    if (type !== RoundType.partial || !this.#collector) return;
    this.#collector.fail(from, e);
    this.#check();
  }

  #eligible(id: string): boolean {
    return this.#masked ? this.#sharers.has(id) : this.#members.includes(id);
  }

  /** Handles an accepted, decrypted message. @throws {ShardwireError} when it is malformed or does not verify (it is then ignored). */
  async onMessage(from: string, type: string, body: Uint8Array): Promise<void> {
    if (type === RoundType.partial) return this.#onPartial(from, body);
    const o = decodeBody(type, body);
    if (o.memo !== this.memo) throw new ShardwireError('E_REPLAY', `${type} from ${from}: body memo ${String(o.memo)} is not round ${this.memo}`);
    if (type === RoundType.join) {
      this.#joined.add(from);
      return this.#check();
    }
    if (type === RoundType.keys) return this.#onKeys(from, parseRoundKeys(o));
    if (type === PARTIAL_BEGIN) return this.#onBegin(from, parsePartialBegin(o));
    // consents are verified by the participants, who count only valid ones (the coordinator only relays them)
    if (type === RoundType.consent) this.#consents.set(from, parseRoundConsent(o).signature);
    else if (type === RoundType.reveal) {
      if (this.#masked) this.#shareReveals.set(from, parseShareReveal(o).shares);
      else this.#seedReveals.set(from, parseReveal(o).seeds);
    }
    this.#check();
  }

  async #onKeys(from: string, k: RoundKeys): Promise<void> {
    const holders = this.#graph!.neighbours(from);
    if (k.shares.length !== holders.length || holders.some((h) => !k.shares.some((s) => s.to === h))) {
      throw new ShardwireError('E_BAD_PAYLOAD', `round ${this.memo}: ${from} did not deal exactly one share box to each of its ${holders.length} neighbours`, { from });
    }
    this.#keys.set(from, k);
    this.#check();
  }

  async #onBegin(from: string, b: PartialBegin): Promise<void> {
    const bytes = this.#plan.length * (this.#plan.ring / 8);
    if (b.bytes !== bytes) throw new ShardwireError('E_BAD_VECTOR', `round ${this.memo}: ${from} announced a partial of ${b.bytes} bytes, expected ${bytes}`, { from });
    const g = this.#graph!;
    if (this.#masked) {
      const expected = g.neighbours(from).filter((j) => this.#sharers.has(j));
      const same = (ids: readonly string[] | undefined) => ids !== undefined && ids.length === expected.length && expected.every((j) => ids.includes(j));
      if (!same(b.masked) || !same(b.attestations?.map((a) => a.id))) {
        throw new ShardwireError('E_INCONSISTENT', `round ${this.memo}: ${from} masked with (or attested to) other neighbours than it was sent`, { from });
      }
    } else {
      const edges = edgesOf(g, from);
      if (!b.edges || b.edges.length !== edges.length || edges.some((e) => !b.edges!.some((c) => c.from === e.from && c.to === e.to))) {
        throw new ShardwireError('E_BAD_PAYLOAD', `round ${this.memo}: ${from} did not commit to exactly its ${edges.length} edge seeds`, { from });
      }
    }
    this.#collector!.begin(from, b.chunkBytes);
    this.#begins.set(from, b);
  }

  #onPartial(from: string, body: Uint8Array): void {
    const before = this.#received();
    this.#collector!.onChunk(from, body);
    if (this.#received() !== before) this.#host.progress('collect', this.#received(), this.#members.length);
    this.#check();
  }

  /** Adds the coordinator's time spent on one of this round's messages (decrypting and handling it). */
  addWork(ms: number): void {
    this.#computeMs += ms;
  }

  /** A participant went offline: the phase may be complete now. */
  onOffline(): void {
    this.#check();
  }

  /** Stops the round (caller's abort, relay link lost): the phase in progress fails with `e`. */
  fail(e: ShardwireError): void {
    this.#failure ??= e;
    this.#gate.fail(e);
  }

  /** Opens the current phase's gate once nothing more can arrive in it. */
  #check(): void {
    const online = (id: string) => this.#host.isOnline(id);
    const all = (ids: Iterable<string>, done: (id: string) => boolean) => [...ids].every((id) => done(id) || !online(id));
    let complete = false;
    // bufferSize: the first K to join are the round's members (a participant joins when its input is ready)
    if (this.phase === 'join') complete = this.#bufferFull(this.#joined.size) || all(this.#plan.participants, (p) => this.#joined.has(p));
    else if (this.phase === 'share') complete = all(this.#members, (p) => this.#keys.has(p));
    else if (this.phase === 'collect') {
      const c = this.#collector!;
      for (const p of this.#members) if (!online(p)) c.onOffline(p);
      complete = this.#bufferFull(this.#received()) || all(this.#members.filter((p) => this.#eligible(p)), (p) => c.settled(p));
    } else if (this.phase === 'consent') complete = all(this.#sharers, (s) => this.#consents.has(s));
    else if (this.phase === 'recover') {
      complete = this.#masked ? all(this.#consents.keys(), (s) => this.#shareReveals.has(s)) : this.#survivors.every((s) => this.#seedReveals.has(s));
      const gone = this.#masked ? [] : this.#survivors.filter((s) => !this.#seedReveals.has(s) && !online(s));
      if (gone.length > 0) {
        this.fail(tooFew(this.memo, `survivors ${gone.join(', ')} went offline before revealing their seeds; without double masking their partials cannot be unmasked without exposing them`, { gone }));
      }
    }
    if (complete && !this.#gate.settled) this.#gate.open();
  }

  async #phase(phase: CoordinatorPhase, ms: number): Promise<boolean> {
    if (this.#failure) throw this.#failure;
    this.phase = phase;
    this.#gate = new Gate();
    this.#host.progress(phase, this.#received(), this.#members.length);
    this.#check();
    return this.#gate.wait(ms);
  }

  /**
   * Runs the round to its reconstructed ring sum.
   * @throws {ShardwireError} E_TOO_FEW_CONTRIBUTORS, E_TIMEOUT, E_BAD_SHARE (naming the sender),
   *   E_ABORTED: nothing is released.
   */
  async run(): Promise<RoundOutcome> {
    const { config } = this.#host;
    const { memo, participants } = this.#plan;
    const t0 = performance.now();
    let sum: RingVector | undefined;
    try {
      await Promise.all(participants.map((p) => this.#host.send(p, RoundType.open, this.#plan.openBody)));
      if (this.#masked) {
        // who takes part is fixed first, so that a party absent from the start costs nobody a holder
        await this.#phase('join', this.#plan.shareMs);
        this.#members = participants.filter((p) => this.#joined.has(p));
        if (this.#members.length < config.minClients) throw tooFew(memo, `only ${this.#members.length} of ${participants.length} participants joined, fewer than minClients = ${config.minClients}`, { joined: this.#members.length });
        const membersBody = encodeBody({ memo, members: this.#members });
        await Promise.all(this.#members.map((p) => this.#host.send(p, RoundType.members, membersBody)));
      }
      const graph = (this.#graph = await holderGraph(this.#members, memo, this.#plan.shards));
      if (this.#masked) {
        await this.#phase('share', this.#plan.shareMs);
        this.#sharers = viableSharers(graph, this.#keys.keys(), config.threshold);
        if (this.#sharers.size < config.minClients) throw tooFew(memo, `only ${this.#sharers.size} participants shared their masking secrets with enough neighbours, fewer than minClients = ${config.minClients}`, { sharers: this.#sharers.size });
        await Promise.all([...this.#sharers].map((id) => this.#host.send(id, RoundType.masks, this.#masksFor(id))));
      }
      const host = this.#host;
      const product = this.#plan.product;
      this.#collector = new PartialCollector({
        kernel: host.kernel,
        grant: (to, upTo) => void host.send(to, PARTIAL_CREDIT, encodeBody({ memo, upTo })).catch(() => undefined),
        broken: (from, e) => host.refused?.(from, RoundType.partial, e),
        ...(product ? {
          fold: (acc: RingVector, partial: RingVector) => foldProduct(host.kernel, product.field, product.dim, acc, partial),
          check: (partial: RingVector) => checkProductPartial(host.kernel, product.field, product.dim, partial),
        } : {}),
      }, { memo, length: this.#plan.length, ring: this.#plan.ring, graph, queueBytes: host.maxPayloadBytes, stallMs: this.#plan.stallMs ?? Math.min(30_000, this.#plan.collectMs) });
      await this.#phase('collect', this.#plan.collectMs);
      const tCollect = performance.now();
      // the sum holds one connected group (partial-sum.ts); completed partials outside it were left out
      const { sum: collected, members, leftOut } = this.#collector.finish();
      sum = collected;
      if (leftOut.length > 0 && !this.#masked) {
        throw tooFew(memo, `the ${members.length + leftOut.length} survivors split into groups with no masks between them; releasing their sum would expose each group's sum`, { leftOut });
      }
      // under double masking a group left out is safely treated as dropped: its self-masks are never revealed
      this.#survivors = members;
      if (this.#survivors.length < config.minClients) {
        throw tooFew(memo, `only ${this.#survivors.length} of ${participants.length} partials can be released together, fewer than minClients = ${config.minClients}`, { contributors: this.#survivors.length });
      }
      const dropped = participants.filter((p) => !this.#survivors.includes(p));
      const corrections = this.#masked ? await this.#unmask() : await this.#recoverEdges(dropped);
      this.phase = 'reconstruct';
      this.#host.progress('reconstruct', this.#survivors.length, participants.length);
      const tSum = performance.now();
      if (corrections.seeds.length > 0 && product) unmaskProduct(host.kernel, host.sodium, product.field, product.dim, sum, corrections.seeds, corrections.signs);
      else if (corrections.seeds.length > 0) host.kernel.expandMasks(sum, corrections.seeds, corrections.signs);
      for (const s of corrections.seeds) s.fill(0);
      const tEnd = performance.now();
      this.#computeMs += tEnd - tSum;
      const outcome = { sum, survivors: this.#survivors, dropped, misbehaving: corrections.misbehaving, timings: { collectMs: tCollect - t0, recoverMs: tEnd - tCollect, computeMs: this.#computeMs } };
      sum = undefined; // the caller owns it now
      return outcome;
    } finally {
      this.#collector?.dispose();
      if (sum) giveRing(sum);
    }
  }

  #masksFor(id: string): Uint8Array {
    const neighbours = this.#graph!.neighbours(id).filter((j) => this.#sharers.has(j)).map((j) => {
      const k = this.#keys.get(j)!;
      const share = k.shares.find((s) => s.to === id)!;
      return { id: j, box: share.box, commitSelf: share.commitSelf, commitMask: share.commitMask };
    });
    return encodeMaskingBody({ memo: this.memo, neighbours });
  }

  async #unmask(): Promise<Corrections> {
    const { config } = this.#host;
    const sharers = [...this.#sharers];
    const survivorSet = new Set(this.#survivors);
    // every sharer still online helps — a left-out one too: its own self-mask is never revealed.
    // Each gets the attestations its surviving neighbours sealed to it.
    await Promise.all(sharers.filter((h) => this.#host.isOnline(h)).map((h) => {
      const attestations = this.#graph!.neighbours(h).filter((s) => survivorSet.has(s)).map((s) => ({ id: s, box: this.#begins.get(s)!.attestations!.find((a) => a.id === h)!.box }));
      return this.#host.send(h, RoundType.survivors, encodeMaskingBody({ memo: this.memo, sharers, survivors: this.#survivors, attestations }));
    }));
    await this.#phase('consent', config.timeouts.revealMs);
    if (this.#consents.size < config.minClients) {
      throw tooFew(this.memo, `only ${this.#consents.size} participants signed the survivor set, fewer than minClients = ${config.minClients}`, { signers: this.#consents.size });
    }
    const consents = [...this.#consents].map(([id, signature]) => ({ id, signature }));
    const recoverBody = encodeMaskingBody({ memo: this.memo, sharers, survivors: this.#survivors, consents });
    await Promise.all([...this.#consents.keys()].map((s) => this.#host.send(s, RoundType.recover, recoverBody)));
    await this.#phase('recover', config.timeouts.revealMs);
    const t0 = performance.now();
    try {
      return this.#maskedCorrections();
    } finally {
      this.#computeMs += performance.now() - t0;
    }
  }

  #maskedCorrections(): Corrections {
    const { config } = this.#host;
    return maskedCorrections({
      sodium: this.#host.sodium, sessionId: this.#host.sessionId, memo: this.memo, graph: this.#graph!,
      ...(config.threshold === undefined ? {} : { threshold: config.threshold }),
      sharers: this.#sharers, survivors: new Set(this.#survivors), keys: this.#keys,
      masked: new Map(this.#survivors.map((s) => [s, this.#begins.get(s)!.masked!])), reveals: this.#shareReveals,
    });
  }

  async #recoverEdges(dropped: readonly string[]): Promise<Corrections> {
    if (dropped.length === 0) return { seeds: [], signs: [], misbehaving: [] };
    const gone = this.#survivors.filter((s) => !this.#host.isOnline(s));
    if (gone.length > 0) throw tooFew(this.memo, `survivors ${gone.join(', ')} went offline before revealing their seeds; without double masking their partials cannot be unmasked without exposing them`, { gone, dropped });
    const body = encodeBody({ memo: this.memo, dropped, survivors: this.#survivors });
    await Promise.all(this.#survivors.map((s) => this.#host.send(s, RoundType.recover, body)));
    if (!(await this.#phase('recover', this.#host.config.timeouts.revealMs))) {
      const missing = this.#survivors.filter((s) => !this.#seedReveals.has(s));
      throw new ShardwireError('E_TIMEOUT', `round ${this.memo}: ${missing.length} survivors did not reveal their dropout seeds within ${this.#host.config.timeouts.revealMs} ms; nothing was released`, { memo: this.memo, missing });
    }
    const t0 = performance.now();
    const corrections = edgeCorrections({
      sodium: this.#host.sodium, sessionId: this.#host.sessionId, memo: this.memo, graph: this.#graph!, dropped: new Set(dropped),
      commitments: new Map(this.#survivors.map((s) => [s, this.#begins.get(s)!.edges!])), reveals: this.#seedReveals,
    });
    this.#computeMs += performance.now() - t0;
    return corrections;
  }
}
