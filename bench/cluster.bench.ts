// Cluster benchmark: one relay (memory backplane) against three relays over Redis, in the same
// run on this machine, each relay its own process (`shardwire relay`), Redis a private
// redis-server, the clients in one child process. Cases:
// - throughput: 3 sender → receiver pairs at once, each with a credit window; over Redis every
//   pair crosses relays (sender on relay i, receiver on relay i+1). 1 MiB and 256 B payloads.
// - idle: 10,000 authenticated connections spread over the relays; bytes per connection from the
//   relays' RSS (/proc) and, over Redis, Redis's used_memory.
// Both Redis client libraries are measured (BENCH_CLIENTS=ioredis,node-redis). Every path is
// verified (exact bytes arrive) before it is timed. One JSON line per measurement, then a table.
// MB = 10^6 bytes. Figures on a shared 2-core machine are noisy: compare the ratios of one run.
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, startRelayProcess as spawnRelay } from '../scripts/relay-process.mjs';
import { startRedisServer } from '../scripts/redis-process.mjs';
import { encodeFrame, FrameKind } from '../src/wire/index.ts';
import { identity, Peer } from '../test/integration/relay-harness.ts';
import { creditFlood } from './credit-flood.ts';

const SELF = fileURLToPath(import.meta.url);
const MiB = 1024 * 1024;
const PAIRS = 3;
const CASES = [
  { payload: MiB, count: 150, window: 8, ackEvery: 4 },
  { payload: 256, count: 40_000, window: 512, ackEvery: 128 },
];
const IDLE = Number(process.env.BENCH_IDLE ?? 10_000);
/** BENCH_SCALE=0.1 runs a tenth of the messages (a quick check, not a measurement). */
const SCALE = Number(process.env.BENCH_SCALE ?? 1);
/** Wait this long after the last connection before reading memory (presence fan-out drains). */
const SETTLE_MS = Number(process.env.BENCH_SETTLE_MS ?? 10_000);
/** BENCH_ONLY=throughput or BENCH_ONLY=idle runs one part. */
const ONLY = process.env.BENCH_ONLY;
const CLIENTS = (process.env.BENCH_CLIENTS ?? 'ioredis,node-redis').split(',') as ('ioredis' | 'node-redis')[];

interface PairJob {
  cmd: 'pairs';
  urls: string[];
  payload: number;
  count: number;
  window: number;
  ackEvery: number;
  tag: string;
}
interface IdleJob {
  cmd: 'idle';
  urls: string[];
  total: number;
  tag: string;
}
type Job = PairJob | IdleJob | { cmd: 'release' } | { cmd: 'exit' };

// ---------------------------------------------------------------- clients (child process)

async function onePair(job: PairJob, i: number): Promise<{ seconds: number; bytes: number }> {
  const sid = `bench-${job.tag}-${i}`;
  const [c, a] = await Promise.all([identity('coord'), identity('alice')]);
  const sendUrl = job.urls[i % job.urls.length]!;
  const recvUrl = job.urls[(i + 1) % job.urls.length]!;
  const cp = await Peer.connect(sendUrl, {}, 20_000);
  const w = await cp.create(sid, c, [a]);
  if (w.frame.header.type !== 'welcome') throw new Error(`create: ${JSON.stringify(w.body)}`);
  const ap = await Peer.connect(recvUrl, {}, 20_000);
  const jw = await ap.join(sid, a, { coordinator: c.id });
  if (jw.frame.header.type !== 'welcome') throw new Error(`join: ${JSON.stringify(jw.body)}`);
  const payload = new Uint8Array(job.payload).map((_, k) => k * 31 + i);
  const frame = encodeFrame(FrameKind.message, { session: sid, from: c.id, to: a.id, type: 'bench', seq: 1 }, payload);
  const ack = encodeFrame(FrameKind.message, { session: sid, from: a.id, to: c.id, type: 'ack', seq: 1 });
  return creditFlood(cp.ws, ap.ws, frame, ack, job);
}

async function pairs(job: PairJob): Promise<{ seconds: number; bytes: number; messages: number }> {
  const t0 = performance.now();
  const r = await Promise.all(Array.from({ length: PAIRS }, (_, i) => onePair(job, i)));
  // Aggregate rate: all bytes over the wall time of the slowest pair (pairs run at once).
  const seconds = Math.max(...r.map((x) => x.seconds));
  void t0;
  return { seconds, bytes: r.reduce((n, x) => n + x.bytes, 0), messages: job.count * PAIRS };
}

