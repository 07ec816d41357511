/**
 * @module relay/connection
 * One peer's WebSocket on the relay: challenge → create/join → routing, with rate limits,
 * bad-frame strikes, heartbeats and backpressure. Every event handler is wrapped so that nothing
 * a peer sends can throw out of it (the relay never crashes on input).
 */
import { randomBytes } from 'node:crypto';
import WebSocket from 'ws';
import { ShardwireError, type ErrorCode } from '../errors.ts';
import { BROADCAST, CHALLENGE_BYTES, ControlType, FrameKind, PROTOCOL_VERSION, RELAY_ID } from '../wire/constants.ts';
import type { ChallengeBody, ErrorBody, PresenceBody, WelcomeBody } from '../wire/control.ts';
import { toBase64url } from '../wire/base64url.ts';
import { decodeFrame, encodeFrameUnchecked, type Frame } from '../wire/frame.ts';
import { authenticate, type Admission } from './auth.ts';
import type { BackplaneEvent, SessionRecord, Unsubscribe } from './backplane.ts';
import type { RelayContext } from './context.ts';
import type { ConnectionRateLimiter } from './rate-limiter.ts';
import { errorFrame, presenceFrame, relayFrame } from './relay-frames.ts';
import { sessionName } from './session-key.ts';
import type { InboxStart } from './inbox.ts';
import { InboxDelivery } from './inbox-delivery.ts';
import { parseAckBody } from '../wire/inbox-control.ts';
import { parseControlBody } from '../wire/control.ts';

type State = 'challenged' | 'authenticating' | 'open' | 'closed';

/** Names a frame in an error reply. */
function refOf(frame: Frame): ErrorBody['ref'] {
  return { type: frame.header.type, seq: frame.header.seq };
}

function asShardwireError(e: unknown): ShardwireError {
  return e instanceof ShardwireError ? e : new ShardwireError('E_BAD_FRAME', 'frame could not be processed', {});
}

/** The relay side of one WebSocket. Created by the relay server per accepted upgrade. */
export class PeerConnection {
  state: State = 'challenged';
  /** Authenticated id ('' before). */
  id = '';
  session: SessionRecord | undefined;
  /** The session's name as peers write it in headers ('' before authentication). */
  sessionName = '';
  /** Cleared by each ping, set by pong or any frame; still false at the next ping = dead. */
  alive = true;
  private strikes = 0;
  private closing = false;
  private rateDrops = 0;
  private rateWindowStart = -Infinity;
  /** The identity's rate buckets, from authentication on. */
  private limiter: ConnectionRateLimiter | undefined;
  private readonly nonce = new Uint8Array(randomBytes(CHALLENGE_BYTES));
  private unsubscribe: Unsubscribe | undefined;
  private authTimer: NodeJS.Timeout | undefined;
  private closeReason: PresenceBody['reason'] = 'left';
  /** Ordered delivery of this member's offline inbox, when it has one. */
  private inbox: InboxDelivery | undefined;
  /** The write-batch turn in which this socket was last corked (see write-batch.ts). */
  private writeTurn = -1;

  constructor(
    private readonly ctx: RelayContext,
    readonly ws: WebSocket,
    private readonly peer: { readonly ip: string; authenticated(): void },
    private readonly onGone: (c: PeerConnection) => void,
  ) {
    const o = ctx.options;
    // No closure per frame on the hot path: the handler is created once (measured: with tsx each
    // closure also costs a __name call).
    ws.on('message', (data, isBinary) => this.onMessageGuarded(data as Buffer, isBinary));
    ws.on('pong', () => (this.alive = true));
    ws.on('close', () => this.guard(() => this.onClose()));
    ws.on('error', (err: Error & { code?: string }) => this.guard(() => this.onSocketError(err)));
    this.authTimer = setTimeout(() => this.guard(() => this.refuseAuth(new ShardwireError('E_AUTH', `no create/join within ${o.authTimeoutMs} ms`, { reason: 'timeout' }))), o.authTimeoutMs);
    const challenge: ChallengeBody = { nonce: toBase64url(this.nonce), relay: `shardwire-relay/${PROTOCOL_VERSION}`, maxPayloadBytes: o.maxPayloadBytes };
    this.send(relayFrame('', '', ControlType.challenge, challenge));
  }

  /** Bytes queued to this peer and not yet written to the socket. */
  get bufferedAmount(): number {
    return this.ws.bufferedAmount;
  }

