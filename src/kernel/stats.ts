/**
 * @module kernel/stats
 * A client's local sufficient statistics over many records, computed in the kernel
 * (assembly/stats-abi.ts): the column sums Σq and sums of squares Σq² of records already encoded
 * to fixed point, and the histogram bucket counts of raw records. Records are row-major (record r,
 * column j at r·dim + j) and processed in chunks of whole records; the running sums live in
 * TypeScript between chunks (copied into IO_B and back), so no other kernel call can disturb them.
 */
import { ShardwireError } from '../errors.ts';
import type { Kernel } from './kernel.ts';
import { failingIndex, STATUS_NOT_FINITE, STATUS_OK, STATUS_OUT_OF_RANGE, checkStatus } from './status.ts';
import type { RealVector } from './vectors.ts';

/** Whole records per kernel call (at least one: dim ≤ chunkElems is checked by the callers). */
function rowsPerCall(k: Kernel, dim: number): number {
  return Math.max(1, Math.floor(k.chunkElems / dim));
}

/**
 * Column sums and sums of squares of `rows` records of `dim` i64 values (row-major, two's
 * complement in a BigUint64Array as the kernel encodes them).
 * @returns `sum[j]` = Σ_r q[r][j] and `sumSquares[j]` = Σ_r q[r][j]², exactly.
 * @throws {ShardwireError} E_BAD_ARGUMENT when dim is 0 or 2·dim exceeds the kernel's chunk;
 *   E_RING_OVERFLOW when a square or a sum would leave the signed 64-bit range.
 */
export function moments(k: Kernel, encoded: BigUint64Array, rows: number, dim: number): { sum: BigInt64Array; sumSquares: BigInt64Array } {
  if (!Number.isSafeInteger(dim) || dim < 1 || 2 * dim > k.chunkElems) throw new ShardwireError('E_BAD_ARGUMENT', `"dim" expected an integer in [1, ${k.chunkElems / 2}] for moments, got ${dim}`, { field: 'dim' });
  if (encoded.length !== rows * dim) throw new ShardwireError('E_BAD_VECTOR', `expected ${rows} × ${dim} encoded values, got ${encoded.length}`);
  const acc = new BigInt64Array(2 * dim);
  const accBytes = new Uint8Array(acc.buffer);
  const ioB = new Uint8Array(k.views.u64B.buffer, k.views.u64B.byteOffset, acc.byteLength);
  const step = rowsPerCall(k, dim);
  try {
    for (let r = 0; r < rows; r += step) {
      const n = Math.min(step, rows - r);
      k.views.u64A.set(encoded.subarray(r * dim, (r + n) * dim));
      ioB.set(accBytes);
      const status = k.raw.statsMomentsI64(n, dim);
      if (status === STATUS_OUT_OF_RANGE) {
        const index = r * dim + failingIndex(k);
        throw new ShardwireError('E_RING_OVERFLOW', `record ${Math.floor(index / dim)}, column ${index % dim}: its square or a column sum leaves the signed 64-bit range; lower the exponent, the clip bound or the number of records`, { record: Math.floor(index / dim), column: index % dim });
      }
      checkStatus(k, status, 'statsMomentsI64');
      accBytes.set(ioB);
    }
    return { sum: acc.slice(0, dim), sumSquares: acc.slice(dim) };
  } finally {
    // the arena held a client's private records and their sums
    k.views.u64A.fill(0n, 0, Math.min(k.chunkElems, step * dim));
    ioB.fill(0);
    acc.fill(0n);
  }
}

/**
 * Histogram counts of `rows` records of `dim` values: for each column j, bucket b counts the
 * values with exactly b edges ≤ value (b = 0 below the first edge, b = edges.length at or above
 * the last). Counts are returned row-major per column: slot j·(edges.length + 1) + b.
 * @throws {ShardwireError} E_BAD_ARGUMENT for bad dimensions or edges (finite, strictly
 *   increasing, at least one); E_BAD_VECTOR naming the first NaN or ±∞ record value.
 */
export function histogram(k: Kernel, records: RealVector, rows: number, dim: number, edges: readonly number[]): BigUint64Array {
  const buckets = edges.length + 1;
  if (!Number.isSafeInteger(dim) || dim < 1 || dim * buckets > k.chunkElems || edges.length < 1) {
    throw new ShardwireError('E_BAD_ARGUMENT', `histogram: dim × (edges + 1) expected in [1, ${k.chunkElems}] with at least one edge, got dim ${dim}, ${edges.length} edges`, { field: 'edges' });
  }
  for (let i = 0; i < edges.length; i++) {
    if (!Number.isFinite(edges[i]) || (i > 0 && !(edges[i] > edges[i - 1]))) throw new ShardwireError('E_BAD_ARGUMENT', `histogram: "edges" must be finite and strictly increasing (edge ${i} is ${edges[i]})`, { field: 'edges', index: i });
  }
  if (records.length !== rows * dim) throw new ShardwireError('E_BAD_VECTOR', `expected ${rows} × ${dim} record values, got ${records.length}`);
  const slots = dim * buckets;
  const counts = new BigUint64Array(slots);
  const ioB = k.views.u64B.subarray(0, slots);
  const scratch = new Float64Array(k.raw.memory.buffer, k.raw.scratchPtr(), edges.length);
  const step = rowsPerCall(k, dim);
  try {
    for (let r = 0; r < rows; r += step) {
      const n = Math.min(step, rows - r);
      k.views.f64A.set(records.subarray(r * dim, (r + n) * dim));
      scratch.set(edges);
      ioB.set(counts);
      const status = k.raw.statsHistogramF64(n, dim, edges.length);
      if (status === STATUS_NOT_FINITE) {
        const index = r * dim + failingIndex(k);
        throw new ShardwireError('E_BAD_VECTOR', `record ${Math.floor(index / dim)}, column ${index % dim} is ${records[index]}; every record value must be finite`, { record: Math.floor(index / dim), column: index % dim });
      }
      if (status !== STATUS_OK) checkStatus(k, status, 'statsHistogramF64');
      counts.set(ioB);
    }
    return counts;
  } finally {
    k.views.f64A.fill(0, 0, Math.min(k.chunkElems, step * dim));
    ioB.fill(0n);
  }
}
