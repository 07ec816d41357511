/**
 * @module session/relay-link
 * The peer side of the relay protocol (docs/RELAY.md), shared by the client and coordinator SDKs:
 * connect, answer the relay's challenge by signing it (create a session as coordinator, or join
 * one as participant), then send and receive message frames. Works in Node (the `ws` package,
 * imported lazily) and in browsers (the global WebSocket). Nothing here opens payloads.
 */
import { ShardwireError, type ErrorCode } from '../errors.ts';
import { sign } from '../crypto/signature.ts';
import { ControlType, FrameKind, RELAY_ID } from '../wire/constants.ts';
import { canonicalCreateBody, encodeControlBody, parseChallengeBody, parseControlBody, type RosterEntry, type SessionLimits, type WelcomeBody, type PresenceBody } from '../wire/control.ts';
import { authMessage, createBodyDigest } from '../wire/auth-message.ts';
import { decodeFrame, encodeFrame, type Frame } from '../wire/frame.ts';
import { toBase64url } from '../wire/base64url.ts';
import type { Header } from '../wire/header.ts';

/** Minimal WebSocket surface used here (browser WebSocket and `ws` both have it). */
interface Socket {
  binaryType: string;
  readonly readyState: number;
  readonly bufferedAmount: number;
  send(data: Uint8Array): void;
  close(code?: number, reason?: string): void;
  onmessage: ((ev: { data: unknown }) => void) | null;
  onclose: ((ev: { code: number; reason: string }) => void) | null;
  onerror: ((ev: unknown) => void) | null;
  onopen: (() => void) | null;
}

/** Who this link authenticates as. */
export interface LinkIdentity {
  readonly id: string;
  readonly publicKey: Uint8Array;
  /** Ed25519 secret key (64 bytes); used to sign the challenge, never sent. */
  readonly secretKey: Uint8Array;
}

/** Options of {@link RelayLink.connect}. */
export interface LinkOptions {
  readonly url: string;
  readonly session: string;
  readonly identity: LinkIdentity;
  /** Present for the coordinator: creates the session with this roster and limits. */
  readonly create?: { readonly roster: readonly RosterEntry[]; readonly limits?: SessionLimits };
  /** Give up connecting after this long (default 10 s). */
  readonly timeoutMs?: number;
}

/** Events a link delivers. */
export interface LinkHandlers {
  message?(frame: Frame): void;
  presence?(p: PresenceBody): void;
  /** A relay `error` frame (e.g. E_BACKPRESSURE for a frame we sent) or a decoding problem. */
  error?(e: ShardwireError): void;
  close?(code: number, reason: string): void;
}

async function openSocket(url: string): Promise<Socket> {
  const G = globalThis as unknown as { WebSocket?: new (url: string) => Socket };
  if (typeof G.WebSocket === 'function') return new G.WebSocket(url);
  const { default: WS } = await import('ws');
  // A zero masking key makes `ws` skip its per-byte JS masking on both ends (without the native
  // bufferutil: ≈ 5 ns/byte, ≈ 20 ms per 4 MB partial at the client and again at the relay,
  // measured with --cpu-prof). RFC 6455 §10.3 masks so that attacker-chosen bytes from browser scripts cannot
  // poison intermediary caches; frames from this Node SDK are AEAD ciphertext behind headers it
  // writes itself. Browsers always mask.
  return new WS(url, { perMessageDeflate: false, generateMask: (mask: Uint8Array) => mask.fill(0) }) as unknown as Socket;
}

function toBytes(data: unknown): Uint8Array {
  if (data instanceof Uint8Array) return data;
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  if (Array.isArray(data)) return new Uint8Array(Buffer.concat(data as Uint8Array[]));
  throw new ShardwireError('E_BAD_FRAME', 'received a text frame; shardwire frames are binary');
}

/** An authenticated connection to a relay session. */
export class RelayLink {
  /** What the relay said on admission: role, members online, limits. */
  readonly welcome: WelcomeBody;
  private readonly socket: Socket;
  private readonly sessionId: string;
  private readonly selfId: string;
  private seq = 1;
  private handlers: LinkHandlers = {};
  private closed = false;

  private constructor(socket: Socket, welcome: WelcomeBody, session: string, id: string) {
    this.socket = socket;
    this.welcome = welcome;
    this.sessionId = session;
    this.selfId = id;
  }

