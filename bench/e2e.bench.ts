// End-to-end secure aggregation benchmark: one round = open → n sealed partials through the relay
// → reconstruct, shards 3 (|N(i)| = 4 neighbours), no DP, exponent 6, L∞ clip 1, in BOTH threat
// modes in the same run ('malicious-coordinator': double masking with shared self-masks and the
// consistency check; 'honest-coordinator': single masking).
//
// Layout (2-core box): relay + coordinator in this process; ALL n clients in ONE child process,
// so client and server work run on different cores. Every client calls aggregate() at once
// (a round needs all of them), so:
// - client_cpu_s: CPU time (user + sys, process.cpuUsage) of the client process during the round
//   divided by n — every phase of every client, including its ws I/O, JSON and GC;
// - client_compute_median_s: median over clients of ContributionResult.computeMs (the SDK's own
//   count of a participant's work, waits excluded; clients interleave in one process, so it can
//   only overstate);
// - server_compute_median_s: median over rounds of report.timings.computeMs: the coordinator's
//   own work (decrypting and handling every message, rebuilding masks, summing, decoding);
// - round_wall_s: median wall time of coordinator.runRound();
// - bare_ws_s: the same n frames of partial_bytes_per_client through a bare `ws` forwarder (no
//   parsing, no crypto); ratio = round_wall_s / bare_ws_s;
// - partial_bytes_per_client: sealed partial payload; bytes_per_element = that / d;
//   round_bytes_per_client: everything a client sent in the round.
// - client_peak_rss_mb / server_peak_rss_mb: the largest RSS sampled every 50 ms (and at the end) during the case's
//   rounds, in the client process (n clients) and in this process (coordinator AND relay);
//   *_rss_base_mb: the same process before the case's first round.
// The first round of each case is a warm-up (pairwise keys are derived then); every round is
// checked: the aggregate must equal the plain sum exactly.
// Typed tensors: the case d/n "tensors" sends the same d floats as a typical model's shape list
// (MODEL_SHAPES: 20 float32 tensors of mixed sizes) plus 3 int64 counters, next to the
// single-vector case of the same d in the same run. In the tensor case, rounds alternate between
// the tensor list and the single vector in the SAME session (same clients, coordinator, relay), so
// load drift hits both alike; interleaved_vector holds the vector rounds' figures and
// tensor_vs_vector_{time,client_cpu,server,bytes} the ratios of the medians (goal ≤ 1.1).
// Flags: --only=d/n[,d/n] runs those cases (d/n/tensors for the tensor case); --tensors runs only
// the tensor case (interleaved with its vector rounds); --huge adds d = 10^8 with n = 3 (malicious mode only).
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import WebSocket, { WebSocketServer } from 'ws';
import { Identity, parseIdentity, serialiseIdentity } from '../src/crypto/identity.ts';
import { Coordinator } from '../src/coordinator/coordinator.ts';
import { Client } from '../src/client/client.ts';
import { Kernel } from '../src/kernel/kernel.ts';
import { startRelay } from '../src/relay/index.ts';
import { holderGraph } from '../src/secagg/holder-graph.ts';
import { demoInput, inputGrid, plainSum, type InputGrid } from '../src/cli/demo-inputs.ts';
import type { Tensor, TensorSpecInput } from '../src/tensors/spec.ts';

const SELF = fileURLToPath(import.meta.url);
const ARGS = process.argv.slice(2);
const THREATS = ['malicious-coordinator', 'honest-coordinator'] as const;
const ONLY = ARGS.find((a) => a.startsWith('--only='))?.slice(7).split(',');
const ALL_CASES: { d: number; n: number; rounds: number; tensors?: boolean; threats?: readonly (typeof THREATS)[number][] }[] = [
  { d: 10_000, n: 10, rounds: 9 },
  { d: 100_000, n: 10, rounds: 7 },
  { d: 1_000_000, n: 10, rounds: 5 },
  { d: 1_000_000, n: 10, rounds: 12, tensors: true },
  { d: 10_000, n: 100, rounds: 5 },
  { d: 10_000_000, n: 10, rounds: 3 },
  ...(ARGS.includes('--huge') ? [{ d: 100_000_000, n: 3, rounds: 2, threats: ['malicious-coordinator'] as const }] : []),
];
const caseName = (c: (typeof ALL_CASES)[number]) => `${c.d}/${c.n}${c.tensors ? '/tensors' : ''}`;
const CASES = ALL_CASES.filter((c) => (ARGS.includes('--tensors') ? !!c.tensors : !ONLY || ONLY.includes(caseName(c))));
const SHARDS = 3;
const EXPONENT = 6;

