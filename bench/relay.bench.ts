// Relay benchmark. Servers run in this process, clients in a child process (its own
// core and its own fd budget), so the figures are the server's. Cases:
// - throughput: 1 MiB, 8 MiB and 256-byte payloads, sender → receiver with a credit window,
//   through the relay vs. a bare `ws` forwarder with the same socket options (ratio).
// - idle: 10,000 authenticated connections held by one relay; memory per connection.
// Every path is verified (exact bytes arrive) before it is timed. One JSON line per case, then
// a table. MB = 10^6 bytes.
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import v8 from 'node:v8';
import vm from 'node:vm';
import WebSocket, { WebSocketServer } from 'ws';
import { encodeFrame, FrameKind } from '../src/wire/index.ts';
import { startRelay } from '../src/relay/index.ts';
import { identity, Peer } from '../test/integration/relay-harness.ts';
import { creditFlood } from './credit-flood.ts';

const MiB = 1024 * 1024;
const SELF = fileURLToPath(import.meta.url);
// BENCH_PAYLOADS=256 (comma-separated byte counts) runs a subset, e.g. under --cpu-prof.
const ONLY = process.env.BENCH_PAYLOADS?.split(',').map(Number);
const CASES = [
  { payload: MiB, count: 300, window: 8, ackEvery: 4 },
  { payload: 8 * MiB, count: 48, window: 4, ackEvery: 2 },
  { payload: 256, count: 100_000, window: 512, ackEvery: 128 },
].filter((c) => !ONLY || ONLY.includes(c.payload));
const IDLE_SESSIONS = Number(process.env.BENCH_IDLE_SESSIONS ?? 10);
const IDLE_PER_SESSION = Number(process.env.BENCH_IDLE_PER_SESSION ?? 1000); // coordinator + 999

interface ThroughputJob { cmd: 'throughput'; mode: 'relay' | 'bare'; url: string; payload: number; count: number; window: number; ackEvery: number }
interface IdleJob { cmd: 'idle'; url: string; sessions: number; perSession: number }
type Job = ThroughputJob | IdleJob | { cmd: 'exit' };

// ---------------------------------------------------------------- client side (child process)

async function open(url: string): Promise<WebSocket> {
  const ws = new WebSocket(url, { perMessageDeflate: false });
  await new Promise((r, j) => ws.once('open', r).once('error', j));
  return ws;
}

async function throughputClient(job: ThroughputJob): Promise<{ seconds: number; bytes: number; messages: number }> {
  let sender: WebSocket;
  let receiver: WebSocket;
  let frame: Uint8Array;
  let ack: Uint8Array;
  const payload = new Uint8Array(job.payload).map((_, i) => i * 31);
  // Both paths carry the same headers (ids derived from keys: 32 hex digits).
  const [c, a] = await Promise.all([identity('coord'), identity('alice')]);
  if (job.mode === 'relay') {
    const sid = `bench-${job.payload}-${Date.now()}`;
    const cp = await Peer.connect(job.url);
    await cp.create(sid, c, [a]);
    const ap = await Peer.connect(job.url);
    await ap.join(sid, a);
    await cp.nextType('presence');
    sender = ap.ws;
    receiver = cp.ws;
    // `from` filled in and canonical: the relay forwards these bytes without re-encoding.
    frame = encodeFrame(FrameKind.message, { session: sid, from: a.id, to: c.id, type: 'bench', seq: 1 }, payload);
    ack = encodeFrame(FrameKind.message, { session: sid, from: c.id, to: a.id, type: 'ack', seq: 1 });
  } else {
    receiver = await open(`${job.url}b`);
    sender = await open(`${job.url}a`);
    frame = encodeFrame(FrameKind.message, { session: `bench-${job.payload}-${Date.now()}`, from: a.id, to: c.id, type: 'bench', seq: 1 }, payload);
    ack = new Uint8Array(64);
  }
  try {
    return await creditFlood(sender, receiver, frame, ack, job);
  } catch (e) {
    throw new Error(`${job.mode}: ${(e as Error).message}`);
  }
}

const held: Peer[] = [];
async function idleClients(job: IdleJob): Promise<{ connections: number; seconds: number }> {
  const t0 = performance.now();
  for (let s = 0; s < job.sessions; s++) {
    const sid = `idle-${s}`;
    const members = await Promise.all(Array.from({ length: job.perSession - 1 }, (_, i) => identity(`p${i}`)));
    const cp = await Peer.connect(job.url);
    const w = await cp.create(sid, await identity('coord'), members);
    if (w.frame.header.type !== 'welcome') throw new Error(`create failed: ${JSON.stringify(w.body)}`);
    held.push(cp);
    for (let i = 0; i < members.length; i += 100) {
      await Promise.all(members.slice(i, i + 100).map(async (m) => {
        const p = await Peer.connect(job.url, {}, 60_000);
        p.send(await p.joinFrame(sid, m));
        const jw = await p.next((g) => g.frame.header.type === 'welcome' || g.frame.header.type === 'error', 60_000);
        if (jw.frame.header.type !== 'welcome') throw new Error(`join failed: ${JSON.stringify(jw.body)}`);
        // Presence frames would pile up in the harness queue; an idle client ignores them.
        p.ws.removeAllListeners('message');
        held.push(p);
      }));
    }
    cp.ws.removeAllListeners('message');
  }
  return { connections: held.length, seconds: (performance.now() - t0) / 1000 };
}

async function childMain(): Promise<void> {
  process.on('message', (job: Job) => {
    const reply = (r: unknown) => process.send!(r);
    if (job.cmd === 'exit') {
      for (const p of held) p.ws.terminate();
      setTimeout(() => process.exit(0), 100);
      return;
    }
    (job.cmd === 'throughput' ? throughputClient(job) : idleClients(job)).then(reply, (e: Error) => reply({ error: e.message }));
  });
}

