/**
 * @module crypto/identity
 * Long-term Ed25519 identities (RFC 8032, via libsodium `crypto_sign_*`) and their versioned
 * JSON file format. Browser-safe: reading and writing files lives in identity-file.ts.
 *
 * A party's id is derived from its public key, so a roster of public keys fixes the ids:
 * `id = hex(BLAKE2b-128(lp("shardwire/identity-id/v1") ‖ lp(publicKey)))` (32 hex digits).
 * 128 bits make a second preimage (claiming someone else's id with another key) infeasible.
 *
 * Signing and verification go through signature.ts (the same Ed25519 the relay uses for auth).
 */
import { ShardwireError } from '../errors.ts';
import { abytes, aobject, describe } from '../guards.ts';
import { fromBase64url, toBase64url } from '../wire/base64url.ts';
import { encodeParts } from './_encoding.ts';
import { _blake2b } from './hash.ts';
import { generateSigningKeyPair, sign, signingKeyPairFromSeed, verify } from './signature.ts';
import { getSodium, type Sodium } from '../sodium.ts';

/** Ed25519 public key length (RFC 8032 §5.1.5). */
export const ED25519_PUBLIC_KEY_BYTES = 32;
/** libsodium Ed25519 secret key length: 32-byte seed ‖ 32-byte public key. */
export const ED25519_SECRET_KEY_BYTES = 64;
/** Ed25519 signature length. */
export const ED25519_SIGNATURE_BYTES = 64;
/** Bytes of BLAKE2b output in an identity id (hex doubles it). */
export const IDENTITY_ID_BYTES = 16;
/**
 * Current identity file format version. Version 2 writes keys in unpadded base64url (RFC 4648
 * §5), the encoding shardwire uses in every JSON document and on the command line; version 1
 * files (padded standard base64) are still read.
 */
export const IDENTITY_FILE_VERSION = 2;
/** `type` field of an identity file. */
export const IDENTITY_FILE_TYPE = 'shardwire-identity';

const ID_CONTEXT = 'shardwire/identity-id/v1';
const B64_V1 = 1; // sodium.base64_variants.ORIGINAL: the padded standard alphabet of version 1 files

/** The public half of an identity, as it appears in a session roster. */
export interface PublicIdentity {
  /** Id derived from `publicKey` (see {@link identityId}). */
  readonly id: string;
  /** Ed25519 public key, 32 bytes. */
  readonly publicKey: Uint8Array;
}

/** id of a public key, with an initialised libsodium (internal). */
export function _identityId(sodium: Sodium, publicKey: Uint8Array): string {
  return sodium.to_hex(_blake2b(sodium, encodeParts(ID_CONTEXT, publicKey), IDENTITY_ID_BYTES));
}

/**
 * The id of an Ed25519 public key: 32 lower-case hex digits.
 * @throws {ShardwireError} E_BAD_ARGUMENT unless `publicKey` is 32 bytes.
 * @example const id = await identityId(identity.publicKey)
 */
export async function identityId(publicKey: Uint8Array): Promise<string> {
  abytes(publicKey, 'publicKey', ED25519_PUBLIC_KEY_BYTES);
  return _identityId(await getSodium(), publicKey);
}

/**
 * Checks that a (id, publicKey) pair someone typed or sent belongs together.
 * @throws {ShardwireError} E_BAD_ARGUMENT naming `field` when the id is not the key's id (the fix:
 *   copy both from the same `shardwire keygen` output).
 * @example await checkIdOfKey(entry, 'roster[2]', "the participant's keygen output")
 */
export async function checkIdOfKey(entry: { readonly id: string; readonly publicKey: Uint8Array }, field: string, source: string): Promise<void> {
  if ((await identityId(entry.publicKey)) === entry.id) return;
  throw new ShardwireError('E_BAD_ARGUMENT', `"${field}.id" ${entry.id} is not the id of "${field}.publicKey"; copy both from ${source}`, { field: `${field}.id` });
}

/**
 * A long-term Ed25519 identity. Owns its secret key: call {@link Identity.zeroise} when done;
 * any use afterwards throws E_BAD_STATE.
 *
 * @example
 * const me = await Identity.generate()
 * const sig = await me.sign(bytes)
 * me.zeroise()
 */
