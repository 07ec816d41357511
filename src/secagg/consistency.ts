/**
 * @module secagg/consistency
 * The consistency check of double masking (Bonawitz et al. 2017, §6 "ConsistencyCheck"): before a
 * participant reveals anything it signs the sharer and survivor sets the coordinator announced,
 * and it reveals only after seeing valid signatures over the very same sets — so the coordinator
 * cannot show a set to some participants and another set to others without every honest signer
 * noticing. Each survivor also tells, when it sends its partial, every neighbour it masked with
 * which neighbours those are (its attestation, sealed end to end to each of them): a holder checks
 * the statement against the attestation of every surviving neighbour whose self-mask share it is
 * asked for, which stops a coordinator from hiding a survivor's neighbours to leave its partial
 * thinly masked and then unmasking it.
 *
 * lp = u32be length prefix; a set is its ids sorted by UTF-16 code units and joined with "\n"
 * (ids cannot hold "\n"):
 *   statement (Ed25519 by each survivor's identity)
 *                lp("shardwire/survivors/v1") ‖ lp(session) ‖ lp(configHash) ‖ lp(memo) ‖ lp(members) ‖ lp(sharers) ‖ lp(survivors)
 *   attestation  plaintext lp(masked set); sealed with the session channel key from → to,
 *                associated data lp("shardwire/attestation/v1") ‖ lp(session) ‖ lp(configHash) ‖ lp(memo) ‖ lp(from) ‖ lp(to)
 */
import { ShardwireError } from '../errors.ts';
import { encodeParts } from '../crypto/_encoding.ts';
import { verify } from '../crypto/signature.ts';
import { connectedGroups, type HolderGraph } from './holder-graph.ts';
import { shareThreshold } from './recovery.ts';
import type { SessionKeyring } from '../crypto/session-keyring.ts';
import type { Attestation, Consent } from '../session/masking-messages.ts';

/** The round a statement belongs to. */
export interface StatementContext {
  readonly sessionId: string;
  readonly configHash: string;
  readonly memo: string;
}

const setText = (ids: Iterable<string>): string => [...ids].sort().join('\n');

/** The bytes survivors sign to agree on (members, sharers, survivors). */
export function statementBytes(c: StatementContext, members: Iterable<string>, sharers: Iterable<string>, survivors: Iterable<string>): Uint8Array {
  return encodeParts('shardwire/survivors/v1', c.sessionId, c.configHash, c.memo, setText(members), setText(sharers), setText(survivors));
}

function attestationAad(c: StatementContext, from: string, to: string): Uint8Array {
  return encodeParts('shardwire/attestation/v1', c.sessionId, c.configHash, c.memo, from, to);
}

/** Seals "my partial is masked with `masked`" to each of those neighbours. */
export async function sealAttestations(keyring: SessionKeyring, c: StatementContext, masked: readonly string[]): Promise<Attestation[]> {
  const plain = encodeParts(setText(masked));
  return Promise.all(masked.map(async (to) => ({ id: to, box: await keyring.seal(to, plain, attestationAad(c, keyring.id, to), { algorithm: 'xchacha20-poly1305' }) })));
}

/** Opens a neighbour's attestation: the set it says it masked with. @throws {ShardwireError} E_CRYPTO */
export async function openAttestation(keyring: SessionKeyring, c: StatementContext, from: string, box: Uint8Array): Promise<string[]> {
  const plain = await keyring.open(from, box, attestationAad(c, from, keyring.id));
  const len = plain.length >= 4 ? new DataView(plain.buffer, plain.byteOffset).getUint32(0) : -1;
  if (len !== plain.length - 4) throw new ShardwireError('E_CRYPTO', `the attestation of ${from} is malformed`, { from });
  const text = new TextDecoder().decode(plain.subarray(4));
  return text === '' ? [] : text.split('\n');
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  const s = new Set(a);
  return b.every((x) => s.has(x));
}

function inconsistent(memo: string, message: string, details: Record<string, unknown> = {}): never {
  throw new ShardwireError('E_INCONSISTENT', `round ${memo}: ${message}; refusing to reveal anything`, { memo, ...details });
}

/** What a participant checks a statement against. */
export interface StatementCheck {
  readonly context: StatementContext;
  readonly graph: HolderGraph;
  readonly self: string;
  readonly participants: readonly string[];
  readonly minClients: number;
  /** The neighbours this participant itself masked with. */
  readonly ownMasked: readonly string[];
  /** Configured share threshold (undefined: the majority default). */
  readonly threshold?: number;
  /** This participant's session keyring (opens the neighbours' attestations). */
  readonly keyring: SessionKeyring;
  /** The Ed25519 identity key of a participant. */
  identityKey(id: string): Uint8Array;
}