/** A typical model's float tensors (a small CNN + classifier); the last one takes up the rest of d. */
const MODEL_SHAPES: readonly (readonly number[])[] = [
  [32, 3, 3, 3], [32], [32], [64, 32, 3, 3], [64], [64], [128, 64, 3, 3], [128], [128], [256, 128, 3, 3],
  [256], [256], [256, 256, 3, 3], [256], [256], [512, 256], [512], [10, 512], [10],
];
const COUNTERS = 3;

/** The tensor spec of a d-float model: MODEL_SHAPES (+ the rest as 'head.weight'), then int64 counters. */
function modelSpec(d: number): TensorSpecInput[] {
  const specs: TensorSpecInput[] = [];
  let used = 0;
  MODEL_SHAPES.forEach((shape, i) => {
    const n = shape.reduce((a, b) => a * b, 1);
    if (used + n > d) return;
    specs.push({ name: `layer${i}`, dtype: 'float32', shape: [...shape] });
    used += n;
  });
  specs.push({ name: 'head.weight', dtype: 'float32', shape: [d - used] });
  for (let i = 0; i < COUNTERS; i++) specs.push({ name: `bn${i}.num_batches_tracked`, dtype: 'int64', shape: [] });
  return specs;
}

/** Client `index`'s demo input cut into the model's tensors (floats exact in float32) and its counters. */
function modelInput(index: number, round: number, d: number, grid: InputGrid): Tensor[] {
  const x = demoInput(index, round, d, grid);
  let off = 0;
  return modelSpec(d).map((s) => {
    const n = s.shape.reduce((a, b) => a * b, 1);
    if (s.dtype === 'int64') return { name: s.name, dtype: s.dtype, shape: s.shape, data: BigInt64Array.of(BigInt(round * 1000 + index) * 2n ** 40n) };
    const data = Float32Array.from(x.subarray(off, off + n));
    off += n;
    return { name: s.name, dtype: s.dtype, shape: s.shape, data };
  });
}
/** Flower SecAgg+ (n = 10, 2 neighbours) as measured on this kind of machine. */
const FLOWER: Record<string, { client?: number; server?: number }> = {
  '10000/10': { client: 0.0215 },
  '1000000/10': { client: 0.057, server: 0.15 },
  '10000/100': { server: 0.86 },
};
const FLOWER_BYTES_PER_ELEMENT = 8;

type Job =
  | { cmd: 'join'; relayUrl: string; session: string; identities: string[]; coordinator: { id: string; publicKey: Uint8Array }; config: unknown; dim: number; grid: InputGrid; tensors: boolean }
  | { cmd: 'round'; round: number; tensors?: boolean }
  | { cmd: 'go' }
  | { cmd: 'bare-open'; url: string; bytes: number }
  | { cmd: 'bare'; count: number }
  | { cmd: 'exit' };
type Reply = { type: 'joined' } | { type: 'ready'; rssMb: number } | { type: 'round'; computeMs: number[]; cpuMs: number; partialBytes: number[]; roundBytes: number[]; peakRssMb: number } | { type: 'bare-ready' } | { type: 'bare-sent' } | { type: 'error'; message: string };

