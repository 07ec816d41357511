/**
 * @module crypto/pairwise
 * Pairwise keys between two parties of a session and the keys derived from them (docs/PROTOCOL.md §4):
 *
 * - `K_ij = BLAKE2b-256(lp("shardwire/pairwise/v1") ‖ lp(sessionId) ‖ lp(q) ‖ lp(pk_lo) ‖ lp(pk_hi))`
 *   with `q = X25519(sk_i, pk_j)` (RFC 7748 §6.1) and the two session public keys in bytewise
 *   lexicographic order (pk_lo is the key with the smaller byte at the first position where they
 *   differ, as memcmp orders them), so i and j derive the same key. Hashing the public keys in, as
 *   libsodium's crypto_kx does, binds K_ij to both keys rather than to the raw shared point.
 *   Pinned by test/vectors/pairwise-kij.json, which includes a pair whose little-endian integer
 *   order (libsodium's `sodium_compare`) is the opposite.
 * - shard seeds `seed_{i→j} = BLAKE2b-256(key = K_ij, lp("shard") ‖ lp(sessionId) ‖ lp(memo) ‖ lp(i) ‖ lp(j))`:
 *   per direction (i→j ≠ j→i), per round (memo) and per session, 32 bytes.
 * - channel keys `k_{i→j}^alg = BLAKE2b-256(key = K_ij, lp("shardwire/aead-key/v1") ‖ lp(alg) ‖ lp(sessionId) ‖ lp(i) ‖ lp(j))`:
 *   one AEAD key per direction and algorithm, so a message can never be reflected back to its
 *   sender or opened under the other algorithm.
 *
 * `lp(x) = u32be(len x) ‖ x` (see _encoding.ts): distinct labels and length prefixes make every
 * derivation input unambiguous and separated from the others.
 */
import { ShardwireError } from '../errors.ts';
import { abytes } from '../guards.ts';
import { encodeParts, utf8Bytes } from './_encoding.ts';
import { _blake2b } from './hash.ts';
import { X25519_KEY_BYTES } from './session-keys.ts';
import { getSodium, type Sodium } from '../sodium.ts';

/** Bytes of K_ij, of every shard seed and of every channel key. */
export const DERIVED_KEY_BYTES = 32;

/** The AEAD algorithms a channel key can be derived for. */
export type AeadAlgorithm = 'xchacha20-poly1305' | 'aes-256-gcm';

const PAIRWISE_CONTEXT = 'shardwire/pairwise/v1';
const SHARD_LABEL = 'shard'; // as written in docs/PROTOCOL.md §4
const CHANNEL_CONTEXT = 'shardwire/aead-key/v1';

/**
 * Whether `a` comes before `b` in bytewise lexicographic order (the first differing byte decides;
 * equal-length inputs). Not `sodium.compare`, which orders little-endian integers (last byte
 * first). Public keys only, so the early exit leaks nothing secret.
 */
function bytewiseBefore(a: Uint8Array, b: Uint8Array): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i] < b[i];
  return false;
}

/** K_ij with an initialised libsodium (internal). */
export function _pairwiseKey(sodium: Sodium, sessionId: string, mySecretKey: Uint8Array, myPublicKey: Uint8Array, peerPublicKey: Uint8Array): Uint8Array {
  if (sodium.memcmp(myPublicKey, peerPublicKey)) {
    throw new ShardwireError('E_CRYPTO', 'peer presented this party\'s own session key (reflection); refuse the peer', {});
  }
  let q: Uint8Array;
  try {
    q = sodium.crypto_scalarmult(mySecretKey, peerPublicKey);
  } catch {
    // libsodium refuses an all-zero result, i.e. a low-order peer key (RFC 7748 §6.1).
    throw new ShardwireError('E_CRYPTO', 'peer session key is a low-order point; refuse the peer', {});
  }
  const mineFirst = bytewiseBefore(myPublicKey, peerPublicKey);
  const [lo, hi] = mineFirst ? [myPublicKey, peerPublicKey] : [peerPublicKey, myPublicKey];
  const input = encodeParts(PAIRWISE_CONTEXT, sessionId, q, lo, hi);
  try {
    return _blake2b(sodium, input, DERIVED_KEY_BYTES);
  } finally {
    sodium.memzero(q);
    sodium.memzero(input);
  }
}