  /** Heartbeat tick from the relay timer. */
  heartbeat(): void {
    this.guard(() => {
      if (this.state === 'closed') return;
      if (!this.alive) {
        this.ctx.metrics.heartbeatTimeouts++;
        this.closeReason = 'timeout';
        this.ctx.log.info('peer missed heartbeat', { session: this.sessionName || undefined, id: this.id || undefined });
        this.ws.terminate();
        return;
      }
      this.alive = false;
      if (this.ws.readyState === WebSocket.OPEN) this.ws.ping();
      if (this.inbox && this.session) this.ctx.backplane.inbox?.touch(this.session.id, this.id).catch(() => undefined);
    });
  }

  /** Graceful shutdown: tell the peer, then close with 1001 (going away). */
  shutdown(message = 'relay is shutting down; reconnect to another relay'): void {
    this.guard(() => {
      if (this.state === 'closed') return;
      this.closeReason = 'shutdown';
      this.send(relayFrame(this.sessionName, this.id, ControlType.shutdown, { code: 'E_SHUTTING_DOWN', message }));
      this.ctx.metrics.error('E_SHUTTING_DOWN');
      this.close(1001, 'E_SHUTTING_DOWN');
    });
  }

  private guard(fn: () => void): void {
    try {
      fn();
    } catch (e) {
      this.bug(e);
    }
  }

  /** Last line of defence; reaching it is a relay bug, so log it (without any payload). */
  private bug(e: unknown): void {
    this.ctx.log.error('connection handler failed', { error: e instanceof Error ? e.message : String(e) });
  }

  private onMessageGuarded(data: Buffer, isBinary: boolean): void {
    try {
      this.onMessage(data, isBinary);
    } catch (e) {
      this.bug(e);
    }
  }

  /** Before authentication there are no second chances: one bad frame closes the connection. */
  private reject(err: ShardwireError): void {
    if (this.state === 'open') this.fail(err);
    else this.refuseAuth(err);
  }

  private send(frame: Uint8Array): void {
    if (this.ws.readyState === WebSocket.OPEN) this.ws.send(frame, { binary: true });
  }

  private close(code: number, reason: string): void {
    // Stop reading at once; `state` itself changes on the 'close' event (presence needs it).
    this.closing = true;
    if (this.state !== 'open') this.state = 'closed';
    if (this.ws.readyState === WebSocket.OPEN || this.ws.readyState === WebSocket.CONNECTING) this.ws.close(code, reason);
  }

  private sendError(code: ErrorCode, message: string, details?: Record<string, unknown>, ref?: ErrorBody['ref']): void {
    this.ctx.metrics.error(code);
    // An error frame is small, but a peer that reads nothing must not grow our buffer either.
    if (this.ws.bufferedAmount > this.ctx.options.highWaterMarkBytes) return;
    this.send(errorFrame(this.sessionName, this.id, code, message, details, ref));
  }

  /** A frame-level error: report it, count a strike, hang up after too many. */
  private fail(err: ShardwireError, ref?: ErrorBody['ref']): void {
    this.sendError(err.code, err.message, { ...err.details }, ref);
    if (++this.strikes >= this.ctx.options.maxBadFrames) {
      this.ctx.log.info('closing peer after repeated bad frames', { session: this.sessionName || undefined, id: this.id || undefined, code: err.code, strikes: this.strikes });
      this.close(err.closeCode ?? 1008, err.code);
    }
  }

  private onMessage(data: Buffer, isBinary: boolean): void {
    this.alive = true;
    if (this.closing || this.state === 'closed') return;
    // Rates are per identity, so they start at authentication; before it a peer gets one frame.
    if (this.limiter) {
      const verdict = this.limiter.admit(data.length);
      if (verdict !== 'ok') return this.rateLimited(verdict);
    }
    if (!isBinary) return this.reject(new ShardwireError('E_BAD_FRAME', 'text WebSocket messages are not part of the protocol; send binary frames'));
    let frame: Frame;
    try {
      frame = decodeFrame(data);
    } catch (e) {
      return this.reject(asShardwireError(e));
    }
    if (this.state === 'challenged') return this.beginAuth(frame);
    if (this.state === 'authenticating') return this.fail(new ShardwireError('E_AUTH', 'wait for the welcome frame before sending'), refOf(frame));
    if (frame.kind === FrameKind.control && frame.header.type === ControlType.ack && this.inbox) return this.onAck(frame);
    if (frame.kind === FrameKind.control) return this.fail(new ShardwireError('E_BAD_FRAME', `already authenticated; a peer sends only "message" frames now, got control "${frame.header.type}"`), refOf(frame));
    this.route(frame, data);
  }

