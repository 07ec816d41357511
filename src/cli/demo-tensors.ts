/**
 * @module cli/demo-tensors
 * `shardwire demo --tensors LIST`: the demo's input as typed tensors. LIST is comma-separated
 * shapes, dimensions joined by `x`, each optionally prefixed by a dtype (`f32:` default, `f64:`,
 * `i32:`, `i64:`, `u8:`, `bool:`; `scalar` for shape []), e.g. `3x3x16,16,64x10,i64:scalar`.
 * The float tensors carry the demo's deterministic vector (cli/demo-inputs.ts) cut in spec
 * order, so the float aggregate is checked exactly as before; integer tensors carry deterministic
 * values whose exact sums are checked with bigint.
 */
import { ShardwireError } from '../errors.ts';
import { numel, validateTensorSpecs, type AggregateTensor, type Dtype, type Tensor, type TensorSpecInput } from '../tensors/spec.ts';
import { demoInput, type InputGrid } from './demo-inputs.ts';

const PREFIX: Record<string, Dtype> = { f32: 'float32', f64: 'float64', i32: 'int32', i64: 'int64', u8: 'uint8', bool: 'bool' };

/**
 * Parses a `--tensors` list into tensor specs (named t0, t1, …).
 * @throws {ShardwireError} E_BAD_ARGUMENT (a usage error) naming the entry.
 */
export function parseTensorList(list: string): TensorSpecInput[] {
  const bad = (m: string): never => {
    throw new ShardwireError('E_BAD_ARGUMENT', `--tensors ${m} (expected e.g. 3x3x16,16,i64:scalar)`, { flag: 'tensors', usage: true });
  };
  const specs = list.split(',').map((entry, i) => {
    const m = /^(?:(f32|f64|i32|i64|u8|bool):)?(scalar|\d+(?:x\d+)*)$/.exec(entry.trim());
    if (!m) bad(`entry ${i + 1} "${entry}" is not [dtype:]DxDx… or [dtype:]scalar`);
    const shape = m![2] === 'scalar' ? [] : m![2].split('x').map(Number);
    return { name: `t${i}`, dtype: PREFIX[m![1] ?? 'f32'], shape };
  });
  try {
    validateTensorSpecs(specs);
  } catch (e) {
    bad(e instanceof Error ? e.message : String(e));
  }
  if (specs.every((s) => s.dtype !== 'float32' && s.dtype !== 'float64')) bad('has no float tensor; the demo checks a float aggregate');
  return specs;
}

/** Float elements of a spec list (the round's dim). */
export function floatElements(specs: readonly TensorSpecInput[]): number {
  return specs.filter((s) => s.dtype === 'float32' || s.dtype === 'float64').reduce((a, s) => a + numel(s.shape), 0);
}

/** Element e of integer tensor `t` of client `index` in `round`: small, varied, in range for every dtype. */
function intValue(dtype: Dtype, index: number, round: number, t: number, e: number): bigint {
  const v = (index * 31 + round * 17 + t * 7 + e * 3) % 256;
  if (dtype === 'bool') return BigInt(v & 1);
  if (dtype === 'uint8') return BigInt(v);
  if (dtype === 'int64') return BigInt(v - 128) * 2n ** 40n; // beyond 2^53 summed: exact only as integers
  return BigInt(v - 128) * 1000n;
}

/** Client `index`'s tensors in `round`. */
export function demoTensors(specs: readonly TensorSpecInput[], index: number, round: number, grid: InputGrid): Tensor[] {
  const x = demoInput(index, round, floatElements(specs), grid);
  let off = 0;
  return specs.map((s, t) => {
    const n = numel(s.shape);
    const ints = () => Array.from({ length: n }, (_, e) => intValue(s.dtype, index, round, t, e));
    let data: Tensor['data'];
    if (s.dtype === 'float32' || s.dtype === 'float64') {
      data = (s.dtype === 'float32' ? Float32Array : Float64Array).from(x.subarray(off, off + n));
      off += n;
    } else if (s.dtype === 'int64') data = BigInt64Array.from(ints());
    else if (s.dtype === 'int32') data = Int32Array.from(ints(), Number);
    else data = Uint8Array.from(ints(), Number);
    return { name: s.name, dtype: s.dtype, shape: s.shape, data };
  });
}

/**
 * Checks the integer tensors of a release against the plain bigint sums of the contributors'
 * values; returns how many integer elements were checked.
 * @throws {ShardwireError} E_ABORTED naming the tensor and element that differ (a bug).
 */
export function checkIntegerSums(specs: readonly TensorSpecInput[], released: readonly AggregateTensor[], contributors: readonly number[], round: number): number {
  let checked = 0;
  specs.forEach((s, t) => {
    if (s.dtype === 'float32' || s.dtype === 'float64') return;
    const got = released[t].data;
    for (let e = 0; e < numel(s.shape); e++) {
      const plain = contributors.reduce((a, i) => a + intValue(s.dtype, i, round, t, e), 0n);
      const value = typeof got[e] === 'bigint' ? (got[e] as bigint) : BigInt(got[e] as number);
      if (value !== plain) throw new ShardwireError('E_ABORTED', `tensor ${s.name}[${e}]: secure sum ${value}, plain sum ${plain}`, { tensor: s.name });
      checked++;
    }
  });
  return checked;
}
