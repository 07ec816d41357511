/**
 * @module session/relay-link
 * The peer side of the relay protocol (docs/RELAY.md), shared by the client and coordinator SDKs:
 * an authenticated connection to a relay session (relay-handshake.ts) that sends and receives
 * message frames. Nothing here opens payloads.
 *
 * With `reconnect`, the link survives drops: it asks the relay for an offline inbox, counts the
 * message frames it receives and acknowledges them; when the socket closes it reconnects with
 * exponential backoff and jitter (to the same URL, then the next of `urls`), authenticates again
 * and resumes the inbox after the last frame it received, so frames sent meanwhile arrive in order
 * and exactly once. Frames given to `send` while reconnecting wait (bounded) and go out after the
 * resume. Events: `reconnecting`, `resumed` (with `gap` when frames were lost to the inbox caps or
 * expiry), `lost` (a typed E_LINK_LOST when the link is not back within `windowMs`, or the relay's
 * code when it refuses us for good), then `close`.
 */
import { ShardwireError, type ErrorCode } from '../errors.ts';
import { ControlType, FrameKind, RELAY_ID } from '../wire/constants.ts';
import { encodeControlBody, parseControlBody, type RosterEntry, type SessionLimits, type WelcomeBody, type PresenceBody } from '../wire/control.ts';
import { decodeFrame, encodeFrame, type Frame } from '../wire/frame.ts';
import type { Header } from '../wire/header.ts';
import { parseGapBody } from '../wire/inbox-control.ts';
import { handshake, toBytes, type Handshaken, type LinkIdentity, type Socket } from './relay-handshake.ts';

export type { LinkIdentity } from './relay-handshake.ts';

/** Reconnection settings (all optional). */
export interface ReconnectOptions {
  /** Give up (`lost`) when the link is not back within this long after a drop (default 30 s). */
  readonly windowMs?: number;
  /** First retry delay (default 100 ms); doubles per attempt up to `maxDelayMs` (default 2 s). */
  readonly initialDelayMs?: number;
  readonly maxDelayMs?: number;
  /** Bytes `send` may queue while reconnecting (default 64 MiB); past it `send` throws. */
  readonly maxQueuedBytes?: number;
  /**
   * Send again, after a resume, the frames written in the last `resendMs` before the drop (default
   * 0: off). The relay does not acknowledge what it receives, so a frame written into a socket that
   * then died may be lost; with this the sender covers it, and the receiver must drop duplicates by
   * sequence number (the SDK's sealed channel does: a seq not above the last is refused unopened).
   */
  readonly resendMs?: number;
}

/** Options of {@link RelayLink.connect}. */
export interface LinkOptions {
  /** Relay URL (or give `urls`). */
  readonly url?: string;
  /** Relay URLs in order of preference; reconnection moves to the next one after a failure. */
  readonly urls?: readonly string[];
  readonly session: string;
  readonly identity: LinkIdentity;
  /** Sequence number of the first frame sent (default 1); a restarted coordinator continues above its old ones. */
  readonly firstSeq?: number;
  /** Present for the coordinator: creates the session with this roster and limits. */
  readonly create?: { readonly roster: readonly RosterEntry[]; readonly limits?: SessionLimits };
  /** The coordinator's id, named when joining (sessions are namespaced by creator). */
  readonly coordinator?: string;
  /** Give up one connection attempt after this long (default 10 s). */
  readonly timeoutMs?: number;
  /** Reconnect and resume after drops (off when absent). */
  readonly reconnect?: ReconnectOptions | boolean;
}

/** Events a link delivers. */
export interface LinkHandlers {
  message?(frame: Frame): void;
  presence?(p: PresenceBody): void;
  /** A relay `error` frame (e.g. E_BACKPRESSURE for a frame we sent) or a decoding problem. */
  error?(e: ShardwireError): void;
  /** The link is finally closed (by `close()`, by the relay without reconnection, or after `lost`). */
  close?(code: number, reason: string): void;
  /** The socket dropped; attempt `attempt` (1, 2, ...) starts after `delayMs` against `url`. */
  reconnecting?(e: { attempt: number; delayMs: number; url: string; closeCode: number }): void;
  /** Back and authenticated; `gap` is true when frames sent meanwhile could not be kept. */
  resumed?(e: { url: string; gap: boolean; welcome: WelcomeBody }): void;
  /** The link cannot come back: E_LINK_LOST past the window, or the relay's refusal. */
  lost?(e: ShardwireError): void;
}

