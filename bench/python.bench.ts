// Python through the agent vs the TypeScript SDK directly (npm run bench:python; JSON lines).
//
// One session in the default threat mode (malicious-coordinator: double masking), three
// participants, rounds of operation 'mean' over the SAME float32 vector:
// - "unix" and "tcp": bench/python-participant.py (Debian python3 + numpy), two participants, each
//   with its own `shardwire agent` child process, one on a Unix socket (the Python default), one on
//   TCP loopback: Participant.contribute(np.float32 array) → raw HTTP body → agent → SDK
//   client.aggregate → HTTP answer;
// - "ts": Client.aggregate(Float32Array) in a child node process (this file with --ts-client).
// Relay and coordinator run in this process. In each round all three contribute at once (double
// masking needs every member's join and shares before anyone sends a partial, and a contribution
// returns when the round is released), so wall times include waiting for the others. What is
// compared is each participant's own cost:
// - ts: the SDK's computeMs (its own work in the round, waits excluded);
// - python: the agent-added time (the Python call's wall time minus the agent's time inside the
//   SDK: Python client, HTTP both ways, body read) plus the SDK's computeMs inside the agent.
// overhead = python / ts − 1; agent_added_pct = agent-added / ts. Goal ≤ 20 % at d = 10^6. Every
// round's aggregate is checked against the vector (max error ≤ 10^-6) before its times count.
// Medians over the timed rounds; the first rounds are warm-up. Floor in the same run: the same
// Python process POSTing the same bytes to a bare node:http server (this process) that only
// copies the body into one buffer and answers.
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { createServer } from 'node:http';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Identity, parseIdentity, publicKeyToBase64url, serialiseIdentity } from '../src/crypto/identity.ts';
import { saveIdentity } from '../src/crypto/identity-file.ts';
import { Coordinator } from '../src/coordinator/coordinator.ts';
import { Client } from '../src/client/client.ts';
import { startRelay } from '../src/relay/index.ts';

const SELF = fileURLToPath(import.meta.url);
const REPO = resolve(dirname(SELF), '..');
const CASES = [
  { d: 100_000, warmup: 3, timed: 11 },
  { d: 1_000_000, warmup: 2, timed: 9 },
];
const GOAL = 0.2;

type TsJob =
  | {
      cmd: 'join';
      relayUrl: string;
      session: string;
      identity: string;
      coordinator: { id: string; publicKey: number[] };
      config: unknown;
    }
  | { cmd: 'contribute'; memo: string; file: string }
  | { cmd: 'exit' };

async function tsClient(): Promise<void> {
  process.once('disconnect', () => process.exit(0));
  let client: Client | undefined;
  const opened = new Set<string>();
  const waiters = new Map<string, () => void>();
  const vectors = new Map<string, Float32Array>();
  process.on('message', async (job: TsJob) => {
    try {
      if (job.cmd === 'join') {
        const identity = await parseIdentity(job.identity);
        // IPC sends arrays, not Uint8Arrays
        const coordinator = { id: job.coordinator.id, publicKey: Uint8Array.from(job.coordinator.publicKey) };
        client = await Client.join({
          relayUrl: job.relayUrl,
          session: job.session,
          identity,
          coordinator,
          config: job.config,
        });
        identity.zeroise();
        client.on('progress', (p) => {
          if (p.phase !== 'open') return;
          opened.add(p.memo);
          waiters.get(p.memo)?.();
        });
        process.send!({ ok: true });
      } else if (job.cmd === 'contribute') {
        let x = vectors.get(job.file);
        if (!x) {
          const { readFile } = await import('node:fs/promises');
          const b = await readFile(job.file);
          x = new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
          vectors.set(job.file, x);
        }
        if (!opened.has(job.memo)) await new Promise<void>((r) => waiters.set(job.memo, r));
        const t0 = performance.now();
        const r = await client!.aggregate(x, { memo: job.memo });
        process.send!({ ok: true, ms: performance.now() - t0, computeMs: r.computeMs });
      } else {
        client?.close();
        process.exit(0);
      }
    } catch (e) {
      process.send!({ ok: false, error: String(e) });
    }
  });
}

