/**
 * @module cli/demo
 * `shardwire demo`: a secure-aggregation session on 127.0.0.1 with a relay and the coordinator
 * in this process and every client in its own process (cli/demo-client.ts). Each client's input
 * is a deterministic function of its index (cli/demo-inputs.ts), so the plain aggregate can be
 * computed here and set next to the secure one: max error (0 without DP on the fixed-point grid),
 * expected vs observed noise std, ε spent, bytes per client and timings.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ShardwireError } from '../errors.ts';
import { Identity, serialiseIdentity } from '../crypto/identity.ts';
import { Coordinator } from '../coordinator/coordinator.ts';
import type { RoundReport } from '../coordinator/round.ts';
import { Kernel } from '../kernel/kernel.ts';
import { startRelay } from '../relay/index.ts';
import { demoConfig, parseDemoFlags, USAGE, type DemoFlags } from './demo-flags.ts';
import { errorStats, inputGrid, plainAggregate } from './demo-inputs.ts';
import { checkIntegerSums } from './demo-tensors.ts';
import { spawnWorkers } from './demo-workers.ts';
import { ProgressBar } from './demo-progress.ts';
import { demoEdges, plainStatistic } from './demo-statistics.ts';
import { isStatistic, secureLength } from '../stats/operations.ts';

export const summary = 'run secure aggregation between separate client processes on 127.0.0.1 and compare with the plain sum';

/** Elements of the aggregates shown side by side in text mode. */
const SHOWN = 5;

/** One round's outcome. */
export interface DemoRound {
  readonly memo: string;
  readonly contributors: number;
  readonly dropped: number;
  readonly ring: 32 | 64;
  /** A product round's prime field size in bits (0 for sums). */
  readonly field_bits: number;
  readonly max_abs_error: number;
  readonly mean_error: number;
  readonly observed_noise_std: number;
  readonly expected_noise_std: number;
  readonly epsilon_round: number;
  readonly epsilon_total: number;
  readonly bytes_received: number;
  readonly round_s: number;
  readonly timings_ms: RoundReport['timings'];
  readonly secure_head: number[];
  readonly plain_head: number[];
  /** Saturation totals (sessions without DP): float elements clipping changed, contributors clipped. */
  readonly clipped_elements?: number;
  readonly clipped_clients?: number;
  /** --tensors: the released tensors' names, dtypes and shapes, and the integer elements checked exactly. */
  readonly tensors?: { name: string; dtype: string; shape: readonly number[] }[];
  readonly integer_elements_exact?: number;
  /** DP: the contributors' own ledgers after the round (each checked the coordinator's signed report). */
  readonly client_ledgers?: { readonly reported: number; readonly agree: number; readonly epsilon_total_min: number; readonly epsilon_total_max: number };
}

/** What `--json` prints. */
export interface DemoResult {
  readonly operation: DemoFlags['operation'];
  /** Statistics: records per client. */
  readonly records?: number;
  readonly clients: number;
  readonly dim: number;
  readonly shards: number;
  readonly exponent: number;
  readonly dp: DemoFlags['dp'];
  readonly rounds: number;
  readonly inputs_on_grid: boolean;
  /** Of the last round. */
  readonly contributors: number;
  readonly dropped: number;
  readonly ring: 32 | 64;
  /** A product round's prime field size in bits (0 for sums). */
  readonly field_bits: number;
  /** Over all rounds. */
  readonly max_abs_error: number;
  /** Of the last round (0 without DP). */
  readonly expected_noise_std: number;
  readonly observed_noise_std: number;
  /** Cumulative ε after the last round at `delta` (0 without DP), and ε of the last round. */
  readonly epsilon_spent: number;
  readonly epsilon_round: number;
  readonly delta: number;
  /** Mean sealed-partial bytes a contributing client uploaded per round (its own count). */
  readonly bytes_per_client: number;
  readonly bytes_per_element: number;
  /** Mean bytes a contributing client sent per round in all (partial, keys and shares, consent, reveals). */
  readonly round_bytes_per_client: number;
  /** Coordinator's view: bytes received in the round / contributors (includes seed reveals). */
  readonly bytes_received_per_contributor: number;
  /** Median wall time of runRound, from opening to release. */
  readonly round_s: number;
  readonly setup_s: number;
  /** Peak RSS (MiB) of the largest client process, and of the demo process (coordinator and relay). */
  readonly client_peak_rss_mb: number;
  readonly coordinator_peak_rss_mb: number;
  readonly per_round: DemoRound[];
}