const held: Peer[] = [];
async function idle(job: IdleJob): Promise<{ connections: number; seconds: number }> {
  const t0 = performance.now();
  const perSession = 1000;
  for (let s = 0; held.length < job.total; s++) {
    const n = Math.min(perSession, job.total - held.length);
    const sid = `idle-${job.tag}-${s}`;
    const coord = await identity('coord');
    const members = await Promise.all(Array.from({ length: n - 1 }, (_, i) => identity(`p${i}`)));
    const cp = await Peer.connect(job.urls[s % job.urls.length]!, {}, 60_000);
    const w = await cp.create(sid, coord, members);
    if (w.frame.header.type !== 'welcome') throw new Error(`create failed: ${JSON.stringify(w.body)}`);
    cp.ws.removeAllListeners('message');
    held.push(cp);
    for (let i = 0; i < members.length; i += 100) {
      await Promise.all(
        members.slice(i, i + 100).map(async (m, k) => {
          const p = await Peer.connect(job.urls[(i + k) % job.urls.length]!, {}, 60_000);
          p.send(await p.joinFrame(sid, m, m.secretKey, { coordinator: coord.id }));
          const jw = await p.next((g) => g.frame.header.type === 'welcome' || g.frame.header.type === 'error', 60_000);
          if (jw.frame.header.type !== 'welcome') throw new Error(`join failed: ${JSON.stringify(jw.body)}`);
          p.ws.removeAllListeners('message'); // an idle client ignores presence
          held.push(p);
        }),
      );
    }
  }
  return { connections: held.length, seconds: (performance.now() - t0) / 1000 };
}

async function childMain(): Promise<void> {
  process.on('message', (job: Job) => {
    const reply = (r: unknown) => process.send!(r);
    if (job.cmd === 'exit') return void setTimeout(() => process.exit(0), 50);
    if (job.cmd === 'release') {
      for (const p of held.splice(0)) p.ws.terminate();
      return void setTimeout(() => reply({ ok: true }), 500);
    }
    (job.cmd === 'pairs' ? pairs(job) : idle(job)).then(reply, (e: Error) => reply({ error: e.message }));
  });
}

// ---------------------------------------------------------------- orchestration (this process)

function ask<T>(child: ChildProcess, job: Job): Promise<T> {
  return new Promise((resolve, reject) => {
    child.once('message', (r: T & { error?: string }) => (r.error ? reject(new Error(r.error)) : resolve(r)));
    child.send(job);
  });
}

interface Proc {
  child: ChildProcess;
  url: string;
}