export class Identity implements PublicIdentity {
  readonly id: string;
  readonly publicKey: Uint8Array;
  #secretKey: Uint8Array | undefined;
  readonly #sodium: Sodium;

  private constructor(sodium: Sodium, id: string, publicKey: Uint8Array, secretKey: Uint8Array) {
    this.#sodium = sodium;
    this.id = id;
    this.publicKey = publicKey;
    this.#secretKey = secretKey;
  }

  /** A fresh identity from libsodium's CSPRNG. */
  static async generate(): Promise<Identity> {
    const sodium = await getSodium();
    const kp = await generateSigningKeyPair();
    return new Identity(sodium, _identityId(sodium, kp.publicKey), kp.publicKey, kp.secretKey);
  }

  /**
   * An identity from a 64-byte libsodium secret key (seed ‖ public key). The key is copied; the
   * caller still owns and should wipe `secretKey`.
   * @throws {ShardwireError} E_BAD_ARGUMENT for a wrong length, E_CRYPTO when its embedded
   *   public key does not belong to its seed.
   */
  static async fromSecretKey(secretKey: Uint8Array): Promise<Identity> {
    abytes(secretKey, 'secretKey', ED25519_SECRET_KEY_BYTES);
    const sodium = await getSodium();
    const seed = secretKey.slice(0, 32); // libsodium layout: seed ‖ public key
    const kp = await signingKeyPairFromSeed(seed);
    sodium.memzero(seed);
    if (!sodium.memcmp(kp.secretKey, secretKey)) {
      sodium.memzero(kp.secretKey);
      throw new ShardwireError('E_CRYPTO', 'Ed25519 secret key is inconsistent: its public half does not match its seed', {});
    }
    return new Identity(sodium, _identityId(sodium, kp.publicKey), kp.publicKey, kp.secretKey);
  }

  /** False once {@link Identity.zeroise} ran. */
  get usable(): boolean {
    return this.#secretKey !== undefined;
  }

