/**
 * @module relay/redis/redis-backplane
 * {@link Backplane} over Redis, for any number of relay processes (docs/RELAY.md):
 * - sessions: one JSON record per session key with a TTL (refreshed while the session routes
 *   traffic) and a name index, created atomically (scripts.ts);
 * - presence: a sorted set of online members per session (subscription order) and a hash of
 *   each member's newest subscription token `nodeId:n`; every node keeps a liveness key with a
 *   short TTL, so the members of a relay that died (SIGKILL) drop out of `online()` within
 *   {@link NODE_TTL_MS} instead of lingering;
 * - routing: Redis pub/sub, one channel per member (`m:<key>:<member>`) for unicast and one per
 *   session (`b:<key>`) for broadcast. A node subscribes to a member's channel while that member
 *   is connected to it, and to the session's channel while it has any member of the session.
 *   Every event goes through Redis, also between members on the same node: one path keeps
 *   per-publisher order (Redis delivers a connection's publishes in order).
 * Every key lives under `prefix` and has a TTL, so nothing outlives its use. A message that does
 * not decode is dropped and counted, and a handler that throws is counted; neither crashes the
 * node. If the Redis connection drops, `onUnavailable` listeners hear it (the relay then closes
 * its peers so they reconnect, rather than route with state Redis may have lost).
 */
import { createHash, randomBytes } from 'node:crypto';
import { fromBase64url, toBase64url } from '../../wire/base64url.ts';
import { BROADCAST as TO_ALL, RELAY_ID } from '../../wire/constants.ts';
import type { Backplane, BackplaneEvent, BackplaneHandler, SessionRecord, Unsubscribe } from '../backplane.ts';
import { sessionName } from '../session-key.ts';
import { connectRedis, type RedisArg, type RedisClientName, type RedisDriver } from './driver.ts';
import { decodeEnvelope, decodeEnvelopes, encodeEnvelope, envelopeHeadLength } from './envelope.ts';
import { inboxKeys, RedisInbox } from './redis-inbox.ts';
import * as lua from './scripts.ts';
import { ShardwireError } from '../../errors.ts';

const SCRIPTS = Object.values(lua);
/** Parsed session records kept (the oldest forgotten first). */
const RECORD_CACHE = 4096;

/** A node's liveness key lives this long without a refresh. */
export const NODE_TTL_MS = 6000;
/** Sessions live in Redis at least this long past their last use (and twice their idle expiry). */
const MIN_SESSION_TTL_MS = 60_000;

/** Options of {@link RedisBackplane.connect}. */
export interface RedisBackplaneOptions {
  /** `redis://host:port[/db]`. */
  readonly url: string;
  /** Key and channel prefix (default `sw:`), so several deployments can share one Redis. */
  readonly prefix?: string;
  /** Client library (default ioredis: see docs/RELAY.md "Redis backplane" for the measurement). */
  readonly client?: RedisClientName;
}

/** Frames to one member channel gathered in one turn. */
interface Batch {
  readonly channel: string;
  readonly keys: string[];
  readonly args: RedisArg[];
  bytes: number;
  readonly waiters: { resolve(n: number): void; reject(e: unknown): void }[];
}

/** A batch is sent once it holds this many bytes (a pub/sub message is held whole in Redis). */
const BATCH_BYTES = 256 * 1024;

interface Local {
  readonly handler: BackplaneHandler;
  readonly token: string;
}

interface StoredRecord {
  id: string;
  coordinatorId: string;
  coordinatorKey: string;
  roster: [string, string][];
  limits: SessionRecord['limits'];
  createdAt: number;
}

function ttlOf(r: Pick<SessionRecord, 'limits'>): number {
  return Math.max(MIN_SESSION_TTL_MS, 2 * r.limits.idleTimeoutMs);
}

/**
 * A session record as stored in Redis. Redis is shared storage: a record that is not one this
 * code wrote (corrupt, or another program's key) fails loudly rather than routing by garbage.
 * @throws {ShardwireError} E_BAD_STATE naming what is wrong.
 */
