// A rogue coordinator for adversarial tests. It holds a real session (relay, roster, verified
// bundles: what a malicious coordinator really has) and takes over the round logic: it sends any
// message it likes to any participant, keeps every message it decrypts, and then tries, with
// everything it collected, to unmask one victim's partial — which must fail under double masking.
import type { Coordinator } from '../../src/coordinator/coordinator.ts';
import { getSodium } from '../../src/sodium.ts';
import { maskPublicKeyOf, pairMaskSeed, selfMaskCommitment, shareCommitment } from '../../src/crypto/round-keys.ts';
import type { RingVector } from '../../src/kernel/vectors.ts';
import { encodeBody, parseRoundOpen, parseReveal, revealedSeedBytes, RoundType, type RoundOpen } from '../../src/session/round-messages.ts';
import {
  encodeMaskingBody, parseRoundKeys, parseShareReveal, type RevealedShare, type RoundKeys,
} from '../../src/session/masking-messages.ts';
import { parsePartialBegin, ringFromBytes, type PartialBegin } from '../../src/session/partial-payload.ts';
import { chunkAad, chunkCount, PARTIAL_CREDIT } from '../../src/session/partial-stream.ts';
import { holderGraph, type HolderGraph } from '../../src/secagg/holder-graph.ts';
import { pairSign, shareThreshold, shareX } from '../../src/secagg/recovery.ts';
import { shamirCombine } from '../../src/secagg/shamir.ts';
import { decodeBody } from '../../src/session/round-messages.ts';


/** Everything a participant sent in one round, decrypted. */
export class Rogue {
  readonly c: Coordinator;
  readonly memo: string;
  phase = 'rogue';
  /** type → sender → every decrypted body, in arrival order. */
  readonly got = new Map<string, Map<string, Uint8Array[]>>();
  #waiters: (() => void)[] = [];
  readonly #streams = new Map<string, { bytes: number; chunkBytes: number; total: number; parts: Uint8Array[] }>();
  open!: RoundOpen;
  members: readonly string[] = [];
  graph!: HolderGraph;

  constructor(c: Coordinator, memo: string) {
    this.c = c;
    this.memo = memo;
    c.current = this as never; // the session now routes every decrypted frame here
  }

  accepts(): boolean {
    return true;
  }