const median = (xs: readonly number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const sig = (x: number, p = 4) => Number(x.toPrecision(p));
const rssMb = () => process.memoryUsage.rss() / 2 ** 20;

/** Samples this process's RSS every 50 ms (reading it costs ≈ 0.1 ms) until stopped; returns the largest sample (MiB). */
function rssSampler(): { stop(): number } {
  let peak = rssMb();
  const timer = setInterval(() => (peak = Math.max(peak, rssMb())), 50);
  return { stop: () => (clearInterval(timer), Math.max(peak, rssMb())) };
}

// ---------------------------------------------------------------- client side (child process)

async function childMain(): Promise<void> {
  let clients: Client[] = [];
  let dim = 0;
  let grid: InputGrid;
  let inputs: (Float64Array | Tensor[])[] = [];
  let tensors = false;
  let bareWs: WebSocket | undefined;
  let barePayload = new Uint8Array(0);
  const send = (r: Reply) => process.send!(r);
  process.on('disconnect', () => process.exit(0));
  process.on('message', async (job: Job) => {
    try {
      if (job.cmd === 'join') {
        dim = job.dim;
        grid = job.grid;
        tensors = job.tensors;
        const kernel = await Kernel.load();
        const ids = await Promise.all(job.identities.map((t) => parseIdentity(t)));
        clients = [];
        for (const identity of ids) clients.push(await Client.join({ relayUrl: job.relayUrl, session: job.session, identity, coordinator: job.coordinator, config: job.config, kernel }));
        for (const id of ids) id.zeroise();
        send({ type: 'joined' });
      } else if (job.cmd === 'round') {
        inputs = clients.map((_, i) => (tensors && job.tensors !== false ? modelInput(i, job.round, dim, grid) : demoInput(i, job.round, dim, grid)));
        global.gc?.();
        send({ type: 'ready', rssMb: rssMb() });
      } else if (job.cmd === 'go') {
        const cpu0 = process.cpuUsage();
        const rss = rssSampler();
        const results = await Promise.all(clients.map((c, i) => c.aggregate(inputs[i])));
        const cpu = process.cpuUsage(cpu0);
        send({ type: 'round', computeMs: results.map((r) => r.computeMs), cpuMs: (cpu.user + cpu.system) / 1000, partialBytes: results.map((r) => r.partialBytes), roundBytes: results.map((r) => r.bytesSent), peakRssMb: rss.stop() });
      } else if (job.cmd === 'bare-open') {
        // same socket options as the SDK's relay link (zero masking key: no JS masking)
        bareWs = new WebSocket(job.url, { perMessageDeflate: false, generateMask: (m: Uint8Array) => m.fill(0) });
        await new Promise((r, j) => bareWs!.once('open', r).once('error', j));
        barePayload = new Uint8Array(job.bytes).map((_, i) => i * 31);
        send({ type: 'bare-ready' });
      } else if (job.cmd === 'bare') {
        for (let i = 0; i < job.count; i++) bareWs!.send(barePayload);
        send({ type: 'bare-sent' });
      } else if (job.cmd === 'exit') {
        for (const c of clients) c.close();
        bareWs?.close();
        process.exit(0);
      }
    } catch (e) {
      send({ type: 'error', message: e instanceof Error ? e.message : String(e) });
    }
  });
}

// ---------------------------------------------------------------- server side (this process)

function ask(child: ChildProcess, job: Job, want: Reply['type']): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const on = (m: Reply) => {
      if (m.type === 'error') return child.off('message', on), reject(new Error(`client process: ${m.message}`));
      if (m.type === want) child.off('message', on), resolve(m);
    };
    child.on('message', on);
    child.send(job);
  });
}