  /**
   * The 64-byte secret key (a live view: do not keep it past {@link Identity.zeroise}).
   * @throws {ShardwireError} E_BAD_STATE after zeroise().
   */
  get secretKey(): Uint8Array {
    if (this.#secretKey === undefined) throw new ShardwireError('E_BAD_STATE', `identity ${this.id} was zeroised; load it again`, { id: this.id });
    return this.#secretKey;
  }

  /**
   * Detached Ed25519 signature (64 bytes) of `message`. Callers sign domain-separated encodings
   * (see session-keys.ts), never raw protocol data.
   * @throws {ShardwireError} E_BAD_ARGUMENT unless `message` is a Uint8Array; E_BAD_STATE after zeroise().
   */
  async sign(message: Uint8Array): Promise<Uint8Array> {
    abytes(message, 'message');
    return sign(message, this.secretKey);
  }

  /** The public half, safe to share. */
  toPublic(): PublicIdentity {
    return { id: this.id, publicKey: this.publicKey.slice() };
  }

  /** Wipes the secret key (sodium_memzero); idempotent. */
  zeroise(): void {
    if (this.#secretKey !== undefined) this.#sodium.memzero(this.#secretKey);
    this.#secretKey = undefined;
  }

  /** Keeps secrets out of logs: `console.log(identity)` shows only the public half. */
  toJSON(): { id: string; publicKey: string } {
    return { id: this.id, publicKey: toBase64url(this.publicKey) };
  }
}

/**
 * Verifies a detached Ed25519 signature.
 * @throws {ShardwireError} E_BAD_ARGUMENT for wrong-sized inputs.
 * @returns true when valid.
 */
export async function verifySignature(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): Promise<boolean> {
  return verify(signature, message, publicKey);
}

/**
 * Unpadded base64url (RFC 4648 §5) of a public key: the text form `shardwire keygen` prints and
 * `shardwire relay --allow-coordinator` reads.
 * @throws {ShardwireError} E_BAD_ARGUMENT unless `publicKey` is 32 bytes.
 * @example publicKeyToBase64url(identity.publicKey) // '3q2-7w…' (43 characters)
 */
export function publicKeyToBase64url(publicKey: Uint8Array): string {
  abytes(publicKey, 'publicKey', ED25519_PUBLIC_KEY_BYTES);
  return toBase64url(publicKey);
}

/**
 * The identity file text (JSON, version {@link IDENTITY_FILE_VERSION}). It contains the secret
 * key: write it with mode 0600 (identity-file.ts does).
 * @throws {ShardwireError} E_BAD_STATE when the identity was zeroised.
 */
export async function serialiseIdentity(identity: Identity): Promise<string> {
  const file = {
    type: IDENTITY_FILE_TYPE,
    version: IDENTITY_FILE_VERSION,
    id: identity.id,
    publicKey: toBase64url(identity.publicKey),
    secretKey: toBase64url(identity.secretKey),
  };
  return `${JSON.stringify(file, null, 2)}\n`;
}

function badFile(message: string, field?: string): never {
  throw new ShardwireError('E_BAD_STATE', `identity file: ${message}`, field === undefined ? {} : { field });
}

/** A key field: unpadded base64url in version 2, padded standard base64 in version 1. */
function b64Field(sodium: Sodium, o: Record<string, unknown>, field: string, length: number): Uint8Array {
  const v = o[field];
  const encoding = o.version === 1 ? 'padded base64 (version 1 files)' : 'unpadded base64url';
  if (typeof v !== 'string') badFile(`"${field}" expected ${encoding}, got ${describe(v)}`, field);
  let bytes: Uint8Array | undefined;
  if (o.version === 1) {
    try {
      bytes = sodium.from_base64(v, B64_V1);
    } catch {
      bytes = undefined;
    }
  } else bytes = fromBase64url(v);
  if (bytes === undefined) return badFile(`"${field}" is not valid ${encoding}`, field);
  if (bytes.length !== length) badFile(`"${field}" expected ${length} bytes, got ${bytes.length}`, field);
  return bytes;
}

/**
 * Parses identity file text and checks it is self-consistent (secret key matches public key,
 * id matches public key). Error messages never include key material.
 * @throws {ShardwireError} E_BAD_STATE for anything malformed, of another version, or inconsistent.
 */
export async function parseIdentity(text: string): Promise<Identity> {
  if (typeof text !== 'string') badFile(`expected JSON text, got ${describe(text)}`);
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return badFile('not valid JSON');
  }
  const o = aobject(raw, 'identity file', 'E_BAD_STATE');
  if (o.type !== IDENTITY_FILE_TYPE) badFile(`"type" expected ${JSON.stringify(IDENTITY_FILE_TYPE)}, got ${describe(o.type)}`, 'type');
  if (o.version !== IDENTITY_FILE_VERSION && o.version !== 1) {
    badFile(`"version" ${describe(o.version)} is not supported (this build reads versions 1 and ${IDENTITY_FILE_VERSION})`, 'version');
  }
  for (const k of Object.keys(o)) {
    if (!['type', 'version', 'id', 'publicKey', 'secretKey'].includes(k)) badFile(`unknown field ${JSON.stringify(k.slice(0, 40))}`, k.slice(0, 40));
  }
  const sodium = await getSodium();
  const publicKey = b64Field(sodium, o, 'publicKey', ED25519_PUBLIC_KEY_BYTES);
  const secretKey = b64Field(sodium, o, 'secretKey', ED25519_SECRET_KEY_BYTES);
  try {
    let identity: Identity;
    try {
      identity = await Identity.fromSecretKey(secretKey);
    } catch {
      return badFile('"secretKey" is not a consistent Ed25519 secret key', 'secretKey');
    }
    if (!sodium.memcmp(identity.publicKey, publicKey)) {
      identity.zeroise();
      badFile('"publicKey" does not match "secretKey"', 'publicKey');
    }
    if (o.id !== identity.id) {
      identity.zeroise();
      badFile(`"id" does not match the public key (expected ${identity.id})`, 'id');
    }
    return identity;
  } finally {
    sodium.memzero(secretKey);
  }
}