/** Relay refusals that another attempt cannot fix. */
const FATAL: readonly ErrorCode[] = ['E_AUTH', 'E_BAD_FRAME', 'E_BAD_PAYLOAD', 'E_SESSION_EXPIRED'];
/** Acknowledge after this many frames, or this long after the first unacknowledged one. */
const ACK_EVERY = 32;
const ACK_AFTER_MS = 200;

function jitter(): number {
  // Not a secret: crypto only because this codebase keeps Math.random out entirely.
  return 0.5 + globalThis.crypto.getRandomValues(new Uint32Array(1))[0]! / 2 ** 32;
}

/** An authenticated connection to a relay session. */
export class RelayLink {
  private socket: Socket;
  private current: WelcomeBody;
  private readonly urls: readonly string[];
  private urlIndex = 0;
  private seq = 1;
  private handlers: LinkHandlers = {};
  private closed = false;
  /** close() was called: the socket's close event still reaches the `close` handler. */
  private closedByUs = false;
  private reconnecting = false;
  /** The session was gone on the relay (e.g. Redis restarted): the coordinator creates it again. */
  private recreate = false;
  private readonly queue: Uint8Array[] = [];
  private queuedBytes = 0;
  /** Frames written lately (time, bytes), sent again after a resume when `resendMs` is set. */
  private readonly recent: { at: number; bytes: Uint8Array }[] = [];
  private recentBytes = 0;
  /** Inbox: epoch and the number of the last message frame received (see wire/join-body.ts). */
  private epoch: string | undefined;
  private received = 0;
  private acked = 0;
  private ackTimer: ReturnType<typeof setTimeout> | undefined;

  private constructor(private readonly o: LinkOptions, urls: readonly string[], h: Handshaken) {
    this.urls = urls;
    this.seq = o.firstSeq ?? 1;
    this.socket = h.socket;
    this.current = h.welcome;
    this.adoptInbox(h.welcome);
    this.attach(h);
  }

  /**
   * Connects, authenticates (create or join) and resolves once the relay welcomes this peer.
   * @throws {ShardwireError} the relay's code (E_AUTH, E_NOT_IN_SESSION, E_SESSION_EXISTS, ...),
   *   E_TIMEOUT when no welcome arrives in time, E_BAD_ARGUMENT without a URL.
   * @example const link = await RelayLink.connect({ urls: [a, b], session: 's1', identity, reconnect: true })
   */
  static async connect(o: LinkOptions): Promise<RelayLink> {
    const urls = o.urls ?? (o.url === undefined ? [] : [o.url]);
    if (urls.length === 0) throw new ShardwireError('E_BAD_ARGUMENT', 'RelayLink.connect expected "url" or a non-empty "urls"', { field: 'urls' });
    const h = await handshake({ ...RelayLink.request(o, urls[0]!), ...(o.create ? { create: o.create } : {}), ...(o.reconnect ? { inbox: {} } : {}) });
    return new RelayLink(o, urls, h);
  }

  private static request(o: LinkOptions, url: string) {
    return { url, session: o.session, identity: o.identity, timeoutMs: o.timeoutMs ?? 10_000, ...(o.coordinator ? { coordinator: o.coordinator } : {}) };
  }

  /** What the relay said on the latest admission: role, members online, limits, inbox. */
  get welcome(): WelcomeBody {
    return this.current;
  }

  /** The URL of the relay this link is (or was last) connected to. */
  get url(): string {
    return this.urls[this.urlIndex]!;
  }

  private adoptInbox(w: WelcomeBody): void {
    if (!w.inbox) return;
    this.epoch = w.inbox.epoch;
    this.received = this.acked = w.inbox.after;
  }

  private attach(h: Handshaken): void {
    const socket = h.socket;
    socket.onmessage = (ev) => this.onData(ev.data);
    socket.onclose = (ev) => this.onSocketClose(socket, ev.code, ev.reason);
    socket.onerror = () => undefined;
    for (const m of h.backlog.messages) this.onData(m);
    if (h.backlog.close) this.onSocketClose(socket, h.backlog.close.code, h.backlog.close.reason);
  }