/** A bare forwarder: frames on /a go to the socket on /b, unparsed. */
async function startBare(): Promise<{ url: string; receive(total: number): Promise<number>; close(): Promise<void> }> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, maxPayload: 64 * 1024 * 1024, perMessageDeflate: false });
  await new Promise((r) => wss.once('listening', r));
  const { port } = wss.address() as { port: number };
  let sink: WebSocket | undefined;
  wss.on('connection', (ws, req) => {
    if (req.url === '/b') sink = ws;
    else ws.on('message', (d: Buffer) => sink?.send(d));
  });
  const url = `ws://127.0.0.1:${port}/`;
  const receiver = new WebSocket(`${url}b`, { perMessageDeflate: false });
  await new Promise((r, j) => receiver.once('open', r).once('error', j));
  while (!sink) await new Promise((r) => setTimeout(r, 5));
  return {
    url: `${url}a`,
    receive(total) {
      return new Promise((resolve) => {
        let got = 0;
        const on = (d: Buffer) => {
          got += d.length;
          if (got >= total) receiver.off('message', on), resolve(got);
        };
        receiver.on('message', on);
      });
    },
    async close() {
      receiver.close();
      for (const c of wss.clients) c.terminate();
      await new Promise((r) => wss.close(r));
    },
  };
}

interface Line {
  bench: 'e2e'; mode: (typeof THREATS)[number]; shape: 'vector' | 'tensors'; tensors: number; d: number; n: number; k: number; ring: number; rounds: number;
  client_cpu_s: number; client_compute_median_s: number; server_compute_median_s: number;
  partial_bytes_per_client: number; bytes_per_element: number; round_bytes_per_client: number;
  round_wall_s: number; bare_ws_s: number; ratio: number;
  client_rss_base_mb: number; client_peak_rss_mb: number; server_rss_base_mb: number; server_peak_rss_mb: number;
  flower_client_s: number | null; flower_server_s: number | null; flower_bytes_per_element: number;
  /** Tensor case: round_wall_s and partial_bytes_per_client over the same run's single-vector case. */
  tensor_vs_vector_time?: number; tensor_vs_vector_bytes?: number; tensor_vs_vector_client_cpu?: number; tensor_vs_vector_server?: number;
  interleaved_vector?: { rounds: number; client_cpu_s: number; server_compute_median_s: number; round_wall_s: number; partial_bytes_per_client: number };
}

