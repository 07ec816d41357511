/**
 * `npm run bench:kernel`: the kernel against baselines measured in the same process, the
 * competitors of each case interleaved round by round (so a busy machine slows them alike; read
 * the ratios, and re-run on a quiet machine for absolute figures).
 *  1. PRG, ring 64, 16 MiB: mask expand + add (node:crypto keystream source on the calling thread
 *     and from the keystream worker thread; the kernel's own SIMD and scalar ChaCha20) vs
 *     node:crypto's bare keystream, read in the 64 KiB pieces the kernel uses and discarded (the
 *     least work there is), and in one 16 MiB call.
 *  2. Client pipeline, ring 32, 4 mask streams (n = 10, shards 3), L2 and L∞ clip, d = 10^4,
 *     10^6, 10^7: the one-pass encodeMasked (fresh output, reused output, without the keystream
 *     worker, wasm keystream) vs the
 *     multi-call composition encodeAndClip → expandMasks and the plain-TypeScript pipeline
 *     (plain-pipeline.ts).
 * Every competitor's output is verified before timing. Prints tables, then one JSON line.
 * `--quick`: smaller sizes (d = 10^4, 10^5; 2 MiB PRG). `--cpu`: time with the process's CPU time
 * (process.cpuUsage) instead of wall time, steadier while other jobs share the cores.
 */
import { createCipheriv, randomBytes } from 'node:crypto';
import { Kernel, type RingVector } from '../src/kernel/index.ts';
import { PIECE_BYTES } from '../src/kernel/node-chacha.ts';
import { nodeKeystream, plainMaskAdd, plainPipeline } from './plain-pipeline.ts';
import { race, type Clock } from './race.ts';

const clock: Clock = process.argv.includes('--cpu') ? 'cpu' : 'wall';

function assertEqual(a: ArrayLike<number | bigint>, b: ArrayLike<number | bigint>, what: string): void {
  let same = a.length === b.length;
  for (let i = 0; same && i < a.length; i++) same = a[i] === b[i];
  if (!same) throw new Error(`benchmark verification failed: ${what}`);
}

const quick = process.argv.includes('--quick');
const simd = await Kernel.load('simd'); // keystream: node:crypto on Node, masks ≥ 1 MiB from the worker thread
const simdInline = await Kernel.load('simd', { keystreamWorker: false });
const simdWasm = await Kernel.load('simd', { keystream: 'wasm' });
const scalarWasm = await Kernel.load('scalar', { keystream: 'wasm' });
if (simd.keystreamSource !== 'node:crypto') throw new Error('bench:kernel needs node:crypto with chacha20');

