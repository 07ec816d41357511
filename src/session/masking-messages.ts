/**
 * @module session/masking-messages
 * The messages of double masking and the consistency check (threat 'malicious-coordinator',
 * docs/PROTOCOL.md §5–§7), their JSON schemas and validation. Bytes travel as base64url; every
 * field is checked here so protocol code receives only well-formed values.
 *
 *   round.keys       participant → coordinator: masking public key, self-mask commitment, one
 *                    sealed share box per neighbour with commitments to its two shares
 *   round.masks      coordinator → participant: the boxes its sharing neighbours sealed to it
 *                    (shares and masking public key inside) with the share commitments
 *   round.survivors  coordinator → survivor: the sharer and survivor sets and the attestation
 *                    boxes its surviving neighbours sealed to it, to check and sign
 *   round.consent    survivor → coordinator: its signature over that statement
 *   round.recover    coordinator → survivor: the statement again with the collected signatures
 *   reveal           survivor → coordinator: the shares the statement asks for
 */
import { badMessage, parseArray, parseBytes, parseId, parseIds, parseMemo, RoundType } from './round-messages.ts';
import type { ShareKind } from '../crypto/round-keys.ts';
import { toBase64url } from '../wire/base64url.ts';

const SIG = 64;
const KEY = 32;

/** One sealed share box and the commitments to the two shares inside it. */
export interface DealtShare {
  readonly to: string;
  readonly box: Uint8Array;
  readonly commitSelf: Uint8Array;
  readonly commitMask: Uint8Array;
}

/** `round.keys`. */
export interface RoundKeys {
  readonly memo: string;
  readonly maskKey: Uint8Array;
  readonly selfCommitment: Uint8Array;
  readonly shares: readonly DealtShare[];
}

/** The share box a neighbour sealed to the recipient, with its commitments to the two shares inside. */
export interface NeighbourKeys {
  readonly id: string;
  readonly box: Uint8Array;
  readonly commitSelf: Uint8Array;
  readonly commitMask: Uint8Array;
}

/** `round.masks`. */
export interface RoundMasks {
  readonly memo: string;
  readonly neighbours: readonly NeighbourKeys[];
}

/** A survivor's sealed statement of the neighbours its partial is masked with (see secagg/consistency.ts). */
export interface Attestation {
  /** The survivor (sender) for round.survivors; the neighbour (recipient) in partial.begin. */
  readonly id: string;
  readonly box: Uint8Array;
}

/** `round.survivors`. */
export interface RoundSurvivors {
  readonly memo: string;
  readonly sharers: readonly string[];
  readonly survivors: readonly string[];
  readonly attestations: readonly Attestation[];
}

/** `round.consent`. */
export interface RoundConsent {
  readonly memo: string;
  readonly signature: Uint8Array;
}

/** A survivor's signature over the statement. */
export interface Consent {
  readonly id: string;
  readonly signature: Uint8Array;
}

/** `round.recover` under threat 'malicious-coordinator'. */
export interface MaskedRecover {
  readonly memo: string;
  readonly sharers: readonly string[];
  readonly survivors: readonly string[];
  readonly consents: readonly Consent[];
}

/** One revealed share. */
export interface RevealedShare {
  readonly dealer: string;
  readonly kind: ShareKind;
  readonly share: Uint8Array;
}

/** `reveal` under threat 'malicious-coordinator'. */
export interface ShareReveal {
  readonly memo: string;
  readonly shares: readonly RevealedShare[];
}

const utf8 = new TextEncoder();

/** JSON bytes of a masking message, with every Uint8Array field as base64url. */
export function encodeMaskingBody(body: object): Uint8Array {
  return utf8.encode(JSON.stringify(body, (_k, v: unknown) => (v instanceof Uint8Array ? toBase64url(v) : v)));
}

