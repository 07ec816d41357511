/**
 * `npm run bench:kernel`: the kernel against baselines measured in the same process.
 *  1. PRG: mask expand+add over Z_2^64 (kernel, SIMD and scalar builds) vs node:crypto's
 *     chacha20 keystream on the same bytes (keystream only: the baseline does less work).
 *  2. Client pipeline: randomized encode + L2 clip + 2 masks, d = 10^4, 10^5, 10^6, rings 32
 *     and 64, vs the plain-TypeScript implementation in plain-pipeline.ts.
 * Every competitor's output is verified before timing. Prints a table, then one JSON line.
 */
import { randomBytes } from 'node:crypto';
import { Kernel } from '../src/kernel/index.ts';
import { nodeKeystream, plainMaskAdd, plainPipeline } from './plain-pipeline.ts';

/** Median seconds per call of `fn` over `reps` timed runs after `warm` warm-up runs. */
function time(fn: () => unknown, reps: number, warm = 2): number {
  for (let i = 0; i < warm; i++) fn();
  const t: number[] = [];
  for (let i = 0; i < reps; i++) {
    const s = process.hrtime.bigint();
    fn();
    t.push(Number(process.hrtime.bigint() - s) / 1e9);
  }
  t.sort((a, b) => a - b);
  return t[Math.floor(t.length / 2)];
}

function assertEqualBytes(a: Uint8Array, b: Uint8Array, what: string): void {
  if (a.length !== b.length || !a.every((v, i) => v === b[i])) throw new Error(`benchmark verification failed: ${what}`);
}

const simd = await Kernel.load('simd');
const scalar = await Kernel.load('scalar');
const quick = process.argv.includes('--quick');

// 1. PRG throughput
const prgElems = quick ? 1 << 18 : 1 << 21; // 16 MiB of u64 by default
const seed = new Uint8Array(randomBytes(32));
const prgBytes = prgElems * 8;
const vec = new BigUint64Array(prgElems);
simd.expandMasks(vec, [seed], [1]);
assertEqualBytes(new Uint8Array(vec.buffer), nodeKeystream(seed, prgBytes), 'kernel mask ≠ node:crypto chacha20 keystream');
const scalarVec = scalar.expandMasks(new BigUint64Array(prgElems), [seed], [1]);
assertEqualBytes(new Uint8Array(scalarVec.buffer), new Uint8Array(vec.buffer), 'scalar ≠ simd mask');
const reps = quick ? 5 : 9;
const tSimd = time(() => simd.expandMasks(vec, [seed], [1]), reps);
const tScalar = time(() => scalar.expandMasks(vec, [seed], [1]), reps);
const tNode = time(() => nodeKeystream(seed, prgBytes), reps);
// the same job as the kernel's (expand AND add over Z_2^64) with node:crypto's keystream + a JS loop
const words = new Uint32Array(prgElems * 2);
assertEqualBytes(new Uint8Array(plainMaskAdd(words, seed, 64).buffer), new Uint8Array(scalarVec.buffer), 'node keystream + JS add ≠ kernel mask');
const tNodeAdd = time(() => plainMaskAdd(words, seed, 64), reps);
const gbps = (t: number) => prgBytes / t / 1e9;
const prg = {
  prg_bytes: prgBytes,
  prg_kernel_gbps: +gbps(tSimd).toFixed(3),
  prg_kernel_scalar_gbps: +gbps(tScalar).toFixed(3),
  prg_node_gbps: +gbps(tNode).toFixed(3),
  prg_ratio: +(tNode / tSimd).toFixed(2),
  prg_node_add_gbps: +gbps(tNodeAdd).toFixed(3),
  prg_ratio_vs_node_add: +(tNodeAdd / tSimd).toFixed(2),
};

// 2. Pipeline
interface PipelineRow { d: number; ring: 32 | 64; kernel_ms: number; plain_ts_ms: number; ratio: number; kernel_elems_per_s: number }
const pipeline: PipelineRow[] = [];
const exponent = 6;
const bound = 1.0;
for (const d of quick ? [1e4, 1e5] : [1e4, 1e5, 1e6]) {
  const x = new Float64Array(d);
  const rnd = new Uint32Array(randomBytes(4 * d).buffer.slice(0));
  for (let i = 0; i < d; i++) x[i] = (rnd[i] / 2 ** 32 - 0.5) * 0.1; // norm ≈ 0.029·√d: clipped for d ≥ 10^4
  const roundKey = new Uint8Array(randomBytes(32));
  const seeds = [new Uint8Array(randomBytes(32)), new Uint8Array(randomBytes(32))];
  for (const ring of [32, 64] as const) {
    const runKernel = () => {
      const { vector } = simd.encodeAndClip(x, { exponent, ring, key: roundKey, clip: { norm: 'l2', bound } });
      return simd.expandMasks(vector, seeds, [1, 1]);
    };
    const runPlain = () => plainPipeline(x, exponent, ring, bound, roundKey, seeds);
    // verify: same masks, so kernel − plain is the encode/clip difference; the plain float clip
    // may differ from the exact integer clip by one unit per element, never more
    const k = runKernel();
    const p = runPlain();
    const kw = new Uint32Array(k.buffer, k.byteOffset, p.length);
    for (let i = 0; i < d; i++) {
      const diff = ring === 32 ? (kw[i] - p[i]) | 0 : Number(BigInt.asIntN(64, (BigInt(kw[2 * i + 1]) << 32n | BigInt(kw[2 * i])) - (BigInt(p[2 * i + 1]) << 32n | BigInt(p[2 * i]))));
      if (Math.abs(diff) > 1) throw new Error(`benchmark verification failed: pipeline d=${d} ring=${ring} element ${i} differs by ${diff}`);
    }
    const r = d >= 1e6 ? 5 : 15;
    const tk = time(runKernel, r);
    const tp = time(runPlain, r);
    pipeline.push({ d, ring, kernel_ms: +(tk * 1e3).toFixed(3), plain_ts_ms: +(tp * 1e3).toFixed(3), ratio: +(tp / tk).toFixed(2), kernel_elems_per_s: Math.round(d / tk) });
  }
}

const result = { bench: 'kernel', node: process.version, flavour: simd.flavour, ...prg, pipeline };
console.log('PRG (mask expand+add, ring 64)');
console.table([
  { impl: 'kernel simd (expand+add)', 'GB/s': prg.prg_kernel_gbps },
  { impl: 'kernel scalar (expand+add)', 'GB/s': prg.prg_kernel_scalar_gbps },
  { impl: 'node:crypto chacha20 (keystream only)', 'GB/s': prg.prg_node_gbps },
  { impl: 'node:crypto chacha20 + JS add (same job)', 'GB/s': prg.prg_node_add_gbps },
]);
console.log(`kernel / node keystream: ${prg.prg_ratio}×; kernel / node keystream + JS add: ${prg.prg_ratio_vs_node_add}×`);
console.log('\nClient pipeline: randomized encode + L2 clip + 2 masks');
console.table(pipeline);
console.log(JSON.stringify(result));