  /**
   * Connects, authenticates (create or join) and resolves once the relay welcomes this peer.
   * @throws {ShardwireError} the relay's code (E_AUTH, E_NOT_IN_SESSION, E_SESSION_EXISTS, ...),
   *   or E_TIMEOUT when no welcome arrives in time.
   * @example const link = await RelayLink.connect({ url, session: 's1', identity })
   */
  static async connect(o: LinkOptions): Promise<RelayLink> {
    const socket = await openSocket(o.url);
    socket.binaryType = 'arraybuffer';
    return new Promise<RelayLink>((resolve, reject) => {
      let stage: 'challenge' | 'welcome' = 'challenge';
      const fail = (e: ShardwireError) => {
        clearTimeout(timer);
        socket.onmessage = socket.onclose = socket.onerror = null;
        try {
          socket.close();
        } catch {
          /* already closed */
        }
        reject(e);
      };
      const timer = setTimeout(() => fail(new ShardwireError('E_TIMEOUT', `no welcome from the relay at ${o.url} within ${o.timeoutMs ?? 10_000} ms`)), o.timeoutMs ?? 10_000);
      socket.onerror = () => undefined; // a failure shows as close
      socket.onclose = (ev) => fail(new ShardwireError('E_TIMEOUT', `the relay at ${o.url} closed the connection during authentication (code ${ev.code} ${ev.reason})`, { closeCode: ev.code }));
      socket.onmessage = (ev) => {
        void (async () => {
          const frame = decodeFrame(toBytes(ev.data));
          const body = frame.kind === FrameKind.control ? parseControlBody(frame.payload) : {};
          if (frame.header.type === ControlType.error) {
            const code = (typeof body.code === 'string' ? body.code : 'E_AUTH') as ErrorCode;
            return fail(new ShardwireError(code, `relay refused: ${String(body.message ?? '')}`, { relayCode: code }));
          }
          if (stage === 'challenge' && frame.header.type === ControlType.challenge) {
            stage = 'welcome';
            const { nonce } = parseChallengeBody(body);
            socket.send(await RelayLink.authFrame(o, nonce));
          } else if (stage === 'welcome' && frame.header.type === ControlType.welcome) {
            clearTimeout(timer);
            const link = new RelayLink(socket, body as unknown as WelcomeBody, o.session, o.identity.id);
            link.attach();
            resolve(link);
          }
        })().catch((e) => fail(e instanceof ShardwireError ? e : new ShardwireError('E_BAD_FRAME', `authentication failed: ${(e as Error).message}`)));
      };
    });
  }

  private static async authFrame(o: LinkOptions, nonce: Uint8Array): Promise<Uint8Array> {
    const header = { session: o.session, from: o.identity.id, to: RELAY_ID, seq: 0 };
    if (o.create) {
      const signed = canonicalCreateBody(toBase64url(o.identity.publicKey), o.create.roster, o.create.limits ?? {});
      const sig = await sign(authMessage('create', o.session, o.identity.id, nonce, await createBodyDigest(signed)), o.identity.secretKey);
      return encodeFrame(FrameKind.control, { ...header, type: ControlType.create }, encodeControlBody({ ...signed, signature: toBase64url(sig) }));
    }
    const sig = await sign(authMessage('join', o.session, o.identity.id, nonce), o.identity.secretKey);
    return encodeFrame(FrameKind.control, { ...header, type: ControlType.join }, encodeControlBody({ signature: toBase64url(sig) }));
  }

  private attach(): void {
    this.socket.onmessage = (ev) => {
      try {
        const frame = decodeFrame(toBytes(ev.data));
        if (frame.kind === FrameKind.message) return this.handlers.message?.(frame);
        const body = parseControlBody(frame.payload);
        if (frame.header.type === ControlType.presence) this.handlers.presence?.(body as unknown as PresenceBody);
        else if (frame.header.type === ControlType.error || frame.header.type === ControlType.shutdown) {
          const code = (typeof body.code === 'string' ? body.code : 'E_BAD_FRAME') as ErrorCode;
          this.handlers.error?.(new ShardwireError(code, `relay: ${String(body.message ?? '')}`, { relayCode: code, ...(body.ref ? { ref: body.ref } : {}) }));
        }
      } catch (e) {
        this.handlers.error?.(e instanceof ShardwireError ? e : new ShardwireError('E_BAD_FRAME', String(e)));
      }
    };
    this.socket.onclose = (ev) => {
      this.closed = true;
      this.handlers.close?.(ev.code, ev.reason);
    };
  }

  /** Sets the event handlers (replacing earlier ones). */
  on(handlers: LinkHandlers): void {
    this.handlers = handlers;
  }

  /** Bytes handed to the socket and not yet sent (flow control of streamed partials). */
  get bufferedAmount(): number {
    return this.socket.bufferedAmount;
  }

  /** True once the socket closed. */
  get isClosed(): boolean {
    return this.closed;
  }

  /**
   * The header the next {@link send} will use (with our own id as `from`, which is what the relay
   * stamps), so the caller can bind an AEAD to it (associated data) before sending.
   */
  nextHeader(to: string, type: string, memo?: string): Header {
    return { session: this.sessionId, from: this.selfId, to, type, ...(memo === undefined ? {} : { memo }), seq: this.seq++ };
  }

  /**
   * Sends a message frame with a header from {@link nextHeader}.
   * @throws {ShardwireError} E_TIMEOUT when the link is closed.
   */
  send(header: Header, payload: Uint8Array): void {
    if (this.closed) throw new ShardwireError('E_TIMEOUT', 'the relay connection is closed; reconnect and rejoin the session');
    this.socket.send(encodeFrame(FrameKind.message, header, payload));
  }

  /** Closes the connection (idempotent). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    try {
      this.socket.close(1000, 'bye');
    } catch {
      /* already closed */
    }
  }
}
