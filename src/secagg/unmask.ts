/**
 * @module secagg/unmask
 * The coordinator's verified recovery (docs/PROTOCOL.md §6–§7): from the survivors' reveals, the
 * PRG seeds (with signs) that turn the sum of the survivors' partials into the sum of their inputs.
 *
 * Every revealed share is checked against the commitment its dealer made for that holder; a
 * mismatch names the holder and the share is set aside. A dealer's secret is rebuilt from
 * threshold-many good shares and checked: a self-mask seed against the dealer's commitment, a
 * masking secret against the public key the dealer signed. A check that fails after every share
 * matched its commitment names the dealer. Nothing wrong is ever returned: either the seeds are
 * right or a typed error says who broke the round.
 */
import { ShardwireError } from '../errors.ts';
import { edgeSeedCommitment, maskPublicKeyOf, pairMaskSeed, selfMaskCommitment, shareCommitment } from '../crypto/round-keys.ts';
import type { Sodium } from '../sodium.ts';
import { fromBase64url } from '../wire/base64url.ts';
import type { RevealedShare, RoundKeys } from '../session/masking-messages.ts';
import type { EdgeCommitment } from '../session/partial-payload.ts';
import type { RevealedSeed } from '../session/round-messages.ts';
import { revealedSeedBytes } from '../session/round-messages.ts';
import type { HolderGraph } from './holder-graph.ts';
import { edgesWithDropped, pairSign, shareThreshold, shareX, sharesToReveal } from './recovery.ts';
import { shamirCombine, type Share } from './shamir.ts';

/** Seeds to expand over the sum, each with the sign to apply. */
export interface Corrections {
  readonly seeds: Uint8Array[];
  readonly signs: (1 | -1)[];
  /** Holders whose reveal broke the protocol (set aside; the round recovered without them). */
  readonly misbehaving: string[];
}

/** What the coordinator has collected in a double-masked round. */
export interface MaskedRecovery {
  readonly sodium: Sodium;
  readonly sessionId: string;
  readonly memo: string;
  readonly graph: HolderGraph;
  readonly threshold?: number;
  readonly sharers: ReadonlySet<string>;
  readonly survivors: ReadonlySet<string>;
  /** Each sharer's `round.keys` (its masking key and commitments). */
  readonly keys: ReadonlyMap<string, RoundKeys>;
  /** Each survivor's attested masking neighbours. */
  readonly masked: ReadonlyMap<string, readonly string[]>;
  /** Each revealing holder's shares. */
  readonly reveals: ReadonlyMap<string, readonly RevealedShare[]>;
}

function badShare(memo: string, sender: string, message: string): ShardwireError {
  return new ShardwireError('E_BAD_SHARE', `round ${memo}: ${message}; ${sender} misbehaved and nothing was released`, { memo, sender });
}

/**
 * Rebuilds every needed secret from verified shares and returns the corrections.
 * @throws {ShardwireError} E_BAD_SHARE naming a dealer whose verified shares rebuild a wrong
 *   secret; E_TOO_FEW_CONTRIBUTORS when a secret has fewer good shares than its threshold.
 */
