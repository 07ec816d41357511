#!/usr/bin/env node
// `npm run cluster`: Redis plus three relays on 127.0.0.1 for trying the Redis backplane by hand.
// Redis on REDIS_PORT (default 6390, a private server in a temp dir, nothing saved), relays on
// 8787, 8788, 8789 with --backplane redis://127.0.0.1:REDIS_PORT. Ctrl-C stops everything.
// Extra arguments go to every relay (e.g. `npm run cluster -- --log-level warn`).
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startRedisServer } from './redis-process.mjs';

const redisPort = Number(process.env.REDIS_PORT ?? 6390);
const entry = fileURLToPath(new URL('../src/cli/run.ts', import.meta.url)); // the sources, like `npm start`
const dir = mkdtempSync(join(tmpdir(), 'shardwire-cluster-'));
const children = [];
const stop = (code) => {
  for (const c of children) c.kill('SIGTERM');
  setTimeout(() => {
    rmSync(dir, { recursive: true, force: true });
    process.exit(code);
  }, 1500);
};
process.on('SIGINT', () => stop(0));
process.on('SIGTERM', () => stop(0));

let redis;
try {
  redis = await startRedisServer(redisPort, dir);
} catch (e) {
  console.error(e.message);
  process.exit(1);
}
children.push(redis);
console.log(`redis on 127.0.0.1:${redisPort}`);
for (const port of [8787, 8788, 8789]) {
  const relay = spawn(
    process.execPath,
    ['--import', 'tsx', entry, 'relay', '--port', String(port), '--backplane', `redis://127.0.0.1:${redisPort}`, ...process.argv.slice(2)],
    { stdio: 'inherit' },
  );
  relay.on('exit', (code) => {
    if (code !== 0 && code !== null) stop(1);
  });
  children.push(relay);
}
