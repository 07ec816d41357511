/**
 * @module guards
 * Tiny validators used once at the public edge (noble-style `abytes`/`anumber`): each takes a
 * title for the message and throws a {@link ShardwireError} with code E_BAD_ARGUMENT (or the code
 * given). Inner code trusts what passed through here.
 */
import { ShardwireError, type ErrorCode } from './errors.ts';

/** Short, safe description of a value for error messages (never prints contents of buffers). */
export function describe(v: unknown): string {
  if (v === null) return 'null';
  if (ArrayBuffer.isView(v)) return `${v.constructor.name} of length ${(v as unknown as { length?: number }).length ?? v.byteLength}`;
  if (Array.isArray(v)) return `Array of length ${v.length}`;
  if (typeof v === 'number') return Number.isNaN(v) ? 'NaN' : String(v);
  if (typeof v === 'bigint') return `${v}n`;
  if (typeof v === 'string') return `string ${JSON.stringify(v.length > 40 ? v.slice(0, 40) + '…' : v)}`;
  if (typeof v === 'object') return `object ${Object.prototype.toString.call(v)}`;
  return typeof v;
}

/** Asserts `n` is a safe integer in [min, max]. */
export function aint(n: unknown, title: string, min: number, max: number, code: ErrorCode = 'E_BAD_ARGUMENT'): number {
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < min || n > max) {
    throw new ShardwireError(code, `"${title}" expected an integer in [${min}, ${max}], got ${describe(n)}`, { field: title, min, max });
  }
  return n;
}

/** Asserts `v` is a Uint8Array of exactly `length` bytes (any length when omitted). */
export function abytes(v: unknown, title: string, length?: number): Uint8Array {
  if (!(v instanceof Uint8Array)) {
    throw new ShardwireError('E_BAD_ARGUMENT', `"${title}" expected Uint8Array${length === undefined ? '' : ` of ${length} bytes`}, got ${describe(v)}`, { field: title });
  }
  if (length !== undefined && v.length !== length) {
    throw new ShardwireError('E_BAD_ARGUMENT', `"${title}" expected Uint8Array of ${length} bytes, got ${v.length} bytes`, { field: title, expected: length, actual: v.length });
  }
  return v;
}

/** Asserts `v` is one of `allowed`. */
export function aoneOf<T>(v: unknown, title: string, allowed: readonly T[], code: ErrorCode = 'E_BAD_ARGUMENT'): T {
  if (!allowed.includes(v as T)) {
    throw new ShardwireError(code, `"${title}" expected one of ${allowed.map((a) => JSON.stringify(a)).join(', ')}, got ${describe(v)}`, { field: title, allowed });
  }
  return v as T;
}

/** Asserts `v` is a plain object (not null, not an array). */
export function aobject(v: unknown, title: string, code: ErrorCode = 'E_BAD_ARGUMENT'): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) {
    throw new ShardwireError(code, `"${title}" expected an object, got ${describe(v)}`, { field: title });
  }
  return v as Record<string, unknown>;
}