export function maskedCorrections(r: MaskedRecovery): Corrections {
  const misbehaving = new Set<string>();
  const good = new Map<string, Share[]>(); // `${kind}:${dealer}` → verified shares
  for (const [holder, shares] of r.reveals) {
    const asked = sharesToReveal(r.graph, holder, r.sharers, r.survivors);
    const askedKey = new Set(asked.map((a) => `${a.kind}:${a.dealer}`));
    if (shares.length !== asked.length || shares.some((s) => !askedKey.has(`${s.kind}:${s.dealer}`))) {
      misbehaving.add(holder); // revealed other shares than the statement asks for: ignore it all
      continue;
    }
    for (const s of shares) {
      const committed = r.keys.get(s.dealer)?.shares.find((d) => d.to === holder);
      const expected = committed && (s.kind === 'self' ? committed.commitSelf : committed.commitMask);
      if (!expected || !r.sodium.memcmp(shareCommitment(r.sodium, r.sessionId, r.memo, s.kind, s.dealer, holder, s.share), expected)) {
        misbehaving.add(holder);
        continue;
      }
      const key = `${s.kind}:${s.dealer}`;
      if (!good.has(key)) good.set(key, []);
      good.get(key)!.push({ x: shareX(r.graph, s.dealer, holder), y: s.share });
    }
  }
  const rebuild = (kind: 'self' | 'mask', dealer: string): Uint8Array => {
    const t = shareThreshold(r.graph.neighbours(dealer).length, r.threshold);
    const shares = (good.get(`${kind}:${dealer}`) ?? []).sort((a, b) => a.x - b.x);
    if (shares.length < t) {
      throw new ShardwireError('E_TOO_FEW_CONTRIBUTORS', `round ${r.memo}: only ${shares.length} good ${kind} shares of ${dealer} arrived, ${t} are needed; nothing was released`, { memo: r.memo, dealer, kind, shares: shares.length, threshold: t, misbehaving: [...misbehaving] });
    }
    return shamirCombine(shares.slice(0, t));
  };
  const seeds: Uint8Array[] = [];
  const signs: (1 | -1)[] = [];
  try {
    for (const s of r.survivors) {
      const b = rebuild('self', s);
      if (!r.sodium.memcmp(selfMaskCommitment(r.sodium, r.sessionId, r.memo, s, b), r.keys.get(s)!.selfCommitment)) {
        b.fill(0);
        throw badShare(r.memo, s, `the self-mask seed rebuilt from ${s}'s verified shares does not match its commitment`);
      }
      seeds.push(b);
      signs.push(-1);
    }
    for (const d of r.sharers) {
      if (r.survivors.has(d)) continue;
      const maskedWith = [...r.survivors].filter((s) => r.masked.get(s)?.includes(d));
      if (maskedWith.length === 0) continue; // nobody kept a mask with d: nothing to remove
      const m = rebuild('mask', d);
      const publicKey = r.keys.get(d)!.maskKey;
      try {
        if (!r.sodium.memcmp(maskPublicKeyOf(r.sodium, m), publicKey)) throw badShare(r.memo, d, `the masking key rebuilt from ${d}'s verified shares is not the key ${d} signed`);
        for (const s of maskedWith) {
          seeds.push(pairMaskSeed(r.sodium, r.sessionId, r.memo, m, publicKey, r.keys.get(s)!.maskKey));
          signs.push(pairSign(s, d) === 1 ? -1 : 1); // s added sign·PRG: take it out again
        }
      } finally {
        m.fill(0);
      }
    }
  } catch (e) {
    for (const s of seeds) s.fill(0);
    throw e;
  }
  return { seeds, signs, misbehaving: [...misbehaving] };
}

/** What the coordinator has collected in an honest-coordinator round with dropouts. */
export interface EdgeRecovery {
  readonly sodium: Sodium;
  readonly sessionId: string;
  readonly memo: string;
  readonly graph: HolderGraph;
  readonly dropped: ReadonlySet<string>;
  /** Each survivor's commitments to its edge seeds (sent with its partial). */
  readonly commitments: ReadonlyMap<string, readonly EdgeCommitment[]>;
  /** Each survivor's revealed seeds. */
  readonly reveals: ReadonlyMap<string, readonly RevealedSeed[]>;
}

/**
 * Checks every survivor's revealed seeds — exactly its edges with the dropped set, each matching
 * the commitment it sent with its partial — and returns the corrections (+ for its outgoing
 * edges, − for its incoming ones).
 * @throws {ShardwireError} E_BAD_SHARE naming a survivor whose reveal is wrong.
 */
export function edgeCorrections(r: EdgeRecovery): Corrections {
  const seeds: Uint8Array[] = [];
  const signs: (1 | -1)[] = [];
  try {
    for (const [survivor, revealed] of r.reveals) {
      const expected = edgesWithDropped(r.graph, survivor, r.dropped);
      const commitments = r.commitments.get(survivor) ?? [];
      if (revealed.length !== expected.length) throw badShare(r.memo, survivor, `${survivor} revealed ${revealed.length} seeds for its ${expected.length} edges with dropped parties`);
      for (const e of expected) {
        const s = revealed.find((x) => x.from === e.from && x.to === e.to);
        const c = commitments.find((x) => x.from === e.from && x.to === e.to);
        if (!s || !c) throw badShare(r.memo, survivor, `${survivor} did not reveal (or never committed to) its edge ${e.from}→${e.to}`);
        const seed = revealedSeedBytes(s);
        if (!r.sodium.memcmp(edgeSeedCommitment(r.sodium, r.sessionId, r.memo, e.from, e.to, seed), fromBase64url(c.commitment)!)) {
          seed.fill(0);
          throw badShare(r.memo, survivor, `the seed ${survivor} revealed for edge ${e.from}→${e.to} differs from the one it committed to`);
        }
        seeds.push(seed);
        signs.push(e.from === survivor ? 1 : -1);
      }
    }
  } catch (e) {
    for (const s of seeds) s.fill(0);
    throw e;
  }
  return { seeds, signs, misbehaving: [] };
}
