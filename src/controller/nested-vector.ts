/**
 * @module controller/nested-vector
 * FeatureCloud apps hand SMPC and DP data to their controller as JSON (the engine's
 * `_serialize_outgoing(data, is_json=True)`): any nesting of lists and numbers — numpy arrays
 * arrive as nested lists, and `[x, y, z]` with three different shapes is common. This module
 * flattens such a value into one Float64Array plus a compact {@link Shape}, and writes the exact
 * nesting back around a flat aggregate.
 *
 * Numbers are read by `JSON.parse`: V8 converts decimals to the nearest double (correctly
 * rounded), so every double Python prints with `repr` reads back bit for bit, and it was the
 * fastest correct parser measured here (bench/featurecloud.bench.ts compares it with a
 * split-and-convert scanner). Python writes non-finite floats as the bare tokens `NaN`,
 * `Infinity` and `-Infinity`, which are not JSON; they are reported as such, by path.
 */
import { ShardwireError } from '../errors.ts';

/**
 * The nesting of a JSON value: `null` for one number, `{ n, of }` for a list of `n` elements that
 * all have the shape `of`, and an array of shapes for a list whose elements differ (ragged).
 * Canonical: a list is written `{ n, of }` whenever its elements agree, so two values have the
 * same nesting exactly when their shapes serialise to the same JSON ({@link shapeKey}).
 */
export type Shape = null | { readonly n: number; readonly of: Shape } | readonly Shape[];

/** A flattened JSON value. */
export interface Flattened {
  /** The numbers in document order. */
  readonly values: Float64Array;
  readonly shape: Shape;
  /** Canonical JSON of `shape`; equal keys mean equal nesting. */
  readonly key: string;
}

/** Deepest nesting accepted (numpy arrays of up to 64 dimensions; deeper input is refused). */
export const MAX_DEPTH = 64;

const NON_FINITE_TOKEN = /-?Infinity|NaN/;

function badVector(message: string, details: Record<string, unknown>): never {
  throw new ShardwireError('E_BAD_VECTOR', message, details);
}

/** Shape, canonical key and number count of `v`, validating every element on the way. */
function measure(
  v: unknown,
  path: string,
  depth: number,
  fallback: boolean,
): { shape: Shape; key: string; size: number } {
  if (typeof v === 'number') {
    // JSON.parse gives ±Infinity for literals such as 1e400
    if (v - v !== 0)
      badVector(`element ${path || '(top level)'} is ${v}; SMPC and DP data must be finite numbers`, { path });
    return { shape: null, key: 'null', size: 1 };
  }
  if (!Array.isArray(v)) {
    const what =
      v === null
        ? fallback
          ? 'null or a non-finite number (NaN/Infinity)'
          : 'null'
        : typeof v === 'string'
          ? 'a string'
          : typeof v === 'boolean'
            ? 'a boolean'
            : 'an object';
    badVector(
      `element ${path || '(top level)'} is ${what}; SMPC and DP data must be numbers or (nested) lists of numbers`,
      { path },
    );
  }
  if (depth >= MAX_DEPTH)
    badVector(`element ${path} is nested deeper than ${MAX_DEPTH} lists`, { path, maxDepth: MAX_DEPTH });
  const a = v as unknown[];
  let allNumbers = true;
  for (let i = 0; i < a.length; i++) {
    const x = a[i];
    if (typeof x !== 'number' || x - x !== 0) {
      allNumbers = false;
      break;
    }
  }
  if (allNumbers) return { shape: { n: a.length, of: null }, key: `{"n":${a.length},"of":null}`, size: a.length };
  const children = a.map((x, i) => measure(x, `${path}[${i}]`, depth + 1, fallback));
  const size = children.reduce((s, c) => s + c.size, 0);
  const first = children[0]!;
  if (children.every((c) => c.key === first.key))
    return { shape: { n: a.length, of: first.shape }, key: `{"n":${a.length},"of":${first.key}}`, size };
  return { shape: children.map((c) => c.shape), key: `[${children.map((c) => c.key).join(',')}]`, size };
}

/** Copies the numbers of `v` (already measured) into `out` from `at`; returns the next index. */
function fill(v: unknown, out: Float64Array, at: number): number {
  if (typeof v === 'number') {
    out[at] = v;
    return at + 1;
  }
  const a = v as unknown[];
  for (let i = 0; i < a.length; i++) {
    const x = a[i];
    if (typeof x === 'number') out[at++] = x;
    else at = fill(x, out, at);
  }
  return at;
}