function parseRecord(b: unknown): SessionRecord | undefined {
  if (!Buffer.isBuffer(b)) return undefined;
  const bad = (what: string) => new ShardwireError('E_BAD_STATE', `the session record in Redis is not one a relay wrote (${what}); remove the key or use another Redis database`);
  let o: StoredRecord;
  try {
    o = JSON.parse(b.toString('utf8')) as StoredRecord;
  } catch {
    throw bad('not JSON');
  }
  if (typeof o !== 'object' || o === null || typeof o.id !== 'string' || typeof o.coordinatorId !== 'string' || !Array.isArray(o.roster) || typeof o.limits !== 'object' || o.limits === null || typeof o.createdAt !== 'number')
    throw bad('missing or mistyped fields');
  const key = (k: unknown) => {
    const bytes = typeof k === 'string' ? fromBase64url(k) : undefined;
    if (bytes === undefined) throw bad('a key is not base64url');
    return bytes;
  };
  const roster = new Map<string, Uint8Array>();
  for (const e of o.roster as unknown[]) {
    if (!Array.isArray(e) || e.length !== 2 || typeof e[0] !== 'string') throw bad('a roster entry is malformed');
    roster.set(e[0], key(e[1]));
  }
  return { id: o.id, coordinatorId: o.coordinatorId, coordinatorKey: key(o.coordinatorKey), roster, limits: o.limits, createdAt: o.createdAt };
}

/**
 * The Redis backplane. One instance per relay process.
 *
 * @example
 * const backplane = await RedisBackplane.connect({ url: 'redis://127.0.0.1:6379' })
 * const relay = await startRelay({ backplane })
 */
export class RedisBackplane implements Backplane {
  /** Undecodable channel messages and throwing handlers (counted, never thrown). */
  dropped = 0;
  handlerErrors = 0;
  readonly nodeId = toBase64url(randomBytes(9));
  /** Offline inboxes on Redis Streams (redis-inbox.ts). */
  readonly inbox: RedisInbox;
  private readonly local = new Map<string, Map<string, Local>>();
  private readonly shas = new Map<string, string>();
  private readonly refreshed = new Map<string, number>();
  /** Parsed session records by key, with the bytes they were parsed from (see getSession). */
  private readonly records = new Map<string, { raw: Buffer; record: SessionRecord }>();
  private readonly lost: ((up: boolean) => void)[] = [];
  private subscriptions = 0;
  private readonly batches = new Map<string, Batch>();
  private flushScheduled = false;
  private readonly flushBound = () => this.flushBatches();
  private readonly alive: NodeJS.Timeout;
  private closed = false;

  private constructor(
    private readonly redis: RedisDriver,
    private readonly prefix: string,
  ) {
    this.inbox = new RedisInbox({
      prefix,
      command: (a) => redis.command(a),
      script: (src, k, a) => this.script(src, k, a),
    });
    const beat = () =>
      this.redis.command(['SET', this.nodeKey(this.nodeId), '1', 'PX', NODE_TTL_MS]).catch(() => undefined);
    void beat();
    this.alive = setInterval(beat, NODE_TTL_MS / 3);
    this.alive.unref();
    redis.onConnection((up) => {
      if (up) void beat();
      if (up) void this.loadScripts().catch(() => undefined);
      for (const l of this.lost) l(up);
    });
  }

  /**
   * Connects to Redis.
   * @throws {ShardwireError} E_BAD_CONFIG when Redis cannot be reached at `url`.
   */
  static async connect(o: RedisBackplaneOptions): Promise<RedisBackplane> {
    const b = new RedisBackplane(await connectRedis(o.url, o.client ?? 'ioredis'), o.prefix ?? 'sw:');
    await b.loadScripts();
    return b;
  }

  /** Hears the Redis connection go down (`false`) and come back (`true`). */
  onUnavailable(listener: (up: boolean) => void): void {
    this.lost.push(listener);
  }

  private nodeKey(id: string): string {
    return `${this.prefix}node:${id}`;
  }

  private keys(key: string): { s: string; n: string; o: string; t: string; is: string } {
    const p = this.prefix;
    return {
      s: `${p}s:${key}`,
      n: `${p}n:${sessionName(key)}`,
      o: `${p}o:${key}`,
      t: `${p}t:${key}`,
      is: `${p}is:${key}`,
    };
  }

  /** Loads every script (at connect, and again when Redis comes back: a restart forgets them). */
  private async loadScripts(): Promise<void> {
    await Promise.all(SCRIPTS.map((src) => this.redis.command(['SCRIPT', 'LOAD', src])));
  }

  /**
   * Runs a script by its SHA-1, sent at once: no await before the command is written, so scripts
   * run in the order they were called (publishes keep per-sender order; a lazy SCRIPT LOAD before
   * the first call once let later frames overtake earlier ones).
   */
  private async script(src: string, keys: readonly string[], args: readonly RedisArg[]): Promise<unknown> {
    let sha = this.shas.get(src);
    if (!sha) this.shas.set(src, (sha = createHash('sha1').update(src).digest('hex')));
    try {
      return await this.redis.command(['EVALSHA', sha, keys.length, ...keys, ...args]);
    } catch (e) {
      if (!String((e as Error).message).includes('NOSCRIPT')) throw e;
      return this.redis.command(['EVAL', src, keys.length, ...keys, ...args]); // Redis restarted
    }
  }

