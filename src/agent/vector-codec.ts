/**
 * @module agent/vector-codec
 * The agent's binary formats (docs/AGENT.md). A vector goes in as raw little-endian float32 or
 * float64 bytes with its dtype, shape and optional weight in `Shardwire-*` headers; numbers never
 * travel as JSON text. Results come back in an envelope: magic `SWE1`, the JSON length (u32 LE),
 * the JSON (memo, report, dtype, shape), zero padding to a multiple of 8, then the raw data, so a
 * reader can map the data without copying it (numpy.frombuffer with an offset).
 */
import type { IncomingHttpHeaders } from 'node:http';
import { ShardwireError } from '../errors.ts';

/** Element types the agent accepts, with their byte widths. */
export const DTYPES = { float32: 4, float64: 8 } as const;
/** An element type name. */
export type Dtype = keyof typeof DTYPES;
/** Envelope magic: ASCII "SWE1" (shardwire envelope, version 1). */
export const ENVELOPE_MAGIC = 'SWE1';
/** Content type of an envelope answer. */
export const ENVELOPE_CONTENT_TYPE = 'application/vnd.shardwire.envelope';
/** Most elements one vector may have (the round dim limit). */
export const MAX_ELEMENTS = 2 ** 31;

/** What the headers of a vector request say. */
export interface VectorHeaders {
  readonly dtype: Dtype;
  readonly shape: readonly number[];
  readonly elements: number;
  readonly weight?: number;
  readonly memo?: string;
  readonly timeoutMs?: number;
}

function header(h: IncomingHttpHeaders, name: string): string | undefined {
  const v = h[name];
  return Array.isArray(v) ? v.join(',') : v;
}

