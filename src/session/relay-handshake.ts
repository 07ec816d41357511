/**
 * @module session/relay-handshake
 * One connection attempt of the peer side (docs/RELAY.md): open a WebSocket, answer the relay's
 * challenge with a signed `create` or `join` (optionally naming the coordinator and resuming an
 * inbox), and resolve with the open socket and the relay's welcome. Works in Node (the `ws`
 * package, imported lazily) and in browsers (the global WebSocket). relay-link.ts builds the
 * long-lived link with reconnection on top of it.
 */
import { ShardwireError, type ErrorCode } from '../errors.ts';
import { sign } from '../crypto/signature.ts';
import { ControlType, FrameKind, RELAY_ID } from '../wire/constants.ts';
import {
  canonicalCreateBody,
  encodeControlBody,
  parseChallengeBody,
  parseControlBody,
  type RosterEntry,
  type SessionLimits,
  type WelcomeBody,
} from '../wire/control.ts';
import { authMessage, createBodyDigest } from '../wire/auth-message.ts';
import { decodeFrame, encodeFrame } from '../wire/frame.ts';
import { toBase64url } from '../wire/base64url.ts';
import { canonicalJoinBody, joinBodyDigest, type InboxRequest } from '../wire/join-body.ts';

/** Minimal WebSocket surface used here (browser WebSocket and `ws` both have it). */
export interface Socket {
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

/** Who a link authenticates as. */
export interface LinkIdentity {
  readonly id: string;
  readonly publicKey: Uint8Array;
  /** Ed25519 secret key (64 bytes); used to sign the challenge, never sent. */
  readonly secretKey: Uint8Array;
}

/** What one attempt asks of the relay. */
export interface HandshakeRequest {
  readonly url: string;
  readonly session: string;
  readonly identity: LinkIdentity;
  /** Create the session with this roster (coordinator), else join it. */
  readonly create?: { readonly roster: readonly RosterEntry[]; readonly limits?: SessionLimits };
  /** Coordinator id named in `join`. */
  readonly coordinator?: string;
  /** Inbox asked for in `join`. */
  readonly inbox?: InboxRequest;
  readonly timeoutMs: number;
}

async function openSocket(url: string): Promise<Socket> {
  const G = globalThis as unknown as { WebSocket?: new (url: string) => Socket };
  if (typeof G.WebSocket === 'function') return new G.WebSocket(url);
  const { default: WS } = await import('ws');
  // A zero masking key makes `ws` skip its per-byte JS masking on both ends (without the native
  // bufferutil: ≈ 5 ns/byte, ≈ 20 ms per 4 MB partial at the client and again at the relay,
  // measured with --cpu-prof). RFC 6455 §10.3 masks so that attacker-chosen bytes from browser
  // scripts cannot poison intermediary caches; frames from this Node SDK are AEAD ciphertext
  // behind headers it writes itself. Browsers always mask.
  return new WS(url, {
    perMessageDeflate: false,
    generateMask: (mask: Uint8Array) => mask.fill(0),
  }) as unknown as Socket;
}

/** Bytes of a received WebSocket message. @throws {ShardwireError} E_BAD_FRAME for text */
export function toBytes(data: unknown): Uint8Array {
  if (data instanceof Uint8Array) return data;
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  if (Array.isArray(data)) return new Uint8Array(Buffer.concat(data as Uint8Array[]));
  throw new ShardwireError('E_BAD_FRAME', 'received a text frame; shardwire frames are binary');
}

async function authFrame(o: HandshakeRequest, nonce: Uint8Array): Promise<Uint8Array> {
  const header = { session: o.session, from: o.identity.id, to: RELAY_ID, seq: 0 };
  if (o.create) {
    const signed = canonicalCreateBody(
      toBase64url(o.identity.publicKey),
      o.create.roster,
      o.create.limits ?? {},
      o.inbox !== undefined,
    );
    const sig = await sign(
      authMessage('create', o.session, o.identity.id, nonce, await createBodyDigest(signed)),
      o.identity.secretKey,
    );
    return encodeFrame(
      FrameKind.control,
      { ...header, type: ControlType.create },
      encodeControlBody({ ...signed, signature: toBase64url(sig) }),
    );
  }
  const extras = { ...(o.coordinator ? { coordinator: o.coordinator } : {}), ...(o.inbox ? { inbox: o.inbox } : {}) };
  const sig = await sign(
    authMessage('join', o.session, o.identity.id, nonce, await joinBodyDigest(extras)),
    o.identity.secretKey,
  );
  const body = { ...canonicalJoinBody(extras), signature: toBase64url(sig) };
  return encodeFrame(FrameKind.control, { ...header, type: ControlType.join }, encodeControlBody(body));
}

/** What arrived between the welcome and the caller attaching its handlers. */
export interface Backlog {
  readonly messages: unknown[];
  close?: { code: number; reason: string };
}

/** An authenticated socket. */
export interface Handshaken {
  readonly socket: Socket;
  readonly welcome: WelcomeBody;
  readonly backlog: Backlog;
}

/**
 * One attempt: connects, authenticates, resolves once the relay welcomes this peer. Until the
 * caller attaches its own handlers, messages and a close are kept in `backlog`.
 *
 * @throws {ShardwireError} the relay's code (E_AUTH, E_NOT_IN_SESSION, E_SESSION_EXISTS, ...;
 *   `details.reason` when the relay gave one), or E_TIMEOUT when no welcome arrives in time or
 *   the connection closes first.
 * @example const { socket, welcome } = await handshake({ url, session, identity, timeoutMs: 10_000 })
 */
export async function handshake(o: HandshakeRequest): Promise<Handshaken> {
  const socket = await openSocket(o.url);
  socket.binaryType = 'arraybuffer';
  return new Promise((resolve, reject) => {
    let stage: 'challenge' | 'welcome' = 'challenge';
    const fail = (e: ShardwireError) => {
      clearTimeout(timer);
      socket.onmessage = socket.onclose = null;
      // closing a socket still connecting makes `ws` emit an error: keep a listener for it
      socket.onerror = () => undefined;
      try {
        socket.close();
      } catch {
        /* already closed */
      }
      reject(e);
    };
    const timer = setTimeout(
      () => fail(new ShardwireError('E_TIMEOUT', `no welcome from the relay at ${o.url} within ${o.timeoutMs} ms`)),
      o.timeoutMs,
    );
    socket.onerror = () => undefined; // a failure shows as close
    socket.onclose = (ev) =>
      fail(
        new ShardwireError(
          'E_TIMEOUT',
          `the relay at ${o.url} closed the connection during authentication (code ${ev.code} ${ev.reason})`,
          { closeCode: ev.code },
        ),
      );
    socket.onmessage = (ev) => {
      void (async () => {
        const frame = decodeFrame(toBytes(ev.data));
        const body = frame.kind === FrameKind.control ? parseControlBody(frame.payload) : {};
        if (frame.header.type === ControlType.error) {
          const code = (typeof body.code === 'string' ? body.code : 'E_AUTH') as ErrorCode;
          const reason = (body.details as Record<string, unknown> | undefined)?.reason;
          return fail(
            new ShardwireError(code, `relay refused: ${String(body.message ?? '')}`, {
              relayCode: code,
              ...(reason ? { reason } : {}),
            }),
          );
        }
        if (stage === 'challenge' && frame.header.type === ControlType.challenge) {
          stage = 'welcome';
          const { nonce } = parseChallengeBody(body);
          socket.send(await authFrame(o, nonce));
        } else if (stage === 'welcome' && frame.header.type === ControlType.welcome) {
          clearTimeout(timer);
          // Frames right behind the welcome (an inbox replay) arrive before the caller can attach
          // its handlers: keep them, and a close, in order for the caller.
          const backlog: Backlog = { messages: [] };
          socket.onmessage = (e) => backlog.messages.push(e.data);
          socket.onclose = (e) => (backlog.close = { code: e.code, reason: e.reason });
          resolve({ socket, welcome: body as unknown as WelcomeBody, backlog });
        }
      })().catch((e) =>
        fail(
          e instanceof ShardwireError
            ? e
            : new ShardwireError('E_BAD_FRAME', `authentication failed: ${(e as Error).message}`),
        ),
      );
    };
  });
}