  private onData(data: unknown): void {
    try {
      const frame = decodeFrame(toBytes(data));
      if (frame.kind === FrameKind.message) {
        if (this.epoch !== undefined) this.countReceived();
        return this.handlers.message?.(frame);
      }
      const body = parseControlBody(frame.payload);
      const type = frame.header.type;
      if (type === ControlType.presence) this.handlers.presence?.(body as unknown as PresenceBody);
      else if (type === ControlType.gap) {
        const g = parseGapBody(body);
        this.received = Math.max(this.received, g.to);
        this.handlers.error?.(new ShardwireError('E_TIMEOUT', `relay: frames ${g.from}-${g.to} addressed to us were lost (inbox caps)`, { gap: g }));
      } else if (type === ControlType.error || type === ControlType.shutdown) {
        const code = (typeof body.code === 'string' ? body.code : 'E_BAD_FRAME') as ErrorCode;
        this.handlers.error?.(new ShardwireError(code, `relay: ${String(body.message ?? '')}`, { relayCode: code, ...(body.ref ? { ref: body.ref } : {}) }));
      }
    } catch (e) {
      this.handlers.error?.(e instanceof ShardwireError ? e : new ShardwireError('E_BAD_FRAME', String(e)));
    }
  }

  /** Counts one inbox frame and acknowledges now and then (the relay then forgets it). */
  private countReceived(): void {
    this.received++;
    if (this.received - this.acked >= ACK_EVERY) this.ack();
    else this.ackTimer ??= setTimeout(() => this.ack(), ACK_AFTER_MS);
  }

  private ack(): void {
    clearTimeout(this.ackTimer);
    this.ackTimer = undefined;
    if (this.received <= this.acked || this.reconnecting || this.closed) return;
    this.acked = this.received;
    const header = { session: this.o.session, from: this.o.identity.id, to: RELAY_ID, type: ControlType.ack, seq: 0 };
    this.write(encodeFrame(FrameKind.control, header, encodeControlBody({ seq: this.received })));
  }

  private write(bytes: Uint8Array): void {
    try {
      this.socket.send(bytes);
    } catch {
      /* closing: the close handler takes over */
    }
  }

  /** Writes a message frame, keeping it for `resendMs` when that is set. */
  private writeMessage(bytes: Uint8Array): void {
    this.write(bytes);
    const keepMs = this.resendMs;
    if (keepMs <= 0) return;
    const now = Date.now();
    this.recent.push({ at: now, bytes });
    this.recentBytes += bytes.length;
    const maxBytes = (typeof this.o.reconnect === 'object' ? this.o.reconnect.maxQueuedBytes : undefined) ?? 64 * 1024 * 1024;
    while (this.recent.length > 0 && (this.recent[0]!.at < now - keepMs || this.recentBytes > maxBytes)) this.recentBytes -= this.recent.shift()!.bytes.length;
  }

  private get resendMs(): number {
    return typeof this.o.reconnect === 'object' ? (this.o.reconnect.resendMs ?? 0) : 0;
  }

  /** The sequence number the next frame will carry. */
  get nextSeq(): number {
    return this.seq;
  }

  private onSocketClose(socket: Socket, code: number, reason: string): void {
    if (socket !== this.socket) return;
    if (this.closedByUs) {
      this.closedByUs = false;
      return this.handlers.close?.(code, reason);
    }
    if (this.closed) return;
    clearTimeout(this.ackTimer);
    this.ackTimer = undefined;
    if (!this.o.reconnect) return this.finish(code, reason);
    // only what was written shortly before the drop may have died with the socket
    const since = Date.now() - this.resendMs;
    while (this.recent.length > 0 && this.recent[0]!.at < since) this.recentBytes -= this.recent.shift()!.bytes.length;
    void this.reconnect(code);
  }

  private finish(code: number, reason: string): void {
    if (this.closed) return;
    this.closed = true;
    this.queue.length = 0;
    this.recent.length = 0;
    this.handlers.close?.(code, reason);
  }

