/**
 * @module crypto/aead
 * Authenticated encryption of protocol payloads between two endpoints, with the envelope header
 * bytes as associated data (docs/RELAY.md).
 *
 * Two standard AEADs, chosen per message by size:
 * - XChaCha20-Poly1305 (draft-irtf-cfrg-xchacha-03 over RFC 8439; libsodium), random 24-byte
 *   nonces: the default, available everywhere.
 * - AES-256-GCM (NIST SP 800-38D; WebCrypto `crypto.subtle`, on Node opened with node:crypto —
 *   crypto/aes-gcm.ts; hardware AES in both), random 12-byte nonces: for bulk payloads of at
 *   least {@link BULK_THRESHOLD_BYTES}, where it is ~5x faster than libsodium-wrappers'
 *   WebAssembly XChaCha20-Poly1305 on 8 MB (measured, bench/aead.bench.ts; docs/CRYPTO.md).
 *
 * Sealed payload: `u8 algorithm id ‖ nonce ‖ ciphertext ‖ 16-byte tag`. The primitive's
 * associated data is `u8 algorithm id ‖ aad`; each algorithm also has its own key (pairwise.ts),
 * so flipping the id byte only makes decryption fail. Any failure to open is E_CRYPTO.
 */
import { ShardwireError } from '../errors.ts';
import { abytes, aoneOf } from '../guards.ts';
import { concatBytes } from './_encoding.ts';
import type { AeadAlgorithm } from './pairwise.ts';
import { getSodium, type Sodium } from '../sodium.ts';
import { aesGcm, requireAesGcm } from './aes-gcm.ts';

export type { AeadAlgorithm } from './pairwise.ts';

/** AEAD key length for both algorithms. */
export const AEAD_KEY_BYTES = 32;
/** Authentication tag length for both algorithms. */
export const AEAD_TAG_BYTES = 16;
/** Payloads at least this large use AES-256-GCM when the runtime has it (measured crossover; docs/CRYPTO.md). */
export const BULK_THRESHOLD_BYTES = 64 * 1024;
/** Algorithm ids: the first byte of a sealed payload. */
export const AEAD_ALGORITHM_IDS: Readonly<Record<AeadAlgorithm, number>> = Object.freeze({ 'xchacha20-poly1305': 1, 'aes-256-gcm': 2 });
/** Nonce length per algorithm. */
export const AEAD_NONCE_BYTES: Readonly<Record<AeadAlgorithm, number>> = Object.freeze({ 'xchacha20-poly1305': 24, 'aes-256-gcm': 12 });

const ALGORITHMS = Object.keys(AEAD_ALGORITHM_IDS) as AeadAlgorithm[];

/** The two per-direction keys of one channel (see pairwise.ts `deriveChannelKey`). */
export interface ChannelKeys {
  readonly 'xchacha20-poly1305': Uint8Array;
  readonly 'aes-256-gcm': Uint8Array;
}

/** Options of {@link seal}. */
export interface SealOptions {
  /** Force an algorithm; default: AES-256-GCM from {@link BULK_THRESHOLD_BYTES} up when the runtime has it, else XChaCha20-Poly1305. */
  readonly algorithm?: AeadAlgorithm;
}

/** True when AES-256-GCM (node:crypto or WebCrypto) can be used here. */
export function hasAesGcm(): boolean {
  return aesGcm() !== undefined;
}

/** The algorithm {@link seal} uses for a plaintext of `length` bytes by default. */
export function defaultAlgorithm(length: number): AeadAlgorithm {
  return length >= BULK_THRESHOLD_BYTES && hasAesGcm() ? 'aes-256-gcm' : 'xchacha20-poly1305';
}

function randomNonce(algorithm: AeadAlgorithm): Uint8Array {
  // The platform CSPRNG (WebCrypto getRandomValues; libsodium uses the same source).
  return globalThis.crypto.getRandomValues(new Uint8Array(AEAD_NONCE_BYTES[algorithm]));
}

function cryptoFail(algorithm: AeadAlgorithm): ShardwireError {
  return new ShardwireError('E_CRYPTO', `cannot open ${algorithm} payload: it was altered, belongs to another message (associated data differs) or was sealed with another key`, { algorithm });
}

/** `[id ‖ nonce, ciphertext ‖ tag]`: two parts, so a framer can copy the bulk bytes only once. */
async function sealWith(sodium: Sodium, algorithm: AeadAlgorithm, key: Uint8Array, plaintext: Uint8Array, aad: Uint8Array, nonce: Uint8Array): Promise<[Uint8Array, Uint8Array]> {
  const id = AEAD_ALGORITHM_IDS[algorithm];
  const prefix = concatBytes(Uint8Array.of(id), nonce);
  const fullAad = concatBytes(Uint8Array.of(id), aad);
  if (algorithm === 'xchacha20-poly1305') {
    return [prefix, sodium.crypto_aead_xchacha20poly1305_ietf_encrypt(plaintext, fullAad, null, nonce, key)];
  }
  return [prefix, await requireAesGcm('sealing with aes-256-gcm').encrypt(key, nonce, plaintext, fullAad)];
}

