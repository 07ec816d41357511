// Round operations side by side, in one process and one run: the secure product ('multiply', in
// the prime field its bit budget picks) next to the secure sum ('sum') at the same d, n = 10,
// shards 3, exponent 6, L∞ clip 1, malicious-coordinator mode (double masking). Relay,
// coordinator and the ten clients share this process, so the figures are the SDK's own counts
// of work (waits excluded), not wall time:
// - client_compute_median_s: median over clients and rounds of ContributionResult.computeMs;
// - server_compute_median_s: median over rounds of report.timings.computeMs (decrypting,
//   folding, rebuilding masks, decoding);
// - partial_bytes_per_client: a client's sealed partial; field_bits: p's size for the product.
// Every round is checked: the product equals the exact product of the fixed-point factors, the
// sum the plain sum. The first round of each case is a warm-up. JSON lines on stdout; the last
// line compares multiply with add at each d (goal at d = 10^5: ≤ 20×).
// Flags: --only=d[,d] runs those sizes; --rounds=R (default 3).
import { Identity } from '../src/crypto/identity.ts';
import { Coordinator } from '../src/coordinator/coordinator.ts';
import { Client, type ContributionResult } from '../src/client/client.ts';
import { Kernel } from '../src/kernel/kernel.ts';
import { startRelay } from '../src/relay/index.ts';
import { demoInput, inputGrid, plainAggregate } from '../src/cli/demo-inputs.ts';

const ARGS = process.argv.slice(2);
const ONLY = ARGS.find((a) => a.startsWith('--only='))?.slice(7).split(',').map(Number);
const ROUNDS = Number(ARGS.find((a) => a.startsWith('--rounds='))?.slice(9) ?? 3);
const SIZES = [1_000, 10_000, 100_000].filter((d) => !ONLY || ONLY.includes(d));
const N = 10;
const EXPONENT = 6;
const OPS = [
  { op: 'sum', smpc: 'add' },
  { op: 'multiply', smpc: 'multiply' },
] as const;

const median = (xs: readonly number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const sig = (x: number, p = 4) => Number(x.toPrecision(p));

async function runCase(kernel: Kernel, relayUrl: string, d: number, op: (typeof OPS)[number]) {
  const config = { smpc: { operation: op.smpc, shards: 3, exponent: EXPONENT }, minClients: N, maxClients: N, clip: { norm: 'linf', bound: 1 }, timeouts: { joinMs: 60_000, shareMs: 120_000, roundMs: 300_000, revealMs: 60_000 } };
  const coordId = await Identity.generate();
  const ids = await Promise.all(Array.from({ length: N }, () => Identity.generate()));
  const session = `ops-${op.op}-${d}`;
  const coordinator = await Coordinator.start({ relayUrl, session, identity: coordId, kernel, config, maxDim: d, roster: ids.map((i) => ({ id: i.id, publicKey: i.publicKey })) });
  const clients = await Promise.all(ids.map((identity) => Client.join({ relayUrl, session, identity, kernel, config, coordinator: { id: coordId.id, publicKey: coordId.publicKey } })));
  const grid = inputGrid(d, 1, 'linf', EXPONENT);
  const client: number[] = [];
  const server: number[] = [];
  let partialBytes = 0;
  let fieldBits = 0;
  try {
    await coordinator.waitForParticipants(N);
    for (let r = 0; r <= ROUNDS; r++) {
      const calls = clients.map((c, i) => c.aggregate(demoInput(i, r, d, grid)));
      const { aggregate, report } = await coordinator.runRound({ dim: d, operation: op.op });
      const results: ContributionResult[] = await Promise.all(calls);
      const plain = plainAggregate(op.op, clients.map((_, i) => i), r, d, grid);
      for (let e = 0; e < d; e++) if (aggregate[e] !== plain[e]) throw new Error(`${op.op} d=${d}: element ${e} is ${aggregate[e]}, expected ${plain[e]}`);
      if (r === 0) continue; // warm-up
      client.push(...results.map((x) => x.computeMs / 1000));
      server.push(report.timings.computeMs / 1000);
      partialBytes = results[0].partialBytes;
      fieldBits = report.field?.bits ?? 0;
    }
  } finally {
    for (const c of clients) c.close();
    await coordinator.close();
  }
  return { client: median(client), server: median(server), partialBytes, fieldBits };
}

const kernel = await Kernel.load();
const relay = await startRelay({ port: 0, logLevel: 'silent', maxPayloadBytes: 16 << 20 });
const summary: Record<string, { client_ratio: number; server_ratio: number }> = {};
try {
  for (const d of SIZES) {
    const got: Record<string, Awaited<ReturnType<typeof runCase>>> = {};
    for (const op of OPS) {
      got[op.op] = await runCase(kernel, relay.url, d, op);
      const g = got[op.op];
      console.log(JSON.stringify({ bench: 'ops', operation: op.op, d, n: N, rounds: ROUNDS, exponent: EXPONENT, field_bits: g.fieldBits, client_compute_median_s: sig(g.client), server_compute_median_s: sig(g.server), partial_bytes_per_client: g.partialBytes, bytes_per_element: sig(g.partialBytes / d) }));
    }
    summary[String(d)] = { client_ratio: sig(got.multiply.client / got.sum.client, 3), server_ratio: sig(got.multiply.server / got.sum.server, 3) };
  }
  console.log(JSON.stringify({ bench: 'ops', compare: 'multiply / sum', ...summary, goal: 'd=100000: <= 20' }));
} finally {
  await relay.close();
}