/** Validates `round.keys`. */
export function parseRoundKeys(o: Record<string, unknown>): RoundKeys {
  const t = RoundType.keys;
  const shares = parseArray(t, o.shares, 'shares').map((s) => ({
    to: parseId(t, s.to, 'shares.to'),
    box: parseBytes(t, s.box, 'shares.box'),
    commitSelf: parseBytes(t, s.commitSelf, 'shares.commitSelf', KEY),
    commitMask: parseBytes(t, s.commitMask, 'shares.commitMask', KEY),
  }));
  if (new Set(shares.map((s) => s.to)).size !== shares.length) badMessage(t, '"shares" names a holder twice');
  return {
    memo: parseMemo(t, o.memo),
    maskKey: parseBytes(t, o.maskKey, 'maskKey', KEY),
    selfCommitment: parseBytes(t, o.selfCommitment, 'selfCommitment', KEY),
    shares,
  };
}

/** Validates `round.masks`. */
export function parseRoundMasks(o: Record<string, unknown>): RoundMasks {
  const t = RoundType.masks;
  const neighbours = parseArray(t, o.neighbours, 'neighbours').map((n) => ({
    id: parseId(t, n.id, 'neighbours.id'),
    box: parseBytes(t, n.box, 'neighbours.box'),
    commitSelf: parseBytes(t, n.commitSelf, 'neighbours.commitSelf', KEY),
    commitMask: parseBytes(t, n.commitMask, 'neighbours.commitMask', KEY),
  }));
  if (new Set(neighbours.map((n) => n.id)).size !== neighbours.length) badMessage(t, '"neighbours" names a neighbour twice');
  return { memo: parseMemo(t, o.memo), neighbours };
}

/** Validates a list of attestation boxes (one per party). */
export function parseAttestations(t: string, v: unknown): Attestation[] {
  const list = parseArray(t, v, 'attestations').map((a) => ({ id: parseId(t, a.id, 'attestations.id'), box: parseBytes(t, a.box, 'attestations.box') }));
  if (new Set(list.map((a) => a.id)).size !== list.length) badMessage(t, '"attestations" names a party twice');
  return list;
}

/** Validates `round.survivors`. */
export function parseRoundSurvivors(o: Record<string, unknown>): RoundSurvivors {
  const t = RoundType.survivors;
  return { memo: parseMemo(t, o.memo), sharers: parseIds(t, o.sharers, 'sharers'), survivors: parseIds(t, o.survivors, 'survivors'), attestations: parseAttestations(t, o.attestations) };
}

/** Validates `round.consent`. */
export function parseRoundConsent(o: Record<string, unknown>): RoundConsent {
  const t = RoundType.consent;
  return { memo: parseMemo(t, o.memo), signature: parseBytes(t, o.signature, 'signature', SIG) };
}

/** Validates `round.recover` of the malicious-coordinator mode. */
export function parseMaskedRecover(o: Record<string, unknown>): MaskedRecover {
  const t = RoundType.recover;
  const consents = parseArray(t, o.consents, 'consents').map((c) => ({ id: parseId(t, c.id, 'consents.id'), signature: parseBytes(t, c.signature, 'consents.signature', SIG) }));
  if (new Set(consents.map((c) => c.id)).size !== consents.length) badMessage(t, '"consents" names a signer twice');
  return { memo: parseMemo(t, o.memo), sharers: parseIds(t, o.sharers, 'sharers'), survivors: parseIds(t, o.survivors, 'survivors'), consents };
}

/** Validates `reveal` of the malicious-coordinator mode. */
export function parseShareReveal(o: Record<string, unknown>): ShareReveal {
  const t = RoundType.reveal;
  const shares = parseArray(t, o.shares, 'shares').map((s) => {
    if (s.kind !== 'self' && s.kind !== 'mask') badMessage(t, '"shares.kind" expected "self" or "mask"');
    return { dealer: parseId(t, s.dealer, 'shares.dealer'), kind: s.kind as ShareKind, share: parseBytes(t, s.share, 'shares.share', KEY) };
  });
  if (new Set(shares.map((s) => s.dealer)).size !== shares.length) badMessage(t, '"shares" names a dealer twice');
  return { memo: parseMemo(t, o.memo), shares };
}
