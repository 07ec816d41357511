/**
 * @module session/partial-payload
 * A participant's contribution on the wire: first a small `partial.begin` message (sealed JSON:
 * what the partial is masked with, the client's signed attestation or edge commitments, and the
 * chunk size), then the partial's raw little-endian ring elements as a stream of sealed `partial`
 * chunks the coordinator credits (session/partial-stream.ts). The coordinator accepts a chunk
 * only after the `partial.begin` of the same sender and memo, and checks both before it decrypts
 * anything.
 */
import { ShardwireError } from '../errors.ts';
import { parseArray, parseBytes, parseId, parseIds, parseMemo } from './round-messages.ts';
import { parseAttestations, type Attestation } from './masking-messages.ts';
import { toBase64url } from '../wire/base64url.ts';

/** Header `type` of the announcement that precedes a partial. */
export const PARTIAL_BEGIN = 'partial.begin';

/** A commitment to one edge seed (honest-coordinator mode), so a wrong reveal is detected. */
export interface EdgeCommitment {
  readonly from: string;
  readonly to: string;
  /** BLAKE2b-256 commitment, base64url. */
  readonly commitment: string;
}

/** `partial.begin`. */
export interface PartialBegin {
  readonly memo: string;
  /** Plaintext bytes of the `partial` that follows. */
  readonly bytes: number;
  /** Plaintext bytes per chunk (the last one shorter): a multiple of 8, at most 1 MiB. */
  readonly chunkBytes: number;
  /**
   * Malicious-coordinator mode: the neighbours this partial is masked with, and that statement
   * sealed to each of them (they check it before revealing anything of this participant).
   */
  readonly masked?: readonly string[];
  readonly attestations?: readonly Attestation[];
  /** Honest-coordinator mode: commitments to the seeds of the client's own edges. */
  readonly edges?: readonly EdgeCommitment[];
}

/** Validates a `partial.begin` body. */
export function parsePartialBegin(o: Record<string, unknown>): PartialBegin {
  const t = PARTIAL_BEGIN;
  if (typeof o.bytes !== 'number' || !Number.isSafeInteger(o.bytes) || o.bytes < 0) throw new ShardwireError('E_BAD_PAYLOAD', `${t}: "bytes" expected an integer ≥ 0`);
  if (typeof o.chunkBytes !== 'number' || !Number.isSafeInteger(o.chunkBytes) || o.chunkBytes < 1) throw new ShardwireError('E_BAD_PAYLOAD', `${t}: "chunkBytes" expected an integer ≥ 1`);
  const out: { -readonly [K in keyof PartialBegin]: PartialBegin[K] } = { memo: parseMemo(t, o.memo), bytes: o.bytes, chunkBytes: o.chunkBytes };
  if (o.masked !== undefined || o.attestations !== undefined) {
    out.masked = parseIds(t, o.masked, 'masked');
    out.attestations = parseAttestations(t, o.attestations);
  }
  if (o.edges !== undefined) {
    out.edges = parseArray(t, o.edges, 'edges').map((e) => ({ from: parseId(t, e.from, 'edges.from'), to: parseId(t, e.to, 'edges.to'), commitment: toBase64url(parseBytes(t, e.commitment, 'edges.commitment', 32)) }));
  }
  return out;
}

/** Raw little-endian bytes of a ring vector (a view, no copy). */
export function ringBytes(v: Uint32Array | BigUint64Array): Uint8Array {
  return new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
}

/**
 * A ring vector from a partial's bytes, checking the length against the round's dim and ring.
 * Takes ownership of `bytes`: when they start 8-byte aligned in an owned ArrayBuffer (a freshly
 * opened payload does) the vector views them without copying the partial; otherwise they are
 * copied. The caller must not reuse `bytes` afterwards.
 * @throws {ShardwireError} E_BAD_VECTOR when the size is wrong.
 */
export function ringFromBytes(bytes: Uint8Array, dim: number, ring: 32 | 64): Uint32Array | BigUint64Array {
  const expected = dim * (ring / 8);
  if (bytes.length !== expected) throw new ShardwireError('E_BAD_VECTOR', `partial expected ${expected} bytes (${dim} × ${ring / 8}), got ${bytes.length}`, { expected, actual: bytes.length });
  const owned = bytes.byteOffset % 8 === 0 && bytes.buffer instanceof ArrayBuffer;
  const view = owned ? bytes : bytes.slice(); // aligned, owned
  return ring === 32 ? new Uint32Array(view.buffer, view.byteOffset, dim) : new BigUint64Array(view.buffer, view.byteOffset, dim);
}
