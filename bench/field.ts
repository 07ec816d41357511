/**
 * `npm run bench:field`: the secure product's field arithmetic — Montgomery products per second
 * (fieldMul) and mask-product elements per second (fieldMaskProduct with 10 keys, 5 of each
 * sign) — for fields of 2, 5, 9, 17, 33 and 64 limbs (the table primes 2^(32L) − c), the
 * WebAssembly kernel next to native BigInt and the big-integer package (bench/field-baselines.ts:
 * the same algorithm element by element) in the same process. Every baseline's output is
 * checked equal to the kernel's first. One JSON line per (operation, limbs, implementation),
 * the best of 3 runs. `--cpu`: time with the process's CPU time (steadier on a shared machine).
 * Also prints the lead case: d = 10^5, 10 keys, 9 limbs.
 */
import { Kernel } from '../src/kernel/kernel.ts';
import { fieldMaskProduct, fieldMul, primeField, type PrimeField } from '../src/kernel/field.ts';
import { baselineMaskProduct, baselineMul, bigIntegerArith, nativeArith } from './field-baselines.ts';
import { tablePrime } from '../test/reference/primes.ts';

const cpuClock = process.argv.includes('--cpu');
const LIMBS = [2, 5, 9, 17, 33, 64];
const SEEDS = 10;
const k = await Kernel.load('auto');

function now(): number {
  if (!cpuClock) return performance.now() / 1e3;
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}

/** Best of 3 runs, in seconds. */
function best(fn: () => void): number {
  let t = Infinity;
  for (let r = 0; r < 3; r++) {
    const t0 = now();
    fn();
    t = Math.min(t, now() - t0);
  }
  return t;
}

const keys = Array.from({ length: SEEDS }, (_, i) => new Uint8Array(32).fill(i + 1));
const signs = keys.map((_, i) => (i % 2 === 0 ? 1 : -1));

function equal(a: Uint32Array, b: Uint32Array, what: string): void {
  if (a.length !== b.length || a.some((x, i) => x !== b[i])) throw new Error(`${what}: baseline differs from the kernel`);
}

function row(op: string, f: PrimeField, impl: string, elements: number, seconds: number, extra: Record<string, unknown> = {}): void {
  const line = { op, limbs: f.limbs, bits: f.bits, impl, elements, seconds: +seconds.toFixed(5), per_s: Math.round(elements / seconds), ...extra, kernel: k.flavour, keystream: k.keystreamSource, clock: cpuClock ? 'cpu' : 'wall' };
  console.log(JSON.stringify(line));
}

for (const limbs of LIMBS) {
  const f = primeField(tablePrime(limbs));
  const impls = [
    ['native-bigint', nativeArith(f)],
    ['big-integer', bigIntegerArith(f)],
  ] as const;
  // Montgomery products: kernel on d elements, baselines on fewer (same per-element work)
  const d = Math.max(2000, Math.round(2e6 / limbs ** 2));
  const a = new Uint32Array(d * limbs);
  const b = new Uint32Array(d * limbs);
  fieldMaskProduct(k, f, d, [keys[0]], [1], a);
  fieldMaskProduct(k, f, d, [keys[1]], [1], b);
  const kernelOut = a.slice();
  fieldMul(k, f, kernelOut, b);
  const tKernel = best(() => fieldMul(k, f, a.slice(), b));
  row('montMul', f, 'kernel', d, tKernel);
  const small = Math.max(200, Math.round(d / 20));
  for (const [name, arith] of impls) {
    const out = a.slice(0, small * limbs);
    baselineMul(arith as never, limbs, out, b.subarray(0, small * limbs));
    equal(out, kernelOut.subarray(0, small * limbs), `${name} montMul`);
    const t = best(() => baselineMul(arith as never, limbs, a.slice(0, small * limbs), b.subarray(0, small * limbs)));
    row('montMul', f, name, small, t, { kernel_speedup: +((t / small) / (tKernel / d)).toFixed(1) });
  }
  // mask product of SEEDS keys
  const dm = Math.max(500, Math.round(4e5 / limbs ** 1.5));
  const m = new Uint32Array(dm * limbs);
  fieldMaskProduct(k, f, dm, keys, signs, m);
  const tMask = best(() => fieldMaskProduct(k, f, dm, keys, signs, new Uint32Array(dm * limbs)));
  row('maskProduct', f, 'kernel', dm, tMask, { seeds: SEEDS });
  const dSmall = Math.max(100, Math.round(dm / 20));
  for (const [name, arith] of impls) {
    const out = new Uint32Array(dSmall * limbs);
    baselineMaskProduct(k, arith as never, limbs, dSmall, keys, signs, out);
    const ref = new Uint32Array(dSmall * limbs);
    fieldMaskProduct(k, f, dSmall, keys, signs, ref);
    equal(out, ref, `${name} maskProduct`);
    const t = best(() => baselineMaskProduct(k, arith as never, limbs, dSmall, keys, signs, new Uint32Array(dSmall * limbs)));
    row('maskProduct', f, name, dSmall, t, { seeds: SEEDS, kernel_speedup: +((t / dSmall) / (tMask / dm)).toFixed(1) });
  }
}

// the lead's case: d = 10^5 elements, 10 keys, 9 limbs
{
  const f = primeField(tablePrime(9));
  const d = 100_000;
  const out = new Uint32Array(d * f.limbs);
  const t = best(() => fieldMaskProduct(k, f, d, keys, signs, out));
  row('maskProduct-d1e5', f, 'kernel', d, t, { seeds: SEEDS });
}
