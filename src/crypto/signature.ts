/**
 * @module crypto/signature
 * Ed25519 detached signatures (RFC 8032) over libsodium's crypto_sign: key generation, sign and
 * verify. The relay uses them to authenticate connections; identities build on them.
 */
import { ShardwireError } from '../errors.ts';
import { abytes } from '../guards.ts';
import { getSodium } from '../sodium.ts';

/** Ed25519 public key bytes. */
export const SIGN_PUBLIC_KEY_BYTES = 32;
/** Ed25519 secret key bytes in libsodium's layout (seed ‖ public key). */
export const SIGN_SECRET_KEY_BYTES = 64;
/** Ed25519 seed bytes. */
export const SIGN_SEED_BYTES = 32;
/** Ed25519 signature bytes. */
export const SIGNATURE_BYTES = 64;

/** An Ed25519 key pair. Keep `secretKey` secret; wipe it (`fill(0)`) when done. */
export interface SigningKeyPair {
  readonly publicKey: Uint8Array;
  readonly secretKey: Uint8Array;
}

/**
 * Generates a fresh Ed25519 key pair from libsodium's CSPRNG.
 *
 * @example const { publicKey, secretKey } = await generateSigningKeyPair()
 */
export async function generateSigningKeyPair(): Promise<SigningKeyPair> {
  const s = await getSodium();
  const kp = s.crypto_sign_keypair();
  return { publicKey: kp.publicKey, secretKey: kp.privateKey };
}

/**
 * Derives the Ed25519 key pair of a 32-byte seed (deterministic; for tests and key files).
 *
 * @throws {ShardwireError} E_BAD_ARGUMENT if `seed` is not 32 bytes.
 */
export async function signingKeyPairFromSeed(seed: Uint8Array): Promise<SigningKeyPair> {
  abytes(seed, 'seed', SIGN_SEED_BYTES);
  const s = await getSodium();
  const kp = s.crypto_sign_seed_keypair(seed);
  return { publicKey: kp.publicKey, secretKey: kp.privateKey };
}

/**
 * Signs `message` with `secretKey`; returns the 64-byte detached signature.
 *
 * @throws {ShardwireError} E_BAD_ARGUMENT if `message` is not a Uint8Array or `secretKey` is not 64 bytes.
 * @example const sig = await sign(bytes, keys.secretKey)
 */
export async function sign(message: Uint8Array, secretKey: Uint8Array): Promise<Uint8Array> {
  abytes(message, 'message');
  abytes(secretKey, 'secretKey', SIGN_SECRET_KEY_BYTES);
  const s = await getSodium();
  return s.crypto_sign_detached(message, secretKey);
}

/**
 * True when `signature` is a valid Ed25519 signature of `message` by `publicKey`. A wrong
 * signature or a malformed public key is `false`, never an exception.
 *
 * @throws {ShardwireError} E_BAD_ARGUMENT if an argument has the wrong type or size.
 * @example if (!(await verify(sig, bytes, peerKey))) throw new ShardwireError('E_CRYPTO', '...')
 */
export async function verify(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): Promise<boolean> {
  abytes(signature, 'signature', SIGNATURE_BYTES);
  abytes(message, 'message');
  abytes(publicKey, 'publicKey', SIGN_PUBLIC_KEY_BYTES);
  const s = await getSodium();
  try {
    return s.crypto_sign_verify_detached(signature, message, publicKey);
  } catch {
    // libsodium rejects some malformed keys by throwing; to callers that is just "not valid".
    return false;
  }
}

/** Throws E_CRYPTO unless {@link verify} accepts the signature. */
export async function assertSignature(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): Promise<void> {
  if (!(await verify(signature, message, publicKey))) throw new ShardwireError('E_CRYPTO', 'Ed25519 signature verification failed', {});
}