  private rateLimited(which: 'messages' | 'bytes'): void {
    this.ctx.metrics.drop('rate');
    const now = performance.now();
    if (now - this.rateWindowStart > 1000) {
      this.rateWindowStart = now;
      this.rateDrops = 0;
      // One error per second: a flood must not be answered by a flood.
      this.sendError('E_RATE_LIMITED', `frame dropped: ${which} rate limit (${which === 'messages' ? `${this.ctx.options.messagesPerSecond}/s` : `${this.ctx.options.bytesPerSecond} B/s`})`, { limit: which });
    }
    // Twice the burst dropped within one second is no accident: hang up.
    if (++this.rateDrops > this.ctx.options.burstMessages * 2) this.close(1008, 'E_RATE_LIMITED');
  }

  private beginAuth(frame: Frame): void {
    const h = frame.header;
    if (frame.kind !== FrameKind.control || h.to !== RELAY_ID || (h.type !== ControlType.create && h.type !== ControlType.join)) {
      return this.refuseAuth(new ShardwireError('E_AUTH', 'the first frame must be a control "create" or "join" addressed to "relay"', { reason: 'protocol' }));
    }
    if (this.ctx.shuttingDown) return this.refuseAuth(new ShardwireError('E_SHUTTING_DOWN', 'relay is shutting down', { reason: 'shutdown' }));
    if (this.ctx.backplaneDown) {
      return this.refuseAuth(new ShardwireError('E_SHUTTING_DOWN', 'backplane unavailable; retry shortly or use another relay', { reason: 'backplane-down' }));
    }
    this.state = 'authenticating';
    authenticate(frame, this.nonce, this.peer.ip, this.ctx).then(
      (a) => this.admit(a).catch((e) => this.refuseAuth(asShardwireError(e))),
      (e) => this.guard(() => this.refuseAuth(asShardwireError(e))),
    );
  }

  private refuseAuth(err: ShardwireError): void {
    if (this.state === 'closed' || this.state === 'open') return;
    clearTimeout(this.authTimer);
    this.ctx.metrics.authFailure(String(err.details.reason ?? err.code));
    this.ctx.log.info('authentication refused', { code: err.code, reason: err.details.reason });
    this.sendError(err.code, err.message, { ...err.details });
    this.close(err.closeCode ?? 1008, err.code);
    this.state = 'closed';
  }

  private async admit(a: Admission): Promise<void> {
    if (this.state !== 'authenticating') return;
    if (this.ctx.shuttingDown) return this.refuseAuth(new ShardwireError('E_SHUTTING_DOWN', 'relay is shutting down', { reason: 'shutdown' }));
    const { backplane, sessions, options } = this.ctx;
    if (this.ctx.authenticated >= options.maxConnections) {
      if (a.created) await backplane.deleteSession(a.record.id);
      return this.refuseAuth(new ShardwireError('E_RATE_LIMITED', `this relay holds its maximum of ${options.maxConnections} connections; try later or another relay`, { reason: 'relay-full' }));
    }
    clearTimeout(this.authTimer);
    const sid = a.record.id;
    const name = sessionName(sid);
    // The newest connection of an identity wins: a reconnect must not wait for the dead one's heartbeat.
    await backplane.publish({ type: 'close', session: sid, to: a.id, code: 'E_AUTH', message: 'replaced by a newer connection of the same identity' });
    this.id = a.id;
    this.session = a.record;
    this.sessionName = name;
    this.state = 'open';
    this.ctx.authenticated++;
    this.peer.authenticated();
    this.limiter = this.ctx.rates.acquire(a.id);
    // The inbox opens before the subscription: frames in between are in the store, not lost.
    const start = await this.openInbox(a);
    this.unsubscribe = await backplane.subscribe(sid, a.id, (e) => this.onEvent(e));
    if (a.created) sessions.track(sid, a.record.limits.idleTimeoutMs, this.peer.ip);
    else if (!sessions.wasExpired(sid)) sessions.track(sid, a.record.limits.idleTimeoutMs);
    const welcome: WelcomeBody = {
      session: name, id: a.id, role: a.role, online: await backplane.online(sid), limits: a.record.limits,
      ...(start ? { inbox: start } : {}),
    };
    this.send(relayFrame(name, a.id, ControlType.welcome, welcome));
    if (start) this.inbox?.start(start.after);
    await backplane.publish({ type: 'frame', session: sid, to: BROADCAST, exclude: a.id, from: RELAY_ID, frame: presenceFrame(name, { id: a.id, status: 'online', reason: 'joined' }) });
    this.ctx.log.info(a.created ? 'session created' : 'peer joined', { session: name, coordinator: a.record.coordinatorId, id: a.id, role: a.role, ...(a.created ? { roster: a.record.roster.size, maxPayloadBytes: options.maxPayloadBytes } : {}) });
  }

