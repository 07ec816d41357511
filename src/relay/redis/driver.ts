/**
 * @module relay/redis/driver
 * The few Redis operations the backplane needs, behind one small interface so that the client
 * library is a choice (bench:cluster measures node-redis against ioredis with the same
 * backplane). Bulk replies come back as Buffers. Both drivers are set up to fail rather than
 * repeat: no offline queue, no re-sending of commands that were in flight when the connection
 * dropped (a re-sent PUBLISH would deliver a frame twice).
 */

import { ShardwireError } from '../../errors.ts';

/** A Redis argument. */
export type RedisArg = string | Uint8Array | number;

/** One pair of Redis connections (commands, and a subscriber). */
export interface RedisDriver {
  /** Runs a command; bulk strings come back as Buffers, arrays as arrays. */
  command(args: readonly RedisArg[]): Promise<unknown>;
  /** Subscribes the subscriber connection to `channel`; `onMessage` gets each message's bytes. */
  subscribe(channel: string, onMessage: (message: Buffer) => void): Promise<void>;
  unsubscribe(channel: string): Promise<void>;
  /**
   * Called when the command connection is lost, and again (with `up` true) when it is back.
   * Anything published while it was down failed; state kept in Redis may be gone.
   */
  onConnection(listener: (up: boolean) => void): void;
  close(): Promise<void>;
}

/** Which client library a driver uses. */
export type RedisClientName = 'ioredis' | 'node-redis';

/** The npm package each client library comes from; neither is installed with shardwire. */
const PACKAGE_OF: Record<RedisClientName, string> = { ioredis: 'ioredis', 'node-redis': '@redis/client' };

/**
 * Connects a driver for `url` (redis://host:port[/db]) with the chosen client library. The
 * libraries are optional peer dependencies (a relay on the in-memory backplane, and every
 * client, needs neither), loaded only here.
 * @throws {ShardwireError} E_BAD_CONFIG naming the package to install when it is missing.
 * @example const d = await connectRedis('redis://127.0.0.1:6379', 'ioredis')
 */
export async function connectRedis(url: string, client: RedisClientName): Promise<RedisDriver> {
  try {
    if (client === 'ioredis') return (await import('./ioredis-driver.ts')).connectIoredis(url);
    return (await import('./node-redis-driver.ts')).connectNodeRedis(url);
  } catch (e) {
    const missing = (e as { code?: string }).code === 'ERR_MODULE_NOT_FOUND' && String((e as Error).message).includes(PACKAGE_OF[client]);
    if (!missing) throw e;
    const message = `the Redis backplane with redisClient "${client}" needs the ${PACKAGE_OF[client]} package: npm install ${PACKAGE_OF[client]}`;
    throw new ShardwireError('E_BAD_CONFIG', message, { field: 'redisClient' });
  }
}

/** Converts an argument for a client that takes strings and Buffers. */
export function toArg(a: RedisArg): string | Buffer {
  if (typeof a === 'number') return String(a);
  if (typeof a === 'string') return a;
  return Buffer.isBuffer(a) ? a : Buffer.from(a.buffer, a.byteOffset, a.byteLength);
}