/**
 * Flattens a parsed JSON value made of numbers and lists.
 * @throws {ShardwireError} E_BAD_VECTOR naming the path of the first element that is not a
 *   finite number or a list, or of a nesting deeper than {@link MAX_DEPTH}.
 * @example flatten([[1, 2], 3]) // { values: Float64Array [1, 2, 3], shape: [{ n: 2, of: null }, null], … }
 */
export function flatten(value: unknown): Flattened {
  return flattenValue(value, false);
}

function flattenValue(value: unknown, fallback: boolean): Flattened {
  const { shape, key, size } = measure(value, '', 0, fallback);
  const values = new Float64Array(size);
  fill(value, values, 0);
  return { values, shape, key };
}

/**
 * Parses JSON text (as a FeatureCloud app sends it for SMPC or DP) and flattens it.
 * @throws {ShardwireError} E_BAD_VECTOR for a non-numeric or non-finite element (Python's `NaN`,
 *   `Infinity`, `-Infinity` tokens included), naming its path; E_BAD_PAYLOAD when the text is not
 *   JSON at all.
 * @example parseNumericJson('[[0.5, 1.0], [2.0]]').values // Float64Array [0.5, 1, 2]
 */
export function parseNumericJson(text: string): Flattened {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    // Python's json.dumps writes NaN/±Infinity as bare tokens; read them as null to say where
    if (NON_FINITE_TOKEN.test(text)) {
      let patched: unknown;
      try {
        patched = JSON.parse(text.replace(/-?Infinity|NaN/g, 'null'));
      } catch {
        patched = undefined;
      }
      if (patched !== undefined) {
        flattenValue(patched, true); // throws at the first null, with its path
        badVector('the data contains NaN or Infinity tokens; SMPC and DP data must be finite numbers', {});
      }
    }
    throw new ShardwireError(
      'E_BAD_PAYLOAD',
      `the data is not valid JSON (${(e as Error).message.slice(0, 120)}); SMPC and DP data must be JSON lists of ` +
        `numbers`,
      { bytes: text.length },
    );
  }
  return flattenValue(value, false);
}

/** Number of values a shape holds. */
export function shapeSize(shape: Shape): number {
  if (shape === null) return 1;
  if (Array.isArray(shape)) return (shape as readonly Shape[]).reduce((s: number, c) => s + shapeSize(c), 0);
  const { n, of } = shape as { n: number; of: Shape };
  return n * shapeSize(of);
}

/** Canonical JSON of a shape (what {@link Flattened.key} holds). */
export function shapeKey(shape: Shape): string {
  return JSON.stringify(shape);
}

/** The nested value of `shape` over `values` from `at`, and the index after it. */
function build(values: Float64Array, shape: Shape, at: number): [unknown, number] {
  if (shape === null) return [values[at], at + 1];
  if (Array.isArray(shape)) {
    const out: unknown[] = [];
    for (const c of shape as readonly Shape[]) {
      const [v, next] = build(values, c, at);
      out.push(v);
      at = next;
    }
    return [out, at];
  }
  const { n, of } = shape as { n: number; of: Shape };
  if (of === null) return [Array.from(values.subarray(at, at + n)), at + n];
  const out = new Array<unknown>(n);
  for (let i = 0; i < n; i++) [out[i], at] = build(values, of, at);
  return [out, at];
}

/**
 * Writes `values` back into the nesting `shape` as JSON text (what the coordinator's app
 * receives as the aggregate). Doubles print in the shortest form that reads back exactly.
 * @throws {ShardwireError} E_BAD_VECTOR when `values` does not hold exactly the shape's count.
 * @example restoreJson(new Float64Array([1, 2, 3]), [{ n: 2, of: null }, null]) // '[[1,2],3]'
 */
export function restoreJson(values: Float64Array, shape: Shape): string {
  const size = shapeSize(shape);
  if (values.length !== size)
    badVector(`"values" expected ${size} numbers for the shape, got ${values.length}`, {
      expected: size,
      actual: values.length,
    });
  return JSON.stringify(build(values, shape, 0)[0]);
}

/**
 * A short human description of a shape for messages, e.g. `[3×4, 5, scalar]`.
 * @example describeShape({ n: 3, of: { n: 4, of: null } }) // '3×4'
 */
export function describeShape(shape: Shape, budget = 80): string {
  const text = describeInner(shape);
  return text.length > budget ? `${text.slice(0, budget - 1)}…` : text;
}

function describeInner(shape: Shape): string {
  if (shape === null) return 'scalar';
  if (Array.isArray(shape)) return `[${(shape as readonly Shape[]).map(describeInner).join(', ')}]`;
  const { n, of } = shape as { n: number; of: Shape };
  return of === null ? `${n}` : `${n}×${describeInner(of)}`;
}
