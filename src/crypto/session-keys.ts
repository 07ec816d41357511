/**
 * @module crypto/session-keys
 * Per-session X25519 key bundles (RFC 7748), signed by the party's long-term Ed25519 identity.
 *
 * A bundle `{ id, sessionId, x25519PublicKey, configHash, signature }` binds a fresh session key
 * to the identity and to the session's configuration: a party signs the configHash it intends to
 * run under, and a peer refuses a bundle whose hash differs from its own (E_CONFIG_MISMATCH,
 * docs/PROTOCOL.md §2). The signature covers the length-prefixed encoding
 * `lp("shardwire/key-bundle/v1") ‖ lp(id) ‖ lp(sessionId) ‖ lp(x25519PublicKey) ‖ lp(configHash)`,
 * so it can never be confused with any other signed message of the protocol.
 */
import { ShardwireError } from '../errors.ts';
import { abytes, aobject, describe } from '../guards.ts';
import { fromBase64url, toBase64url } from '../wire/base64url.ts';
import { encodeParts, utf8Bytes } from './_encoding.ts';
import { isConfigHash } from './hash.ts';
import { ED25519_PUBLIC_KEY_BYTES, ED25519_SIGNATURE_BYTES, _identityId, type Identity, type PublicIdentity } from './identity.ts';
import { verify } from './signature.ts';
import { getSodium, type Sodium } from '../sodium.ts';

/** X25519 public and secret key length (RFC 7748 §5). */
export const X25519_KEY_BYTES = 32;

const BUNDLE_CONTEXT = 'shardwire/key-bundle/v1';

/** A signed per-session key bundle. */
export interface KeyBundle {
  /** Identity id of the signer. */
  readonly id: string;
  /** Session the key belongs to. */
  readonly sessionId: string;
  /** The session's X25519 public key, 32 bytes. */
  readonly x25519PublicKey: Uint8Array;
  /** The configHash (64 hex digits) the signer agreed to. */
  readonly configHash: string;
  /** Ed25519 signature over {@link keyBundleSigningBytes}, 64 bytes. */
  readonly signature: Uint8Array;
}

/** JSON form of a {@link KeyBundle} (keys as unpadded base64url, RFC 4648 §5), for protocol payloads. */
export interface KeyBundleJson {
  readonly id: string;
  readonly sessionId: string;
  readonly x25519PublicKey: string;
  readonly configHash: string;
  readonly signature: string;
}

/** A session X25519 key pair; the caller owns `secretKey` and must wipe it. */
export interface X25519KeyPair {
  readonly publicKey: Uint8Array;
  readonly secretKey: Uint8Array;
}

/** A fresh X25519 key pair from libsodium's CSPRNG (internal, synchronous). */
export function _generateX25519(sodium: Sodium): X25519KeyPair {
  const secretKey = sodium.randombytes_buf(X25519_KEY_BYTES);
  // X25519 clamps the scalar itself (RFC 7748 §5), so 32 uniform bytes are a valid secret.
  return { publicKey: sodium.crypto_scalarmult_base(secretKey), secretKey };
}

/** A fresh X25519 key pair. */
export async function generateX25519KeyPair(): Promise<X25519KeyPair> {
  return _generateX25519(await getSodium());
}

/**
 * The exact bytes a bundle's signature covers.
 * @throws {ShardwireError} E_BAD_ARGUMENT for strings with lone surrogates.
 */
export function keyBundleSigningBytes(b: Omit<KeyBundle, 'signature'>): Uint8Array {
  return encodeParts(BUNDLE_CONTEXT, b.id, b.sessionId, b.x25519PublicKey, b.configHash);
}

function checkSessionId(sessionId: unknown): string {
  if (typeof sessionId !== 'string' || sessionId.length === 0) {
    throw new ShardwireError('E_BAD_ARGUMENT', `"sessionId" expected a non-empty string, got ${describe(sessionId)}`, { field: 'sessionId' });
  }
  utf8Bytes(sessionId, 'sessionId');
  return sessionId;
}

function checkConfigHash(configHash: unknown): string {
  if (!isConfigHash(configHash)) {
    throw new ShardwireError('E_BAD_ARGUMENT', `"configHash" expected 64 lower-case hex digits (see configHash()), got ${describe(configHash)}`, { field: 'configHash' });
  }
  return configHash;
}

/**
 * Signs a key bundle for `x25519PublicKey` with `identity`.
 * @throws {ShardwireError} E_BAD_ARGUMENT for a bad session id, key or config hash;
 *   E_BAD_STATE when the identity was zeroised.
 * @example const bundle = await signKeyBundle(me, 'sess-1', kp.publicKey, await configHash(cfg))
 */
export async function signKeyBundle(identity: Identity, sessionId: string, x25519PublicKey: Uint8Array, configHash: string): Promise<KeyBundle> {
  checkSessionId(sessionId);
  abytes(x25519PublicKey, 'x25519PublicKey', X25519_KEY_BYTES);
  checkConfigHash(configHash);
  const unsigned = { id: identity.id, sessionId, x25519PublicKey: x25519PublicKey.slice(), configHash };
  return { ...unsigned, signature: await identity.sign(keyBundleSigningBytes(unsigned)) };
}

