/**
 * @module crypto/_encoding
 * Internal: the unambiguous byte encoding every hash, KDF and signature input of src/crypto
 * uses, so that no two different field lists can ever produce the same bytes.
 *
 * Each part is `u32 big-endian byte length ‖ bytes`; strings are UTF-8 (RFC 3629). Strings with
 * lone surrogates are refused because TextEncoder would silently map them to U+FFFD, making two
 * different strings encode alike. Shared internals only: not re-exported from src/index.ts.
 */
import { ShardwireError } from '../errors.ts';
import { describe } from '../guards.ts';

const utf8 = new TextEncoder();

/** Part of an encoded tuple: raw bytes, or a string encoded as UTF-8. */
export type Part = Uint8Array | string;

/**
 * UTF-8 of `s`, refusing strings that are not well-formed UTF-16.
 * @throws {ShardwireError} E_BAD_ARGUMENT when `s` is not a string or holds a lone surrogate.
 */
export function utf8Bytes(s: unknown, title: string): Uint8Array {
  if (typeof s !== 'string') throw new ShardwireError('E_BAD_ARGUMENT', `"${title}" expected a string, got ${describe(s)}`, { field: title });
  // A lone surrogate is the only way for the encoding to lose information (WHATWG Encoding §8.1).
  if (/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(s)) {
    throw new ShardwireError('E_BAD_ARGUMENT', `"${title}" holds a lone UTF-16 surrogate and has no unambiguous UTF-8 encoding`, { field: title });
  }
  return utf8.encode(s);
}

/**
 * `lp(p0) ‖ lp(p1) ‖ …` with `lp(x) = u32be(len(x)) ‖ x`.
 * @throws {ShardwireError} E_BAD_ARGUMENT for a bad string part.
 */
export function encodeParts(...parts: Part[]): Uint8Array {
  const bytes = parts.map((p, i) => (typeof p === 'string' ? utf8Bytes(p, `part ${i}`) : p));
  let total = 0;
  for (const b of bytes) total += 4 + b.length;
  const out = new Uint8Array(total);
  const view = new DataView(out.buffer);
  let at = 0;
  for (const b of bytes) {
    view.setUint32(at, b.length, false);
    out.set(b, at + 4);
    at += 4 + b.length;
  }
  return out;
}

/** Concatenation of byte arrays. */
export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  let total = 0;
  for (const p of parts) total += p.length;
  const out = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