  private route(frame: Frame, data: Buffer): void {
    const h = frame.header;
    const s = this.session!;
    if (h.session !== this.sessionName) return this.fail(new ShardwireError('E_NOT_IN_SESSION', `this connection belongs to session ${JSON.stringify(this.sessionName)}, not ${JSON.stringify(h.session)}`, { session: h.session }), refOf(frame));
    if (h.from !== '' && h.from !== this.id) return this.fail(new ShardwireError('E_AUTH', `"from" must be empty or your authenticated id ${JSON.stringify(this.id)}; the relay stamps it`, { from: h.from }), refOf(frame));
    if (h.to === this.id || h.to === RELAY_ID) return this.fail(new ShardwireError('E_BAD_FRAME', `"to" must be another member or "*", got ${JSON.stringify(h.to)}`, { to: h.to }), refOf(frame));
    if (h.to !== BROADCAST && h.to !== s.coordinatorId && !s.roster.has(h.to)) {
      return this.fail(new ShardwireError('E_NOT_IN_SESSION', `${JSON.stringify(h.to)} is not a member of session ${JSON.stringify(this.sessionName)}`, { to: h.to }), refOf(frame));
    }
    const max = s.limits.maxPayloadBytes;
    if (frame.payload.length > max) return this.fail(new ShardwireError('E_FRAME_TOO_LARGE', `payload is ${frame.payload.length} bytes, session ${JSON.stringify(this.sessionName)} allows ${max}`, { payloadBytes: frame.payload.length, max }), refOf(frame));
    // Forward the received bytes untouched when they already say who sent them (the SDK's
    // canonical encoding): no copy of a multi-megabyte payload. Otherwise stamp `from`.
    const out = h.from === this.id && frame.canonical ? data : encodeFrameUnchecked(FrameKind.message, { ...h, from: this.id }, frame.payload);
    this.ctx.sessions.touch(s.id);
    this.ctx.metrics.routed(h, out.length);
    const r = this.ctx.backplane.publish({ type: 'frame', session: s.id, to: h.to, exclude: this.id, from: this.id, frame: out });
    // Local backplanes answer synchronously: no promise per routed frame (measured ~1 µs each).
    if (typeof r === 'number') this.delivered(r, frame);
    else r.then((n) => this.delivered(n, frame), (e: unknown) => this.ctx.log.error('backplane publish failed', { error: e instanceof Error ? e.message : String(e) }));
  }

  /** A unicast that reached nobody: tell the sender (broadcasts to an empty session are fine). */
  private delivered(n: number, frame: Frame): void {
    const to = frame.header.to;
    if (n !== 0 || to === BROADCAST) return;
    this.ctx.metrics.drop('offline');
    this.sendError('E_NOT_IN_SESSION', `${JSON.stringify(to)} is not connected; the frame was dropped`, { to, reason: 'offline' }, refOf(frame));
  }

  /** Opens (or resumes) this member's inbox when it asked for one and the relay keeps them. */
  private async openInbox(a: Admission): Promise<InboxStart | undefined> {
    const store = this.ctx.backplane.inbox;
    const o = this.ctx.options;
    if (!a.inbox || !store || o.inboxWindowMs === 0) return undefined;
    const limits = { maxFrames: o.inboxMaxFrames, maxBytes: o.inboxMaxBytes, windowMs: o.inboxWindowMs };
    const start = await store.open(a.record.id, a.id, a.inbox, limits);
    const name = this.sessionName;
    this.inbox = new InboxDelivery(store, a.record.id, a.id, {
      send: (f) => this.send(f),
      gap: (from, to) => this.send(relayFrame(name, a.id, ControlType.gap, { from, to })),
      writable: () => this.ws.readyState === WebSocket.OPEN && this.ws.bufferedAmount <= o.highWaterMarkBytes,
      fail: (e) => {
        this.ctx.log.error('inbox store failed; closing so the peer resumes', { error: e instanceof Error ? e.message : String(e) });
        this.shutdown('relay could not read your inbox; reconnect to resume');
      },
    });
    this.ctx.log.debug('inbox', { session: name, id: a.id, after: start.after, gap: start.gap });
    return start;
  }

