/**
 * @module secagg/participant-round
 * One round on a participant (docs/PROTOCOL.md §3–§7): noise first, then (double masking) deal
 * the round's secrets and learn the sharing neighbours, build and send the partial with its
 * attestation or edge commitments, answer the consistency check and the recovery once — checking
 * every request against the rules of secagg/consistency.ts and secagg/recovery.ts — and end with
 * the coordinator's result: resolved only when this participant's input is part of the release.
 */
import { ShardwireError, ERROR_CATALOGUE, type ErrorCode } from '../errors.ts';
import { describe } from '../guards.ts';
import { edgeSeedCommitment, pairMaskSeed } from '../crypto/round-keys.ts';
import type { Kernel } from '../kernel/kernel.ts';
import { addNoise, newNoiseKey } from '../kernel/noise.ts';
import { allocRing, wipeRing, type RealVector, type RingVector } from '../kernel/vectors.ts';
import { toBase64url } from '../wire/base64url.ts';
import { decodeFloat64, encodeBody, parseRoundAbort, parseRoundMembers, parseRoundResult, RoundType, type RoundOpen } from '../session/round-messages.ts';
import { encodeMaskingBody, parseRoundMasks, type RoundMasks } from '../session/masking-messages.ts';
import { PARTIAL_BEGIN, ringBytes } from '../session/partial-payload.ts';
import { chunkBytesFor, parsePartialCredit, PARTIAL_CREDIT, PartialSender } from '../session/partial-stream.ts';
import { giveRing, takeRing } from '../kernel/ring-pool.ts';
import { sealAttestations } from './consistency.ts';
import { Gate } from './gate.ts';
import { holderGraph, type HolderGraph } from './holder-graph.ts';
import { buildPartial } from './partial.ts';
import { buildProductPartial, productPartialLength } from './product.ts';
import { fieldBudget } from '../field-budget.ts';
import { RevealDesk } from './participant-reveal.ts';
import { edgesOf, pairSign, shareThreshold } from './recovery.ts';
import { dealRound, openShareBox, type HeldShares } from './sharing.ts';
import type { ContributionResult, ParticipantContext } from './participant-context.ts';
import { openLayout, releaseOf, tailSum } from '../tensors/round-hooks.ts';
import { releaseSplit, splitTensors } from '../tensors/encode.ts';
import type { Tensor } from '../tensors/spec.ts';
import type { RoundLayout } from '../tensors/layout.ts';
import type { NoisePlan } from '../dp/noise-plan.ts';
import { secureLength } from '../stats/operations.ts';
import { roundNoise } from '../stats/noise.ts';
import { buildStatisticPartial } from '../stats/encode.ts';
import type { RecordBatch } from '../stats/records.ts';

export class ParticipantRound {
  readonly open: RoundOpen;
  readonly #c: ParticipantContext;
  readonly #openedAt: number;
  #masks: RoundMasks | undefined;
  readonly #maskGate = new Gate();
  #members: readonly string[] | undefined;
  readonly #memberGate = new Gate();
  readonly #done = new Gate();
  #result: ContributionResult | undefined;
  /** The coordinator's signed round report from round.result (DP sessions), for the participant's ledger. */
  report: unknown;
  #reveals: RevealDesk | undefined;
  #sender: PartialSender | undefined;
  #startBytes = 0;
  #partialBytes = 0;
  /** This participant's own work in the round (ms), waits excluded. */
  #computeMs = 0;
  #since = 0;
  #layout: RoundLayout | undefined;

  constructor(c: ParticipantContext, open: RoundOpen, openedAt: number) {
    this.#c = c;
    this.open = open;
    this.#openedAt = openedAt;
  }

  get memo(): string {
    return this.open.memo;
  }

  /** Ends the round with `e` wherever it waits. */
  fail(e: ShardwireError): void {
    this.#memberGate.fail(e);
    this.#maskGate.fail(e);
    this.#done.fail(e);
    this.#sender?.fail(e);
    this.#reveals?.wipe();
  }

