/**
 * @module controller/site-link
 * The sealed site-to-site channel of a FeatureCloud run: every site joins one relay session
 * (created by the coordinator's site), exchanges signed key bundles with every other site, and
 * sends messages sealed end to end to one site at a time (AEAD with the frame header as
 * associated data, through the session layer's SealedChannel). The relay routes frames it cannot
 * read; it only sees sizes, the message kind and who talks to whom.
 *
 * The secure-aggregation SDK has no site-to-site message, and the FeatureCloud API needs plain
 * data between any two sites (send_data_to_participant), so this is the smallest sound addition:
 * the SDK's own keyring and sealed channel, with message types of their own.
 *
 * Large data is cut into chunks below the relay's frame limit, and a site keeps at most
 * {@link WINDOW_BYTES} unacknowledged per recipient: the relay drops frames to a receiver that
 * falls behind (E_BACKPRESSURE) rather than buffer without bound, so senders must pace.
 * A body is `u32 metaLength (big-endian) | meta (UTF-8 JSON) | payload bytes`.
 */
import { ShardwireError, type ErrorCode } from '../errors.ts';
import type { Identity } from '../crypto/identity.ts';
import { configHash } from '../crypto/hash.ts';
import { keyBundleFromJson, keyBundleToJson, type KeyBundleJson } from '../crypto/session-keys.ts';
import { toBase64url } from '../wire/base64url.ts';
import { BROADCAST } from '../wire/constants.ts';
import type { Frame } from '../wire/frame.ts';
import { SealedChannel } from '../session/sealed-channel.ts';
import type { Roster } from './roster-file.ts';

/** Largest chunk of one data message (the relay's default frame limit is 16 MiB). */
export const CHUNK_BYTES = 4 * 1024 * 1024;
/** Unacknowledged payload bytes allowed in flight to one recipient. */
export const WINDOW_BYTES = 2 * CHUNK_BYTES;

const BUNDLE_TYPE = 'fc.key-bundle';
const DATA_TYPE = 'fc.data';
const ACK_TYPE = 'fc.ack';
const utf8 = new TextEncoder();
const fromUtf8 = new TextDecoder();

/** A message delivered to the controller. */
export interface SiteMessage {
  readonly from: string;
  /** Message kind (`fc.` + a lower-case name). */
  readonly type: string;
  readonly meta: Record<string, unknown>;
  readonly payload: Uint8Array;
}

/** What the link reports besides messages. */
export interface SiteLinkHandlers {
  message(m: SiteMessage): Promise<void> | void;
  /** A site's connection went away (crash, network, or its controller closed). */
  gone(id: string, reason: string): void;
  /** The relay refused something this site sent, or a frame could not be opened. */
  fault(e: ShardwireError): void;
}

/** Options of {@link SiteLink.open}. */
export interface SiteLinkOptions {
  readonly relayUrl: string;
  readonly session: string;
  readonly identity: Identity;
  readonly roster: Roster;
  /** How long to keep trying to join (the coordinator may start later) and to meet every site. */
  readonly timeoutMs: number;
  readonly handlers: SiteLinkHandlers;
}

function body(meta: Record<string, unknown>, payload: Uint8Array = new Uint8Array(0)): Uint8Array {
  const m = utf8.encode(JSON.stringify(meta));
  const out = new Uint8Array(4 + m.length + payload.length);
  new DataView(out.buffer).setUint32(0, m.length);
  out.set(m, 4);
  out.set(payload, 4 + m.length);
  return out;
}

function unbody(b: Uint8Array): { meta: Record<string, unknown>; payload: Uint8Array } {
  if (b.length < 4) throw new ShardwireError('E_BAD_PAYLOAD', `site message of ${b.length} bytes is too short`);
  const n = new DataView(b.buffer, b.byteOffset, b.byteLength).getUint32(0);
  if (4 + n > b.length)
    throw new ShardwireError('E_BAD_PAYLOAD', `site message declares ${n} meta bytes, has ${b.length - 4}`);
  const meta = JSON.parse(fromUtf8.decode(b.subarray(4, 4 + n))) as unknown;
  if (typeof meta !== 'object' || meta === null || Array.isArray(meta))
    throw new ShardwireError('E_BAD_PAYLOAD', 'site message meta is not an object');
  return { meta: meta as Record<string, unknown>, payload: b.subarray(4 + n) };
}

