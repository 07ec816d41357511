/**
 * @module crypto/session-keyring
 * The holder of one party's secret material for one session: its X25519 session key, the
 * pairwise keys K_ij with verified peers and the per-direction channel keys derived from them.
 * `destroy()` wipes all of it (sodium_memzero); any use afterwards throws E_BAD_STATE.
 *
 * WebCrypto keys are imported from the raw bytes per message and never cached, so no secret
 * outlives destroy() in an object this module cannot wipe (apart from copies the JS engine or
 * WebCrypto make internally, which no JavaScript code can reach).
 */
import { ShardwireError } from '../errors.ts';
import { abytes, aobject, describe } from '../guards.ts';
import { defaultAlgorithm, open, seal, sealParts, type ChannelKeys, type SealOptions } from './aead.ts';
import type { Identity, PublicIdentity } from './identity.ts';
import { _channelKey, _pairwiseKey, _shardSeed, type AeadAlgorithm } from './pairwise.ts';
import { _generateX25519, _verifyKeyBundle, signKeyBundle, type KeyBundle } from './session-keys.ts';
import { getSodium, type Sodium } from '../sodium.ts';

/** NIST SP 800-38D §8.3: at most 2^32 random 96-bit nonces per AES-GCM key. */
export const AES_GCM_MAX_MESSAGES = 2 ** 32;

interface Peer {
  readonly identity: PublicIdentity;
  readonly bundle: KeyBundle;
  readonly pairwiseKey: Uint8Array;
  readonly send: ChannelKeys;
  readonly receive: ChannelKeys;
  aesGcmSealed: number;
}

/**
 * One party's session secrets. Create with {@link SessionKeyring.create}, publish `bundle`,
 * {@link SessionKeyring.addPeer} every roster member's bundle, then derive seeds and seal/open
 * payloads; {@link SessionKeyring.destroy} when the session ends.
 *
 * @example
 * const ring = await SessionKeyring.create(me, sessionId, await configHash(config))
 * send(ring.bundle)
 * await ring.addPeer(rosterEntry, theirBundle)          // E_CRYPTO / E_CONFIG_MISMATCH / E_REPLAY
 * const seed = ring.shardSeed(me.id, rosterEntry.id, memo)
 * const payload = await ring.seal(rosterEntry.id, partial, headerBytes)
 * ring.destroy()
 */
export class SessionKeyring {
  /** This party's identity id. */
  readonly id: string;
  /** The session. */
  readonly sessionId: string;
  /** The configHash this party signed. */
  readonly configHash: string;
  /** This party's signed key bundle, to send to every peer. */
  readonly bundle: KeyBundle;
  readonly #sodium: Sodium;
  #secretKey: Uint8Array | undefined;
  readonly #peers = new Map<string, Peer>();

  private constructor(sodium: Sodium, bundle: KeyBundle, secretKey: Uint8Array) {
    this.#sodium = sodium;
    this.id = bundle.id;
    this.sessionId = bundle.sessionId;
    this.configHash = bundle.configHash;
    this.bundle = bundle;
    this.#secretKey = secretKey;
  }

  /**
   * A fresh X25519 session key, with its bundle signed by `identity`.
   * @throws {ShardwireError} E_BAD_ARGUMENT for a bad session id or config hash;
   *   E_BAD_STATE when the identity was zeroised.
   */
  static async create(identity: Identity, sessionId: string, configHash: string): Promise<SessionKeyring> {
    const sodium = await getSodium();
    const kp = _generateX25519(sodium);
    try {
      return new SessionKeyring(sodium, await signKeyBundle(identity, sessionId, kp.publicKey, configHash), kp.secretKey);
    } catch (e) {
      sodium.memzero(kp.secretKey);
      throw e;
    }
  }

  /**
   * A keyring saved earlier (a restarted coordinator keeps its session key: the participants
   * accept one bundle per party and session). The bundle must verify under `identity` for this
   * session and config, and `secretKey` must be the key of its X25519 public key; the keyring takes
   * ownership of `secretKey`.
   * @throws {ShardwireError} E_CRYPTO when they do not belong together.
   */
  static async _restore(identity: PublicIdentity, bundle: KeyBundle, secretKey: Uint8Array): Promise<SessionKeyring> {
    const sodium = await getSodium();
    await _verifyKeyBundle(sodium, bundle, { identity, sessionId: bundle.sessionId, configHash: bundle.configHash });
    const derived = sodium.crypto_scalarmult_base(secretKey);
    if (!sodium.memcmp(derived, bundle.x25519PublicKey)) throw new ShardwireError('E_CRYPTO', 'the saved session secret key does not match its bundle', { id: bundle.id });
    return new SessionKeyring(sodium, bundle, secretKey);
  }