// 1. PRG throughput
const prgElems = quick ? 1 << 18 : 1 << 21; // 16 MiB of u64 by default
const prgBytes = prgElems * 8;
const seed = new Uint8Array(randomBytes(32));
const zeros = new Uint8Array(PIECE_BYTES);
/** node:crypto's keystream in the kernel's piece size, discarded: no copy, no add, no wipe. */
const nodePieces = () => {
  const c = createCipheriv('chacha20', seed, Buffer.alloc(16));
  for (let done = 0; done < prgBytes; done += PIECE_BYTES) c.update(zeros);
};
const prgKernels = [simd, simdInline, simdWasm, scalarWasm];
const vecs = prgKernels.map(() => new BigUint64Array(prgElems));
const expected = nodeKeystream(seed, prgBytes);
prgKernels.forEach((k, i) =>
  assertEqual(
    new Uint8Array(k.expandMasks(vecs[i], [seed], [1]).buffer),
    expected,
    `${k.flavour}/${k.keystreamSource} mask ≠ node:crypto keystream`,
  ),
);
const words = new Uint32Array(prgElems * 2);
assertEqual(new Uint8Array(plainMaskAdd(words, seed, 64).buffer), expected, 'node keystream + JS add ≠ kernel mask');
const tPrg = race(
  {
    kernel_node_worker: () => simd.expandMasks(vecs[0], [seed], [1]),
    kernel_node: () => simdInline.expandMasks(vecs[1], [seed], [1]),
    kernel_wasm_simd: () => simdWasm.expandMasks(vecs[2], [seed], [1]),
    kernel_wasm_scalar: () => scalarWasm.expandMasks(vecs[3], [seed], [1]),
    node_keystream_pieces: nodePieces,
    node_keystream_bulk: () => nodeKeystream(seed, prgBytes),
    node_keystream_js_add: () => plainMaskAdd(words, seed, 64),
  },
  quick ? 5 : 11,
  clock,
);
// the client's case: 4 mask streams over a ring-32 vector, the same 16 MiB of keystream in all
const seeds4 = Array.from({ length: 4 }, () => new Uint8Array(randomBytes(32)));
const vec4 = [new Uint32Array(prgBytes / 16), new Uint32Array(prgBytes / 16)];
assertEqual(
  simd.expandMasks(vec4[0], seeds4, [1, 1, 1, 1]),
  simdInline.expandMasks(vec4[1], seeds4, [1, 1, 1, 1]),
  'four masks: worker ≠ one thread',
);
const tPrg4 = race(
  {
    kernel_node_worker: () => simd.expandMasks(vec4[0], seeds4, [1, 1, 1, 1]),
    kernel_node: () => simdInline.expandMasks(vec4[1], seeds4, [1, 1, 1, 1]),
    node_keystream_pieces: nodePieces, // 16 MiB, as the four streams together
  },
  quick ? 5 : 11,
  clock,
);
const gbps = (t: number) => +(prgBytes / t / 1e9).toFixed(3);
const prg = {
  prg_bytes: prgBytes,
  prg_kernel_node_worker_gbps: gbps(tPrg.kernel_node_worker),
  prg_kernel_node_gbps: gbps(tPrg.kernel_node),
  prg_kernel_wasm_simd_gbps: gbps(tPrg.kernel_wasm_simd),
  prg_kernel_wasm_scalar_gbps: gbps(tPrg.kernel_wasm_scalar),
  prg_node_keystream_pieces_gbps: gbps(tPrg.node_keystream_pieces),
  prg_node_keystream_bulk_gbps: gbps(tPrg.node_keystream_bulk),
  prg_node_keystream_js_add_gbps: gbps(tPrg.node_keystream_js_add),
  /** expand + add with node:crypto's keystream on one thread / node:crypto's bare keystream (goal ≥ 0.9). */
  prg_ratio_vs_keystream: +(tPrg.node_keystream_pieces / tPrg.kernel_node).toFixed(2),
  /** the same with the keystream from the worker thread (two threads against one). */
  prg_ratio_worker_vs_keystream: +(tPrg.node_keystream_pieces / tPrg.kernel_node_worker).toFixed(2),
  prg_ratio_node_vs_wasm_simd: +(tPrg.kernel_wasm_simd / tPrg.kernel_node).toFixed(2),
  /** Four streams (the client's masks), ring 32: one thread, and streams 2–4 from the worker. */
  prg4_kernel_node_gbps: gbps(tPrg4.kernel_node),
  prg4_kernel_node_worker_gbps: gbps(tPrg4.kernel_node_worker),
  prg4_node_keystream_pieces_gbps: gbps(tPrg4.node_keystream_pieces),
  prg4_ratio_vs_keystream: +(tPrg4.node_keystream_pieces / tPrg4.kernel_node).toFixed(2),
  prg4_ratio_worker_vs_keystream: +(tPrg4.node_keystream_pieces / tPrg4.kernel_node_worker).toFixed(2),
};

