/**
 * @module crypto/hash
 * BLAKE2b (RFC 7693, via libsodium `crypto_generichash`) and the canonical JSON whose hash is a
 * session's `configHash` (docs/PROTOCOL.md §2).
 *
 * Canonical JSON here is the I-JSON subset of RFC 8785 (JCS) that configurations need: object
 * keys sorted by UTF-16 code units, no whitespace, numbers and strings serialised as ECMAScript
 * `JSON.stringify` does (which is what JCS specifies). Anything JSON cannot represent exactly is
 * refused rather than dropped or coerced: `undefined`, functions, symbols, bigints, NaN/±Infinity,
 * cycles, sparse arrays and non-plain objects (Date, Map, typed arrays, class instances).
 */
import { ShardwireError, type ErrorCode } from '../errors.ts';
import { aint, describe } from '../guards.ts';
import { utf8Bytes } from './_encoding.ts';
import { getSodium, type Sodium } from '../sodium.ts';

/** Length in bytes of {@link configHash}'s digest (BLAKE2b-256). */
export const CONFIG_HASH_BYTES = 32;

/**
 * Canonical JSON text of `value` (sorted keys, no whitespace; RFC 8785 subset).
 *
 * @throws {ShardwireError} `code` (default E_BAD_ARGUMENT) naming the JSON path of the first
 *   value that has no exact JSON form.
 * @example canonicalJson({ b: 1, a: [true, null] }) // '{"a":[true,null],"b":1}'
 */
export function canonicalJson(value: unknown, code: ErrorCode = 'E_BAD_ARGUMENT'): string {
  const seen = new Set<object>();
  const fail = (path: string, what: string): never => {
    throw new ShardwireError(code, `canonical JSON: value at ${path} is ${what}; use only plain objects, arrays, strings, finite numbers, booleans and null`, { path });
  };
  const walk = (v: unknown, path: string): string => {
    if (v === null) return 'null';
    switch (typeof v) {
      case 'boolean':
        return v ? 'true' : 'false';
      case 'number':
        return Number.isFinite(v) ? JSON.stringify(v) : fail(path, describe(v));
      case 'string':
        utf8Bytes(v, path); // refuses lone surrogates: they have no exact UTF-8 form
        return JSON.stringify(v);
      case 'object':
        break;
      default:
        return fail(path, typeof v);
    }
    const o = v as object;
    if (seen.has(o)) fail(path, 'a cycle');
    seen.add(o);
    let out: string;
    if (Array.isArray(o)) {
      const items: string[] = [];
      for (let i = 0; i < o.length; i++) {
        if (!(i in o)) fail(`${path}[${i}]`, 'a hole in a sparse array');
        items.push(walk(o[i], `${path}[${i}]`));
      }
      out = `[${items.join(',')}]`;
    } else {
      const proto = Object.getPrototypeOf(o);
      if (proto !== Object.prototype && proto !== null) fail(path, `a non-plain object (${describe(o)})`);
      if (Object.getOwnPropertySymbols(o).length > 0) fail(path, 'an object with symbol keys');
      const rec = o as Record<string, unknown>;
      // Default sort compares UTF-16 code units, as RFC 8785 §3.2.3 requires.
      const keys = Object.keys(rec).sort();
      out = `{${keys.map((k) => `${walk(k, `${path}.<key>`)}:${walk(rec[k], `${path}.${k}`)}`).join(',')}}`;
    }
    seen.delete(o); // a shared (non-cyclic) sub-object may appear twice
    return out;
  };
  return walk(value, '$');
}

/** BLAKE2b with an initialised libsodium (internal, synchronous). */
export function _blake2b(sodium: Sodium, data: Uint8Array, length = 32, key: Uint8Array | null = null): Uint8Array {
  return sodium.crypto_generichash(length, data, key);
}

/**
 * BLAKE2b (RFC 7693) of `data`, optionally keyed.
 *
 * @param length digest bytes, 16..64.
 * @param key optional key, 16..64 bytes (libsodium limits).
 * @throws {ShardwireError} E_BAD_ARGUMENT for a bad length or key.
 * @example const d = await blake2b(new TextEncoder().encode('abc'))
 */
export async function blake2b(data: Uint8Array, length = 32, key?: Uint8Array): Promise<Uint8Array> {
  if (!(data instanceof Uint8Array)) throw new ShardwireError('E_BAD_ARGUMENT', `"data" expected Uint8Array, got ${describe(data)}`, { field: 'data' });
  aint(length, 'length', 16, 64);
  if (key !== undefined) {
    if (!(key instanceof Uint8Array)) throw new ShardwireError('E_BAD_ARGUMENT', `"key" expected Uint8Array, got ${describe(key)}`, { field: 'key' });
    aint(key.length, 'key length', 16, 64);
  }
  return _blake2b(await getSodium(), data, length, key ?? null);
}

/**
 * The session's configuration hash: lower-case hex of BLAKE2b-256 over the UTF-8 canonical JSON
 * of `config` (docs/PROTOCOL.md §2). Key order never changes it; every party signs it in its key bundle.
 *
 * @throws {ShardwireError} E_BAD_CONFIG when `config` has no canonical JSON form.
 * @example const h = await configHash({ smpc: { operation: 'add', shards: 3, exponent: 8 } })
 */
export async function configHash(config: unknown): Promise<string> {
  const text = canonicalJson(config, 'E_BAD_CONFIG');
  const sodium = await getSodium();
  return sodium.to_hex(_blake2b(sodium, utf8Bytes(text, 'config'), CONFIG_HASH_BYTES));
}

/** True when `s` looks like a {@link configHash} (64 lower-case hex digits). */
export function isConfigHash(s: unknown): s is string {
  return typeof s === 'string' && /^[0-9a-f]{64}$/.test(s);
}

/** One roster member for {@link rosterHash}. */
export interface RosterEntry {
  readonly id: string;
  readonly publicKey: Uint8Array;
}

/**
 * The roster's hash, to pin a session's participants out of band (config `rosterHash`):
 * lower-case hex of BLAKE2b-256 over the canonical JSON of
 * `{ "context": "shardwire/roster/v1", "roster": [{ "id", "publicKey" (Ed25519, base64url) }] }`
 * with the members sorted by id. Participants refuse any identity outside a pinned roster.
 * @throws {ShardwireError} E_BAD_ARGUMENT for a malformed entry or an id listed twice.
 * @example const pin = await rosterHash([{ id: alice.id, publicKey: alice.publicKey }, …])
 */
export async function rosterHash(roster: readonly RosterEntry[]): Promise<string> {
  if (!Array.isArray(roster)) throw new ShardwireError('E_BAD_ARGUMENT', `"roster" expected an array, got ${describe(roster)}`);
  const sodium = await getSodium();
  const members = roster.map((r, i) => {
    if (typeof r?.id !== 'string' || !(r.publicKey instanceof Uint8Array) || r.publicKey.length !== 32) throw new ShardwireError('E_BAD_ARGUMENT', `"roster[${i}]" expected { id: string, publicKey: 32-byte Uint8Array }`);
    return { id: r.id, publicKey: sodium.to_base64(r.publicKey, sodium.base64_variants.URLSAFE_NO_PADDING) };
  });
  if (new Set(members.map((m) => m.id)).size !== members.length) throw new ShardwireError('E_BAD_ARGUMENT', '"roster" lists an id twice');
  members.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const text = canonicalJson({ context: 'shardwire/roster/v1', roster: members });
  return sodium.to_hex(_blake2b(sodium, utf8Bytes(text, 'roster'), CONFIG_HASH_BYTES));
}