async function runCase(child: ChildProcess, kernel: Kernel, c: (typeof CASES)[number], threat: (typeof THREATS)[number]): Promise<Line> {
  const relay = await startRelay({ port: 0, logLevel: 'silent' });
  const session = `e2e-${c.d}-${c.n}-${c.tensors ? 'tensors-' : ''}${threat}`;
  const spec = c.tensors ? modelSpec(c.d) : undefined;
  const config = { threat, smpc: { shards: SHARDS, exponent: EXPONENT }, minClients: c.n, maxClients: c.n, clip: { norm: 'linf', bound: 1 }, timeouts: { joinMs: 120_000, shareMs: 120_000, roundMs: 120_000, revealMs: 60_000 } };
  const grid = inputGrid(c.d, 1, 'linf', EXPONENT);
  const coordId = await Identity.generate();
  const ids = await Promise.all(Array.from({ length: c.n }, () => Identity.generate()));
  const coordinator = await Coordinator.start({ relayUrl: relay.url, session, identity: coordId, kernel, config, maxDim: c.d, roster: ids.map((i) => ({ id: i.id, publicKey: i.publicKey })) });
  const bare = await startBare();
  try {
    await ask(child, { cmd: 'join', relayUrl: relay.url, session, identities: await Promise.all(ids.map((i) => serialiseIdentity(i))), coordinator: { id: coordId.id, publicKey: coordId.publicKey }, config, dim: c.d, grid, tensors: !!c.tensors }, 'joined');
    await coordinator.waitForParticipants(c.n, 60_000);
    const order = ids.map((i) => i.id);
    const computeMs: number[] = [];
    const cpu: number[] = [];
    const server: number[] = [];
    const wall: number[] = [];
    let partialBytes: number[] = [];
    let roundBytes: number[] = [];
    let ring = 0;
    let k = 0;
    let clientBase = 0;
    let clientPeak = 0;
    let serverPeak = 0;
    global.gc?.();
    const serverBase = rssMb();
    const out = new Float64Array(c.d); // the decode writes here every round
    const vec = { cpu: [] as number[], server: [] as number[], wall: [] as number[], bytes: [] as number[] };
    for (let r = 0; r < c.rounds; r++) {
      const asTensors = !!spec && r % 2 === 0; // tensor case: even rounds tensors, odd rounds the same d as one vector
      const ready = (await ask(child, { cmd: 'round', round: r, tensors: asTensors }, 'ready')) as Extract<Reply, { type: 'ready' }>;
      if (r === 0) clientBase = ready.rssMb;
      global.gc?.(); // the peak is the round's own: no garbage of earlier rounds' checks
      const t0 = performance.now();
      const rss = rssSampler();
      const [res, rep] = await Promise.all([coordinator.runRound(asTensors ? { tensors: spec!, out } : { dim: c.d, out }), ask(child, { cmd: 'go' }, 'round')]);
      const wallMs = performance.now() - t0;
      serverPeak = Math.max(serverPeak, rss.stop());
      clientPeak = Math.max(clientPeak, (rep as Extract<Reply, { type: 'round' }>).peakRssMb);
      const plain = plainSum(order.map((_, i) => i), r, c.d, grid);
      for (let e = 0; e < c.d; e++) if (res.aggregate[e] !== plain[e]) throw new Error(`${threat} d=${c.d} n=${c.n} round ${r}: aggregate[${e}] = ${res.aggregate[e]}, plain sum ${plain[e]}`);
      if (asTensors) {
        const counter = res.tensors!.find((t) => t.name === 'bn0.num_batches_tracked')!.data as bigint[];
        const want = order.reduce((a, _, i) => a + BigInt(r * 1000 + i) * 2n ** 40n, 0n);
        if (counter[0] !== want) throw new Error(`tensors round ${r}: counter ${counter[0]}, plain ${want}`);
      }
      if (r === 0 || (spec && r === 1)) continue; // warm-up: pairwise keys, JIT (both kinds in the tensor case)
      const rr = rep as Extract<Reply, { type: 'round' }>;
      if (spec && !asTensors) {
        vec.cpu.push(rr.cpuMs / c.n);
        vec.server.push(res.report.timings.computeMs);
        vec.wall.push(wallMs);
        vec.bytes.push(median(rr.partialBytes));
        continue;
      }
      computeMs.push(...rr.computeMs);
      cpu.push(rr.cpuMs / c.n);
      partialBytes = rr.partialBytes;
      roundBytes = rr.roundBytes;
      ring = res.report.ring;
      k = (await holderGraph(order, res.report.memo, SHARDS)).neighbours(order[0]).length;
      server.push(res.report.timings.computeMs);
      wall.push(wallMs);
    }
    const perClient = median(partialBytes);
    const bareS: number[] = [];
    await ask(child, { cmd: 'bare-open', url: bare.url, bytes: perClient }, 'bare-ready');
    for (let r = 0; r < c.rounds; r++) {
      const t0 = performance.now();
      const got = bare.receive(perClient * c.n);
      await ask(child, { cmd: 'bare', count: c.n }, 'bare-sent');
      const total = await got;
      if (total !== perClient * c.n) throw new Error(`bare forwarder delivered ${total} bytes, expected ${perClient * c.n}`);
      bareS.push((performance.now() - t0) / 1000);
    }
    const f = FLOWER[`${c.d}/${c.n}`] ?? {};
    const roundWall = median(wall) / 1000;
    const bareWs = median(bareS);
    return {
      bench: 'e2e', mode: threat, shape: spec ? 'tensors' : 'vector', tensors: spec?.length ?? 1, d: c.d, n: c.n, k, ring, rounds: wall.length,
      client_cpu_s: sig(median(cpu) / 1000), client_compute_median_s: sig(median(computeMs) / 1000), server_compute_median_s: sig(median(server) / 1000),
      partial_bytes_per_client: perClient, bytes_per_element: sig(perClient / c.d, 5), round_bytes_per_client: median(roundBytes),
      round_wall_s: sig(roundWall), bare_ws_s: sig(bareWs), ratio: sig(roundWall / bareWs, 3),
      client_rss_base_mb: Math.round(clientBase), client_peak_rss_mb: Math.round(clientPeak), server_rss_base_mb: Math.round(serverBase), server_peak_rss_mb: Math.round(serverPeak),
      flower_client_s: f.client ?? null, flower_server_s: f.server ?? null, flower_bytes_per_element: FLOWER_BYTES_PER_ELEMENT,
      ...(spec ? {
        interleaved_vector: { rounds: vec.wall.length, client_cpu_s: sig(median(vec.cpu) / 1000), server_compute_median_s: sig(median(vec.server) / 1000), round_wall_s: sig(median(vec.wall) / 1000), partial_bytes_per_client: median(vec.bytes) },
        tensor_vs_vector_time: sig(roundWall / (median(vec.wall) / 1000), 3),
        tensor_vs_vector_client_cpu: sig(median(cpu) / median(vec.cpu), 3),
        tensor_vs_vector_server: sig(median(server) / median(vec.server), 3),
        tensor_vs_vector_bytes: sig(perClient / median(vec.bytes), 5),
      } : {}),
    };
  } finally {
    await bare.close();
    coordinator.close();
    await relay.close();
  }
}

