/**
 * `npm run bench:kernel-parts`: the measurements behind two choices of the kernel's streaming
 * paths, each against its baseline in the same run (competitors interleaved; process CPU time by
 * default, `--wall` for wall time). Prints a table per part, then one JSON line.
 *  1. node:crypto keystream by piece size (node-chacha.ts PIECE_BYTES): 16 MiB read in pieces of
 *     4 KiB … 16 MiB, each piece copied into the arena and zeroed, as the kernel does.
 *  2. The pipeline's fused chunk pass (assembly/fused.ts) against the separate exports it
 *     replaces, per element over one 16,384-element step: encode; encode + L2 measure (pass 1);
 *     encode + L2 scale + measure + narrow (pass 2); encode + L∞ clamp + measure + narrow.
 * Outputs are checked equal before timing.
 */
import { createCipheriv, randomBytes } from 'node:crypto';
import { Kernel } from '../src/kernel/index.ts';
import { race, type Clock } from './race.ts';
import { OP_CLAMP, OP_MEASURE, OP_NONE, OP_SCALE, PARAM_BOUND, PARAM_MULT, PARAM_WEIGHT } from '../src/kernel/abi.ts';

const clock: Clock = process.argv.includes('--wall') ? 'wall' : 'cpu';

const k = await Kernel.load('simd');
const { bytes } = k.views;
const ioB = k.raw.ioBPtr();

// 1. keystream piece size
const total = 16 << 20;
const key = randomBytes(32);
const pieces = [4096, 16384, 65536, 262144, 1 << 20, total];
const zeros = new Uint8Array(total);
const pieceFns = Object.fromEntries(
  pieces.map((p) => [
    `${p}`,
    () => {
      const c = createCipheriv('chacha20', key, Buffer.alloc(16));
      for (let done = 0; done < total; done += p) {
        const piece = c.update(zeros.subarray(0, p));
        bytes.set(piece.subarray(0, Math.min(p, 8 * k.chunkElems)), ioB);
        piece.fill(0);
      }
    },
  ]),
);
const tPieces = race(pieceFns, 9, clock);
const keystream = pieces.map((p) => ({ piece_bytes: p, gbps: +(total / tPieces[`${p}`] / 1e9).toFixed(3) }));

// 2. fused pass vs separate exports
const n = 16384;
const x = Float64Array.from({ length: n }, (_, i) => Math.sin(i) * 0.05); // |x·S| ≤ 50,000 at S = 10^6
const bits = new Uint32Array(randomBytes(4 * n).buffer.slice(0));
const params = k.views.params;
new Float64Array(params.buffer, params.byteOffset + 8 * PARAM_WEIGHT, 1)[0] = 1;
params[PARAM_MULT] = 1n << 61n; // halves every value
params[PARAM_BOUND] = 30_000n; // clamps about a third of them
const load = () => {
  k.views.f64A.set(x);
  new Uint32Array(k.raw.memory.buffer, ioB, n).set(bits);
};
const status = (s: number) => {
  if (s !== 0) throw new Error(`kernel status ${s}`);
};
const cases: Record<string, { fused: () => void; separate: () => void }> = {
  encode: {
    fused: () => (load(), status(k.raw.encodeFusedI64(n, 6, 0, OP_NONE, 0, 0))),
    separate: () => (load(), status(k.raw.encodeBitsF64ToI64(n, 6, 0))),
  },
  encode_measure_l2: {
    fused: () => (load(), status(k.raw.encodeFusedI64(n, 6, 0, OP_MEASURE, 2, 0))),
    separate: () => (load(), status(k.raw.encodeBitsF64ToI64(n, 6, 0)), status(k.raw.normI64(n, 2))),
  },
  encode_scale_measure_narrow_l2: {
    fused: () => (load(), status(k.raw.encodeFusedI64(n, 6, 0, OP_SCALE, 2, 1))),
    separate: () => (
      load(),
      status(k.raw.encodeBitsF64ToI64(n, 6, 0)),
      status(k.raw.scaleI64(n)),
      status(k.raw.normI64(n, 2)),
      status(k.raw.narrowI64ToU32(n))
    ),
  },
  encode_clamp_measure_narrow_linf: {
    fused: () => (load(), status(k.raw.encodeFusedI64(n, 6, 0, OP_CLAMP, 0, 1))),
    separate: () => (
      load(),
      status(k.raw.encodeBitsF64ToI64(n, 6, 0)),
      status(k.raw.normI64(n, 0)),
      status(k.raw.clampI64(n)),
      status(k.raw.normI64(n, 0)),
      status(k.raw.narrowI64ToU32(n))
    ),
  },
};
const fused: Array<{ pass: string; fused_ns_per_elem: number; separate_ns_per_elem: number; ratio: number }> = [];
for (const [pass, c] of Object.entries(cases)) {
  c.fused();
  const a = bytes.slice(k.raw.ioAPtr(), k.raw.ioAPtr() + 8 * n);
  c.separate();
  const b = bytes.slice(k.raw.ioAPtr(), k.raw.ioAPtr() + 8 * n);
  const width = pass.endsWith('narrow_l2') || pass.endsWith('narrow_linf') ? 4 : 8;
  for (let i = 0; i < width * n; i++)
    if (a[i] !== b[i]) throw new Error(`benchmark verification failed: ${pass} byte ${i}`);
  const reps = 61;
  const t = race(
    {
      fused: () => {
        for (let r = 0; r < 20; r++) c.fused();
      },
      separate: () => {
        for (let r = 0; r < 20; r++) c.separate();
      },
    },
    reps,
    clock,
  );
  const ns = (s: number) => +((s / 20 / n) * 1e9).toFixed(2);
  fused.push({
    pass,
    fused_ns_per_elem: ns(t.fused),
    separate_ns_per_elem: ns(t.separate),
    ratio: +(t.separate / t.fused).toFixed(2),
  });
}

console.log(`node:crypto keystream, ${total >> 20} MiB, by piece size (copied into the arena and zeroed)`);
console.table(keystream);
console.log('Fused chunk pass vs separate exports (16,384 elements, includes loading the f64 input and bits)');
console.table(fused);
console.log(
  JSON.stringify({ bench: 'kernel-parts', clock, node: process.version, keystream, fused }),
);