// 2. Client pipeline
interface PipelineRow {
  d: number;
  norm: 'l2' | 'linf';
  pipeline_ms: number;
  pipeline_reused_out_ms: number;
  pipeline_one_thread_ms: number;
  pipeline_wasm_keystream_ms: number;
  composition_ms: number;
  composition_wasm_keystream_ms: number;
  plain_ts_ms: number;
  vs_composition: number;
  vs_composition_wasm_keystream: number;
  vs_plain_ts: number;
}
const pipeline: PipelineRow[] = [];
const exponent = 6;
const ring = 32;
const seeds = Array.from({ length: 4 }, () => new Uint8Array(randomBytes(32)));
const signs = [1, 1, 1, 1];
for (const d of quick ? [1e4, 1e5] : [1e4, 1e6, 1e7]) {
  const x = new Float64Array(d);
  const rnd = new Uint32Array(randomBytes(4 * d).buffer.slice(0));
  // L2 ≈ 0.029·√d: clipped at bound 1 for d ≥ 10^4
  for (let i = 0; i < d; i++) x[i] = (rnd[i] / 2 ** 32 - 0.5) * 0.1;
  const key = new Uint8Array(randomBytes(32));
  for (const norm of ['l2', 'linf'] as const) {
    const clip = { norm, bound: norm === 'l2' ? 1 : 0.04 }; // L∞ 0.04: a fifth of the values clamped
    const out = new Uint32Array(d);
    const opts = { exponent, ring, key, clip, seeds, signs } as const;
    const fns = {
      pipeline: () => simd.encodeMasked(x, opts).vector,
      pipeline_reused_out: () => simd.encodeMasked(x, { ...opts, out }).vector,
      pipeline_one_thread: () => simdInline.encodeMasked(x, { ...opts, out }).vector,
      pipeline_wasm_keystream: () => simdWasm.encodeMasked(x, opts).vector,
      composition: () => simd.expandMasks(simd.encodeAndClip(x, { exponent, ring, key, clip }).vector, seeds, signs),
      // the composition as it ran before node:crypto's keystream: the kernel's ChaCha20 throughout
      composition_wasm_keystream: () =>
        simdWasm.expandMasks(simdWasm.encodeAndClip(x, { exponent, ring, key, clip }).vector, seeds, signs),
      plain_ts: () => plainPipeline(x, exponent, ring, clip.bound, key, seeds, norm),
    };
    // verify: the pipeline equals the composition exactly; the plain float clip may differ from
    // the exact integer clip by one unit per element, never more
    const want = fns.composition() as RingVector;
    const same = [
      'pipeline', 'pipeline_reused_out', 'pipeline_one_thread', 'pipeline_wasm_keystream', 'composition_wasm_keystream',
    ] as const;
    for (const name of same)
      assertEqual(fns[name](), want, `${name} ≠ composition at d=${d} ${norm}`);
    const plain = fns.plain_ts();
    for (let i = 0; i < d; i++) {
      const diff = ((want[i] as number) - plain[i]) | 0;
      if (Math.abs(diff) > 1)
        throw new Error(`benchmark verification failed: plain TS at d=${d} ${norm} element ${i} differs by ${diff}`);
    }
    const t = race(fns, d >= 1e7 ? 3 : d >= 1e6 ? 7 : 31, clock, d >= 1e7 ? 1 : 2);
    const ms = (s: number) => +(s * 1e3).toFixed(3);
    pipeline.push({
      d,
      norm,
      pipeline_ms: ms(t.pipeline),
      pipeline_reused_out_ms: ms(t.pipeline_reused_out),
      pipeline_one_thread_ms: ms(t.pipeline_one_thread),
      pipeline_wasm_keystream_ms: ms(t.pipeline_wasm_keystream),
      composition_ms: ms(t.composition),
      composition_wasm_keystream_ms: ms(t.composition_wasm_keystream),
      plain_ts_ms: ms(t.plain_ts),
      vs_composition: +(t.composition / t.pipeline_reused_out).toFixed(2),
      vs_composition_wasm_keystream: +(t.composition_wasm_keystream / t.pipeline_reused_out).toFixed(2),
      vs_plain_ts: +(t.plain_ts / t.pipeline_reused_out).toFixed(2),
    });
  }
}

