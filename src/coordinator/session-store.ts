/**
 * @module coordinator/session-store
 * The coordinator's session state on disk, so a restarted coordinator with the same identity
 * resumes its session (coordinator/session-journal.ts decides what is in it and when it is
 * written). The file is one JSON object whose state is sealed with XChaCha20-Poly1305 under a key
 * derived from the coordinator's Ed25519 secret key and the session name (BLAKE2b keyed, context
 * `shardwire/coordinator-state/v1`): nobody without the identity can read the session secret key
 * inside or alter anything (E_STATE_TAMPERED), and a file of another session or identity is refused
 * (E_BAD_STATE). Every save writes a temporary file, fsyncs it, renames it over the old one and
 * fsyncs the directory, so a crash leaves the old state or the new one, never a mix.
 */
import { ShardwireError } from '../errors.ts';
import { readFileIfAny, writeFileAtomic } from './node-files.ts';
import type { Identity } from '../crypto/identity.ts';
import { getSodium, type Sodium } from '../sodium.ts';
import { fromBase64url, toBase64url } from '../wire/base64url.ts';

const FORMAT = 'shardwire-coordinator-state';
const VERSION = 1;
const CONTEXT = 'shardwire/coordinator-state/v1';
const utf8 = new TextEncoder();

/** The visible part of the file, bound to the sealed state as associated data. */
interface Envelope {
  readonly format: typeof FORMAT;
  readonly v: typeof VERSION;
  readonly session: string;
  readonly coordinator: string;
  /** Save counter: grows by one per save (a rolled-back copy shows a smaller one). */
  readonly generation: number;
}

function aadOf(e: Envelope): Uint8Array {
  return utf8.encode(JSON.stringify([e.format, e.v, e.session, e.coordinator, e.generation]));
}

/** One session's state file, sealed to one identity. Saves run one at a time, in call order. */
export class SessionStore {
  #key: Uint8Array;
  #generation = 0;
  #chain: Promise<void> = Promise.resolve();

  private constructor(
    readonly path: string,
    private readonly sodium: Sodium,
    key: Uint8Array,
    private readonly session: string,
    private readonly coordinator: string,
  ) {
    this.#key = key;
  }

  /** A store for `session` of `identity` at `path` (nothing is read or written yet). */
  static async create(path: string, identity: Identity, session: string): Promise<SessionStore> {
    if (typeof path !== 'string' || path.length === 0) throw new ShardwireError('E_BAD_ARGUMENT', '"statePath" expected a file path', { field: 'statePath' });
    const sodium = await getSodium();
    const key = sodium.crypto_generichash(32, utf8.encode(`${CONTEXT}\u0000${session}`), identity.secretKey);
    return new SessionStore(path, sodium, key, session, identity.id);
  }

  /**
   * The saved state, or undefined when there is no file.
   * @throws {ShardwireError} E_STATE_TAMPERED when the file does not authenticate; E_BAD_STATE
   *   when it is not a state file or belongs to another session or coordinator.
   */
  async load(): Promise<unknown> {
    const text = await readFileIfAny('statePath', this.path);
    if (text === undefined) return undefined;
    let file: Record<string, unknown>;
    try {
      file = JSON.parse(text) as Record<string, unknown>;
    } catch {
      throw new ShardwireError('E_STATE_TAMPERED', `the session state ${this.path} is not valid JSON (truncated or altered)`, { path: this.path });
    }
    if (typeof file !== 'object' || file === null || file.format !== FORMAT || file.v !== VERSION) throw new ShardwireError('E_BAD_STATE', `${this.path} is not a version-${VERSION} coordinator state file`, { path: this.path });
    if (file.session !== this.session || file.coordinator !== this.coordinator) {
      throw new ShardwireError('E_BAD_STATE', `${this.path} holds the state of session ${JSON.stringify(file.session)} of coordinator ${String(file.coordinator)}, not of ${JSON.stringify(this.session)} of ${this.coordinator}`, { path: this.path });
    }
    const generation = file.generation;
    const nonce = fromBase64url(typeof file.nonce === 'string' ? file.nonce : '');
    const box = fromBase64url(typeof file.box === 'string' ? file.box : '');
    if (typeof generation !== 'number' || !Number.isSafeInteger(generation) || !nonce || !box) throw new ShardwireError('E_STATE_TAMPERED', `the session state ${this.path} lacks its nonce, box or generation`, { path: this.path });
    const envelope: Envelope = { format: FORMAT, v: VERSION, session: this.session, coordinator: this.coordinator, generation };
    let plain: Uint8Array;
    try {
      plain = this.sodium.crypto_aead_xchacha20poly1305_ietf_decrypt(null, box, aadOf(envelope), nonce, this.#key);
    } catch {
      throw new ShardwireError('E_STATE_TAMPERED', `the session state ${this.path} does not authenticate under this coordinator's identity: it was altered or written by another key; restore a good copy`, { path: this.path });
    }
    this.#generation = generation;
    try {
      return JSON.parse(new TextDecoder().decode(plain));
    } finally {
      this.sodium.memzero(plain);
    }
  }

  /** Seals and writes `state` atomically (after every earlier save). */
  save(state: unknown): Promise<void> {
    const run = this.#chain.then(() => this.#write(state));
    this.#chain = run.catch(() => undefined);
    return run;
  }

  async #write(state: unknown): Promise<void> {
    if (this.#key.length === 0) throw new ShardwireError('E_BAD_STATE', 'the session store was closed');
    const envelope: Envelope = { format: FORMAT, v: VERSION, session: this.session, coordinator: this.coordinator, generation: this.#generation + 1 };
    const plain = utf8.encode(JSON.stringify(state));
    const nonce = this.sodium.randombytes_buf(this.sodium.crypto_aead_xchacha20poly1305_ietf_NPUBBYTES);
    const box = this.sodium.crypto_aead_xchacha20poly1305_ietf_encrypt(plain, aadOf(envelope), null, nonce, this.#key);
    this.sodium.memzero(plain);
    const text = JSON.stringify({ ...envelope, nonce: toBase64url(nonce), box: toBase64url(box) });
    await writeFileAtomic('statePath', this.path, text);
    this.#generation = envelope.generation;
  }

  /** Waits for pending saves and wipes the key. */
  async close(): Promise<void> {
    await this.#chain;
    this.sodium.memzero(this.#key);
    this.#key = new Uint8Array(0);
  }
}
