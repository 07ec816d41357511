/**
 * @module crypto/round-keys
 * The per-round secrets of double masking (Bonawitz et al., "Practical Secure Aggregation for
 * Privacy-Preserving Machine Learning", CCS 2017, §4; Bell et al., SecAgg+, CCS 2020):
 *
 * - a fresh X25519 **masking key pair** per client and round; its public half reaches each
 *   neighbour inside the share box the client seals to that neighbour (AEAD under the session's
 *   pairwise channel key, whose X25519 keys were signed by both identities when the session
 *   began), so the coordinator cannot substitute a key of its own without a signature per round;
 * - **pairwise mask seeds** `s_ij = BLAKE2b-256(lp("shardwire/round-mask/v1") ‖ lp(sessionId) ‖
 *   lp(memo) ‖ lp(q) ‖ lp(pk_lo) ‖ lp(pk_hi))` with `q = X25519(sk_i, pk_j)` (RFC 7748 §6.1) and the
 *   two masking public keys in bytewise lexicographic order, so i and j derive the same seed — and
 *   so can the coordinator once it reconstructs a dropped client's masking secret;
 * - **commitments** (BLAKE2b-256 over a labelled, length-prefixed encoding) to a client's self-mask
 *   seed and to every share it deals, so that a reconstructed secret and every revealed share can be
 *   checked and a wrong one attributed to its sender.
 *
 * `lp(x) = u32be(len x) ‖ x` (see _encoding.ts).
 */
import { ShardwireError } from '../errors.ts';
import { encodeParts, type Part } from './_encoding.ts';
import { _blake2b } from './hash.ts';
import type { Sodium } from '../sodium.ts';

/** Bytes of a masking key, a pairwise mask seed, a self-mask seed and a commitment. */
export const ROUND_SECRET_BYTES = 32;

const ROUND_MASK_CONTEXT = 'shardwire/round-mask/v1';
const SELF_MASK_CONTEXT = 'shardwire/self-mask/v1';
const SHARE_CONTEXT = 'shardwire/share-commitment/v1';

/** A fresh X25519 masking key pair; the caller wipes `secretKey`. */
export function generateMaskKeys(sodium: Sodium): { publicKey: Uint8Array; secretKey: Uint8Array } {
  const secretKey = sodium.randombytes_buf(ROUND_SECRET_BYTES);
  return { publicKey: sodium.crypto_scalarmult_base(secretKey), secretKey };
}

/** The X25519 public key of a (reconstructed) masking secret. */
export function maskPublicKeyOf(sodium: Sodium, secretKey: Uint8Array): Uint8Array {
  return sodium.crypto_scalarmult_base(secretKey);
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i] - b[i];
  return a.length - b.length;
}

/**
 * The pairwise mask seed of one round between the owner of `mySecretKey` and the owner of
 * `peerPublicKey` (both ends, and the coordinator holding a reconstructed secret, get the same 32
 * bytes). The caller owns and wipes the result.
 * @throws {ShardwireError} E_CRYPTO when the peer key is a low-order point or equals our own.
 */
export function pairMaskSeed(sodium: Sodium, sessionId: string, memo: string, mySecretKey: Uint8Array, myPublicKey: Uint8Array, peerPublicKey: Uint8Array): Uint8Array {
  if (sodium.memcmp(myPublicKey, peerPublicKey)) throw new ShardwireError('E_CRYPTO', 'a peer presented this party\'s own masking key', {});
  let q: Uint8Array;
  try {
    q = sodium.crypto_scalarmult(mySecretKey, peerPublicKey);
  } catch {
    throw new ShardwireError('E_CRYPTO', 'a peer\'s masking key is a low-order point', {});
  }
  const [lo, hi] = compareBytes(myPublicKey, peerPublicKey) < 0 ? [myPublicKey, peerPublicKey] : [peerPublicKey, myPublicKey];
  const input = encodeParts(ROUND_MASK_CONTEXT, sessionId, memo, q, lo, hi);
  try {
    return _blake2b(sodium, input, ROUND_SECRET_BYTES);
  } finally {
    sodium.memzero(q);
    sodium.memzero(input);
  }
}

function commitment(sodium: Sodium, ...parts: Part[]): Uint8Array {
  const input = encodeParts(...parts);
  try {
    return _blake2b(sodium, input, ROUND_SECRET_BYTES);
  } finally {
    sodium.memzero(input);
  }
}

/** Commitment to a client's self-mask seed b (hiding: b is 256 uniform bits). */
export function selfMaskCommitment(sodium: Sodium, sessionId: string, memo: string, id: string, seed: Uint8Array): Uint8Array {
  return commitment(sodium, SELF_MASK_CONTEXT, sessionId, memo, id, seed);
}

/** The two secrets a client shares: its self-mask seed and its masking secret key. */
export type ShareKind = 'self' | 'mask';

/** Commitment to one dealt share (hiding: given fewer than t shares, a share has 256 unknown bits). */
export function shareCommitment(sodium: Sodium, sessionId: string, memo: string, kind: ShareKind, dealer: string, holder: string, share: Uint8Array): Uint8Array {
  return commitment(sodium, SHARE_CONTEXT, kind, sessionId, memo, dealer, holder, share);
}

/**
 * Commitment to an edge seed of the honest-coordinator mode, sent with the partial, so that a
 * survivor's later reveal of that seed can be checked.
 */
export function edgeSeedCommitment(sodium: Sodium, sessionId: string, memo: string, from: string, to: string, seed: Uint8Array): Uint8Array {
  return commitment(sodium, 'shardwire/edge-seed-commitment/v1', sessionId, memo, from, to, seed);
}
