// bench:featurecloud — a 3-site mean of 10^5 and 10^6 float64 values through three controllers
// next to three real FeatureCloud apps (the upstream engine; apps/bench_app.py), once through a
// shardwire secure round (JSON from the app) and once plain (pickle through the controllers, the
// baseline), alternating in the same run. Two spans, both ending when the coordinator's
// aggregate_data returns (the engine deserialises there): `seconds` starts when the last site's
// send_data_to_coordinator call returns (its data is queued for the controller), and
// `fromSendCallSeconds` when that call starts (the engine serialises inside it: json.dumps for
// SMPC, pickle otherwise). Every secure mean is checked against the plain mean of the same data
// before it is reported. Each size runs in both threat modes (BENCH_THREATS): the default double
// masking and the honest-coordinator single masking. Also, in the same process: the parsers
// for the app's JSON (each verified to give the same doubles) and the restore of the aggregate.
// Prints JSON lines. Absolute figures depend on the machine's load: compare the ratios.
import { runSites, relay, describeRun } from '../test/interop/featurecloud/harness.ts';
import { parseNumericJson, restoreJson } from '../src/controller/nested-vector.ts';

const REPS = Number(process.env.BENCH_REPS ?? 3);
const POLL_MS = process.env.BENCH_POLL_MS ?? '100'; // FeatureCloud's pace
const ENGINE_POLL = process.env.BENCH_ENGINE_POLL ?? '0.1'; // the engine's DATA_POLL_INTERVAL upstream

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/** Doubles as Python's json.dumps prints a numpy array's tolist() (shortest round-trip form). */
function pythonLikeJson(n: number): string {
  let x = 0x9e3779b9;
  const v = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    v[i] = ((x >>> 0) / 2 ** 32 - 0.5) * 6.283185307179586;
  }
  return `[${v.join(', ')}]`;
}

function splitParse(text: string): Float64Array {
  const parts = text.slice(1, -1).split(',');
  const out = new Float64Array(parts.length);
  for (let i = 0; i < parts.length; i++) out[i] = Number(parts[i]);
  return out;
}

function parsers(n: number): void {
  const text = pythonLikeJson(n);
  const a = parseNumericJson(text).values;
  const b = splitParse(text);
  if (a.length !== n || b.length !== n || a.some((v, i) => !Object.is(v, b[i]))) throw new Error('parsers disagree');
  const time = (f: () => unknown) =>
    median(
      Array.from({ length: 7 }, () => {
        const t = performance.now();
        f();
        return performance.now() - t;
      }),
    );
  const shape = parseNumericJson(text).shape;
  const out = {
    bench: 'featurecloud-json',
    values: n,
    bytes: text.length,
    jsonParseFlattenMs: time(() => parseNumericJson(text)),
    splitNumberMs: time(() => splitParse(text)),
    restoreJsonMs: time(() => restoreJson(a, shape)),
  };
  console.log(JSON.stringify(out));
}

interface Rec {
  memo: string;
  mode: 'smpc' | 'plain';
  start: number;
  sent: number;
  received?: number;
  maxError?: number;
  jsonLoadsSeconds?: number;
}

async function endToEnd(dim: number, threat: string): Promise<void> {
  const r = await runSites({
    app: 'bench_app.py',
    timeoutMs: 900_000,
    env: { FC_BENCH_DIM: String(dim), FC_BENCH_REPS: String(REPS), FC_DATA_POLL_INTERVAL: ENGINE_POLL },
    flags: () => [
      ...['--poll-ms', POLL_MS, '--round-timeout-ms', '300000', '--share-timeout-ms', '300000'],
      ...['--app-timeout-ms', '120000', '--threat', threat],
    ],
  });
  if (r.controllers.some((c) => c.code !== 0) || r.outputs.size !== 3)
    throw new Error(`bench run failed:\n${describeRun(r)}`);
  const sites = r.ids.map((id) => (r.outputs.get(id) as { records: Rec[] }).records);
  const empty = () => ({
    latency: [] as number[],
    fromCall: [] as number[],
    serialise: [] as number[],
    maxError: 0,
    loads: [] as number[],
  });
  const rows = { smpc: empty(), plain: empty() };
  for (const [k, rec] of sites[0]!.entries()) {
    const all = sites.map((s) => s[k]!);
    const row = rows[rec.mode];
    row.latency.push(rec.received! - Math.max(...all.map((x) => x.sent)));
    row.fromCall.push(rec.received! - Math.max(...all.map((x) => x.start)));
    row.serialise.push(Math.max(...all.map((x) => x.sent - x.start)));
    row.maxError = Math.max(row.maxError, rec.maxError!);
    if (rec.jsonLoadsSeconds !== undefined) row.loads.push(rec.jsonLoadsSeconds);
  }
  // a secure mean at exponent 8 is within 10^-8 of the plain one; the plain path is exact
  if (rows.smpc.maxError > 1e-8 || rows.plain.maxError > 1e-12)
    throw new Error(`wrong aggregate: ${JSON.stringify({ smpc: rows.smpc.maxError, plain: rows.plain.maxError })}`);
  for (const mode of ['smpc', 'plain'] as const) {
    const x = rows[mode];
    console.log(
      JSON.stringify({
        bench: 'featurecloud',
        dim,
        threat,
        sites: 3,
        path: mode === 'smpc' ? 'smpc (JSON, secure round)' : 'plain (pickle, baseline)',
        reps: REPS,
        seconds: Number(median(x.latency).toFixed(3)),
        samples: x.latency.map((s) => Number(s.toFixed(3))),
        fromSendCallSeconds: Number(median(x.fromCall).toFixed(3)),
        appSerialiseSeconds: Number(median(x.serialise).toFixed(3)),
        ...(x.loads.length ? { appJsonLoadsSeconds: Number(median(x.loads).toFixed(3)) } : {}),
        maxErrorVsPlain: x.maxError,
        pollMs: Number(POLL_MS),
        enginePollSeconds: Number(ENGINE_POLL),
      }),
    );
  }
  const ratio = (k: 'latency' | 'fromCall') => Number((median(rows.smpc[k]) / median(rows.plain[k])).toFixed(2));
  console.log(
    JSON.stringify({
      bench: 'featurecloud-ratio',
      dim,
      threat,
      smpcOverPlain: ratio('latency'),
      smpcOverPlainFromSendCall: ratio('fromCall'),
      goal: dim === 1e6 ? 2 : undefined,
    }),
  );
}

parsers(1e6);
const THREATS = (process.env.BENCH_THREATS ?? 'malicious-coordinator,honest-coordinator').split(',');
for (const dim of (process.env.BENCH_DIMS ?? '100000,1000000').split(',').map(Number)) {
  for (const threat of THREATS) await endToEnd(dim, threat);
}
await (await relay()).close();
