/**
 * @module crypto
 * Browser-safe crypto API (re-exports only). Node-only file helpers are in identity-file.ts and
 * are deliberately not re-exported here.
 */
export { AEAD_ALGORITHM_IDS, AEAD_KEY_BYTES, AEAD_NONCE_BYTES, AEAD_TAG_BYTES, BULK_THRESHOLD_BYTES, defaultAlgorithm, hasAesGcm, open, seal, sealParts } from './aead.ts';
export type { ChannelKeys, SealOptions } from './aead.ts';
export { blake2b, canonicalJson, CONFIG_HASH_BYTES, configHash, isConfigHash, rosterHash, type RosterEntry } from './hash.ts';
export { ED25519_PUBLIC_KEY_BYTES, ED25519_SECRET_KEY_BYTES, ED25519_SIGNATURE_BYTES, IDENTITY_FILE_TYPE, IDENTITY_FILE_VERSION, IDENTITY_ID_BYTES, Identity, identityId, parseIdentity, publicKeyToBase64url, serialiseIdentity, verifySignature } from './identity.ts';
export type { PublicIdentity } from './identity.ts';
export { DERIVED_KEY_BYTES, deriveChannelKey, derivePairwiseKey, deriveShardSeed } from './pairwise.ts';
export type { AeadAlgorithm } from './pairwise.ts';
export { AES_GCM_MAX_MESSAGES, SessionKeyring } from './session-keyring.ts';
export { generateX25519KeyPair, keyBundleFromJson, keyBundleSigningBytes, keyBundleToJson, signKeyBundle, verifyKeyBundle, X25519_KEY_BYTES } from './session-keys.ts';
export type { KeyBundle, KeyBundleExpectation, KeyBundleJson, X25519KeyPair } from './session-keys.ts';
