// Starts a private redis-server for one test file: a free port on 127.0.0.1, a temp dir,
// no persistence. Fails with a clear message when redis-server is not installed.
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requireRedis, startRedisServer } from '../../scripts/redis-process.mjs';
import { freePort } from '../../scripts/relay-process.mjs';

export interface RedisServer {
  readonly url: string;
  readonly port: number;
  /** SIGKILLs the server and starts a new, empty one on the same port. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

function launch(port: number, dir: string): Promise<ChildProcess> {
  return startRedisServer(port, dir);
}

export async function startRedis(): Promise<RedisServer> {
  requireRedis();
  const dir = mkdtempSync(join(tmpdir(), 'shardwire-redis-'));
  const port = await freePort();
  let child = await launch(port, dir);
  const kill = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const gone = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await gone;
  };
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    async restart() {
      await kill();
      child = await launch(port, dir);
    },
    async stop() {
      await kill();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