/**
 * Checks a `round.survivors` statement before signing it: this party among the sharers ⊆
 * members, survivors ⊆ sharers, at least minClients survivors forming one connected group, and
 * for every surviving neighbour an attestation naming exactly its sharing neighbours.
 * @throws {ShardwireError} E_INCONSISTENT naming the broken rule; E_TOO_FEW_CONTRIBUTORS.
 */
export async function checkStatement(c: StatementCheck, sharers: readonly string[], survivors: readonly string[], attestations: readonly Attestation[]): Promise<void> {
  const memo = c.context.memo;
  const inRound = new Set(c.participants);
  const sharerSet = new Set(sharers);
  if (sharers.some((s) => !inRound.has(s))) inconsistent(memo, 'the statement names sharers outside the round');
  if (survivors.some((s) => !sharerSet.has(s))) inconsistent(memo, 'the statement names survivors that did not share');
  // a participant left out (its partial came late, or after the buffer was full) still helps
  // recover the others: its own self-mask is never revealed, so its partial stays hidden
  if (!sharerSet.has(c.self)) inconsistent(memo, 'the statement does not list this participant among the sharers');
  if (survivors.length < c.minClients) {
    throw new ShardwireError('E_TOO_FEW_CONTRIBUTORS', `round ${memo}: only ${survivors.length} survivors, fewer than minClients = ${c.minClients}; refusing to reveal`, { memo });
  }
  if (connectedGroups(c.graph, survivors).length !== 1) inconsistent(memo, 'the survivors do not form one connected group, so sums of single groups would be exposed');
  const expectedOwn = c.graph.neighbours(c.self).filter((j) => sharerSet.has(j));
  if (!sameSet(expectedOwn, c.ownMasked)) inconsistent(memo, 'the statement\'s sharers differ from the neighbours this participant was told about');
  const byId = new Map(attestations.map((a) => [a.id, a.box]));
  const survivorSet = new Set(survivors);
  const neighbours = c.graph.neighbours(c.self).filter((j) => survivorSet.has(j));
  if (byId.size !== neighbours.length || neighbours.some((j) => !byId.has(j))) inconsistent(memo, 'the statement does not carry exactly one attestation per surviving neighbour');
  for (const s of neighbours) {
    const masked = await openAttestation(c.keyring, c.context, s, byId.get(s)!);
    const expected = c.graph.neighbours(s).filter((j) => sharerSet.has(j));
    if (!sameSet(expected, masked)) inconsistent(memo, `survivor ${s} masked with other neighbours than the statement's sharers`, { survivor: s });
  }
}

/**
 * Checks the signatures of `round.recover` over the statement this participant signed: every
 * signer a sharer, this participant among them, at least minClients signers, and valid signatures
 * from at least t of its own neighbours — the holders of its shares and the dealers whose shares
 * it holds. That is the view that matters to this participant: at most k − t of its holders can
 * have been shown another statement, fewer than it takes to rebuild either of its secrets there.
 * Signatures of non-neighbours are checked by their own neighbours. One that does not verify is
 * not counted (a faulty signer must not be able to stop the round for everyone).
 * @throws {ShardwireError} E_INCONSISTENT naming the broken rule.
 */
export async function checkConsents(c: StatementCheck, signed: Uint8Array, sharers: readonly string[], consents: readonly Consent[]): Promise<void> {
  const memo = c.context.memo;
  const sharerSet = new Set(sharers);
  for (const x of consents) if (!sharerSet.has(x.id)) inconsistent(memo, `signer ${x.id} did not share in this round`);
  if (!consents.some((x) => x.id === c.self)) inconsistent(memo, 'this participant\'s own signature is missing from the statement\'s signers');
  if (consents.length < c.minClients) inconsistent(memo, `only ${consents.length} participants signed the statement, fewer than minClients = ${c.minClients}`);
  const neighbours = c.graph.neighbours(c.self);
  const t = shareThreshold(neighbours.length, c.threshold);
  const mine = new Set(neighbours);
  let valid = 0;
  for (const x of consents) {
    if (valid >= t) break; // enough: further signatures cannot change the verdict
    if (mine.has(x.id) && (await verify(x.signature, signed, c.identityKey(x.id)))) valid++;
  }
  if (valid < t) inconsistent(memo, `only ${valid} of this participant's neighbours validly signed the statement it signed, fewer than its threshold ${t}`);
}
