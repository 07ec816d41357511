/**
 * @module controller/integer-leaves
 * Integers in FeatureCloud data stay integers. Python's `json.dumps` writes an int without a
 * decimal point or exponent (`3`) and a float always with one (`3.0`, `1e-05`), so the JSON text
 * says which leaves are integers. Without DP, the controller sends runs of integer leaves as
 * exact int64 tensors (no clip, no fixed-point scale: a sample count of 10^6 survives a clip
 * bound of 1) and runs of float leaves as float64 tensors, and writes the integer sums back as
 * exact digits (Python reads them as exact ints). DP sessions keep every leaf a float: integer
 * tensors would be released without noise (docs/DP.md).
 */
import { ShardwireError } from '../errors.ts';
import { MAX_TENSORS, type AggregateTensor, type Tensor, type TensorSpecInput } from '../tensors/spec.ts';

/** JSON number tokens (the data holds only lists and numbers, so every match is a leaf). */
const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/g;
const I64_MIN = -(2n ** 63n);
const I64_MAX = 2n ** 63n - 1n;

/** Integer leaves of a data piece: alternating runs and their exact values. */
export interface IntegerLeaves {
  /** [start, length] of each run of integer leaves, in document order (leaf indices). */
  readonly runs: readonly (readonly [number, number])[];
  /** The integer leaves' exact values, in order. */
  readonly values: BigInt64Array;
}

/**
 * Finds the integer leaves of JSON text holding `count` numbers (already flattened), or
 * undefined when there are none.
 * @throws {ShardwireError} E_BAD_VECTOR for an integer outside int64 or data split into more
 *   than MAX_TENSORS runs of integers and floats.
 */
export function integerLeaves(text: string, count: number): IntegerLeaves | undefined {
  const runs: [number, number][] = [];
  const values: bigint[] = [];
  let index = 0;
  for (const m of text.matchAll(NUMBER)) {
    const token = m[0];
    if (!/[.eE]/.test(token)) {
      const v = BigInt(token);
      if (v < I64_MIN || v > I64_MAX) throw new ShardwireError('E_BAD_VECTOR', `integer leaf ${index} (${token.slice(0, 40)}) is outside int64; integers are summed exactly as int64`, { index });
      values.push(v);
      const last = runs[runs.length - 1];
      if (last && last[0] + last[1] === index) last[1]++;
      else runs.push([index, 1]);
    }
    index++;
  }
  if (index !== count) throw new ShardwireError('E_BAD_VECTOR', `the data holds ${count} numbers but ${index} number tokens; send lists of numbers only`, {});
  if (runs.length === 0) return undefined;
  if (2 * runs.length + 1 > MAX_TENSORS) throw new ShardwireError('E_BAD_VECTOR', `integers and floats alternate in ${runs.length} runs; at most ${(MAX_TENSORS - 1) / 2} are supported (send integers as floats, e.g. 3.0, to sum them with the floats)`, { runs: runs.length });
  return { runs, values: BigInt64Array.from(values) };
}

/** The tensor spec of a piece of `count` leaves with these integer runs (floats float64, integers int64). */
export function leafSpec(runs: readonly (readonly [number, number])[], count: number): TensorSpecInput[] {
  const specs: TensorSpecInput[] = [];
  let at = 0;
  const push = (dtype: 'float64' | 'int64', n: number) => specs.push({ name: `leaves${specs.length}`, dtype, shape: [n] });
  for (const [start, n] of runs) {
    if (start > at) push('float64', start - at);
    push('int64', n);
    at = start + n;
  }
  if (count > at) push('float64', count - at);
  return specs;
}

/** A site's tensors for {@link leafSpec}: float runs as views of the flattened values, integer runs exact. */
export function leafTensors(values: Float64Array, leaves: IntegerLeaves): Tensor[] {
  let int = 0;
  let at = 0;
  return leafSpec(leaves.runs, values.length).map((s) => {
    const n = s.shape[0];
    const data = s.dtype === 'int64' ? leaves.values.subarray(int, (int += n)) : values.subarray(at, at + n);
    at += n;
    return { name: s.name, dtype: s.dtype, shape: s.shape, data };
  });
}

/**
 * The aggregate's leaves in document order (integer sums as doubles, for placing them) and a
 * function that writes the exact integer sums over JSON text made from them.
 */
export function leafAggregate(tensors: readonly AggregateTensor[], count: number): { values: Float64Array; exact(json: string): string } {
  const values = new Float64Array(count);
  const exact = new Map<number, string>();
  let at = 0;
  for (const t of tensors) {
    if (Array.isArray(t.data)) (t.data as bigint[]).forEach((v, i) => (exact.set(at + i, v.toString()), (values[at + i] = Number(v))));
    else values.set(t.data as Float64Array, at);
    at += t.data.length;
  }
  return {
    values,
    exact(json) {
      let index = 0;
      return json.replace(NUMBER, (token) => exact.get(index++) ?? token);
    },
  };
}