  async createSession(record: SessionRecord): Promise<boolean> {
    const stored: StoredRecord = {
      id: record.id,
      coordinatorId: record.coordinatorId,
      coordinatorKey: toBase64url(record.coordinatorKey),
      roster: [...record.roster].map(([id, k]) => [id, toBase64url(k)]),
      limits: record.limits,
      createdAt: record.createdAt,
    };
    const k = this.keys(record.id);
    return (
      (await this.script(lua.CREATE_SESSION, [k.s, k.n], [JSON.stringify(stored), ttlOf(record), record.id])) === 1
    );
  }

  /**
   * Reads the record from Redis every time (it may be gone), but hands out one parsed object per
   * stored record: every connection keeps its session's record, and a parsed 1,000-member roster
   * per connection cost ≈ 400 KB each (measured in bench:cluster before this cache).
   */
  async getSession(id: string): Promise<SessionRecord | undefined> {
    return this.parsed(id, await this.redis.command(['GET', this.keys(id).s]));
  }

  private parsed(id: string, raw: unknown): SessionRecord | undefined {
    if (!Buffer.isBuffer(raw)) return undefined;
    const hit = this.records.get(id);
    if (hit && hit.raw.equals(raw)) return hit.record;
    const record = parseRecord(raw)!;
    this.records.delete(id);
    this.records.set(id, { raw, record });
    if (this.records.size > RECORD_CACHE) this.records.delete(this.records.keys().next().value as string);
    return record;
  }

  async sessionsNamed(name: string): Promise<SessionRecord[]> {
    const keys = (await this.redis.command(['SMEMBERS', `${this.prefix}n:${name}`])) as Buffer[];
    if (keys.length === 0) return [];
    const records = (await this.redis.command(['MGET', ...keys.map((k) => this.keys(k.toString()).s)])) as unknown[];
    return records.map((r, i) => this.parsed(keys[i]!.toString(), r)).filter((r): r is SessionRecord => r !== undefined);
  }

  async deleteSession(id: string): Promise<void> {
    const k = this.keys(id);
    this.refreshed.delete(id);
    this.records.delete(id);
    await this.script(lua.DELETE_SESSION, [k.s, k.n, k.o, k.t, k.is], [id, this.prefix]);
  }

  /** Keeps a session's keys alive while it is used (at most once per quarter of its TTL). */
  private touch(key: string): void {
    const now = Date.now();
    if (now - (this.refreshed.get(key) ?? 0) < MIN_SESSION_TTL_MS / 4) return;
    this.refreshed.set(key, now);
    void this.getTtlAndRefresh(key).catch(() => undefined);
  }

  private async getTtlAndRefresh(key: string): Promise<void> {
    const r = await this.getSession(key);
    if (!r) return;
    const k = this.keys(key);
    await this.script(lua.REFRESH_SESSION, [k.s, k.n, k.o, k.t], [ttlOf(r)]);
  }

  private memberChannel(key: string, member: string): string {
    return `${this.prefix}m:${key}:${member}`;
  }

  private sessionChannel(key: string): string {
    return `${this.prefix}b:${key}`;
  }

  async subscribe(session: string, member: string, handler: BackplaneHandler): Promise<Unsubscribe> {
    const token = `${this.nodeId}:${++this.subscriptions}`;
    let members = this.local.get(session);
    const firstOfSession = !members;
    if (!members) this.local.set(session, (members = new Map()));
    const firstOfMember = !members.has(member);
    members.delete(member); // re-insert: newest last
    members.set(member, { handler, token });
    if (firstOfSession) await this.redis.subscribe(this.sessionChannel(session), (m) => this.onBroadcast(session, m));
    if (firstOfMember)
      await this.redis.subscribe(this.memberChannel(session, member), (m) => this.onUnicast(session, member, m));
    const k = this.keys(session);
    const record = this.records.get(session)?.record ?? (await this.getSession(session));
    const ttl = record ? ttlOf(record) : MIN_SESSION_TTL_MS;
    await this.script(lua.SUBSCRIBE, [k.o, k.t, `${this.prefix}order`], [member, token, ttl]);
    this.touch(session);
    let done = false;
    return async () => {
      if (done) return;
      done = true;
      const m = this.local.get(session);
      if (m?.get(member)?.token !== token) return; // replaced by a newer subscription
      m.delete(member);
      await this.script(lua.UNSUBSCRIBE, [k.o, k.t], [member, token]).catch(() => undefined);
      if (this.closed) return;
      await this.redis.unsubscribe(this.memberChannel(session, member)).catch(() => undefined);
      if (m.size === 0) {
        this.local.delete(session);
        await this.redis.unsubscribe(this.sessionChannel(session)).catch(() => undefined);
      }
    };
  }

