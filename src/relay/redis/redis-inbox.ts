/**
 * @module relay/redis/redis-inbox
 * {@link InboxStore} on Redis Streams: one stream per member with entry ids `<seq>-0`, capped by
 * count, bytes and age inside the append script (scripts.ts), so any relay can resume any
 * member. Appending happens in the backplane's publish scripts, atomically with the PUBLISH.
 */
import { randomBytes } from 'node:crypto';
import { toBase64url } from '../../wire/base64url.ts';
import type { InboxRequest } from '../../wire/join-body.ts';
import type { InboxEntry, InboxLimits, InboxStart, InboxStore } from '../inbox.ts';
import type { RedisArg } from './driver.ts';
import * as lua from './scripts.ts';

/** What the inbox needs from the backplane. */
export interface InboxRedis {
  readonly prefix: string;
  command(args: readonly RedisArg[]): Promise<unknown>;
  script(src: string, keys: readonly string[], args: readonly RedisArg[]): Promise<unknown>;
}

/** The inbox keys of one member. */
export function inboxKeys(
  prefix: string,
  session: string,
  member: string,
): { meta: string; stream: string; set: string } {
  return {
    meta: `${prefix}im:${session}:${member}`,
    stream: `${prefix}i:${session}:${member}`,
    set: `${prefix}is:${session}`,
  };
}

/** Inboxes of a Redis backplane. */
export class RedisInbox implements InboxStore {
  constructor(private readonly redis: InboxRedis) {}

  private keys(session: string, member: string): string[] {
    const k = inboxKeys(this.redis.prefix, session, member);
    return [k.meta, k.stream, k.set];
  }

  async open(session: string, member: string, request: InboxRequest, limits: InboxLimits): Promise<InboxStart> {
    const args = [
      member,
      request.epoch ?? '',
      request.after ?? 0,
      toBase64url(randomBytes(16)),
      limits.maxFrames,
      limits.maxBytes,
      limits.windowMs,
    ];
    const [epoch, after, gap] = (await this.redis.script(lua.INBOX_OPEN, this.keys(session, member), args)) as [
      Buffer,
      number,
      number,
    ];
    return { epoch: epoch.toString(), after: Number(after), gap: Number(gap) === 1 };
  }

  async read(session: string, member: string, after: number, max: number): Promise<InboxEntry[]> {
    const stream = inboxKeys(this.redis.prefix, session, member).stream;
    const rows = (await this.redis.command(['XRANGE', stream, `${after + 1}-0`, '+', 'COUNT', max])) as [
      Buffer,
      Buffer[],
    ][];
    return rows.map(([id, fields]) => ({ seq: Number(String(id).split('-')[0]), frame: fields[1]! }));
  }

  async ack(session: string, member: string, upto: number): Promise<void> {
    await this.redis.script(lua.INBOX_ACK, this.keys(session, member).slice(0, 2), [upto]);
  }

  async touch(session: string, member: string): Promise<void> {
    await this.redis.script(lua.INBOX_TOUCH, this.keys(session, member), []);
  }
}