// 3. Coordinator: n = 10 opened partials (raw ring-32 bytes) summed and decoded as a mean
interface CoordinatorRow {
  d: number;
  n: number;
  accumulate_ms: number;
  accumulate_chunk_major_ms: number;
  ring_sum_ms: number;
  vs_ring_sum: number;
}
const coordinator: CoordinatorRow[] = [];
for (const d of quick ? [1e4, 1e5] : [1e4, 1e6]) {
  const n = 10;
  const parts = Array.from({ length: n }, () => new Uint8Array(randomBytes(4 * d)));
  const sum = new Uint32Array(d);
  const mean = new Float64Array(d);
  const fns = {
    // new: one accumulator and one output, allocated once
    accumulate: () => {
      sum.fill(0);
      for (const p of parts) simd.accumulate(sum, p);
      return simd.decodeInto(sum, mean, { exponent, divisor: n });
    },
    accumulate_chunk_major: () => {
      sum.fill(0);
      simd.accumulate(sum, parts);
      return simd.decodeInto(sum, mean, { exponent, divisor: n });
    },
    // before: a typed view per partial (as ringFromBytes adopts an opened payload), ringSum, decode
    ring_sum: () => simd.decode(simd.ringSum(parts.map((p) => new Uint32Array(p.buffer))), { exponent, divisor: n }),
  };
  const want = fns.ring_sum();
  assertEqual(fns.accumulate(), want, `accumulate ≠ ringSum at d=${d}`);
  assertEqual(fns.accumulate_chunk_major(), want, `chunk-major accumulate ≠ ringSum at d=${d}`);
  const t = race(fns, d >= 1e6 ? 9 : 31, clock);
  const ms = (s: number) => +(s * 1e3).toFixed(3);
  coordinator.push({
    d,
    n,
    accumulate_ms: ms(t.accumulate),
    accumulate_chunk_major_ms: ms(t.accumulate_chunk_major),
    ring_sum_ms: ms(t.ring_sum),
    vs_ring_sum: +(t.ring_sum / Math.min(t.accumulate, t.accumulate_chunk_major)).toFixed(2),
  });
}

const result = {
  bench: 'kernel',
  clock,
  node: process.version,
  flavour: simd.flavour,
  keystream: simd.keystreamSource,
  ...prg,
  pipeline,
  coordinator,
};
console.log(`PRG (mask expand + add, ring 64, ${prgBytes >> 20} MiB)`);
console.table([
  {
    impl: 'kernel, node:crypto keystream from the worker thread (expand + add)',
    'GB/s': prg.prg_kernel_node_worker_gbps,
  },
  { impl: 'kernel, node:crypto keystream, one thread (expand + add)', 'GB/s': prg.prg_kernel_node_gbps },
  { impl: 'kernel, wasm SIMD ChaCha20 (expand + add)', 'GB/s': prg.prg_kernel_wasm_simd_gbps },
  { impl: 'kernel, wasm scalar ChaCha20 (expand + add)', 'GB/s': prg.prg_kernel_wasm_scalar_gbps },
  { impl: `node:crypto keystream only, ${PIECE_BYTES >> 10} KiB pieces`, 'GB/s': prg.prg_node_keystream_pieces_gbps },
  { impl: 'node:crypto keystream only, one call', 'GB/s': prg.prg_node_keystream_bulk_gbps },
  { impl: 'node:crypto keystream + JS add (same job)', 'GB/s': prg.prg_node_keystream_js_add_gbps },
]);
console.log(
  `expand + add / bare keystream (goal ≥ 0.9): one stream ${prg.prg_ratio_vs_keystream}× ` +
    `(the worker takes no single stream); four ring-32 streams ${prg.prg4_ratio_vs_keystream}× on one thread, ` +
    `${prg.prg4_ratio_worker_vs_keystream}× with streams 2–4 from the worker ` +
    `(${prg.prg4_kernel_node_worker_gbps} GB/s); node:crypto source / wasm SIMD: ${prg.prg_ratio_node_vs_wasm_simd}×`,
);
console.log(
  `\nClient pipeline: ring ${ring}, ${seeds.length} masks, randomized encode + clip ` +
    '(ms; ratios against the reused-output pipeline)',
);
console.table(pipeline);
console.log('\nCoordinator: n opened partials (raw ring-32 bytes) summed and decoded as a mean (ms)');
console.table(coordinator);
console.log(JSON.stringify(result));
