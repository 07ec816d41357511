/**
 * @module session/sealed-channel
 * End-to-end sealed messages over a relay link: every payload is AEAD-encrypted to its one
 * recipient with the canonical frame header as associated data (docs/RELAY.md), so the relay can
 * neither read nor alter nor re-route it; and a frame whose sequence number does not grow per
 * sender is refused as a replay.
 */
import { ShardwireError } from '../errors.ts';
import { SessionKeyring } from '../crypto/session-keyring.ts';
import type { Identity } from '../crypto/identity.ts';
import { canonicalHeaderJson, type Header } from '../wire/header.ts';
import type { Frame } from '../wire/frame.ts';
import { RelayLink, type LinkOptions, type ReconnectOptions } from './relay-link.ts';

const utf8 = new TextEncoder();

/** The associated data of a message: its canonical header. */
export function headerAad(h: Header): Uint8Array {
  return utf8.encode(canonicalHeaderJson(h));
}

/** Options of {@link SealedChannel.open}. */
export interface ChannelOptions {
  readonly urls: readonly string[];
  readonly session: string;
  readonly identity: Identity;
  readonly configHash: string;
  readonly create?: LinkOptions['create'];
  /** The coordinator's id when joining as a member (the coordinator rejoining its own session names itself). */
  readonly coordinator?: string;
  readonly timeoutMs?: number;
  readonly reconnect?: ReconnectOptions;
  readonly firstSeq?: number;
  /** A keyring restored from saved state (default: a fresh one). */
  readonly keyring?: SessionKeyring;
}

function withExtra(aad: Uint8Array, extra: Uint8Array | undefined): Uint8Array {
  if (extra === undefined) return aad;
  const out = new Uint8Array(aad.length + extra.length);
  out.set(aad);
  out.set(extra, aad.length);
  return out;
}

export class SealedChannel {
  readonly #lastSeq = new Map<string, number>();
  /** Payload bytes sent and received through this channel (for reports). */
  bytesSent = 0;
  bytesReceived = 0;

  constructor(
    readonly link: RelayLink,
    readonly keyring: SessionKeyring,
  ) {}

  /**
   * Creates this party's session keyring (bundle signed over `configHash`) and connects to the
   * relay (creating the session when `create` is given); the keyring is wiped if that fails.
   * @throws {ShardwireError} the relay's code, or E_TIMEOUT.
   */
  static async open(o: ChannelOptions): Promise<SealedChannel> {
    const keyring = o.keyring ?? (await SessionKeyring.create(o.identity, o.session, o.configHash));
    try {
      const { id, publicKey, secretKey } = o.identity;
      const link = await RelayLink.connect({
        urls: o.urls, session: o.session, identity: { id, publicKey, secretKey },
        ...(o.create ? { create: o.create } : {}), ...(o.coordinator ? { coordinator: o.coordinator } : {}),
        ...(o.timeoutMs === undefined ? {} : { timeoutMs: o.timeoutMs }), ...(o.reconnect ? { reconnect: o.reconnect } : {}),
        ...(o.firstSeq === undefined ? {} : { firstSeq: o.firstSeq }),
      });
      return new SealedChannel(link, keyring);
    } catch (e) {
      if (!o.keyring) keyring.destroy(); // a restored keyring stays the caller's
      throw e;
    }
  }

  /**
   * Seals `plaintext` to `to` and sends it as a `type` message of round `memo`; `extraAad` (a
   * partial chunk's position) is bound after the header.
   */
  async send(to: string, type: string, memo: string | undefined, plaintext: Uint8Array, extraAad?: Uint8Array): Promise<void> {
    const header = this.link.nextHeader(to, type, memo);
    const payload = await this.keyring.seal(to, plaintext, withExtra(headerAad(header), extraAad));
    this.bytesSent += payload.length;
    this.link.send(header, payload);
  }

  /** Sends a public (unsealed) message, e.g. a signed key bundle. */
  sendPublic(to: string, type: string, payload: Uint8Array): void {
    this.bytesSent += payload.length;
    this.link.send(this.link.nextHeader(to, type), payload);
  }

  /**
   * Checks the sender's sequence number and opens a sealed frame.
   * @throws {ShardwireError} E_REPLAY for a non-increasing seq; E_CRYPTO when the payload or header
   *   was altered; E_NOT_IN_SESSION for a sender without verified keys.
   */
  async open(frame: Frame, extraAad?: Uint8Array): Promise<Uint8Array> {
    // authenticate first: a forged frame must not advance the sender's sequence number
    const plain = await this.keyring.open(frame.header.from, frame.payload, withExtra(headerAad(frame.header), extraAad));
    this.checkSeq(frame.header);
    this.bytesReceived += frame.payload.length;
    return plain;
  }

  /** Refuses a frame whose seq is not above the last one seen from its sender. */
  checkSeq(h: Header): void {
    const last = this.#lastSeq.get(h.from) ?? -1;
    if (h.seq <= last) throw new ShardwireError('E_REPLAY', `frame ${h.type} from ${h.from} has seq ${h.seq}, not above ${last}: replayed or reordered; ignored`, { from: h.from, seq: h.seq });
    this.#lastSeq.set(h.from, h.seq);
  }
}