// ---------------------------------------------------------------- server side (this process)

function ask<T>(child: ChildProcess, job: Job): Promise<T> {
  return new Promise((resolve, reject) => {
    child.once('message', (r: T & { error?: string }) => (r.error ? reject(new Error(r.error)) : resolve(r)));
    child.send(job);
  });
}

/** A bare forwarder: `/a` ↔ `/b`, same ws options as the relay, no parsing. */
async function startBare(maxPayload: number): Promise<{ url: string; close: () => Promise<void> }> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, maxPayload, perMessageDeflate: false });
  await new Promise((r) => wss.once('listening', r));
  const ends: Record<string, WebSocket> = {};
  wss.on('connection', (ws, req) => {
    const me = req.url === '/a' ? 'a' : 'b';
    ends[me] = ws;
    ws.on('message', (d, isBinary) => ends[me === 'a' ? 'b' : 'a']?.send(d, { binary: isBinary }));
  });
  const port = (wss.address() as { port: number }).port;
  return { url: `ws://127.0.0.1:${port}/`, close: () => new Promise((r) => wss.close(() => r())) };
}

function gcNow(): void {
  v8.setFlagsFromString('--expose-gc');
  (vm.runInNewContext('gc') as () => void)();
}

async function main(): Promise<void> {
  const child = fork(SELF, ['--clients'], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const lines: Record<string, unknown>[] = [];
  const emit = (o: Record<string, unknown>) => {
    lines.push(o);
    console.log(JSON.stringify(o));
  };
  try {
    // Idle first, on a fresh heap, so the RSS delta is not hidden by pages freed by earlier cases.
    {
      gcNow();
      const m0 = process.memoryUsage();
      const relay = await startRelay({ port: 0, logLevel: 'warn', heartbeatIntervalMs: 15_000, sessionIdleTimeoutMs: 600_000, authTimeoutMs: 60_000, maxPreAuthPerIp: 1024 });
      const r = await ask<{ connections: number; seconds: number }>(child, { cmd: 'idle', url: relay.url, sessions: IDLE_SESSIONS, perSession: IDLE_PER_SESSION });
      await new Promise((res) => setTimeout(res, 500));
      gcNow();
      const m1 = process.memoryUsage();
      const st = relay.stats();
      emit({
        bench: 'relay', case: 'idle', payload_bytes: null, relay_mb_s: null, bare_mb_s: null, ratio: null,
        idle_connections: st.authenticated, bytes_per_connection: Math.round((m1.rss - m0.rss) / st.authenticated),
        heap_bytes_per_connection: Math.round((m1.heapUsed + m1.external - m0.heapUsed - m0.external) / st.authenticated),
        connect_s: +r.seconds.toFixed(2), sessions: st.sessions,
      });
      await relay.close();
      gcNow();
    }
    for (const c of CASES) {
      const relay = await startRelay({ port: 0, logLevel: 'warn', maxPayloadBytes: 16 * MiB, highWaterMarkBytes: 64 * MiB, messagesPerSecond: Infinity, bytesPerSecond: Infinity });
      const bare = await startBare(relay.options.maxPayloadBytes + 8192);
      const run = (mode: 'relay' | 'bare', count: number) => ask<{ seconds: number; bytes: number; messages: number }>(child, { cmd: 'throughput', mode, url: mode === 'relay' ? relay.url : bare.url, payload: c.payload, count, window: c.window, ackEvery: c.ackEvery });
      // Warm up both paths, then alternate twice and keep each path's best run.
      await run('relay', Math.ceil(c.count / 4));
      await run('bare', Math.ceil(c.count / 4));
      const best = { relay: Infinity, bare: Infinity };
      for (let i = 0; i < 2; i++) {
        for (const mode of ['relay', 'bare'] as const) {
          const r = await run(mode, c.count);
          if (r.messages !== c.count) throw new Error(`${mode}: ${r.messages} of ${c.count} messages arrived`);
          best[mode] = Math.min(best[mode], r.seconds);
        }
      }
      const mb = (c.payload * c.count) / 1e6;
      emit({
        bench: 'relay', case: 'throughput', payload_bytes: c.payload, messages: c.count,
        relay_mb_s: +(mb / best.relay).toFixed(1), bare_mb_s: +(mb / best.bare).toFixed(1), ratio: +(best.bare / best.relay).toFixed(3),
        relay_msg_s: Math.round(c.count / best.relay), bare_msg_s: Math.round(c.count / best.bare),
        idle_connections: null, bytes_per_connection: null,
      });
      await relay.close();
      await bare.close();
    }
  } finally {
    child.send({ cmd: 'exit' });
  }
  console.log('\nrelay benchmark (server in this process, clients in a child process; MB = 10^6 B)');
  console.log('case        payload      relay MB/s   bare MB/s   ratio   relay msg/s   bare msg/s');
  for (const l of lines.filter((x) => x.case === 'throughput')) {
    console.log(`throughput  ${String(l.payload_bytes).padEnd(11)}  ${String(l.relay_mb_s).padStart(10)}  ${String(l.bare_mb_s).padStart(10)}  ${String(l.ratio).padStart(6)}  ${String(l.relay_msg_s).padStart(12)}  ${String(l.bare_msg_s).padStart(11)}`);
  }
  for (const l of lines.filter((x) => x.case === 'idle')) {
    console.log(`idle        ${l.idle_connections} authenticated connections in ${l.sessions} sessions: ${l.bytes_per_connection} B RSS / ${l.heap_bytes_per_connection} B heap per connection (connect ${l.connect_s} s)`);
  }
}

if (process.argv.includes('--clients')) await childMain();
else await main();