  private async reconnect(closeCode: number): Promise<void> {
    this.reconnecting = true;
    const r = typeof this.o.reconnect === 'object' ? this.o.reconnect : {};
    const deadline = Date.now() + (r.windowMs ?? 30_000);
    let delay = r.initialDelayMs ?? 100;
    for (let attempt = 1; !this.closed; attempt++) {
      // The same relay first (a blip), then the next one in the list.
      if (attempt > 1) this.urlIndex = (this.urlIndex + 1) % this.urls.length;
      const wait = Math.min(delay * jitter(), Math.max(0, deadline - Date.now()));
      this.handlers.reconnecting?.({ attempt, delayMs: Math.round(wait), url: this.url, closeCode });
      await new Promise((res) => setTimeout(res, wait));
      if (this.closed) return;
      if (Date.now() >= deadline) break;
      try {
        const inbox = this.epoch === undefined ? {} : { epoch: this.epoch, after: this.received };
        const timeoutMs = Math.min(this.o.timeoutMs ?? 10_000, Math.max(1, deadline - Date.now()));
        const create = this.recreate && this.o.create ? { create: this.o.create } : {};
        const h = await handshake({ ...RelayLink.request(this.o, this.url), timeoutMs, inbox, ...create });
        if (this.closed) return void h.socket.close(1000, 'bye');
        return this.resumed(h);
      } catch (e) {
        const err = e instanceof ShardwireError ? e : new ShardwireError('E_TIMEOUT', String(e));
        if (FATAL.includes(err.code)) return this.lose(err);
        this.recreate = err.code === 'E_NOT_IN_SESSION' && err.details.reason === 'unknown-session';
      }
      delay = Math.min(delay * 2, r.maxDelayMs ?? 2000);
    }
    this.lose(new ShardwireError('E_LINK_LOST', `the relay link did not come back within ${r.windowMs ?? 30_000} ms`, { session: this.o.session }));
  }

  private resumed(h: Handshaken): void {
    const gap = h.welcome.inbox === undefined || h.welcome.inbox.gap || h.welcome.inbox.epoch !== this.epoch;
    this.socket = h.socket;
    this.current = h.welcome;
    this.adoptInbox(h.welcome);
    this.reconnecting = false;
    this.handlers.resumed?.({ url: this.url, gap, welcome: h.welcome });
    for (const r of this.recent) this.write(r.bytes);
    for (const f of this.queue.splice(0)) this.writeMessage(f);
    this.queuedBytes = 0;
    this.attach(h);
  }

  private lose(e: ShardwireError): void {
    this.reconnecting = false;
    this.handlers.lost?.(e);
    this.finish(1006, e.message);
  }

  /** Sets the event handlers (replacing earlier ones). */
  on(handlers: LinkHandlers): void {
    this.handlers = handlers;
  }

  /** Bytes handed to the socket and not yet sent (flow control of streamed partials). */
  get bufferedAmount(): number {
    return this.socket.bufferedAmount;
  }

  /** True once the link is finally closed. */
  get isClosed(): boolean {
    return this.closed;
  }

  /** True while the link is reconnecting (frames given to `send` wait). */
  get isReconnecting(): boolean {
    return this.reconnecting;
  }

  /**
   * The header the next {@link send} will use (with our own id as `from`, which is what the relay
   * stamps), so the caller can bind an AEAD to it (associated data) before sending.
   */
  nextHeader(to: string, type: string, memo?: string): Header {
    return { session: this.o.session, from: this.o.identity.id, to, type, ...(memo === undefined ? {} : { memo }), seq: this.seq++ };
  }

  /**
   * Sends a message frame with a header from {@link nextHeader}; while reconnecting it waits.
   * @throws {ShardwireError} E_TIMEOUT when the link is closed; E_BACKPRESSURE when the queue
   *   of a reconnecting link is full.
   */
  send(header: Header, payload: Uint8Array): void {
    if (this.closed) throw new ShardwireError('E_TIMEOUT', 'the relay connection is closed; reconnect and rejoin the session');
    const bytes = encodeFrame(FrameKind.message, header, payload);
    // A socket that is already closing would swallow the frame: with reconnection it waits instead.
    const open = this.socket.readyState === 1;
    if (!this.o.reconnect || (!this.reconnecting && open)) return this.writeMessage(bytes);
    const max = (typeof this.o.reconnect === 'object' ? this.o.reconnect.maxQueuedBytes : undefined) ?? 64 * 1024 * 1024;
    if (this.queuedBytes + bytes.length > max) throw new ShardwireError('E_BACKPRESSURE', `the link is reconnecting and already holds ${this.queuedBytes} bytes to send`);
    this.queue.push(bytes);
    this.queuedBytes += bytes.length;
  }

  /** Closes the connection (idempotent). */
  close(): void {
    if (this.closed) return;
    this.ack();
    this.closed = true;
    this.closedByUs = !this.reconnecting;
    clearTimeout(this.ackTimer);
    this.queue.length = 0;
    this.recent.length = 0;
    try {
      this.socket.close(1000, 'bye');
    } catch {
      /* already closed */
    }
  }
}