const round6 = (x: number) => Number(x.toPrecision(6));

/** Runs the demo session; `progress` receives bar updates (omit for none). */
export async function runDemo(f: DemoFlags, progress?: ProgressBar): Promise<DemoResult> {
  const tSetup = performance.now();
  const { raw, config } = demoConfig(f);
  const grid = inputGrid(Math.max(f.dim, 1), config.clip.bound, config.clip.norm, f.exponent);
  const statistic = isStatistic(f.operation) ? f.operation : undefined;
  const edges = demoEdges(config.clip.bound);
  const secureDim = secureLength(f.operation, f.dim, statistic === 'histogram' ? edges : undefined);
  const kernel = await Kernel.load();
  const relay = await startRelay({ port: 0, host: '127.0.0.1', logLevel: 'silent' });
  const session = `demo-${Array.from(globalThis.crypto.getRandomValues(new Uint8Array(6)), (b) => b.toString(16).padStart(2, '0')).join('')}`;
  const coordId = await Identity.generate();
  const ids = await Promise.all(Array.from({ length: f.clients }, () => Identity.generate()));
  const indexOf = new Map(ids.map((id, i) => [id.id, i]));
  let coordinator: Coordinator | undefined;
  let pool: ReturnType<typeof spawnWorkers> | undefined;
  // DP: every client keeps its own privacy ledger in a file (this demo's session only: removed at the end)
  const ledgerDir = f.dp === 'none' ? undefined : mkdtempSync(join(tmpdir(), 'shardwire-demo-ledgers-'));
  try {
    coordinator = await Coordinator.start({
      relayUrl: relay.url, session, identity: coordId, kernel, config: raw, maxDim: secureDim,
      roster: ids.map((i) => ({ id: i.id, publicKey: i.publicKey })),
    });
    coordinator.on('ready', (r) => progress?.update(`joining`, r.ready, r.roster));
    let current = 0;
    coordinator.on('progress', (p) => progress?.update(`round ${current + 1}/${f.rounds} ${p.phase}`, p.received, p.expected));
    // the last `drop` clients leave when the first round opens
    const starts = await Promise.all(ids.map(async (identity, index) => ({
      type: 'start' as const, relayUrl: relay.url, session, identity: await serialiseIdentity(identity),
      coordinator: { id: coordId.id, publicKey: coordId.publicKey }, config: raw,
      index, dim: f.dim, rounds: f.rounds, grid, drop: index >= f.clients - f.drop, operation: f.operation, records: f.records, ...(f.tensors ? { tensors: f.tensors } : {}),
      ...(ledgerDir ? { ledgerPath: join(ledgerDir, `client-${index}.json`) } : {}),
    })));
    for (const id of ids) id.zeroise();
    pool = spawnWorkers(starts);
    await Promise.race([coordinator.waitForParticipants(f.clients), pool.failed]);
    const setupS = (performance.now() - tSetup) / 1000;
    const rounds: DemoRound[] = [];
    const out = new Float64Array(f.dim); // every round decodes into the same array
    const options = statistic ? { operation: statistic, dim: f.dim, maxRecords: f.records, ...(statistic === 'histogram' ? { edges } : {}) } : { dim: f.dim, out, operation: f.operation as 'sum' | 'mean' | 'multiply' };
    for (let r = 0; r < f.rounds; r++) {
      current = r;
      const t0 = performance.now();
      const { aggregate, report, tensors } = await Promise.race([coordinator.runRound(f.tensors ? { tensors: f.tensors, out, operation: f.operation as 'sum' | 'mean' } : options), pool.failed]);
      const roundS = (performance.now() - t0) / 1000;
      const contributors = report.contributors.map((id) => indexOf.get(id)!);
      const plain = statistic ? plainStatistic(statistic, contributors, r, f.dim, f.records, grid, f.exponent, edges) : plainAggregate(f.operation as 'sum' | 'mean' | 'multiply', contributors, r, f.dim, grid);
      const err = errorStats(aggregate, plain);
      rounds.push({
        memo: report.memo, contributors: contributors.length, dropped: report.dropped.length, ring: report.ring, field_bits: report.field?.bits ?? 0,
        max_abs_error: err.maxAbs, mean_error: err.mean, observed_noise_std: err.std, expected_noise_std: report.dp?.expectedNoiseStd ?? 0,
        epsilon_round: report.dp?.epsilonRound ?? 0, epsilon_total: report.dp?.epsilonTotal ?? 0,
        bytes_received: report.bytesReceived, round_s: roundS, timings_ms: report.timings,
        secure_head: Array.from(aggregate.subarray(0, SHOWN)), plain_head: Array.from(plain.subarray(0, SHOWN)),
        ...(report.clippedElements === undefined ? {} : { clipped_elements: report.clippedElements, clipped_clients: report.clippedClients }),
        ...(f.tensors && tensors ? { tensors: tensors.map((t) => ({ name: t.name, dtype: t.dtype, shape: t.shape })), integer_elements_exact: checkIntegerSums(f.tensors, tensors, contributors, r) } : {}),
      });
    }
    progress?.done();
    // contributors report their partial's size just after sending it; collect those, then reap
    const lastRound = f.rounds - 1;
    await pool.until((rs) => rs.filter((m) => m.type === 'sent' && m.round === lastRound).length >= rounds[lastRound].contributors, 10_000);
    const { reports } = pool;
    const codes = await pool.close();
    pool = undefined;
    const unclean = codes.filter((c, i) => c !== 0 && !starts[i].drop).length;
    if (unclean > 0) throw new ShardwireError('E_ABORTED', `${unclean} of ${f.clients - f.drop} contributing client processes did not exit cleanly`);
    const sent = reports.flatMap((m) => (m.type === 'sent' ? [m] : []));
    if (ledgerDir) rounds.forEach((x, r) => Object.assign(x, { client_ledgers: ledgersOf(sent.filter((m) => m.round === r), x.epsilon_total) }));
    const rss = { client: Math.max(0, ...sent.map((m) => m.peakRssMb)), coordinator: process.resourceUsage().maxRSS / 1024 };
    return summarise(f, secureDim, grid.onGrid || statistic === 'count' || statistic === 'histogram', setupS, rounds, sent.map((m) => m.partialBytes), sent.map((m) => m.bytes), rss);
  } finally {
    progress?.done();
    await pool?.close();
    coordinator?.close();
    await relay.close();
    coordId.zeroise();
    if (ledgerDir) rmSync(ledgerDir, { recursive: true, force: true });
  }
}