  async online(session: string): Promise<string[]> {
    const k = this.keys(session);
    const members = (await this.script(lua.ONLINE, [k.o, k.t], [`${this.prefix}node:`])) as Buffer[];
    return members.map((b) => b.toString());
  }

  publish(event: BackplaneEvent): Promise<number> {
    this.touch(event.session);
    const envelope = encodeEnvelope(event);
    // Frames from members may go to inboxes (numbered inside Redis); relay frames and closes never do.
    const inboxed = event.type === 'frame' && event.from !== RELAY_ID;
    if (event.to !== TO_ALL && event.to !== event.exclude && inboxed)
      return this.enqueue(event.session, event.to, envelope, event);
    // Anything else goes out after what is already gathered, so per-sender order holds.
    this.flushBatches();
    return this.publishNow(event, envelope, inboxed);
  }

  private async publishNow(event: BackplaneEvent, envelope: Buffer, inboxed: boolean): Promise<number> {
    const k = this.keys(event.session);
    if (event.to === TO_ALL) {
      if (inboxed) {
        const args = [this.prefix, event.session, envelope, envelopeHeadLength(event), event.exclude ?? ''];
        return Number(await this.script(lua.MEMBER_BROADCAST, [k.o, k.is], args));
      }
      return Number(
        await this.script(lua.BROADCAST, [k.o], [this.sessionChannel(event.session), envelope, event.exclude ?? '']),
      );
    }
    if (event.to === event.exclude) return 0;
    return Math.min(
      Number(await this.redis.command(['PUBLISH', this.memberChannel(event.session, event.to), envelope])),
      1,
    );
  }

  /**
   * Gathers a member's frames to one member during this event-loop turn into one UNICAST script
   * call (one Redis command and one channel message for a burst of small frames, instead of one
   * each). Flushed at the end of the turn, or earlier past {@link BATCH_BYTES}.
   */
  private enqueue(session: string, to: string, envelope: Buffer, event: BackplaneEvent): Promise<number> {
    const channel = this.memberChannel(session, to);
    let b = this.batches.get(channel);
    if (b && b.bytes + envelope.length > BATCH_BYTES) {
      this.batches.delete(channel);
      this.sendBatch(b);
      b = undefined;
    }
    if (!b) {
      const ik = inboxKeys(this.prefix, session, to);
      b = { channel, keys: [ik.meta, ik.stream, ik.set], args: [channel], bytes: 0, waiters: [] };
      this.batches.set(channel, b);
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        process.nextTick(this.flushBound);
      }
    }
    b.args.push(envelope, envelopeHeadLength(event));
    b.bytes += envelope.length;
    return new Promise((resolve, reject) => b!.waiters.push({ resolve, reject }));
  }

  private flushBatches(): void {
    this.flushScheduled = false;
    if (this.batches.size === 0) return;
    const all = [...this.batches.values()];
    this.batches.clear();
    for (const b of all) this.sendBatch(b);
  }

  private sendBatch(b: Batch): void {
    this.script(lua.UNICAST, b.keys, b.args).then(
      (n) => b.waiters.forEach((w) => w.resolve(Number(n))),
      (e: unknown) => b.waiters.forEach((w) => w.reject(e)),
    );
  }

  private deliver(h: BackplaneHandler, e: BackplaneEvent): void {
    try {
      h(e);
    } catch {
      this.handlerErrors++;
    }
  }

  private onUnicast(session: string, member: string, message: Buffer): void {
    const events = decodeEnvelopes(session, message);
    if (!events) return void this.dropped++;
    for (const e of events) {
      const l = this.local.get(session)?.get(member); // looked up per event: a handler may close
      if (l) this.deliver(l.handler, e);
    }
  }

  private onBroadcast(session: string, message: Buffer): void {
    const e = decodeEnvelope(session, message);
    if (!e) return void this.dropped++;
    const members = this.local.get(session);
    if (!members) return;
    for (const [id, l] of [...members]) if (id !== e.exclude) this.deliver(l.handler, e);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.flushBatches();
    clearInterval(this.alive);
    await this.redis.command(['DEL', this.nodeKey(this.nodeId)]).catch(() => undefined);
    this.local.clear();
    await this.redis.close();
  }
}