/** The hash every site's key bundle is signed over: the run's session, coordinator and sites. */
export function runHash(session: string, roster: Roster): Promise<string> {
  return configHash({
    protocol: 'shardwire-featurecloud/1',
    session,
    coordinator: roster.coordinator,
    sites: roster.sites.map((s) => s.id),
  });
}

/** An open site link. */
export class SiteLink {
  private queue: Promise<void> = Promise.resolve();
  /** Sends go out one at a time: sealing is async, and frames to a site must keep their seq order. */
  private sendQueue: Promise<void> = Promise.resolve();
  private readonly inflight = new Map<string, number>();
  private readonly windowWaiters = new Map<string, (() => void)[]>();
  private readonly assembling = new Map<string, { parts: Uint8Array[]; meta: Record<string, unknown>; type: string }>();
  private nextId = 1;
  private closed = false;

  private constructor(
    readonly channel: SealedChannel,
    private readonly roster: Roster,
    private readonly handlers: SiteLinkHandlers,
    readonly chunkBytes: number,
  ) {}

  /** Largest frame payload of the session, as the relay enforces it. */
  get maxPayloadBytes(): number {
    return this.channel.link.welcome.limits.maxPayloadBytes;
  }

  /**
   * Joins (or, at the coordinator's site, creates) the run's relay session and waits until the
   * key bundles of every site are verified.
   * @throws {ShardwireError} the relay's code (E_AUTH, E_SESSION_EXISTS, …); E_CONFIG_MISMATCH
   *   when a site runs with another roster or session; E_TIMEOUT when some site never came.
   * @example const link = await SiteLink.open({ relayUrl, session, identity, roster, timeoutMs, handlers })
   */
  static async open(o: SiteLinkOptions): Promise<SiteLink> {
    const hash = await runHash(o.session, o.roster);
    const isCoordinator = o.identity.id === o.roster.coordinator;
    const create = isCoordinator
      ? {
          roster: o.roster.sites
            .filter((s) => s.id !== o.identity.id)
            .map((s) => ({ id: s.id, publicKey: toBase64url(s.publicKey) })),
          limits: { maxPayloadBytes: 2 ** 30, idleTimeoutMs: 24 * 3_600_000 },
        }
      : undefined;
    const end = performance.now() + o.timeoutMs;
    let channel: SealedChannel | undefined;
    while (!channel) {
      try {
        channel = await SealedChannel.open({
          urls: [o.relayUrl],
          session: o.session,
          identity: o.identity,
          configHash: hash,
          ...(create ? { create } : {}),
          timeoutMs: Math.max(1, Math.min(10_000, end - performance.now())),
        });
      } catch (e) {
        // a participant may start before the coordinator's site has created the session
        const early = !isCoordinator && e instanceof ShardwireError && e.code === 'E_NOT_IN_SESSION';
        if (!early || performance.now() > end) throw e;
        await new Promise((r) => setTimeout(r, 200));
      }
    }
    const chunk = Math.min(CHUNK_BYTES, Math.floor(channel.link.welcome.limits.maxPayloadBytes / 2));
    const link = new SiteLink(channel, o.roster, o.handlers, chunk);
    channel.link.on({
      message: (f) => link.enqueue(f),
      presence: (p) => {
        // behind the frames already queued: a site's last message (fc.finished) comes before
        // the relay's notice that it left, and must be handled first
        if (p.status === 'offline') link.after(() => o.handlers.gone(p.id, p.reason));
      },
      error: (e) => {
        // after admission the relay says E_NOT_IN_SESSION only for a frame to a site that is no
        // longer connected (we address roster members only); its departure arrives as presence,
        // in order, and decides whether that is a failure (a site that finished may leave)
        if (e.code === 'E_NOT_IN_SESSION') return;
        o.handlers.fault(e);
      },
      close: (code, reason) => {
        if (!link.closed)
          o.handlers.fault(
            new ShardwireError('E_TIMEOUT', `the relay connection closed (${code} ${reason})`, { closeCode: code }),
          );
      },
    });
    const bundle = utf8.encode(JSON.stringify(await keyBundleToJson(channel.keyring.bundle)));
    await link.ordered(() => channel.sendPublic(BROADCAST, BUNDLE_TYPE, bundle));
    try {
      await link.waitForSites(end);
    } catch (e) {
      link.close();
      throw e;
    }
    return link;
  }

