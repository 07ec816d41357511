// Python through the agent vs the TypeScript SDK directly (npm run bench:python; JSON lines).
//
// One session, three participants, rounds of operation 'mean' over the SAME float32 vector:
// - "unix" and "tcp": bench/python-participant.py (Debian python3 + numpy), two participants, each
//   with its own `shardwire agent` child process, one on a Unix socket (the Python default), one on
//   TCP loopback: Participant.contribute(np.float32 array) → raw HTTP body → agent → SDK
//   client.aggregate → HTTP answer;
// - "ts": Client.aggregate(Float32Array) in a child node process (this file with --ts-client).
// Relay and coordinator run in this process. In each round all three first receive round.open;
// then they contribute one at a time, each after the coordinator took the previous partial, in
// an order that rotates from round to round, so they never compete for a core. Each time starts
// after round.open arrived and ends when the partial is sent (client.aggregate resolves then). Every
// round's aggregate is checked against the vector (max error ≤ 10^-6) before its times count.
// Medians over the timed rounds; the first rounds are warm-up. overhead = python / ts − 1; goal
// ≤ 20 % at d = 10^6. Floor in the same run: the same Python process POSTing the same bytes to a
// bare node:http server (this process) that only copies the body into one buffer and answers.
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { createServer } from 'node:http';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Identity, parseIdentity, publicKeyToBase64, serialiseIdentity } from '../src/crypto/identity.ts';
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
        await client!.aggregate(x, { memo: job.memo });
        process.send!({ ok: true, ms: performance.now() - t0 });
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
    timeouts: { joinMs: 60_000, roundMs: 120_000, revealMs: 30_000 },
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
    const coordinatorJson = { id: coordId.id, publicKey: await publicKeyToBase64(coordId.publicKey) };
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
      const ms: Record<'unix' | 'tcp' | 'ts', number[]> = { unix: [], tcp: [], ts: [] };
      const added: Record<'unix' | 'tcp', number[]> = { unix: [], tcp: [] };
      const bareMs: number[] = [];
      const readUnix: number[] = [];
      for (let rep = 0; rep < warmup + timed; rep++) {
        const memo = `b-${d}-${rep}`;
        let received = 0;
        let onPartial: (() => void) | undefined;
        const off = coordinator.on('progress', (p) => {
          if (p.memo === memo && p.phase === 'collect') {
            received = p.received;
            onPartial?.();
          }
        });
        const result = coordinator.runRound({ dim: d, operation: 'mean', memo });
        opened++;
        const partials = async (n: number) => {
          while (received < n) await new Promise<void>((r) => (onPartial = r));
        };
        const runs = {
          unix: () => toPy({ cmd: 'contribute', name: 'unix', memo, file, opened }),
          tcp: () => toPy({ cmd: 'contribute', name: 'tcp', memo, file, opened }),
          ts: () => toTs({ cmd: 'contribute', memo, file }),
        };
        // one at a time, each after the coordinator took the previous partial; the order rotates
        // so that nobody always runs first (or while the coordinator opens someone's partial)
        const order = (['unix', 'tcp', 'ts'] as const).map((_, k, all) => all[(k + rep) % 3]);
        const replies: Record<string, Record<string, any>> = {};
        for (const [k, who] of order.entries()) {
          replies[who] = check(await runs[who](), who);
          await partials(k + 1);
        }
        const { aggregate } = await result;
        off();
        let err = 0;
        for (let i = 0; i < d; i++) err = Math.max(err, Math.abs(aggregate[i] - x[i]));
        if (err > 1e-6) throw new Error(`round ${memo}: max error ${err} > 1e-6`);
        if (rep >= warmup) {
          for (const who of ['unix', 'tcp', 'ts'] as const) ms[who].push(replies[who].ms);
          for (const who of ['unix', 'tcp'] as const) added[who].push(replies[who].ms - replies[who].sdkMs);
          readUnix.push(replies.unix.readMs);
          bareMs.push(check(await toPy({ cmd: 'bare', port: barePort, file }), 'python bare').ms);
        }
      }
      const ts = median(ms.ts);
      const pct = (v: number) => +((v / ts - 1) * 100).toFixed(1);
      const row = {
        bench: 'python',
        d,
        dtype: 'float32',
        rounds: timed,
        ts_direct_ms: +ts.toFixed(2),
        python_unix_ms: +median(ms.unix).toFixed(2),
        python_tcp_ms: +median(ms.tcp).toFixed(2),
        overhead_unix_pct: pct(median(ms.unix)),
        overhead_tcp_pct: pct(median(ms.tcp)),
        // paired, less sensitive to load: per round, the Python call's time outside the agent's
        // SDK call (Python client, HTTP both ways, body read), over the direct SDK time
        agent_added_unix_ms: +median(added.unix).toFixed(2),
        agent_added_tcp_ms: +median(added.tcp).toFixed(2),
        agent_added_unix_pct: +((median(added.unix) / ts) * 100).toFixed(1),
        agent_body_read_unix_ms: +median(readUnix).toFixed(2),
        bare_http_tcp_post_ms: +median(bareMs).toFixed(2),
        all_ms: Object.fromEntries(Object.entries(ms).map(([k, v]) => [k, v.map((t) => +t.toFixed(2))])),
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