  /**
   * Contributes `x` and resolves with the round's result once the coordinator releases it.
   * @throws {ShardwireError} E_BAD_VECTOR / E_RING_OVERFLOW for the input; E_INCONSISTENT,
   *   E_BAD_SHARE, E_CRYPTO when the coordinator or a neighbour breaks the protocol; E_DROPPED
   *   when the release leaves this input out; the coordinator's code when it aborts; E_TIMEOUT.
   */
  async contribute(input: RealVector | RecordBatch | readonly Tensor[], weight: number | undefined, timeoutMs: number): Promise<ContributionResult> {
    const { config, kernel, identity } = this.#c;
    const { memo } = this.open;
    // a product's partial is field elements plus its zero channel, staged as a 32-bit-ring vector (secagg/product.ts)
    const field = this.open.operation === 'multiply' ? fieldBudget({ clients: this.open.participants.length, exponent: config.smpc.exponent, elementBound: config.clip.bound }).field : undefined;
    if (field && this.open.fieldLimbs !== field.limbs) throw new ShardwireError('E_CONFIG_MISMATCH', `round ${memo}: the coordinator announced a ${this.open.fieldLimbs}-limb field, the session's bit budget for ${this.open.participants.length} factors needs ${field.limbs}; refusing to contribute`, { memo });
    const ring = field ? 32 : this.open.ring;
    const layout = (this.#layout = openLayout(this.open, config)); // the tail: integer tensors, saturation counts (sum/mean rounds)
    const length = field ? productPartialLength(this.open.dim, field) : layout.length > layout.head ? layout.length : secureLength(this.open.operation, this.open.dim, this.open.edges);
    this.#startBytes = this.#c.bytesSent();
    this.#since = performance.now();
    const masked = config.threat === 'malicious-coordinator';
    const plan = roundNoise(config, this.open); // this round's noise (stats/noise.ts); E_UNSUPPORTED where none is calibrated
    const noise = plan === undefined ? undefined : this.#sampleNoise(length, plan); // DP: no tail, length = the pipeline's head
    const members = masked ? await this.#join(timeoutMs) : this.open.participants;
    const graph = await holderGraph(members, memo, config.smpc.shards);
    const masks = masked ? await this.#doubleMasks(graph, timeoutMs) : this.#edgeMasks(graph);
    const chunkBytes = chunkBytesFor(this.#c.maxPayloadBytes()); // E_FRAME_TOO_LARGE before any work
    const out = takeRing(ring, length); // reused across rounds (kernel/ring-pool.ts)
    try {
      // the float tensors are concatenated just before the kernel pass (one reused copy, zeroed after)
      const split = Array.isArray(input) ? splitTensors(layout, input) : { floats: ('rows' in input ? new Float64Array(0) : input) as RealVector, ints: [] };
      const { floats: x, ints } = split;
      try {
        if (!Array.isArray(input) && 'rows' in input) buildStatisticPartial(kernel, this.open, input, config, { ...(noise ? { noise } : {}), masks }, out);
        else if (field) buildProductPartial(kernel, this.#c.sodium, x, { exponent: config.smpc.exponent, clip: config.clip, field, masks }, out as Uint32Array);
        else buildPartial(kernel, x, { exponent: config.smpc.exponent, ring, clip: config.clip, ...(noise ? { noise } : {}), masks, ...(weight === undefined ? {} : { weight }), tail: { layout, ints } }, out);
      } finally {
        if (Array.isArray(input)) releaseSplit(split, input);
        if (noise) wipeRing(noise);
        for (const s of masks.seeds) s.fill(0);
      }
      // answer at the round's pace, not when sampling ended (config timeouts.paceMs; docs/DP.md "Timing")
      const wait = this.#openedAt + config.timeouts.paceMs - performance.now();
      if (wait > 0) await this.#idle(new Promise((r) => setTimeout(r, wait)));
      await this.#c.beforePartial?.(memo); // the privacy ledger records the round before anything of the partial leaves
      await this.#c.send(PARTIAL_BEGIN, memo, encodeMaskingBody({ memo, bytes: out.byteLength, chunkBytes, ...masks.begin }));
      const before = this.#c.bytesSent();
      const sender = (this.#sender = new PartialSender(memo, ringBytes(out), chunkBytes, {
        send: (body, aad) => this.#c.send(RoundType.partial, memo, body, aad),
        bufferedAmount: () => this.#c.bufferedAmount(),
      }));
      await sender.run(timeoutMs);
      this.#computeMs -= sender.waitedMs; // waiting for the coordinator's credit is not work
      this.#partialBytes = this.#c.bytesSent() - before;
    } finally {
      giveRing(out);
    }
    this.#computeMs += performance.now() - this.#since;
    this.#c.progress(memo, 'sent');
    if (!(await this.#done.wait(timeoutMs))) {
      this.fail(new ShardwireError('E_TIMEOUT', `round ${memo}: no result within ${timeoutMs} ms of sending the partial`, { memo }));
    }
    await this.#done.promise;
    return this.#result!;
  }

  /** Awaits `p` without counting the wait as this participant's work. */
  async #idle<T>(p: Promise<T>): Promise<T> {
    this.#computeMs += performance.now() - this.#since;
    try {
      return await p;
    } finally {
      this.#since = performance.now();
    }
  }

  /** Double masking: say this participant takes part and learn who else does. */
  async #join(timeoutMs: number): Promise<readonly string[]> {
    await this.#c.send(RoundType.join, this.memo, encodeBody({ memo: this.memo }));
    if (!(await this.#idle(this.#memberGate.wait(timeoutMs)))) throw new ShardwireError('E_TIMEOUT', `round ${this.memo}: the member list did not arrive within ${timeoutMs} ms`, { memo: this.memo });
    const members = this.#members!;
    this.#c.progress(this.memo, 'joined');
    const inRound = new Set(this.open.participants);
    if (!members.includes(this.#c.identity.id) || members.some((m) => !inRound.has(m))) throw new ShardwireError('E_INCONSISTENT', `round ${this.memo}: the member list is not a subset of the round's participants that includes this one`, { memo: this.memo });
    if (members.length < this.#c.config.minClients) throw new ShardwireError('E_TOO_FEW_CONTRIBUTORS', `round ${this.memo}: only ${members.length} members, fewer than minClients = ${this.#c.config.minClients}`, { memo: this.memo });
    return members;
  }

  /** Honest-coordinator mode: the session-key edge seeds (−r_{i→j}, +r_{l→i}) and commitments to them. */
  #edgeMasks(graph: HolderGraph) {
    const { keyring, sodium, sessionId, identity } = this.#c;
    const edges = edgesOf(graph, identity.id);
    const seeds = edges.map((e) => keyring.shardSeed(e.from, e.to, this.memo));
    const begin = { edges: edges.map((e, i) => ({ ...e, commitment: toBase64url(edgeSeedCommitment(sodium, sessionId, this.memo, e.from, e.to, seeds[i])) })) };
    this.#reveals = new RevealDesk(this.#c, this.memo, this.open.participants, graph, new Map(), []);
    return { seeds, signs: edges.map((e) => (e.from === identity.id ? -1 : 1) as 1 | -1), begin };
  }

  /** Malicious-coordinator mode: deal the round's secrets, learn the sharers, derive the masks. */
  async #doubleMasks(graph: HolderGraph, timeoutMs: number) {
    const c = this.#c;
    const self = c.identity.id;
    const dealt = await dealRound({ sodium: c.sodium, keyring: c.keyring, sessionId: c.sessionId, configHash: c.configHash, memo: this.memo, graph, ...(c.config.threshold === undefined ? {} : { threshold: c.config.threshold }) });
    const seeds: Uint8Array[] = [];
    const held = new Map<string, HeldShares>();
    try {
      await c.send(RoundType.keys, this.memo, encodeMaskingBody(dealt.message));
      c.progress(this.memo, 'shared');
      if (!(await this.#idle(this.#maskGate.wait(timeoutMs)))) throw new ShardwireError('E_TIMEOUT', `round ${this.memo}: the sharing neighbours did not arrive within ${timeoutMs} ms`, { memo: this.memo });
      const m = this.#masks!;
      const mine = graph.neighbours(self);
      const t = shareThreshold(mine.length, c.config.threshold);
      if (m.neighbours.some((n) => !mine.includes(n.id))) throw new ShardwireError('E_INCONSISTENT', `round ${this.memo}: the coordinator sent keys of parties that are not this participant's neighbours`, { memo: this.memo });
      if (m.neighbours.length < t) throw new ShardwireError('E_INCONSISTENT', `round ${this.memo}: only ${m.neighbours.length} neighbours hold this participant's shares, fewer than its threshold ${t}; refusing to send a thinly masked partial`, { memo: this.memo });
      for (const n of m.neighbours) {
        // the neighbour's masking key comes inside its sealed box: the coordinator cannot swap it
        const shares = await openShareBox(c.sodium, c.keyring, c.sessionId, this.memo, n.id, n.box, n);
        held.set(n.id, shares);
        seeds.push(pairMaskSeed(c.sodium, c.sessionId, this.memo, dealt.maskSecretKey, dealt.maskPublicKey, shares.maskKey));
      }
      const maskedWith = m.neighbours.map((n) => n.id);
      const attestations = await sealAttestations(c.keyring, { sessionId: c.sessionId, configHash: c.configHash, memo: this.memo }, maskedWith);
      this.#reveals = new RevealDesk(c, this.memo, graph.order, graph, held, maskedWith);
      return {
        seeds: [dealt.selfSeed.slice(), ...seeds],
        signs: [1, ...maskedWith.map((j) => pairSign(self, j))] as (1 | -1)[],
        begin: { masked: maskedWith, attestations },
      };
    } catch (e) {
      for (const s of seeds) s.fill(0);
      for (const h of held.values()) (h.self.fill(0), h.mask.fill(0));
      throw e;
    } finally {
      dealt.selfSeed.fill(0);
      dealt.maskSecretKey.fill(0);
    }
  }

  #sampleNoise(length: number, plan: NoisePlan): RingVector {
    const v = allocRing(this.open.ring, length);
    const key = newNoiseKey();
    try {
      addNoise(this.#c.kernel, v, { ...plan.calibration.noise, key });
    } finally {
      key.fill(0);
    }
    this.#c.kernel.clip(v, { norm: 'linf', bound: plan.tail });
    return v;
  }

  /**
   * Handles a coordinator message of this round (decoded JSON, memo already checked).
   * @throws {ShardwireError} when the message breaks the protocol (the round then fails too).
   */
  async onMessage(type: string, body: Record<string, unknown>): Promise<void> {
    try {
      if (type === RoundType.members) {
        if (this.#members) throw new ShardwireError('E_INCONSISTENT', `round ${this.memo}: the member list was sent twice`, { memo: this.memo });
        this.#members = parseRoundMembers(body).members;
        this.#memberGate.open();
      } else if (type === RoundType.masks) {
        if (this.#masks) throw new ShardwireError('E_INCONSISTENT', `round ${this.memo}: the sharing neighbours were sent twice`, { memo: this.memo });
        this.#masks = parseRoundMasks(body);
        this.#maskGate.open();
      } else if (type === RoundType.survivors || type === RoundType.recover) {
        if (!this.#reveals) throw new ShardwireError('E_INCONSISTENT', `round ${this.memo}: ${type} before this participant sent its partial`, { memo: this.memo });
        if (type === RoundType.recover) this.#c.progress(this.memo, 'recover');
        const t0 = performance.now();
        try {
          await this.#reveals.onMessage(type, body);
        } finally {
          this.#computeMs += performance.now() - t0;
        }
      } else if (type === PARTIAL_CREDIT) {
        if (!this.#sender) throw new ShardwireError('E_INCONSISTENT', `round ${this.memo}: upload credit before this participant announced its partial`, { memo: this.memo });
        this.#sender.credit(parsePartialCredit(body).upTo);
      } else if (type === RoundType.result) this.#onResult(body);
      else if (type === RoundType.abort) {
        const a = parseRoundAbort(body);
        this.#c.progress(this.memo, 'aborted');
        const code = (a.code in ERROR_CATALOGUE ? a.code : 'E_ABORTED') as ErrorCode;
        this.fail(new ShardwireError(code, `the coordinator aborted round ${a.memo}: ${a.message}`, { memo: a.memo }));
      } else throw new ShardwireError('E_BAD_PAYLOAD', `unexpected message type ${describe(type)} in round ${this.memo}`);
    } catch (e) {
      if (e instanceof ShardwireError && type !== RoundType.abort) this.fail(e);
      throw e;
    }
  }

  /** A relay `error` frame: a refused chunk of this participant's partial stops its upload. */
  onRelayError(e: ShardwireError): void {
    const ref = e.details.ref as { type?: unknown } | undefined;
    if (this.#sender && ref?.type === RoundType.partial) this.#sender.fail(e);
  }

  #onResult(body: Record<string, unknown>): void {
    const r = parseRoundResult(body);
    this.#reveals?.wipe();
    if (!r.contributors.includes(this.#c.identity.id)) {
      this.#c.progress(this.memo, 'aborted');
      this.fail(new ShardwireError('E_DROPPED', `round ${this.memo} released the sum of ${r.contributors.length} contributors without this participant's input (it arrived late or was excluded)`, { memo: this.memo, contributors: r.contributors.length }));
      return;
    }
    this.#c.progress(this.memo, 'done');
    this.report = r.report;
    const aggregate = r.aggregate === undefined ? undefined : decodeFloat64(r.aggregate);
    const release = aggregate && r.tail !== undefined && this.#layout ? releaseOf(this.#layout, aggregate, tailSum(this.#layout, r.tail)) : {};
    this.#result = { memo: this.memo, contributors: r.contributors, bytesSent: this.#c.bytesSent() - this.#startBytes, partialBytes: this.#partialBytes, computeMs: this.#computeMs, ...(aggregate === undefined ? {} : { aggregate }), ...release };
    this.#done.open();
  }
}