async function parentMain(): Promise<void> {
  const kernel = await Kernel.load();
  const lines: Line[] = [];
  for (const c of CASES) {
    for (const threat of c.threats ?? THREATS) {
      // a fresh client process per case: its heap holds n clients and n input vectors
      const child = fork(SELF, ['clients'], { execArgv: ['--expose-gc', '--import', 'tsx'], serialization: 'advanced' });
      try {
        const line = await runCase(child, kernel, c, threat);
        console.log(JSON.stringify(line));
        lines.push(line);
      } finally {
        const exited = new Promise((r) => child.once('exit', r));
        child.send({ cmd: 'exit' });
        await exited;
      }
    }
  }
  const p = (x: number | null | string, w: number) => (x === null ? '—' : String(x)).padStart(w);
  console.log('\n       d     n  k  mode        client cpu s  compute s  (Flower)  server s  (Flower)  B/elem (Flower)  B/round   round s   bare s  ratio  RSS MB client/server (peak)');
  for (const l of lines) {
    const mode = (l.mode === 'malicious-coordinator' ? 'malicious' : 'honest') + (l.shape === 'tensors' ? '+T' : '');
    console.log(`${p(l.d, 8)} ${p(l.n, 5)} ${p(l.k, 2)}  ${mode.padEnd(10)} ${p(l.client_cpu_s, 12)} ${p(l.client_compute_median_s, 10)} ${p(l.flower_client_s, 9)} ${p(l.server_compute_median_s, 9)} ${p(l.flower_server_s, 9)} ${p(l.bytes_per_element, 7)} ${p(l.flower_bytes_per_element, 7)} ${p(l.round_bytes_per_client, 9)} ${p(l.round_wall_s, 8)} ${p(l.bare_ws_s, 8)} ${p(l.ratio, 6)}  ${l.client_peak_rss_mb}/${l.server_peak_rss_mb}`);
  }
  console.log('\n+T: the same d as a typical model\'s tensor list (float32) plus int64 counters; tensor_vs_vector_time/bytes in the JSON lines (goal ≤ 1.1).');
  console.log('client cpu s: the client process CPU per client per round (every phase); compute s: SDK-reported own work (median);');
  console.log('server s: report.timings.computeMs (decrypting and handling every message, unmasking, summing, decoding); round s: runRound wall time.');
  console.log('Goals: client ≤ 0.015 s at d=10^6 (n=10), ≤ 0.0008 s at d=10^4; coordinator ≤ 0.04 s at d=10^6 (n=10), ≤ 0.015 s at n=100, d=10^4;');
  console.log('d=10^7, n=10: client ≤ 0.15 s, coordinator ≤ 0.4 s, coordinator peak RSS ≤ 3·d·4 B + 100 MB (this process also runs the relay).');
}

if (process.argv[2] === 'clients') await childMain();
else await parentMain();