  async onMessage(from: string, type: string, body: Uint8Array): Promise<void> {
    const stream = type === RoundType.partial ? this.#streams.get(from) : undefined;
    if (stream) {
      // chunks of a streamed partial: kept whole once the last one arrived
      stream.parts.push(body.slice());
      if (stream.parts.length < stream.total) return;
      const whole = new Uint8Array(stream.parts.reduce((n, p) => n + p.length, 0));
      let at = 0;
      for (const p of stream.parts) (whole.set(p, at), (at += p.length));
      body = whole;
    }
    if (!this.got.has(type)) this.got.set(type, new Map());
    const byFrom = this.got.get(type)!;
    byFrom.set(from, [...(byFrom.get(from) ?? []), body.slice()]);
    if (type === 'partial.begin') {
      const b = parsePartialBegin(decodeBody(type, body));
      const total = chunkCount(b.bytes, b.chunkBytes);
      this.#streams.set(from, { bytes: b.bytes, chunkBytes: b.chunkBytes, total, parts: [] });
      await this.send(from, PARTIAL_CREDIT, encodeBody({ memo: this.memo, upTo: total })); // credit it all at once
    }
    for (const w of this.#waiters.splice(0)) w();
  }

  /** A partial chunk's associated data: the rogue expects chunks in order, like the real coordinator. */
  extraAad(from: string, type: string): Uint8Array | undefined {
    const s = this.#streams.get(from);
    return type === RoundType.partial && s ? chunkAad(s.parts.length, s.total, s.bytes, s.chunkBytes) : undefined;
  }

  onRefused(): void {}
  onOffline(): void {}
  fail(): void {}

  /** The first body of `type` from `from`. */
  body(type: string, from: string): Uint8Array | undefined {
    return this.got.get(type)?.get(from)?.[0];
  }

  /** Resolves once every id in `from` sent a `type` (or after `ms`). */
  async waitAll(type: string, from: readonly string[], ms = 5000): Promise<void> {
    const end = Date.now() + ms;
    while (!from.every((id) => this.body(type, id)) && Date.now() < end) {
      await new Promise<void>((r) => {
        const t = setTimeout(r, 50);
        this.#waiters.push(() => (clearTimeout(t), r()));
      });
    }
  }

  send(to: string, type: string, body: Uint8Array): Promise<void> {
    return this.c.channel.send(to, type, this.memo, body);
  }

  /** Opens the round to `participants` (a real round.open). */
  async start(participants: readonly string[], dim: number, over: Record<string, unknown> = {}): Promise<void> {
    const c = this.c;
    this.open = parseRoundOpen(JSON.parse(JSON.stringify({
      memo: this.memo, configHash: c.configHash, participants, roster: participants.map((p) => c.roster.get(p)!),
      bundles: participants.map((p) => c.bundles.get(p)!), operation: 'sum', dim, ring: 32, broadcast: false, ...over,
    })));
    const reachable = participants.filter((p) => this.c.channel.keyring.hasPeer(p));
    await Promise.all(reachable.map((p) => this.send(p, RoundType.open, encodeBody(this.open))));
  }

  /** Double masking: waits for the joins, fixes the members, collects the keys, forwards the boxes. */
  async share(): Promise<void> {
    const all = this.open.participants;
    await this.waitAll(RoundType.join, all);
    this.members = all.filter((p) => this.body(RoundType.join, p));
    this.graph = await holderGraph(this.members, this.memo, this.c.config.smpc.shards);
    await Promise.all(this.members.map((p) => this.send(p, RoundType.members, encodeBody({ memo: this.memo, members: this.members }))));
    await this.waitAll(RoundType.keys, this.members);
    for (const id of this.members) {
      const neighbours = this.graph.neighbours(id).map((j) => {
        const s = this.keys(j).shares.find((x) => x.to === id)!;
        return { id: j, box: s.box, commitSelf: s.commitSelf, commitMask: s.commitMask };
      });
      await this.send(id, RoundType.masks, encodeMaskingBody({ memo: this.memo, neighbours }));
    }
    await this.waitAll(RoundType.partial, this.members);
  }

  keys(id: string): RoundKeys {
    return parseRoundKeys(decodeBody(RoundType.keys, this.body(RoundType.keys, id)!));
  }

  begin(id: string): PartialBegin {
    return parsePartialBegin(decodeBody('partial.begin', this.body('partial.begin', id)!));
  }

  partial(id: string): RingVector {
    return ringFromBytes(this.body(RoundType.partial, id)!.slice(), this.open.dim, 32);
  }

  /** Sends `round.survivors` (members = sharers) with the attestations each recipient needs. */
  async statement(to: readonly string[], survivors: readonly string[]): Promise<void> {
    const set = new Set(survivors);
    await Promise.all(to.map((h) => {
      const attestations = this.graph.neighbours(h).filter((s) => set.has(s)).map((s) => ({ id: s, box: this.begin(s).attestations!.find((a) => a.id === h)!.box }));
      return this.send(h, RoundType.survivors, encodeMaskingBody({ memo: this.memo, sharers: this.members, survivors, attestations }));
    }));
  }

  /** Sends `round.recover` for `survivors` to `to`, with the consents collected from `signers`. */
  async recover(to: readonly string[], survivors: readonly string[], signers: readonly string[]): Promise<void> {
    const consents = signers.filter((s) => this.body(RoundType.consent, s)).map((s) => ({ id: s, signature: (decodeBody(RoundType.consent, this.body(RoundType.consent, s)!) as { signature: string }).signature }));
    const body = new TextEncoder().encode(JSON.stringify({ memo: this.memo, sharers: this.members, survivors, consents }));
    await Promise.all(to.map((h) => this.send(h, RoundType.recover, body)));
  }

  /** Every share revealed to the rogue, over all reveals it received. */
  shares(): { holder: string; share: RevealedShare }[] {
    const out: { holder: string; share: RevealedShare }[] = [];
    for (const [holder, bodies] of this.got.get(RoundType.reveal) ?? []) {
      for (const b of bodies) for (const share of parseShareReveal(decodeBody(RoundType.reveal, b)).shares) out.push({ holder, share });
    }
    return out;
  }

  /**
   * Everything the rogue can do against `victim` with what it holds: rebuild its self-mask seed
   * and the pairwise seeds of its masks from every verified share, and take off what it knows.
   * `unmasked` is set only when every mask came off.
   */
  async attack(victim: string): Promise<{ selfShares: number; maskShares: number; threshold: number; unmasked?: Float64Array; residue: RingVector }> {
    const sodium = await getSodium();
    const k = this.c.kernel;
    const session = this.c.channel.keyring.sessionId;
    const threshold = shareThreshold(this.graph.neighbours(victim).length, this.c.config.threshold);
    const verified = (dealer: string, kind: 'self' | 'mask') => this.shares().filter(({ holder, share }) => {
      const committed = this.keys(dealer).shares.find((s) => s.to === holder);
      return share.dealer === dealer && share.kind === kind && committed
        && sodium.memcmp(shareCommitment(sodium, session, this.memo, kind, dealer, holder, share.share), kind === 'self' ? committed.commitSelf : committed.commitMask);
    }).map(({ holder, share }) => ({ x: shareX(this.graph, dealer, holder), y: share.share }));
    const rebuild = (dealer: string, kind: 'self' | 'mask'): Uint8Array | undefined => {
      const shares = verified(dealer, kind);
      const t = shareThreshold(this.graph.neighbours(dealer).length, this.c.config.threshold);
      if (shares.length < t) return undefined;
      const secret = shamirCombine(shares.slice(0, t));
      const ok = kind === 'self'
        ? sodium.memcmp(selfMaskCommitment(sodium, session, this.memo, dealer, secret), this.keys(dealer).selfCommitment)
        : sodium.memcmp(maskPublicKeyOf(sodium, secret), this.keys(dealer).maskKey);
      return ok ? secret : undefined;
    };
    const residue = this.partial(victim).slice() as RingVector;
    const b = rebuild(victim, 'self');
    if (b) k.expandMasks(residue, [b], [-1]);
    const mVictim = rebuild(victim, 'mask');
    let allPairs = true;
    for (const j of this.begin(victim).masked ?? []) {
      const mj = mVictim ? undefined : rebuild(j, 'mask');
      const seed = mVictim
        ? pairMaskSeed(sodium, session, this.memo, mVictim, this.keys(victim).maskKey, this.keys(j).maskKey)
        : mj ? pairMaskSeed(sodium, session, this.memo, mj, this.keys(j).maskKey, this.keys(victim).maskKey) : undefined;
      if (!seed) allPairs = false;
      else k.expandMasks(residue, [seed], [pairSign(victim, j) === 1 ? -1 : 1]);
    }
    const selfShares = verified(victim, 'self').length;
    const maskShares = verified(victim, 'mask').length;
    return { selfShares, maskShares, threshold, residue, ...(b && allPairs ? { unmasked: k.decode(residue, { exponent: this.c.config.smpc.exponent }) } : {}) };
  }

  /** Honest-coordinator mode: takes the victim's edges off its partial with the revealed seeds. */
  async attackEdges(victim: string): Promise<Float64Array> {
    const k = this.c.kernel;
    const residue = this.partial(victim).slice() as RingVector;
    for (const [, bodies] of this.got.get(RoundType.reveal) ?? []) {
      for (const s of parseReveal(decodeBody(RoundType.reveal, bodies[0])).seeds) {
        if (s.from === victim) k.expandMasks(residue, [revealedSeedBytes(s)], [1]);
        if (s.to === victim) k.expandMasks(residue, [revealedSeedBytes(s)], [-1]);
      }
    }
    return k.decode(residue, { exponent: this.c.config.smpc.exponent });
  }
}

/** χ² of the top byte of each u32 against uniform (255 d.o.f.: mean 255, sd ≈ 22.6). */
export function chiSquareTopByte(v: RingVector): number {
  const counts = new Array(256).fill(0);
  for (const x of v as Uint32Array) counts[x >>> 24]++;
  const e = v.length / 256;
  return counts.reduce((s, c) => s + (c - e) ** 2 / e, 0);
}
/** ~6.4 sd above the mean: a false alarm below 1e-9. */
export const CHI2_LIMIT = 400;