async function startRedis(): Promise<{
  url: string;
  port: number;
  stop: () => void;
  usedMemory: () => Promise<number>;
}> {
  const dir = mkdtempSync(join(tmpdir(), 'shardwire-bench-redis-'));
  const port = await freePort();
  let child: ChildProcess;
  try {
    child = await startRedisServer(port, dir);
  } catch (e) {
    console.error(String(e instanceof Error ? e.message : e));
    process.exit(1);
  }
  const { Redis } = await import('ioredis');
  const probe = new Redis(port, '127.0.0.1');
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    usedMemory: async () => Number(/used_memory:(\d+)/.exec(await probe.info('memory'))![1]),
    stop: () => {
      probe.disconnect();
      child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function startRelayProcess(extra: string[]): Promise<Proc> {
  const flags = [
    '--log-level',
    'warn',
    '--max-payload',
    '16MiB',
    '--high-water-mark',
    '64MiB',
    '--message-rate',
    'unlimited',
    '--byte-rate',
    'unlimited',
    '--heartbeat-ms',
    '60000',
    '--max-preauth-per-ip',
    '1024',
    '--auth-timeout-ms',
    '60000',
    '--max-sessions-per-ip',
    '100000',
    ...extra,
  ];
  const { child, url } = await spawnRelay(flags, { nodeArgs: ['--expose-gc'] });
  return { child, url };
}

function rss(p: Proc): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${p.child.pid}/status`, 'utf8'));
  return Number(m![1]) * 1024;
}

async function stopAll(ps: Proc[]): Promise<void> {
  await Promise.all(
    ps.map(
      (p) =>
        new Promise((r) => {
          p.child.once('exit', r);
          p.child.kill('SIGTERM');
        }),
    ),
  );
}

async function main(): Promise<void> {
  const client = fork(SELF, ['--clients'], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const redis = await startRedis();
  const lines: Record<string, unknown>[] = [];
  const emit = (o: Record<string, unknown>) => {
    lines.push(o);
    console.log(JSON.stringify(o));
  };
  const setups = [
    { name: '1 relay, memory', relays: 1, extra: [] as string[] },
    ...CLIENTS.map((c) => ({
      name: `3 relays, redis (${c})`,
      relays: 3,
      extra: ['--backplane', redis.url, '--redis-client', c],
    })),
  ];
  // All setups run side by side and the cases alternate between them, round after round, keeping
  // each setup's best: on a shared machine the load changes by the minute, and a setup measured
  // alone in a bad minute would carry that minute into the ratio.
  const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
  const running: { s: (typeof setups)[number]; procs: Proc[]; urls: string[] }[] = [];
  try {
    for (const s of setups) {
      const procs = await Promise.all(Array.from({ length: s.relays }, () => startRelayProcess(s.extra)));
      running.push({ s, procs, urls: procs.map((p) => p.url) });
    }
    for (const c0 of ONLY === 'idle' ? [] : CASES) {
      const c = { ...c0, count: Math.max(c0.window, Math.ceil(c0.count * SCALE)) };
      const best = new Map<string, { seconds: number; bytes: number; messages: number }>();
      let k = 0;
      const run = (r: (typeof running)[number], count: number) =>
        ask<{ seconds: number; bytes: number; messages: number }>(client, {
          cmd: 'pairs',
          urls: r.urls,
          payload: c.payload,
          count,
          window: c.window,
          ackEvery: c.ackEvery,
          tag: `${c.payload}-${++k}`,
        });
      for (const r of running) await run(r, Math.ceil(c.count / 5)); // warm-up
      for (let round = 0; round < ROUNDS; round++) {
        for (const r of running) {
          const x = await run(r, c.count);
          if (x.seconds < (best.get(r.s.name)?.seconds ?? Infinity)) best.set(r.s.name, x);
        }
      }
      for (const r of running) {
        const b = best.get(r.s.name)!;
        emit({
          bench: 'cluster',
          case: 'throughput',
          setup: r.s.name,
          relays: r.s.relays,
          payload_bytes: c.payload,
          pairs: PAIRS,
          rounds: ROUNDS,
          messages: b.messages,
          mb_s: +(b.bytes / 1e6 / b.seconds).toFixed(1),
          msg_s: Math.round(b.messages / b.seconds),
        });
      }
    }
    for (const { s, procs, urls } of ONLY === 'throughput' ? [] : running) {
      const rss0 = procs.reduce((n, p) => n + rss(p), 0);
      const redis0 = s.relays > 1 ? await redis.usedMemory() : 0;
      const r = await ask<{ connections: number; seconds: number }>(client, {
        cmd: 'idle',
        urls,
        total: IDLE,
        tag: `${s.relays}-${s.extra.at(-1) ?? 'mem'}`,
      });
      await new Promise((res) => setTimeout(res, SETTLE_MS));
      const rss1 = procs.reduce((n, p) => n + rss(p), 0);
      const redis1 = s.relays > 1 ? await redis.usedMemory() : 0;
      emit({
        bench: 'cluster',
        case: 'idle',
        setup: s.name,
        relays: s.relays,
        idle_connections: r.connections,
        relay_bytes_per_connection: Math.round((rss1 - rss0) / r.connections),
        redis_bytes_per_connection: s.relays > 1 ? Math.round((redis1 - redis0) / r.connections) : null,
        connect_s: +r.seconds.toFixed(1),
      });
      await ask(client, { cmd: 'release' });
    }
  } finally {
    await stopAll(running.flatMap((r) => r.procs));
    client.send({ cmd: 'exit' });
    redis.stop();
  }
  const base = (payload: number) =>
    lines.find((l) => l.case === 'throughput' && l.relays === 1 && l.payload_bytes === payload)!;
  console.log('\ncluster benchmark (each relay its own process; clients in one child process; MB = 10^6 B)');
  console.log('setup                          payload    MB/s     msg/s    ratio vs 1 relay');
  for (const l of lines.filter((x) => x.case === 'throughput')) {
    const b = base(l.payload_bytes as number);
    const ratio = (l.msg_s as number) / (b.msg_s as number);
    console.log(
      `${String(l.setup).padEnd(30)} ${String(l.payload_bytes).padEnd(9)} ${String(l.mb_s).padStart(6)} ${String(l.msg_s).padStart(9)}    ${ratio.toFixed(2)}`,
    );
  }
  for (const l of lines.filter((x) => x.case === 'idle')) {
    console.log(
      `${String(l.setup).padEnd(30)} idle: ${l.idle_connections} connections, ${l.relay_bytes_per_connection} B relay RSS/connection${l.redis_bytes_per_connection === null ? '' : `, ${l.redis_bytes_per_connection} B Redis/connection`} (connect ${l.connect_s} s)`,
    );
  }
}

if (process.argv.includes('--clients')) await childMain();
else await main();