  /** A copy of the session secret key, for an encrypted state file only; the caller wipes it. */
  _exportSecretKey(): Uint8Array {
    return this.#live().slice();
  }

  /** True once {@link SessionKeyring.destroy} ran. */
  get destroyed(): boolean {
    return this.#secretKey === undefined;
  }

  #live(): Uint8Array {
    if (this.#secretKey === undefined) throw new ShardwireError('E_BAD_STATE', `session keyring of ${this.id} for session ${JSON.stringify(this.sessionId)} was destroyed; set up a new session`, { sessionId: this.sessionId });
    return this.#secretKey;
  }

  #peer(id: unknown, title: string): Peer {
    const p = typeof id === 'string' ? this.#peers.get(id) : undefined;
    if (p === undefined) throw new ShardwireError('E_NOT_IN_SESSION', `"${title}" ${describe(id)} is not a verified peer of this keyring; addPeer() its key bundle first`, { field: title });
    return p;
  }

  /**
   * Verifies `bundle` against the roster entry `identity`, this session and this party's
   * configHash, then derives K_ij and the channel keys. Adding the same bundle twice is a no-op.
   * @throws {ShardwireError} E_CRYPTO (bad signature, wrong id, low-order key, or a different
   *   bundle for a peer already added); E_REPLAY (other session); E_CONFIG_MISMATCH;
   *   E_BAD_ARGUMENT (the peer is this party); E_BAD_STATE after destroy().
   */
  async addPeer(identity: PublicIdentity, bundle: KeyBundle): Promise<void> {
    const secretKey = this.#live();
    aobject(identity, 'identity');
    const sodium = this.#sodium;
    await _verifyKeyBundle(sodium, bundle, { identity, sessionId: this.sessionId, configHash: this.configHash });
    if (bundle.id === this.id) throw new ShardwireError('E_BAD_ARGUMENT', 'cannot add this party as its own peer', { id: this.id });
    const known = this.#peers.get(bundle.id);
    if (known !== undefined) {
      if (sodium.memcmp(known.bundle.x25519PublicKey, bundle.x25519PublicKey)) return;
      throw new ShardwireError('E_CRYPTO', `peer ${bundle.id} already has a different session key in this session; a key change mid-session is refused`, { id: bundle.id });
    }
    const k = _pairwiseKey(sodium, this.sessionId, secretKey, this.bundle.x25519PublicKey, bundle.x25519PublicKey);
    const keys = (from: string, to: string): ChannelKeys => ({
      'xchacha20-poly1305': _channelKey(sodium, k, 'xchacha20-poly1305', this.sessionId, from, to),
      'aes-256-gcm': _channelKey(sodium, k, 'aes-256-gcm', this.sessionId, from, to),
    });
    const copy: KeyBundle = { ...bundle, x25519PublicKey: bundle.x25519PublicKey.slice(), signature: bundle.signature.slice() };
    this.#peers.set(bundle.id, {
      identity: { id: identity.id, publicKey: identity.publicKey.slice() },
      bundle: copy,
      pairwiseKey: k,
      send: keys(this.id, bundle.id),
      receive: keys(bundle.id, this.id),
      aesGcmSealed: 0,
    });
  }

  /** True when `id` is a verified peer. */
  hasPeer(id: string): boolean {
    return this.#peers.has(id);
  }

  /** Ids of the verified peers, in insertion order. */
  peerIds(): string[] {
    return [...this.#peers.keys()];
  }

  /** The verified bundle of a peer (a copy). @throws {ShardwireError} E_NOT_IN_SESSION */
  peerBundle(id: string): KeyBundle {
    const b = this.#peer(id, 'id').bundle;
    return { ...b, x25519PublicKey: b.x25519PublicKey.slice(), signature: b.signature.slice() };
  }

  /**
   * seed_{from→to} of round `memo` (docs/PROTOCOL.md §4). One of `from`/`to` is this party, the other a
   * verified peer. Returns a fresh 32-byte array the caller owns: wipe it (`fill(0)`) after use.
   * @throws {ShardwireError} E_BAD_ARGUMENT (neither or both ends are this party, bad memo);
   *   E_NOT_IN_SESSION (unknown peer); E_BAD_STATE after destroy().
   * @example const r = ring.shardSeed(me.id, holderId, memo) // and ring.shardSeed(otherId, me.id, memo)
   */
  shardSeed(from: string, to: string, memo: string): Uint8Array {
    this.#live();
    if ((from === this.id) === (to === this.id)) {
      throw new ShardwireError('E_BAD_ARGUMENT', `exactly one of "from" ${describe(from)} and "to" ${describe(to)} must be this party (${this.id})`, { id: this.id });
    }
    if (typeof memo !== 'string' || memo.length === 0) throw new ShardwireError('E_BAD_ARGUMENT', `"memo" expected a non-empty string, got ${describe(memo)}`, { field: 'memo' });
    const peer = this.#peer(from === this.id ? to : from, from === this.id ? 'to' : 'from');
    return _shardSeed(this.#sodium, peer.pairwiseKey, this.sessionId, memo, from, to);
  }

  #sendKeys(to: string, plaintext: Uint8Array, options: SealOptions): [ChannelKeys, SealOptions] {
    this.#live();
    const peer = this.#peer(to, 'to');
    abytes(plaintext, 'plaintext');
    const algorithm: AeadAlgorithm = options.algorithm ?? defaultAlgorithm(plaintext.length);
    if (algorithm === 'aes-256-gcm' && ++peer.aesGcmSealed > AES_GCM_MAX_MESSAGES) {
      throw new ShardwireError('E_BAD_STATE', `sent ${AES_GCM_MAX_MESSAGES} AES-GCM messages to ${to} under one key; start a new session`, { to });
    }
    return [peer.send, { algorithm }];
  }

  /**
   * Seals `plaintext` for peer `to` with `aad` = the envelope header bytes (see aead.ts `seal`).
   * @throws {ShardwireError} E_NOT_IN_SESSION; E_BAD_ARGUMENT; E_BAD_STATE after destroy() or
   *   past {@link AES_GCM_MAX_MESSAGES} bulk messages to one peer.
   */
  async seal(to: string, plaintext: Uint8Array, aad: Uint8Array, options: SealOptions = {}): Promise<Uint8Array> {
    const [keys, opts] = this.#sendKeys(to, plaintext, options);
    return seal(keys, plaintext, aad, opts);
  }

  /**
   * As {@link SessionKeyring.seal}, returning `[prefix, body]` (see aead.ts `sealParts`) so a
   * framer can avoid copying a bulk payload twice.
   * @throws {ShardwireError} as {@link SessionKeyring.seal}.
   */
  async sealParts(to: string, plaintext: Uint8Array, aad: Uint8Array, options: SealOptions = {}): Promise<[Uint8Array, Uint8Array]> {
    const [keys, opts] = this.#sendKeys(to, plaintext, options);
    return sealParts(keys, plaintext, aad, opts);
  }

  /**
   * Opens a payload from peer `from` sealed with `aad` (see aead.ts `open`).
   * @throws {ShardwireError} E_CRYPTO when it does not authenticate; E_NOT_IN_SESSION;
   *   E_BAD_STATE after destroy().
   */
  async open(from: string, payload: Uint8Array, aad: Uint8Array): Promise<Uint8Array> {
    this.#live();
    return open(this.#peer(from, 'from').receive, payload, aad);
  }

  /** Wipes the session secret key, every K_ij and every channel key; idempotent. */
  destroy(): void {
    const z = (b: Uint8Array): void => this.#sodium.memzero(b);
    if (this.#secretKey !== undefined) z(this.#secretKey);
    this.#secretKey = undefined;
    for (const p of this.#peers.values()) {
      z(p.pairwiseKey);
      for (const keys of [p.send, p.receive]) {
        z(keys['xchacha20-poly1305']);
        z(keys['aes-256-gcm']);
      }
    }
    this.#peers.clear();
  }

  /** Test hook: the secret buffers this keyring owns, to check they are wiped. Never use in protocol code. */
  _secretsForTests(): Uint8Array[] {
    const out: Uint8Array[] = this.#secretKey ? [this.#secretKey] : [];
    for (const p of this.#peers.values()) out.push(p.pairwiseKey, p.send['xchacha20-poly1305'], p.send['aes-256-gcm'], p.receive['xchacha20-poly1305'], p.receive['aes-256-gcm']);
    return out;
  }

  /** Keeps secrets out of logs. */
  toJSON(): { id: string; sessionId: string; configHash: string; peers: string[]; destroyed: boolean } {
    return { id: this.id, sessionId: this.sessionId, configHash: this.configHash, peers: this.peerIds(), destroyed: this.destroyed };
  }
}