const DECIMAL = /^[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?$/;

/**
 * Reads `Shardwire-Dtype` (required), `Shardwire-Shape` (comma-separated sizes, empty for a
 * scalar; default: one dimension from the body length), `Shardwire-Weight`, `Shardwire-Memo`
 * and `Shardwire-Timeout-Ms`.
 * @throws {ShardwireError} E_BAD_VECTOR for a wrong dtype or shape; E_BAD_ARGUMENT for a bad
 *   weight, timeout or content type.
 * @example parseVectorHeaders({ 'shardwire-dtype': 'float32', 'shardwire-shape': '10,3' }, 120)
 */
export function parseVectorHeaders(h: IncomingHttpHeaders, bodyBytes: number): VectorHeaders {
  const type = header(h, 'content-type');
  if (type !== undefined && type.split(';')[0].trim().toLowerCase() !== 'application/octet-stream') {
    throw new ShardwireError(
      'E_BAD_ARGUMENT',
      `a vector body expected Content-Type application/octet-stream, got ${JSON.stringify(type.slice(0, 60))}`,
      { field: 'content-type' },
    );
  }
  const dtypeText = header(h, 'shardwire-dtype');
  if (dtypeText !== 'float32' && dtypeText !== 'float64') {
    throw new ShardwireError(
      'E_BAD_VECTOR',
      `"Shardwire-Dtype" expected "float32" or "float64" (little-endian), got ` +
        `${dtypeText === undefined ? 'no header' : JSON.stringify(dtypeText.slice(0, 40))}; convert the vector first`,
      { field: 'dtype' },
    );
  }
  const dtype: Dtype = dtypeText;
  const width = DTYPES[dtype];
  const shapeText = header(h, 'shardwire-shape');
  let shape: number[];
  if (shapeText === undefined) shape = [Math.floor(bodyBytes / width)];
  else if (!/^(\d{1,10}(,\d{1,10})*)?$/.test(shapeText.replaceAll(' ', ''))) {
    throw new ShardwireError(
      'E_BAD_VECTOR',
      `"Shardwire-Shape" expected comma-separated sizes like "1000" or "10,100" (empty for a scalar), got ` +
        `${JSON.stringify(shapeText.slice(0, 60))}`,
      { field: 'shape' },
    );
  } else shape = shapeText.replaceAll(' ', '') === '' ? [] : shapeText.replaceAll(' ', '').split(',').map(Number);
  const elements = shape.reduce((a, b) => a * b, 1);
  if (elements > MAX_ELEMENTS)
    throw new ShardwireError(
      'E_BAD_VECTOR',
      `shape ${shape.join('×')} has ${elements} elements, more than ${MAX_ELEMENTS}`,
      { field: 'shape' },
    );
  if (elements * width !== bodyBytes) {
    throw new ShardwireError(
      'E_BAD_VECTOR',
      `shape [${shape.join(',')}] of ${dtype} needs ${elements * width} bytes, the body has ${bodyBytes}; send ` +
        `exactly the array's bytes`,
      { field: 'shape', expectedBytes: elements * width, actualBytes: bodyBytes },
    );
  }
  const out: { -readonly [K in keyof VectorHeaders]: VectorHeaders[K] } = { dtype, shape, elements };
  const weight = header(h, 'shardwire-weight');
  if (weight !== undefined) {
    const w = DECIMAL.test(weight) ? Number(weight) : NaN;
    if (!(w > 0) || !Number.isFinite(w))
      throw new ShardwireError(
        'E_BAD_ARGUMENT',
        `"Shardwire-Weight" expected a positive decimal number (e.g. the sample count), got ` +
          `${JSON.stringify(weight.slice(0, 40))}`,
        { field: 'weight' },
      );
    out.weight = w;
  }
  const memo = header(h, 'shardwire-memo');
  if (memo !== undefined) out.memo = memo;
  const timeout = header(h, 'shardwire-timeout-ms');
  if (timeout !== undefined) {
    if (!/^\d{1,9}$/.test(timeout) || Number(timeout) === 0)
      throw new ShardwireError(
        'E_BAD_ARGUMENT',
        `"Shardwire-Timeout-Ms" expected milliseconds in [1, 999999999], got ${JSON.stringify(timeout.slice(0, 20))}`,
        { field: 'timeoutMs' },
      );
    out.timeoutMs = Number(timeout);
  }
  return out;
}

/**
 * A typed view of a body (no copy). `bytes` must start its own ArrayBuffer (readBody's output
 * does), so the view is aligned; the wire is little-endian, like every host the agent starts on.
 * @example vectorView(bytes, 'float32').length
 */
export function vectorView(bytes: Uint8Array, dtype: Dtype): Float32Array | Float64Array {
  const n = bytes.byteLength / DTYPES[dtype];
  return dtype === 'float32'
    ? new Float32Array(bytes.buffer, bytes.byteOffset, n)
    : new Float64Array(bytes.buffer, bytes.byteOffset, n);
}

/**
 * The envelope of `meta` and `data`, as the pieces to write in order (the data is not copied).
 * `meta` gets `dtype` and `shape` of the data added.
 * @example for (const part of envelope({ memo }, aggregate)) res.write(part)
 */
export function envelope(meta: Record<string, unknown>, data: Float64Array): Uint8Array[] {
  const json = new TextEncoder().encode(JSON.stringify({ ...meta, dtype: 'float64', shape: [data.length] }));
  const headLength = 8 + json.length;
  const head = new Uint8Array(headLength + ((8 - (headLength % 8)) % 8));
  head.set(new TextEncoder().encode(ENVELOPE_MAGIC), 0);
  new DataView(head.buffer).setUint32(4, json.length, true);
  head.set(json, 8);
  return [head, new Uint8Array(data.buffer, data.byteOffset, data.byteLength)];
}

/**
 * Reads an envelope back (for tests and TypeScript callers): the JSON and a float64 view.
 * @throws {ShardwireError} E_BAD_PAYLOAD when the bytes are not an envelope.
 * @example const { meta, data } = openEnvelope(bytes)
 */
export function openEnvelope(bytes: Uint8Array): { meta: Record<string, unknown>; data: Float64Array } {
  const magic = new TextDecoder().decode(bytes.subarray(0, 4));
  if (bytes.length < 8 || magic !== ENVELOPE_MAGIC)
    throw new ShardwireError('E_BAD_PAYLOAD', 'not a shardwire envelope (magic "SWE1" missing)');
  const n = new DataView(bytes.buffer, bytes.byteOffset).getUint32(4, true);
  if (8 + n > bytes.length)
    throw new ShardwireError('E_BAD_PAYLOAD', `envelope JSON of ${n} bytes runs past the ${bytes.length}-byte body`);
  let meta: Record<string, unknown>;
  try {
    meta = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n))) as Record<string, unknown>;
  } catch {
    throw new ShardwireError('E_BAD_PAYLOAD', 'envelope JSON does not parse');
  }
  if (typeof meta !== 'object' || meta === null || Array.isArray(meta)) throw new ShardwireError('E_BAD_PAYLOAD', 'envelope JSON is not an object');
  const start = 8 + n + ((8 - ((8 + n) % 8)) % 8);
  const rest = bytes.slice(start); // a copy, aligned (readers on the hot path map instead)
  if (rest.byteLength % 8 !== 0)
    throw new ShardwireError('E_BAD_PAYLOAD', `envelope data of ${rest.byteLength} bytes is not whole float64 values`);
  return { meta, data: new Float64Array(rest.buffer, 0, rest.byteLength / 8) };
}
