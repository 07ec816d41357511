// Test helpers for relay integration tests: a relay on 127.0.0.1:0 and a minimal peer that
// speaks the wire format (the real client SDK is a later issue).
import WebSocket from 'ws';
import { identityId } from '../../src/crypto/identity.ts';
import { generateSigningKeyPair, sign, type SigningKeyPair } from '../../src/crypto/signature.ts';
import {
  authMessage, canonicalCreateBody, canonicalJoinBody, ControlType, createBodyDigest, decodeFrame, encodeControlBody, encodeFrame,
  FrameKind, joinBodyDigest, parseChallengeBody, parseControlBody, RELAY_ID, toBase64url, type Frame, type InboxRequest,
  type RosterEntry, type SessionLimits,
} from '../../src/wire/index.ts';
import { startRelay, type Relay, type RelayOptions } from '../../src/relay/index.ts';

export interface Identity extends SigningKeyPair {
  /** A readable name for test messages; the relay only knows `id`. */
  readonly name: string;
  /** The id derived from the key (crypto/identity.ts), as the relay requires. */
  readonly id: string;
  readonly entry: RosterEntry;
}

export async function identity(name: string): Promise<Identity> {
  const kp = await generateSigningKeyPair();
  const id = await identityId(kp.publicKey);
  return { ...kp, name, id, entry: { id, publicKey: toBase64url(kp.publicKey) } };
}

export function testRelay(o: RelayOptions = {}): Promise<Relay> {
  return startRelay({ port: 0, logLevel: 'silent', ...o });
}

/** Parsed view of a received frame. */
export interface Got {
  readonly frame: Frame;
  /** Control body, when the frame is a control frame. */
  readonly body: Record<string, unknown>;
}

export class Peer {
  readonly got: Got[] = [];
  private waiters: (() => void)[] = [];
  nonce!: Uint8Array;
  seq = 0;
  readonly closed: Promise<{ code: number; reason: string }>;

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      const frame = decodeFrame(new Uint8Array(data as Buffer));
      this.got.push({ frame, body: frame.kind === FrameKind.control ? parseControlBody(frame.payload) : {} });
      for (const w of this.waiters.splice(0)) w();
    });
    this.closed = new Promise((r) => ws.on('close', (code, reason) => {
      r({ code, reason: reason.toString() });
      for (const w of this.waiters.splice(0)) w();
    }));
    ws.on('error', () => undefined);
  }

  static async connect(url: string, opts: WebSocket.ClientOptions = {}, ms = 3000): Promise<Peer> {
    const p = new Peer(new WebSocket(url, opts));
    const c = await p.next((g) => g.frame.header.type === 'challenge', ms);
    p.nonce = parseChallengeBody(c.body).nonce;
    return p;
  }

  /** Resolves with the first received frame (from `start`) matching `pred`; removes it. */
  async next(pred: (g: Got) => boolean = () => true, ms = 3000): Promise<Got> {
    const end = Date.now() + ms;
    for (;;) {
      const i = this.got.findIndex(pred);
      if (i >= 0) return this.got.splice(i, 1)[0]!;
      if (this.ws.readyState === WebSocket.CLOSED) throw new Error(`socket closed while waiting; have: ${this.got.map((g) => g.frame.header.type).join(',')}`);
      const left = end - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for a frame; have: ${this.got.map((g) => g.frame.header.type).join(',')}`);
      await new Promise<void>((r) => {
        const t = setTimeout(r, left);
        this.waiters.push(() => {
          clearTimeout(t);
          r();
        });
      });
    }
  }

  nextType(type: string, ms?: number): Promise<Got> {
    return this.next((g) => g.frame.header.type === type, ms);
  }

  async error(code?: string, ms?: number): Promise<Got> {
    return this.next((g) => g.frame.header.type === 'error' && (code === undefined || g.body.code === code), ms);
  }

  send(bytes: Uint8Array): void {
    this.ws.send(bytes);
  }

  async createFrame(session: string, who: Identity, roster: readonly Identity[], limits: SessionLimits = {}): Promise<Uint8Array> {
    const signed = canonicalCreateBody(who.entry.publicKey, roster.map((r) => r.entry), limits);
    const sig = await sign(authMessage('create', session, who.id, this.nonce, await createBodyDigest(signed)), who.secretKey);
    return encodeFrame(FrameKind.control, { session, from: who.id, to: RELAY_ID, type: ControlType.create, seq: this.seq++ }, encodeControlBody({ ...signed, signature: toBase64url(sig) }));
  }

  async joinFrame(session: string, who: Identity, secretKey = who.secretKey, extra: { coordinator?: string; inbox?: InboxRequest } = {}): Promise<Uint8Array> {
    const sig = await sign(authMessage('join', session, who.id, this.nonce, await joinBodyDigest(extra)), secretKey);
    const body = { ...canonicalJoinBody(extra), signature: toBase64url(sig) };
    return encodeFrame(FrameKind.control, { session, from: who.id, to: RELAY_ID, type: ControlType.join, seq: this.seq++ }, encodeControlBody(body));
  }

  async create(session: string, who: Identity, roster: readonly Identity[], limits?: SessionLimits): Promise<Got> {
    this.send(await this.createFrame(session, who, roster, limits));
    return this.next((g) => g.frame.header.type === 'welcome' || g.frame.header.type === 'error');
  }

  async join(session: string, who: Identity, extra: { coordinator?: string; inbox?: InboxRequest } = {}): Promise<Got> {
    this.send(await this.joinFrame(session, who, who.secretKey, extra));
    return this.next((g) => g.frame.header.type === 'welcome' || g.frame.header.type === 'error');
  }

  message(session: string, to: string, payload: Uint8Array, o: { from?: string; type?: string; memo?: string } = {}): Uint8Array {
    return encodeFrame(FrameKind.message, { session, from: o.from ?? '', to, type: o.type ?? 'test', ...(o.memo ? { memo: o.memo } : {}), seq: this.seq++ }, payload);
  }

  close(): void {
    this.ws.terminate();
  }
}

/**
 * Creates session `sid` with a coordinator and participants named `names`; returns their identities
 * and connected peers (coordinator first) and `id(name)`, the derived id of a name ('coord' included).
 */
export async function session(relay: Relay, sid: string, names: string[], limits?: SessionLimits, clientOptions: (name: string) => WebSocket.ClientOptions = () => ({})): Promise<{ ids: Identity[]; peers: Peer[]; id: (name: string) => string }> {
  const ids = await Promise.all(['coord', ...names].map((n) => identity(n)));
  const peers: Peer[] = [];
  const c = await Peer.connect(relay.url);
  const w = await c.create(sid, ids[0]!, ids.slice(1), limits);
  if (w.frame.header.type !== 'welcome') throw new Error(`create failed: ${JSON.stringify(w.body)}`);
  peers.push(c);
  for (const id of ids.slice(1)) {
    const p = await Peer.connect(relay.url, clientOptions(id.name));
    const jw = await p.join(sid, id);
    if (jw.frame.header.type !== 'welcome') throw new Error(`join failed: ${JSON.stringify(jw.body)}`);
    peers.push(p);
  }
  const byName = new Map(ids.map((i) => [i.name, i.id]));
  return { ids, peers, id: (name) => byName.get(name) ?? name };
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