/** seed_{from→to} with an initialised libsodium (internal). */
export function _shardSeed(sodium: Sodium, pairwiseKey: Uint8Array, sessionId: string, memo: string, from: string, to: string): Uint8Array {
  return _blake2b(sodium, encodeParts(SHARD_LABEL, sessionId, memo, from, to), DERIVED_KEY_BYTES, pairwiseKey);
}

/** k_{from→to}^alg with an initialised libsodium (internal). */
export function _channelKey(sodium: Sodium, pairwiseKey: Uint8Array, algorithm: AeadAlgorithm, sessionId: string, from: string, to: string): Uint8Array {
  return _blake2b(sodium, encodeParts(CHANNEL_CONTEXT, algorithm, sessionId, from, to), DERIVED_KEY_BYTES, pairwiseKey);
}

function checkIds(from: string, to: string): void {
  utf8Bytes(from, 'from');
  utf8Bytes(to, 'to');
  if (from === to) throw new ShardwireError('E_BAD_ARGUMENT', `"from" and "to" are the same party ${JSON.stringify(from)}; pairwise keys need two parties`, { from });
}

/**
 * The pairwise key K_ij; both parties get the same 32 bytes. The caller owns and wipes it.
 * @throws {ShardwireError} E_BAD_ARGUMENT for wrong-sized keys or a bad session id;
 *   E_CRYPTO when the peer key is a low-order point or equals our own.
 * @example const k = await derivePairwiseKey('sess-1', mine.secretKey, mine.publicKey, bundle.x25519PublicKey)
 */
export async function derivePairwiseKey(sessionId: string, mySecretKey: Uint8Array, myPublicKey: Uint8Array, peerPublicKey: Uint8Array): Promise<Uint8Array> {
  utf8Bytes(sessionId, 'sessionId');
  abytes(mySecretKey, 'mySecretKey', X25519_KEY_BYTES);
  abytes(myPublicKey, 'myPublicKey', X25519_KEY_BYTES);
  abytes(peerPublicKey, 'peerPublicKey', X25519_KEY_BYTES);
  return _pairwiseKey(await getSodium(), sessionId, mySecretKey, myPublicKey, peerPublicKey);
}

/**
 * seed_{from→to} for the round `memo` (docs/PROTOCOL.md §4), 32 bytes for the ChaCha20 mask PRG.
 * @throws {ShardwireError} E_BAD_ARGUMENT for a wrong-sized key, bad strings, or from === to.
 * @example const seed = await deriveShardSeed(kij, 'sess-1', 'round-7', me.id, peer.id)
 */
export async function deriveShardSeed(pairwiseKey: Uint8Array, sessionId: string, memo: string, from: string, to: string): Promise<Uint8Array> {
  abytes(pairwiseKey, 'pairwiseKey', DERIVED_KEY_BYTES);
  utf8Bytes(sessionId, 'sessionId');
  utf8Bytes(memo, 'memo');
  checkIds(from, to);
  return _shardSeed(await getSodium(), pairwiseKey, sessionId, memo, from, to);
}

/**
 * The AEAD key for messages `from → to` under `algorithm`.
 * @throws {ShardwireError} E_BAD_ARGUMENT for a wrong-sized key, bad strings, or from === to.
 */
export async function deriveChannelKey(pairwiseKey: Uint8Array, algorithm: AeadAlgorithm, sessionId: string, from: string, to: string): Promise<Uint8Array> {
  abytes(pairwiseKey, 'pairwiseKey', DERIVED_KEY_BYTES);
  if (algorithm !== 'xchacha20-poly1305' && algorithm !== 'aes-256-gcm') {
    throw new ShardwireError('E_BAD_ARGUMENT', `"algorithm" expected "xchacha20-poly1305" or "aes-256-gcm"`, { field: 'algorithm' });
  }
  utf8Bytes(sessionId, 'sessionId');
  checkIds(from, to);
  return _channelKey(await getSodium(), pairwiseKey, algorithm, sessionId, from, to);
}