async function sealChecked(keys: ChannelKeys, plaintext: Uint8Array, aad: Uint8Array, options: SealOptions): Promise<[Uint8Array, Uint8Array]> {
  abytes(plaintext, 'plaintext');
  abytes(aad, 'aad');
  const algorithm = options.algorithm === undefined ? defaultAlgorithm(plaintext.length) : aoneOf(options.algorithm, 'algorithm', ALGORITHMS);
  const key = abytes(keys?.[algorithm], `keys["${algorithm}"]`, AEAD_KEY_BYTES);
  return sealWith(await getSodium(), algorithm, key, plaintext, aad, randomNonce(algorithm));
}

/**
 * Encrypts and authenticates `plaintext` with `aad` (the envelope header bytes) under the
 * channel key of the chosen algorithm, with a fresh random nonce.
 *
 * @throws {ShardwireError} E_BAD_ARGUMENT for wrong-typed inputs or wrong-sized keys;
 *   E_UNSUPPORTED when AES-256-GCM is forced and the runtime has none (crypto/aes-gcm.ts).
 * @example const payload = await seal(keys, partialBytes, headerBytes)
 */
export async function seal(keys: ChannelKeys, plaintext: Uint8Array, aad: Uint8Array, options: SealOptions = {}): Promise<Uint8Array> {
  return concatBytes(...(await sealChecked(keys, plaintext, aad, options)));
}

/**
 * {@link seal} without the final concatenation: returns `[prefix, body]` whose concatenation is
 * the sealed payload. For bulk payloads a frame encoder can write header, prefix and body into
 * one buffer and save a full copy (~2-5 ms per 8 MB, measured in bench/aead.bench.ts).
 * @throws {ShardwireError} as {@link seal}.
 */
export async function sealParts(keys: ChannelKeys, plaintext: Uint8Array, aad: Uint8Array, options: SealOptions = {}): Promise<[Uint8Array, Uint8Array]> {
  return sealChecked(keys, plaintext, aad, options);
}

/**
 * Authenticates and decrypts a payload made by {@link seal} with the same keys and `aad`.
 *
 * @throws {ShardwireError} E_CRYPTO when the payload is truncated, of an unknown algorithm,
 *   altered, or `aad`/key differ; E_BAD_ARGUMENT for wrong-typed inputs;
 *   E_UNSUPPORTED for an AES-256-GCM payload where the runtime has no AES-GCM.
 * @example const partial = await open(keys, payload, headerBytes)
 */
export async function open(keys: ChannelKeys, payload: Uint8Array, aad: Uint8Array): Promise<Uint8Array> {
  abytes(payload, 'payload');
  abytes(aad, 'aad');
  const algorithm = ALGORITHMS.find((a) => AEAD_ALGORITHM_IDS[a] === payload[0]);
  if (algorithm === undefined) throw new ShardwireError('E_CRYPTO', `sealed payload starts with unknown algorithm id ${payload[0] ?? '(empty payload)'}`, {});
  const key = abytes(keys?.[algorithm], `keys["${algorithm}"]`, AEAD_KEY_BYTES);
  const nonceEnd = 1 + AEAD_NONCE_BYTES[algorithm];
  if (payload.length < nonceEnd + AEAD_TAG_BYTES) throw new ShardwireError('E_CRYPTO', `${algorithm} payload of ${payload.length} bytes is shorter than id + nonce + tag`, { algorithm, length: payload.length });
  const nonce = payload.subarray(1, nonceEnd);
  const ct = payload.subarray(nonceEnd);
  const fullAad = concatBytes(payload.subarray(0, 1), aad);
  if (algorithm === 'xchacha20-poly1305') {
    const sodium = await getSodium();
    try {
      return sodium.crypto_aead_xchacha20poly1305_ietf_decrypt(null, ct, fullAad, nonce, key);
    } catch {
      throw cryptoFail(algorithm);
    }
  }
  const plain = await requireAesGcm('opening an aes-256-gcm payload').decrypt(key, nonce, ct, fullAad);
  if (plain === undefined) throw cryptoFail(algorithm);
  return plain;
}

/**
 * Test hook (noble-style `__TESTS`): sealing with a caller-chosen nonce, for known-answer tests
 * only. Reusing a nonce under one key breaks both AEADs; protocol code must call {@link seal}.
 */
export const __TESTS = Object.freeze({
  async sealWithNonce(algorithm: AeadAlgorithm, key: Uint8Array, plaintext: Uint8Array, aad: Uint8Array, nonce: Uint8Array): Promise<Uint8Array> {
    return concatBytes(...(await sealWith(await getSodium(), algorithm, key, plaintext, aad, nonce)));
  },
});
