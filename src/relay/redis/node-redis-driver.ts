/**
 * @module relay/redis/node-redis-driver
 * {@link RedisDriver} on node-redis (@redis/client): `sendCommand` with Buffers for bulk
 * strings, and a duplicate connection in buffer mode for pub/sub.
 */
import { createClient, RESP_TYPES } from '@redis/client';
import { ShardwireError } from '../../errors.ts';
import { toArg, type RedisArg, type RedisDriver } from './driver.ts';

/** Connects both connections; rejects with E_BAD_CONFIG when Redis cannot be reached. */
export async function connectNodeRedis(url: string): Promise<RedisDriver> {
  const options = {
    url,
    disableOfflineQueue: true, // fail while disconnected instead of queueing
    socket: { reconnectStrategy: (retries: number) => Math.min(50 * (retries + 1), 1000) },
  };
  const base = createClient(options);
  const sub = base.duplicate();
  const cmd = base.withTypeMapping({ [RESP_TYPES.BLOB_STRING]: Buffer });
  const listeners: ((up: boolean) => void)[] = [];
  base.on('error', () => undefined); // reported through onConnection
  sub.on('error', () => undefined);
  try {
    await Promise.all([base.connect(), sub.connect()]);
  } catch (e) {
    await Promise.allSettled([base.destroy(), sub.destroy()]);
    throw new ShardwireError('E_BAD_CONFIG', `cannot reach Redis at ${url}: ${(e as Error).message}`, {
      field: 'backplane',
    });
  }
  let up = true;
  base.on('end', () => undefined);
  base.on('reconnecting', () => {
    if (!up) return;
    up = false;
    for (const l of listeners) l(false);
  });
  base.on('ready', () => {
    if (up) return;
    up = true;
    for (const l of listeners) l(true);
  });
  return {
    command: (args: readonly RedisArg[]) => cmd.sendCommand(args.map(toArg)),
    subscribe: (channel, onMessage) => sub.subscribe(channel, (m: Buffer) => onMessage(m), true),
    unsubscribe: (channel) => sub.unsubscribe(channel),
    onConnection: (l) => void listeners.push(l),
    async close() {
      await Promise.allSettled([base.destroy(), sub.destroy()]);
    },
  };
}