/** What a verifier expects of a bundle. */
export interface KeyBundleExpectation {
  /** The signer's roster entry (its id and Ed25519 public key). */
  readonly identity: PublicIdentity;
  /** The session being set up. */
  readonly sessionId: string;
  /** The verifier's own configHash. */
  readonly configHash: string;
}

/** Verification with an initialised libsodium (internal). */
export async function _verifyKeyBundle(sodium: Sodium, bundle: KeyBundle, expected: KeyBundleExpectation): Promise<void> {
  const b = bundle;
  const who = { id: typeof b?.id === 'string' ? b.id.slice(0, 128) : undefined };
  if (typeof b !== 'object' || b === null || typeof b.id !== 'string' || typeof b.sessionId !== 'string' || typeof b.configHash !== 'string'
    || !(b.x25519PublicKey instanceof Uint8Array) || b.x25519PublicKey.length !== X25519_KEY_BYTES
    || !(b.signature instanceof Uint8Array) || b.signature.length !== ED25519_SIGNATURE_BYTES) {
    throw new ShardwireError('E_CRYPTO', 'key bundle is malformed (expected id, sessionId, configHash strings, a 32-byte x25519PublicKey and a 64-byte signature)', who);
  }
  const pk = abytes(expected.identity.publicKey, 'expected.identity.publicKey', ED25519_PUBLIC_KEY_BYTES);
  // The roster's id must be the one derived from its key, or a roster entry could claim any id.
  if (expected.identity.id !== _identityId(sodium, pk) || b.id !== expected.identity.id) {
    throw new ShardwireError('E_CRYPTO', `key bundle of ${JSON.stringify(who.id)} does not belong to identity ${JSON.stringify(expected.identity.id)}`, { ...who, expectedId: expected.identity.id });
  }
  let message: Uint8Array;
  try {
    message = keyBundleSigningBytes(b);
  } catch {
    throw new ShardwireError('E_CRYPTO', 'key bundle holds strings with no exact UTF-8 encoding', who);
  }
  if (!(await verify(b.signature, message, pk))) {
    throw new ShardwireError('E_CRYPTO', `key bundle signature of ${JSON.stringify(b.id)} is invalid: it was altered or signed by another key`, who);
  }
  if (b.sessionId !== expected.sessionId) {
    throw new ShardwireError('E_REPLAY', `key bundle of ${JSON.stringify(b.id)} belongs to session ${JSON.stringify(b.sessionId.slice(0, 128))}, not ${JSON.stringify(expected.sessionId)}`, { ...who, sessionId: b.sessionId.slice(0, 128), expectedSessionId: expected.sessionId });
  }
  if (b.configHash !== expected.configHash) {
    throw new ShardwireError('E_CONFIG_MISMATCH', `${JSON.stringify(b.id)} signed configHash ${b.configHash.slice(0, 64)}, this party runs ${expected.configHash}`, { ...who, configHash: b.configHash.slice(0, 64), expectedConfigHash: expected.configHash });
  }
}

/**
 * Verifies a peer's bundle against its roster identity, the session and the local configHash.
 * Checks run in this order, so the code tells what went wrong: shape and signature first.
 *
 * @throws {ShardwireError} E_CRYPTO for a malformed bundle, an id that does not match the
 *   identity, or a bad signature; E_REPLAY for a bundle of another session;
 *   E_CONFIG_MISMATCH when the validly signed configHash differs from `expected.configHash`.
 * @example await verifyKeyBundle(bundle, { identity: rosterEntry, sessionId, configHash: myHash })
 */
export async function verifyKeyBundle(bundle: KeyBundle, expected: KeyBundleExpectation): Promise<void> {
  aobject(expected, 'expected');
  aobject(expected.identity, 'expected.identity');
  checkSessionId(expected.sessionId);
  checkConfigHash(expected.configHash);
  await _verifyKeyBundle(await getSodium(), bundle, expected);
}

/** JSON form of a bundle (no secrets in it). */
export async function keyBundleToJson(bundle: KeyBundle): Promise<KeyBundleJson> {
  return {
    id: bundle.id,
    sessionId: bundle.sessionId,
    x25519PublicKey: toBase64url(bundle.x25519PublicKey),
    configHash: bundle.configHash,
    signature: toBase64url(bundle.signature),
  };
}

/**
 * Parses the JSON form of a bundle received from a peer. Shape only: call
 * {@link verifyKeyBundle} before trusting it.
 * @throws {ShardwireError} E_CRYPTO when a field is missing, of the wrong type or size.
 */
export async function keyBundleFromJson(raw: unknown): Promise<KeyBundle> {
  const o = aobject(raw, 'key bundle', 'E_CRYPTO');
  const str = (f: string): string => {
    const v = o[f];
    if (typeof v !== 'string' || v.length === 0 || v.length > 256) throw new ShardwireError('E_CRYPTO', `key bundle "${f}" expected a string of 1-256 characters, got ${describe(v)}`, { field: f });
    return v;
  };
  const bytes = (f: string, n: number): Uint8Array => {
    const b = fromBase64url(str(f));
    if (b?.length !== n) throw new ShardwireError('E_CRYPTO', `key bundle "${f}" expected ${n} bytes as unpadded base64url`, { field: f });
    return b;
  };
  return { id: str('id'), sessionId: str('sessionId'), x25519PublicKey: bytes('x25519PublicKey', X25519_KEY_BYTES), configHash: str('configHash'), signature: bytes('signature', ED25519_SIGNATURE_BYTES) };
}
