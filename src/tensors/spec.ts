/**
 * @module tensors/spec
 * Typed tensors: the spec a coordinator announces in `round.open` (names, dtypes, shapes, and a
 * bound per integer tensor), its wire form, and the check of a client's input against it. Float
 * tensors use the session's clip and exponent; integer tensors are summed exactly within their
 * bound (docs/PROTOCOL.md "Typed tensors").
 */
import { ShardwireError } from '../errors.ts';
import { describe } from '../guards.ts';

/** Element types of a tensor. */
export type Dtype = 'float32' | 'float64' | 'int32' | 'int64' | 'uint8' | 'bool';
export const DTYPES: readonly Dtype[] = ['float32', 'float64', 'int32', 'int64', 'uint8', 'bool'];
/** Most tensors one round may carry, most dimensions of one shape, most elements of a round. */
export const MAX_TENSORS = 10_000;
export const MAX_RANK = 64;
export const MAX_ELEMENTS = 2 ** 31;
const NAME = /^[\x21-\x7e]{1,200}$/;

/** One tensor of a round's spec (validated: see {@link validateTensorSpecs}). */
export interface TensorSpec {
  readonly name: string;
  readonly dtype: Dtype;
  readonly shape: readonly number[];
  /** Integer tensors: every |x| ≤ bound (default: the dtype's whole range). Absent for floats. */
  readonly bound?: bigint;
}

/** What a caller passes in `RoundOptions.tensors` (bound as a number, bigint or decimal string). */
export interface TensorSpecInput {
  readonly name: string;
  readonly dtype: Dtype;
  readonly shape: readonly number[];
  readonly bound?: number | bigint | string;
}

/** A tensor a client contributes. */
export interface Tensor {
  readonly name: string;
  readonly dtype: Dtype;
  readonly shape: readonly number[];
  /** float32: Float32Array; float64: Float64Array; int32: Int32Array; int64: BigInt64Array; uint8 and bool (0/1): Uint8Array. */
  readonly data: Float32Array | Float64Array | Int32Array | BigInt64Array | Uint8Array;
}

/**
 * A tensor of the released aggregate: floats decoded (the round's sum or mean) as Float64Array;
 * int32, uint8 and bool sums exact as Float64Array (|Σ| < 2^53 always); int64 sums exact as
 * bigint[] (n·2^63 does not fit 64 bits).
 */
export interface AggregateTensor {
  readonly name: string;
  readonly dtype: Dtype;
  readonly shape: readonly number[];
  readonly data: Float64Array | bigint[];
}

/** The wire form of one spec entry in `round.open` (bound as a decimal string). */
export interface TensorSpecJson {
  readonly name: string;
  readonly dtype: Dtype;
  readonly shape: readonly number[];
  readonly bound?: string;
}

/** The values a dtype can hold: [lo, hi]. */
export const DTYPE_RANGE: Record<Exclude<Dtype, 'float32' | 'float64'>, readonly [bigint, bigint]> = {
  int32: [-(2n ** 31n), 2n ** 31n - 1n],
  int64: [-(2n ** 63n), 2n ** 63n - 1n],
  uint8: [0n, 255n],
  bool: [0n, 1n],
};

const ARRAY_OF: Record<Dtype, string> = { float32: 'Float32Array', float64: 'Float64Array', int32: 'Int32Array', int64: 'BigInt64Array', uint8: 'Uint8Array', bool: 'Uint8Array (0/1)' };
const CTOR: Record<Dtype, abstract new (...a: never[]) => unknown> = { float32: Float32Array, float64: Float64Array, int32: Int32Array, int64: BigInt64Array, uint8: Uint8Array, bool: Uint8Array };

/** Whether a dtype is a float (session clip and exponent) rather than an integer (exact). */
export function isFloat(dtype: Dtype): boolean {
  return dtype === 'float32' || dtype === 'float64';
}

