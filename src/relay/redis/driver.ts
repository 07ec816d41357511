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

/**
 * Connects a driver for `url` (redis://host:port[/db]) with the chosen client library.
 *
 * @example const d = await connectRedis('redis://127.0.0.1:6379', 'ioredis')
 */
export async function connectRedis(url: string, client: RedisClientName): Promise<RedisDriver> {
  if (client === 'ioredis') return (await import('./ioredis-driver.ts')).connectIoredis(url);
  // node-redis is measured in bench:cluster but not a runtime dependency (ioredis was faster).
  let mod: typeof import('./node-redis-driver.ts');
  try {
    mod = await import('./node-redis-driver.ts');
  } catch {
    const message =
      'redisClient "node-redis" needs the @redis/client package (npm install @redis/client), or use ioredis';
    throw new ShardwireError('E_BAD_CONFIG', message, { field: 'redisClient' });
  }
  return mod.connectNodeRedis(url);
}

/** Converts an argument for a client that takes strings and Buffers. */
export function toArg(a: RedisArg): string | Buffer {
  if (typeof a === 'number') return String(a);
  if (typeof a === 'string') return a;
  return Buffer.isBuffer(a) ? a : Buffer.from(a.buffer, a.byteOffset, a.byteLength);
}