  private async waitForSites(end: number): Promise<void> {
    const others = this.roster.sites.filter((s) => s.id !== this.channel.keyring.id);
    for (;;) {
      const missing = others.filter((s) => !this.channel.keyring.hasPeer(s.id));
      if (missing.length === 0) return;
      if (performance.now() > end)
        throw new ShardwireError(
          'E_TIMEOUT',
          `sites ${missing.map((s) => s.id).join(', ')} did not join the run in time; start their controllers ` +
            `(same --session and roster)`,
          { missing: missing.map((s) => s.id) },
        );
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  private enqueue(f: Frame): void {
    // one frame at a time, in arrival order: a sealed message right behind a bundle waits for it
    this.queue = this.queue
      .then(() => this.handle(f))
      .catch((e) => {
        this.handlers.fault(
          e instanceof ShardwireError
            ? e
            : new ShardwireError(
                'E_BAD_PAYLOAD',
                `message ${f.header.type} from ${f.header.from}: ${(e as Error).message}`,
              ),
        );
      });
  }

  /** Runs `fn` once every frame received so far has been handled. */
  private after(fn: () => void): void {
    this.queue = this.queue.then(fn).catch((e) => this.handlers.fault(asError(e)));
  }

  private async handle(f: Frame): Promise<void> {
    const { from, type } = f.header;
    const site = this.roster.sites.find((s) => s.id === from);
    if (!site) throw new ShardwireError('E_NOT_IN_SESSION', `${type} from ${from}, who is not a site of this run`);
    if (type === BUNDLE_TYPE) {
      this.channel.checkSeq(f.header);
      const isNew = !this.channel.keyring.hasPeer(from);
      const json = JSON.parse(fromUtf8.decode(f.payload)) as KeyBundleJson;
      await this.channel.keyring.addPeer(site, await keyBundleFromJson(json)); // E_CRYPTO / E_CONFIG_MISMATCH
      // a site that joined after our broadcast has not seen our bundle: answer it directly
      if (isNew) {
        const own = utf8.encode(JSON.stringify(await keyBundleToJson(this.channel.keyring.bundle)));
        void this.ordered(() => this.channel.sendPublic(from, BUNDLE_TYPE, own)).catch((e: unknown) =>
          this.handlers.fault(asError(e)),
        );
      }
      return;
    }
    const { meta, payload } = unbody(await this.channel.open(f));
    if (type === ACK_TYPE) return this.onAck(from, Number(meta.bytes));
    if (type === DATA_TYPE) {
      void this.ordered(() => this.channel.send(from, ACK_TYPE, undefined, body({ bytes: payload.length }))).catch(
        (e: unknown) => this.handlers.fault(asError(e)),
      );
      const c = meta.chunk as { id: number; part: number; parts: number } | undefined;
      if (c === undefined) return this.deliver({ from, type, meta, payload });
      const key = `${from}/${c.id}`;
      let a = this.assembling.get(key);
      if (c.part === 0) this.assembling.set(key, (a = { parts: [], meta: meta.meta as Record<string, unknown>, type }));
      if (!a || a.parts.length !== c.part)
        throw new ShardwireError(
          'E_BAD_PAYLOAD',
          `chunk ${c.part} of message ${c.id} from ${from} arrived out of order`,
        );
      a.parts.push(payload.slice());
      if (a.parts.length < c.parts) return;
      this.assembling.delete(key);
      return this.deliver({ from, type, meta: a.meta, payload: concat(a.parts) });
    }
    return this.deliver({ from, type, meta, payload });
  }

  /** Hands a message over without waiting for it: acks and bundles must keep flowing meanwhile. */
  private deliver(m: SiteMessage): void {
    try {
      void Promise.resolve(this.handlers.message(m)).catch((e: unknown) => this.handlers.fault(asError(e)));
    } catch (e) {
      this.handlers.fault(asError(e));
    }
  }

  /** Runs `send` after every earlier send finished (frames to one site must keep seq order). */
  private ordered(send: () => Promise<void> | void): Promise<void> {
    const next = this.sendQueue.then(send);
    this.sendQueue = next.catch(() => undefined);
    return next;
  }

  private onAck(from: string, bytes: number): void {
    this.inflight.set(from, Math.max(0, (this.inflight.get(from) ?? 0) - bytes));
    const waiters = this.windowWaiters.get(from) ?? [];
    this.windowWaiters.delete(from);
    for (const w of waiters) w();
  }

  private async reserve(to: string, bytes: number, deadline: number): Promise<void> {
    while ((this.inflight.get(to) ?? 0) > 0 && (this.inflight.get(to) ?? 0) + bytes > WINDOW_BYTES) {
      if (this.closed) throw new ShardwireError('E_ABORTED', 'the site link was closed');
      const left = deadline - performance.now();
      if (left <= 0)
        throw new ShardwireError('E_TIMEOUT', `site ${to} acknowledged nothing for too long; is it still running?`, {
          to,
        });
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, Math.min(left, 1000));
        const list = this.windowWaiters.get(to) ?? [];
        list.push(() => (clearTimeout(t), resolve()));
        this.windowWaiters.set(to, list);
      });
    }
    this.inflight.set(to, (this.inflight.get(to) ?? 0) + bytes);
  }

  /**
   * Sends a data message (any size) sealed to one site, in chunks under the frame limit and
   * within the flow-control window; resolves when every chunk is handed to the relay.
   * @throws {ShardwireError} E_TIMEOUT when the recipient stops acknowledging for `timeoutMs`.
   */
  async sendData(to: string, meta: Record<string, unknown>, payload: Uint8Array, timeoutMs: number): Promise<void> {
    const deadline = performance.now() + timeoutMs;
    const room = this.chunkBytes;
    if (payload.length + 4096 <= room) {
      await this.reserve(to, payload.length, deadline);
      return this.ordered(() => this.channel.send(to, DATA_TYPE, undefined, body(meta, payload)));
    }
    const id = this.nextId++;
    const parts = Math.ceil(payload.length / room);
    for (let part = 0; part < parts; part++) {
      const slice = payload.subarray(part * room, Math.min(payload.length, (part + 1) * room));
      await this.reserve(to, slice.length, deadline);
      await this.ordered(() =>
        this.channel.send(
          to,
          DATA_TYPE,
          undefined,
          body({ chunk: { id, part, parts }, ...(part === 0 ? { meta } : {}) }, slice),
        ),
      );
    }
  }

  /** Sends a small control message (JSON meta only) sealed to one site. */
  async send(to: string, type: string, meta: Record<string, unknown>): Promise<void> {
    await this.ordered(() => this.channel.send(to, type, undefined, body(meta)));
  }

  /** Sends a control message to every other site (but `except`); failures to reach one are not thrown. */
  async sendAll(type: string, meta: Record<string, unknown>, except?: string): Promise<void> {
    const me = this.channel.keyring.id;
    const to = this.roster.sites.filter((s) => s.id !== me && s.id !== except);
    await Promise.allSettled(to.map((s) => this.send(s.id, type, meta)));
  }

  /** Closes the relay connection and wipes the session keys. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const list of this.windowWaiters.values()) for (const w of list) w();
    this.channel.link.close();
    if (!this.channel.keyring.destroyed) this.channel.keyring.destroy();
  }
}

function asError(e: unknown): ShardwireError {
  return e instanceof ShardwireError ? e : new ShardwireError('E_BAD_PAYLOAD', String((e as Error)?.message ?? e));
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/**
 * A typed error from a peer's `fc.fail` message. A site that fails because of another forwards
 * the first failure with its `origin`, so every site names the site where the run broke even
 * when it hears of the failure from a third site (or sees that one leave) first.
 */
export function peerError(from: string, meta: Record<string, unknown>): ShardwireError {
  const code = typeof meta.code === 'string' ? (meta.code as ErrorCode) : 'E_APP';
  const origin = typeof meta.origin === 'string' ? meta.origin : from;
  const cause = String(meta.message ?? '').slice(0, 400);
  const via = origin === from ? '' : ` (reported by site ${from})`;
  return new ShardwireError('E_PEER_FAILED', `site ${origin} failed with ${code}${via}: ${cause}`, {
    site: origin,
    code,
    cause,
  });
}

/** The `fc.fail` message that tells the other sites about `e` (forwarding a peer's failure as is). */
export function failMessage(e: ShardwireError): { code: string; message: string; origin?: string } {
  const d = e.details as { site?: unknown; code?: unknown; cause?: unknown };
  if (e.code !== 'E_PEER_FAILED' || typeof d.site !== 'string') return { code: e.code, message: e.message };
  return {
    code: typeof d.code === 'string' ? d.code : e.code,
    message: typeof d.cause === 'string' ? d.cause : e.message,
    origin: d.site,
  };
}