/** Elements of a shape (1 for a scalar shape []). */
export function numel(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** [lo, hi] an integer tensor's values must lie in: the dtype's range within ±bound. */
export function rangeOf(t: TensorSpec): readonly [bigint, bigint] {
  const [lo, hi] = DTYPE_RANGE[t.dtype as keyof typeof DTYPE_RANGE];
  if (t.bound === undefined) return [lo, hi];
  return [lo < -t.bound ? -t.bound : lo, hi > t.bound ? t.bound : hi];
}

function fail(code: 'E_BAD_ARGUMENT' | 'E_BAD_PAYLOAD', field: string, message: string, tensor?: string): never {
  throw new ShardwireError(code, `"${field}" ${message}`, { field, ...(tensor === undefined ? {} : { tensor }) });
}

function parseBound(v: unknown, field: string, name: string, code: 'E_BAD_ARGUMENT' | 'E_BAD_PAYLOAD'): bigint {
  let b: bigint | undefined;
  if (typeof v === 'bigint') b = v;
  else if (typeof v === 'number' && Number.isSafeInteger(v)) b = BigInt(v);
  else if (typeof v === 'string' && /^[0-9]{1,20}$/.test(v)) b = BigInt(v);
  if (b === undefined || b < 0n || b > 2n ** 63n) fail(code, field, `expected an integer in [0, 2^63] (the largest |x| of tensor "${name}"), got ${describe(v)}`, name);
  return b;
}

/**
 * Validates a list of tensor specs (from the caller, or from the wire with code E_BAD_PAYLOAD):
 * distinct printable names, known dtypes, shapes of non-negative integers, a bound only on
 * integer tensors, at most 2^31 elements in all.
 * @throws {ShardwireError} E_BAD_ARGUMENT (or E_BAD_PAYLOAD) naming the tensor and field.
 */
export function validateTensorSpecs(input: unknown, field = 'tensors', code: 'E_BAD_ARGUMENT' | 'E_BAD_PAYLOAD' = 'E_BAD_ARGUMENT'): TensorSpec[] {
  if (!Array.isArray(input) || input.length > MAX_TENSORS) fail(code, field, `expected an array of at most ${MAX_TENSORS} tensor specs { name, dtype, shape, bound? }, got ${describe(input)}`);
  const names = new Set<string>();
  let total = 0;
  return input.map((t: unknown, i) => {
    const f = `${field}[${i}]`;
    if (typeof t !== 'object' || t === null || Array.isArray(t)) fail(code, f, `expected { name, dtype, shape, bound? }, got ${describe(t)}`);
    const o = t as Record<string, unknown>;
    for (const key of Object.keys(o)) if (!['name', 'dtype', 'shape', 'bound'].includes(key)) fail(code, `${f}.${key}`, 'is not a tensor spec field (known: name, dtype, shape, bound)');
    const name = o.name;
    if (typeof name !== 'string' || !NAME.test(name)) fail(code, `${f}.name`, `expected 1-200 printable ASCII characters without spaces, got ${describe(name)}`);
    if (names.has(name)) fail(code, `${f}.name`, `"${name}" is named twice; tensor names must be distinct`, name);
    names.add(name);
    if (!DTYPES.includes(o.dtype as Dtype)) fail(code, `${f}.dtype`, `expected one of ${DTYPES.join(', ')} (tensor "${name}"), got ${describe(o.dtype)}`, name);
    const dtype = o.dtype as Dtype;
    const shape = o.shape;
    if (!Array.isArray(shape) || shape.length > MAX_RANK || shape.some((d) => !Number.isSafeInteger(d) || d < 0 || d > MAX_ELEMENTS)) {
      fail(code, `${f}.shape`, `expected an array of at most ${MAX_RANK} integers ≥ 0 (tensor "${name}"), got ${describe(shape)}`, name);
    }
    total += numel(shape as number[]);
    if (total > MAX_ELEMENTS) fail(code, `${f}.shape`, `brings the round past ${MAX_ELEMENTS} elements (tensor "${name}")`, name);
    if (o.bound !== undefined && isFloat(dtype)) fail(code, `${f}.bound`, `is set on float tensor "${name}"; float tensors use the session's clip (config clip.bound)`, name);
    const bound = o.bound === undefined ? undefined : parseBound(o.bound, `${f}.bound`, name, code);
    return { name, dtype, shape: [...(shape as number[])], ...(bound === undefined ? {} : { bound }) };
  });
}

/** The `round.open` form of a spec list. */
export function tensorSpecsToJson(specs: readonly TensorSpec[]): TensorSpecJson[] {
  return specs.map((t) => ({ name: t.name, dtype: t.dtype, shape: t.shape, ...(t.bound === undefined ? {} : { bound: t.bound.toString() }) }));
}

/**
 * Checks a client's tensors against the round's spec before anything is sent: the same names in
 * the same order, dtypes, shapes, and data arrays of the dtype's type and length. Values (the
 * integer bounds, NaN/∞ of floats) are checked by the kernel while encoding.
 * @throws {ShardwireError} E_BAD_VECTOR naming the tensor (details.tensor) and what differs.
 */
export function checkTensors(specs: readonly TensorSpec[], input: unknown, memo: string): Tensor[] {
  const bad: (message: string, tensor?: string) => never = (message, tensor) => {
    throw new ShardwireError('E_BAD_VECTOR', `round ${memo}: ${message}; the round stays open for tensors that match its spec`, { memo, ...(tensor === undefined ? {} : { tensor }) });
  };
  if (!Array.isArray(input)) bad(`expected an array of ${specs.length} tensors { name, dtype, shape, data }, got ${describe(input)}`);
  const list = input as unknown[];
  if (list.length !== specs.length) bad(`expected ${specs.length} tensors (${specs.map((s) => s.name).join(', ')}), got ${list.length}`);
  return specs.map((s, i) => {
    const t = list[i] as Partial<Tensor> | null;
    if (typeof t !== 'object' || t === null) bad(`tensor ${i} expected { name, dtype, shape, data }, got ${describe(t)}`, s.name);
    if (t.name !== s.name) bad(`tensor ${i} expected name "${s.name}", got ${describe(t.name)}`, s.name);
    if (t.dtype !== s.dtype) bad(`tensor "${s.name}" expected dtype ${s.dtype}, got ${describe(t.dtype)}`, s.name);
    if (!Array.isArray(t.shape) || t.shape.length !== s.shape.length || t.shape.some((d, j) => d !== s.shape[j])) {
      bad(`tensor "${s.name}" expected shape [${s.shape.join(', ')}], got ${describe(t.shape)}`, s.name);
    }
    const n = numel(s.shape);
    if (!(t.data instanceof CTOR[s.dtype]) || (t.data as ArrayLike<unknown>).length !== n) {
      bad(`tensor "${s.name}" expected data as a ${ARRAY_OF[s.dtype]} of ${n} elements, got ${describe(t.data)}`, s.name);
    }
    return { name: s.name, dtype: s.dtype, shape: s.shape, data: t.data! };
  });
}

/**
 * Asserts the shape of a tensor list before any round is awaited (an array of objects with a
 * name and a typed-array `data`); the match against a round's spec is {@link checkTensors}.
 * @throws {ShardwireError} E_BAD_VECTOR
 */
export function atensorList(input: readonly unknown[]): void {
  input.forEach((t, i) => {
    const o = t as Partial<Tensor> | null;
    if (typeof o !== 'object' || o === null || typeof o.name !== 'string' || !ArrayBuffer.isView(o.data)) {
      throw new ShardwireError('E_BAD_VECTOR', `"vector" expected a Float32Array/Float64Array or a list of tensors { name, dtype, shape, data }; entry ${i} is ${describe(t)}`, { index: i });
    }
  });
}
