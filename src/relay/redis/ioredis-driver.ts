/**
 * @module relay/redis/ioredis-driver
 * {@link RedisDriver} on ioredis: `callBuffer` for commands, `messageBuffer` for pub/sub.
 */
import { Redis } from 'ioredis';
import { ShardwireError } from '../../errors.ts';
import { toArg, type RedisArg, type RedisDriver } from './driver.ts';

const OPTIONS = {
  lazyConnect: true,
  enableOfflineQueue: false, // fail while disconnected instead of queueing
  autoResendUnfulfilledCommands: false, // never re-send a PUBLISH that may have gone through
  maxRetriesPerRequest: 0,
  retryStrategy: (times: number) => Math.min(50 * times, 1000),
};

/** Connects both connections; rejects with E_BAD_CONFIG when Redis cannot be reached. */
export async function connectIoredis(url: string): Promise<RedisDriver> {
  const cmd = new Redis(url, OPTIONS);
  const sub = new Redis(url, { ...OPTIONS, autoResubscribe: true });
  const handlers = new Map<string, (m: Buffer) => void>();
  const listeners: ((up: boolean) => void)[] = [];
  cmd.on('error', () => undefined); // reported through onConnection
  sub.on('error', () => undefined);
  try {
    await Promise.all([cmd.connect(), sub.connect()]);
  } catch (e) {
    cmd.disconnect();
    sub.disconnect();
    throw new ShardwireError('E_BAD_CONFIG', `cannot reach Redis at ${url}: ${(e as Error).message}`, {
      field: 'backplane',
    });
  }
  let up = true;
  cmd.on('close', () => {
    if (!up) return;
    up = false;
    for (const l of listeners) l(false);
  });
  cmd.on('ready', () => {
    if (up) return;
    up = true;
    for (const l of listeners) l(true);
  });
  sub.on('messageBuffer', (channel: Buffer, message: Buffer) => handlers.get(channel.toString())?.(message));
  return {
    command: (args: readonly RedisArg[]) => cmd.callBuffer(String(args[0]), args.slice(1).map(toArg)),
    async subscribe(channel, onMessage) {
      handlers.set(channel, onMessage);
      await sub.subscribe(channel);
    },
    async unsubscribe(channel) {
      handlers.delete(channel);
      await sub.unsubscribe(channel);
    },
    onConnection: (l) => void listeners.push(l),
    async close() {
      cmd.disconnect();
      sub.disconnect();
    },
  };
}