  private onAck(frame: Frame): void {
    let seq: number;
    try {
      seq = parseAckBody(parseControlBody(frame.payload)).seq;
    } catch (e) {
      return this.fail(asShardwireError(e), refOf(frame));
    }
    this.inbox!.ack(seq).catch(() => this.ctx.metrics.drop('inbox-ack'));
  }

  /** Events the backplane routes to this member. */
  private onEvent(e: BackplaneEvent): void {
    if (e.type === 'frame' && e.seq !== undefined && this.inbox) {
      if (this.ws.readyState === WebSocket.OPEN) this.inbox.live(e.seq, e.frame);
      return;
    }
    if (e.type === 'close') {
      this.closeReason = e.code === 'E_AUTH' ? 'replaced' : 'left';
      this.sendError(e.code, e.message);
      this.close(new ShardwireError(e.code, e.message).closeCode ?? 1008, e.code);
      return;
    }
    if (this.ws.readyState !== WebSocket.OPEN) {
      this.ctx.metrics.drop('closed');
      return;
    }
    if (this.ws.bufferedAmount > this.ctx.options.highWaterMarkBytes) {
      // Bounded memory beats completeness: drop, and tell the sender so it can back off.
      this.ctx.metrics.drop('backpressure');
      if (e.from !== RELAY_ID && this.session) {
        const msg = `${JSON.stringify(this.id)} is not reading fast enough (${this.ws.bufferedAmount} bytes queued); the frame was dropped, retry later`;
        this.ctx.metrics.error('E_BACKPRESSURE');
        const notice = errorFrame(this.sessionName, e.from, 'E_BACKPRESSURE', msg, { to: this.id, bufferedBytes: this.ws.bufferedAmount });
        Promise.resolve(this.ctx.backplane.publish({ type: 'frame', session: this.session.id, to: e.from, from: RELAY_ID, frame: notice })).catch(() => this.ctx.metrics.drop('backplane'));
      }
      return;
    }
    if (this.writeTurn !== this.ctx.writes.turn && this.ctx.writes.hold(this.ws)) this.writeTurn = this.ctx.writes.turn;
    this.ws.send(e.frame, { binary: true });
  }

  private onSocketError(err: Error & { code?: string }): void {
    // ws reports protocol violations (oversized frame, bad opcode, invalid UTF-8 close reason)
    // here and closes the socket itself with the matching close code.
    const code: ErrorCode = err.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH' ? 'E_FRAME_TOO_LARGE' : 'E_BAD_FRAME';
    this.ctx.metrics.error(code);
    this.ctx.log.debug('socket error', { session: this.sessionName || undefined, id: this.id || undefined, wsCode: err.code });
  }

  private onClose(): void {
    this.inbox?.stop();
    const wasOpen = this.state === 'open';
    this.state = 'closed';
    clearTimeout(this.authTimer);
    this.onGone(this);
    if (!wasOpen || !this.unsubscribe || !this.session) return;
    this.ctx.authenticated--;
    this.ctx.rates.release(this.id);
    const sid = this.session.id;
    const name = this.sessionName;
    const id = this.id;
    const reason = this.closeReason;
    this.unsubscribe()
      .then(() => {
        if (reason === 'replaced' || reason === 'shutdown') return;
        return Promise.resolve(this.ctx.backplane.publish({ type: 'frame', session: sid, to: BROADCAST, exclude: id, from: RELAY_ID, frame: presenceFrame(name, { id, status: 'offline', reason }) })).then(() => undefined);
      })
      .catch((e: unknown) => this.ctx.log.error('backplane unsubscribe failed', { error: e instanceof Error ? e.message : String(e) }));
    this.ctx.log.info('peer left', { session: name, id, reason });
  }
}