/** A child speaking one JSON line per command on stdin/stdout. */
function lineChannel(child: ChildProcess): (cmd: unknown) => Promise<Record<string, any>> {
  const lines = createInterface({ input: child.stdout! });
  const pending: ((v: Record<string, any>) => void)[] = [];
  lines.on('line', (l) => pending.shift()?.(JSON.parse(l)));
  lines.on('close', () => {
    for (const p of pending.splice(0)) p({ ok: false, error: 'the child closed its stdout' });
  });
  return (cmd) =>
    new Promise((resolveLine) => {
      pending.push(resolveLine);
      child.stdin!.write(`${JSON.stringify(cmd)}\n`);
    });
}

function ipcChannel(child: ChildProcess): (job: TsJob) => Promise<Record<string, any>> {
  const pending: ((v: Record<string, any>) => void)[] = [];
  child.on('message', (m: Record<string, any>) => pending.shift()?.(m));
  return (job) =>
    new Promise((r) => {
      pending.push(r);
      child.send(job);
    });
}

function check(reply: Record<string, any>, who: string): Record<string, any> {
  if (!reply.ok) throw new Error(`${who}: ${reply.error}`);
  return reply;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main(): Promise<void> {
  const python = process.env.SHARDWIRE_PYTHON ?? '/usr/bin/python3';
  const dir = await mkdtemp(join(tmpdir(), 'sw-bench-py-'));
  const relay = await startRelay({ port: 0, logLevel: 'silent' });
  const coordId = await Identity.generate();
  const ids = await Promise.all([0, 1, 2].map(() => Identity.generate()));
  const pyFiles = [join(dir, 'unix.identity.json'), join(dir, 'tcp.identity.json')];
  await saveIdentity(ids[0], pyFiles[0]);
  await saveIdentity(ids[1], pyFiles[1]);
  const config = {
    smpc: { shards: 0, exponent: 6 },
    minClients: 2,
    maxClients: 3,
    clip: { norm: 'linf', bound: 10 },
    timeouts: { joinMs: 60_000, shareMs: 60_000, roundMs: 120_000, revealMs: 30_000 },
  };
  const session = `bench-py-${Date.now()}`;
  const coordinator = await Coordinator.start({
    relayUrl: relay.url,
    session,
    identity: coordId,
    config,
    roster: ids.map((i) => ({ id: i.id, publicKey: i.publicKey })),
    maxDim: 1_000_000,
  });
  const bare = createServer((req, res) => {
    const out = new Uint8Array(Number(req.headers['content-length']));
    let at = 0;
    req.on('data', (c: Buffer) => {
      out.set(c, at);
      at += c.length;
    });
    req.on('end', () => res.end('{}'));
  });
  await new Promise<void>((r) => bare.listen(0, '127.0.0.1', r));
  const barePort = (bare.address() as { port: number }).port;
  const py = spawn(python, [join(REPO, 'bench', 'python-participant.py')], {
    env: { ...process.env, PYTHONPATH: join(REPO, 'python') },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  py.on('exit', (code, signal) => console.error(`python participant exited (${code ?? signal})`));
  const ts = fork(SELF, ['--ts-client'], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const toPy = lineChannel(py);
  const toTs = ipcChannel(ts);
  try {
    const coordinatorJson = { id: coordId.id, publicKey: publicKeyToBase64url(coordId.publicKey) };
    for (const [i, transport] of (['unix', 'tcp'] as const).entries()) {
      const cli = [process.execPath, join(REPO, 'bin', 'shardwire.mjs')];
      const join_ = { cmd: 'join', name: transport, transport, cli, relay: relay.url, session, config };
      check(await toPy({ ...join_, identity: pyFiles[i], coordinator: coordinatorJson }), `python ${transport}`);
    }
    const tsJoin = { cmd: 'join', relayUrl: relay.url, session, identity: await serialiseIdentity(ids[2]), config };
    check(await toTs({ ...tsJoin, coordinator: { id: coordId.id, publicKey: [...coordId.publicKey] } } as TsJob), 'ts');
    await coordinator.waitForParticipants(3, 60_000);
    let opened = 0;
    const rows = [];
    for (const { d, warmup, timed } of CASES) {
      // values on a 1/64 grid: exact in float32 and at S = 10^6, so the mean must come back exactly
      const x = Float32Array.from({ length: d }, (_, i) => ((((i * 2654435761) >>> 0) % 128) - 64) / 64);
      const file = join(dir, `x-${d}.f32`);
      await writeFile(file, new Uint8Array(x.buffer));
      const wall: Record<'unix' | 'tcp' | 'ts', number[]> = { unix: [], tcp: [], ts: [] };
      const cost: Record<'unix' | 'tcp' | 'ts', number[]> = { unix: [], tcp: [], ts: [] };
      const added: Record<'unix' | 'tcp', number[]> = { unix: [], tcp: [] };
      const bareMs: number[] = [];
      const readUnix: number[] = [];
      for (let rep = 0; rep < warmup + timed; rep++) {
        const memo = `b-${d}-${rep}`;
        const result = coordinator.runRound({ dim: d, operation: 'mean', memo });
        opened++;
        const [py, tsReply] = await Promise.all([
          toPy({ cmd: 'contribute', names: ['unix', 'tcp'], memo, file, opened }),
          toTs({ cmd: 'contribute', memo, file }),
        ]);
        check(py, 'python');
        check(tsReply, 'ts');
        const { aggregate } = await result;
        let err = 0;
        for (let i = 0; i < d; i++) err = Math.max(err, Math.abs(aggregate[i] - x[i]));
        if (err > 1e-6) throw new Error(`round ${memo}: max error ${err} > 1e-6`);
        if (rep >= warmup) {
          wall.ts.push(tsReply.ms);
          cost.ts.push(tsReply.computeMs);
          for (const who of ['unix', 'tcp'] as const) {
            const r = py[who] as { ms: number; sdkMs: number; computeMs: number };
            wall[who].push(r.ms);
            added[who].push(r.ms - r.sdkMs);
            cost[who].push(r.ms - r.sdkMs + r.computeMs);
          }
          readUnix.push((py.unix as { readMs: number }).readMs);
          bareMs.push(check(await toPy({ cmd: 'bare', port: barePort, file }), 'python bare').ms);
        }
      }
      const ts = median(cost.ts);
      const pct = (v: number) => +((v / ts - 1) * 100).toFixed(1);
      const row = {
        bench: 'python',
        d,
        dtype: 'float32',
        threat: 'malicious-coordinator',
        rounds: timed,
        ts_direct_compute_ms: +ts.toFixed(2),
        python_unix_ms: +median(cost.unix).toFixed(2),
        python_tcp_ms: +median(cost.tcp).toFixed(2),
        overhead_unix_pct: pct(median(cost.unix)),
        overhead_tcp_pct: pct(median(cost.tcp)),
        // the Python call's time outside the agent's SDK call (Python client, HTTP both ways, body
        // read), over the direct SDK's own time
        agent_added_unix_ms: +median(added.unix).toFixed(2),
        agent_added_tcp_ms: +median(added.tcp).toFixed(2),
        agent_added_unix_pct: +((median(added.unix) / ts) * 100).toFixed(1),
        agent_body_read_unix_ms: +median(readUnix).toFixed(2),
        bare_http_tcp_post_ms: +median(bareMs).toFixed(2),
        round_wall_ms: Object.fromEntries(Object.entries(wall).map(([k, v]) => [k, +median(v).toFixed(1)])),
        all_cost_ms: Object.fromEntries(Object.entries(cost).map(([k, v]) => [k, v.map((t) => +t.toFixed(2))])),
      };
      rows.push(row);
      console.log(JSON.stringify(row));
    }
    const big = rows.find((r) => r.d === 1_000_000)!;
    console.log(
      JSON.stringify({
        bench: 'python',
        summary: true,
        goal: `overhead ≤ ${GOAL * 100} % at d = 10^6 (default transport: unix socket)`,
        overhead_unix_pct_at_1e6: big.overhead_unix_pct,
        overhead_tcp_pct_at_1e6: big.overhead_tcp_pct,
        agent_added_unix_pct_at_1e6: big.agent_added_unix_pct,
        met: big.overhead_unix_pct <= GOAL * 100,
        note: 'absolute times depend on machine load; compare ratios, and re-run on a quiet machine',
      }),
    );
  } finally {
    await toPy({ cmd: 'exit' }).catch(() => undefined);
    py.stdin?.end();
    ts.send({ cmd: 'exit' });
    coordinator.close();
    bare.close();
    await relay.close();
    await rm(dir, { recursive: true, force: true });
  }
}

// after every declaration: top-level await would otherwise reach `median` before its definition
if (process.argv.includes('--ts-client')) await tsClient();
else await main();
