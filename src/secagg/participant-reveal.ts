/**
 * @module secagg/participant-reveal
 * What a participant reveals after sending its partial, and the checks before it does
 * (docs/PROTOCOL.md §6–§7). It signs at most one survivor statement per round and reveals at
 * most once; under double masking it reveals, per sharing neighbour, one kind of share only —
 * the self-mask share of a survivor or the masking-key share of a dropped party — and only after
 * the statement it signed comes back with at least minClients survivors' valid signatures.
 */
import { ShardwireError } from '../errors.ts';
import { toBase64url } from '../wire/base64url.ts';
import { encodeBody, parseRoundRecover, RoundType } from '../session/round-messages.ts';
import { encodeMaskingBody, parseMaskedRecover, parseRoundSurvivors } from '../session/masking-messages.ts';
import { checkConsents, checkStatement, statementBytes, type StatementCheck } from './consistency.ts';
import { connectedGroups, type HolderGraph } from './holder-graph.ts';
import type { ParticipantContext } from './participant-context.ts';
import { edgesWithDropped, sharesToReveal } from './recovery.ts';
import type { HeldShares } from './sharing.ts';

function inconsistent(memo: string, message: string): ShardwireError {
  return new ShardwireError('E_INCONSISTENT', `round ${memo}: ${message}; refusing to reveal anything`, { memo });
}

/** A participant's reveal side of one round. */
export class RevealDesk {
  readonly #c: ParticipantContext;
  readonly #memo: string;
  /** The round's members: everyone asked (single masking) or those who joined (double masking). */
  readonly #members: readonly string[];
  readonly #graph: HolderGraph;
  readonly #held: Map<string, HeldShares>;
  readonly #masked: readonly string[];
  #signed: { bytes: Uint8Array; sharers: readonly string[]; survivors: readonly string[] } | undefined;
  #revealed = false;

  /** `held`: the shares neighbours dealt to this participant; `masked`: whom it masked with. */
  constructor(c: ParticipantContext, memo: string, members: readonly string[], graph: HolderGraph, held: Map<string, HeldShares>, masked: readonly string[]) {
    this.#c = c;
    this.#memo = memo;
    this.#members = members;
    this.#graph = graph;
    this.#held = held;
    this.#masked = masked;
  }

  #check(): StatementCheck {
    const c = this.#c;
    return {
      context: { sessionId: c.sessionId, configHash: c.configHash, memo: this.#memo },
      graph: this.#graph, self: c.identity.id, participants: this.#members,
      minClients: c.config.minClients, ownMasked: this.#masked, keyring: c.keyring, identityKey: (id) => c.identityKey(id),
      ...(c.config.threshold === undefined ? {} : { threshold: c.config.threshold }),
    };
  }

  /** Wipes the held shares (the round is over, or failed). */
  wipe(): void {
    for (const h of this.#held.values()) (h.self.fill(0), h.mask.fill(0));
    this.#held.clear();
  }

  /** Handles `round.survivors` or `round.recover`. @throws {ShardwireError} when a rule is broken. */
  async onMessage(type: string, body: Record<string, unknown>): Promise<void> {
    const masked = this.#c.config.threat === 'malicious-coordinator';
    if (type === RoundType.survivors) {
      if (!masked) throw inconsistent(this.#memo, 'a survivor statement in a round without double masking');
      return this.#sign(body);
    }
    if (this.#revealed) throw inconsistent(this.#memo, 'the coordinator asked for a second reveal (it may be asking for both kinds of share)');
    this.#revealed = true;
    if (masked) await this.#revealShares(body);
    else await this.#revealEdges(body);
  }

  async #sign(body: Record<string, unknown>): Promise<void> {
    const s = parseRoundSurvivors(body);
    if (this.#signed) throw inconsistent(this.#memo, 'the coordinator sent a second survivor statement');
    const check = this.#check();
    await checkStatement(check, s.sharers, s.survivors, s.attestations);
    const bytes = statementBytes(check.context, this.#members, s.sharers, s.survivors);
    this.#signed = { bytes, sharers: s.sharers, survivors: s.survivors };
    const signature = await this.#c.identity.sign(bytes);
    await this.#c.send(RoundType.consent, this.#memo, encodeBody({ memo: this.#memo, signature: toBase64url(signature) }));
    this.#c.progress(this.#memo, 'signed');
  }

  async #revealShares(body: Record<string, unknown>): Promise<void> {
    const r = parseMaskedRecover(body);
    const signed = this.#signed;
    if (!signed) throw inconsistent(this.#memo, 'a recovery request before this participant signed a survivor statement');
    const check = this.#check();
    const asked = statementBytes(check.context, this.#members, r.sharers, r.survivors);
    if (!this.#c.sodium.memcmp(asked, signed.bytes)) throw inconsistent(this.#memo, 'the recovery request names other sets than the statement this participant signed');
    await checkConsents(check, signed.bytes, r.sharers, r.consents);
    const requests = sharesToReveal(this.#graph, this.#c.identity.id, new Set(r.sharers), new Set(r.survivors));
    const shares = requests.map(({ dealer, kind }) => {
      const held = this.#held.get(dealer);
      if (!held) throw inconsistent(this.#memo, `the statement asks for a share of ${dealer}, which never dealt to this participant`);
      return { dealer, kind, share: held[kind] };
    });
    try {
      await this.#c.send(RoundType.reveal, this.#memo, encodeMaskingBody({ memo: this.#memo, shares }));
    } finally {
      this.wipe();
    }
  }

  async #revealEdges(body: Record<string, unknown>): Promise<void> {
    const r = parseRoundRecover(body);
    const memo = this.#memo;
    const self = this.#c.identity.id;
    const all = new Set([...r.dropped, ...r.survivors]);
    if (r.dropped.includes(self) || !r.survivors.includes(self)) throw inconsistent(memo, 'the recovery lists this participant as dropped although it sent its partial');
    if (all.size !== this.#members.length || this.#members.some((p) => !all.has(p)) || r.dropped.some((d) => r.survivors.includes(d))) {
      throw inconsistent(memo, 'dropped ∪ survivors is not the round\'s participant set');
    }
    if (r.survivors.length < this.#c.config.minClients) {
      throw new ShardwireError('E_TOO_FEW_CONTRIBUTORS', `round ${memo}: only ${r.survivors.length} survivors, fewer than minClients; refusing to reveal`, { memo });
    }
    if (connectedGroups(this.#graph, r.survivors).length !== 1) throw inconsistent(memo, 'the survivors do not form one connected group, so sums of single groups would be exposed');
    const keyring = this.#c.keyring;
    const seeds = edgesWithDropped(this.#graph, self, new Set(r.dropped)).map((e) => {
      const seed = keyring.shardSeed(e.from, e.to, memo);
      const text = toBase64url(seed);
      seed.fill(0);
      return { ...e, seed: text };
    });
    await this.#c.send(RoundType.reveal, memo, encodeBody({ memo, seeds }));
  }
}