/** How the contributors' own ledgers saw a round: how many reported, agreed with the coordinator, and their cumulative ε. */
function ledgersOf(sent: readonly { ledger?: { epsilonTotal: number; coordinatorEpsilonTotal: number } }[], coordinatorTotal: number): DemoRound['client_ledgers'] {
  const totals = sent.flatMap((m) => (m.ledger ? [m.ledger] : []));
  return {
    reported: totals.length,
    agree: totals.filter((l) => l.coordinatorEpsilonTotal === coordinatorTotal && l.epsilonTotal <= coordinatorTotal).length,
    epsilon_total_min: Math.min(...totals.map((l) => l.epsilonTotal)),
    epsilon_total_max: Math.max(...totals.map((l) => l.epsilonTotal)),
  };
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? 0 : s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

function mean(xs: readonly number[]): number {
  return xs.length === 0 ? 0 : xs.reduce((a, b) => a + b, 0) / xs.length;
}

function summarise(f: DemoFlags, secureDim: number, onGrid: boolean, setupS: number, rounds: DemoRound[], partialBytes: readonly number[], roundBytes: readonly number[], rss: { client: number; coordinator: number }): DemoResult {
  const last = rounds[rounds.length - 1];
  const bytesPerClient = mean(partialBytes);
  return {
    operation: f.operation, ...(isStatistic(f.operation) ? { records: f.records } : {}),
    clients: f.clients, dim: f.dim, shards: f.shards, exponent: f.exponent, dp: f.dp, rounds: f.rounds, inputs_on_grid: onGrid,
    contributors: last.contributors, dropped: last.dropped, ring: last.ring, field_bits: last.field_bits,
    max_abs_error: Math.max(...rounds.map((r) => r.max_abs_error)),
    expected_noise_std: last.expected_noise_std, observed_noise_std: last.observed_noise_std,
    epsilon_spent: last.epsilon_total, epsilon_round: last.epsilon_round, delta: f.dp === 'none' ? 0 : f.delta,
    bytes_per_client: Math.round(bytesPerClient), bytes_per_element: round6(bytesPerClient / Math.max(1, secureDim)), round_bytes_per_client: Math.round(mean(roundBytes)),
    bytes_received_per_contributor: Math.round(last.bytes_received / last.contributors),
    round_s: round6(median(rounds.map((r) => r.round_s))), setup_s: round6(setupS),
    client_peak_rss_mb: Math.round(rss.client), coordinator_peak_rss_mb: Math.round(rss.coordinator),
    per_round: rounds,
  };
}

const fmt = (xs: readonly number[]) => xs.map((x) => round6(x).toString().padStart(12)).join(' ');

function printText(r: DemoResult): void {
  const out: string[] = [];
  const what = r.records === undefined ? `${r.operation} of vectors` : `${r.operation} of ${r.records} records per client`;
  out.push(`shardwire demo (${what}): ${r.clients} client processes (${r.dropped > 0 ? `${r.clients - r.contributors} dropped, ` : ''}${r.contributors} contributed), dim ${r.dim}, shards ${r.shards}, exponent ${r.exponent}, dp ${r.dp}`);
  for (const [i, x] of r.per_round.entries()) {
    out.push('', `round ${i + 1}/${r.rounds} (${x.memo}): ${x.contributors} contributors, ${x.dropped} dropped, ${x.field_bits ? `prime field of ${x.field_bits} bits` : `ring Z_2^${x.ring}`}`);
    out.push(`  secure aggregate [0..${x.secure_head.length}) ${fmt(x.secure_head)}`);
    out.push(`  plain aggregate  [0..${x.plain_head.length}) ${fmt(x.plain_head)}`);
    out.push(`  max |secure − plain| ${x.max_abs_error}   noise std expected ${round6(x.expected_noise_std)}, observed ${round6(x.observed_noise_std)}`);
    if (x.clipped_elements !== undefined) out.push(`  clipping changed ${x.clipped_elements} elements of ${x.clipped_clients} contributors (secure totals)`);
    if (x.tensors) out.push(`  tensors: ${x.tensors.map((t) => `${t.name} ${t.dtype}[${t.shape.join('x')}]`).join(', ')}; ${x.integer_elements_exact} integer elements equal the plain sums exactly`);
    if (r.dp !== 'none') out.push(`  ε spent: this round ${round6(x.epsilon_round)}, session ${round6(x.epsilon_total)} (δ = ${r.delta})`);
    const l = x.client_ledgers;
    if (l) out.push(`  client ledgers: ${l.agree} of ${l.reported} checked the coordinator's signed report and agree; session ε by their own count ${round6(l.epsilon_total_min)}${l.epsilon_total_max !== l.epsilon_total_min ? `–${round6(l.epsilon_total_max)}` : ''}`);
    const t = x.timings_ms;
    out.push(`  round ${x.round_s.toFixed(3)} s (collect ${t.collectMs.toFixed(0)} ms, recover ${t.recoverMs.toFixed(0)} ms, reconstruct ${t.reconstructMs.toFixed(1)} ms)`);
  }
  out.push('', `bytes per client: ${r.bytes_per_client} (sealed partial; ${r.bytes_per_element} B/element), ${r.round_bytes_per_client} with the round's other messages; coordinator received ${r.bytes_received_per_contributor} per contributor`);
  out.push(`setup ${r.setup_s.toFixed(2)} s (relay, ${r.clients} processes, key exchange); round ${r.round_s.toFixed(3)} s${r.rounds > 1 ? ' (median)' : ''}`);
  out.push(`peak RSS: client ${r.client_peak_rss_mb} MB (largest process), coordinator ${r.coordinator_peak_rss_mb} MB (this process, with the relay)`);
  if (!r.inputs_on_grid) out.push('note: inputs are finer than the fixed-point grid (10^-exponent); rounding adds an error of up to one unit per client');
  console.log(out.join('\n'));
}

export const usage = USAGE;

export async function run(argv: string[]): Promise<number> {
  const f = parseDemoFlags(argv);
  if (f.help) {
    console.log(USAGE);
    return 0;
  }
  demoConfig(f); // refuses a bad combination of flags before anything starts
  const result = await runDemo(f, f.json ? undefined : new ProgressBar(process.stderr));
  if (f.json) console.log(JSON.stringify(result));
  else printText(result);
  return 0;
}
