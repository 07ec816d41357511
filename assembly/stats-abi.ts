/**
 * The statistics part of the WASM ABI, re-exported by index.ts (mirrored by
 * src/kernel/stats-abi.ts): a client's local sufficient statistics over many records, so that no
 * per-record loop runs in TypeScript. Integers in, status codes out.
 *
 * - statsMomentsI64: IO_A holds `rows` records of `dim` i64 values (already encoded and clamped),
 *   row-major; IO_B holds the running sums: Σv for column j at slot j, Σv² at slot dim + j (i64).
 *   Any square or sum that would leave the i64 range returns STATUS_OUT_OF_RANGE (index of the
 *   element in OUT_INDEX) and leaves the sums half-updated: the host discards them.
 * - statsHistogramF64: IO_A holds `rows` records of `dim` f64 values; SCRATCH holds `edges`
 *   strictly increasing finite f64 edges; IO_B holds u64 counts, (edges + 1) per column: bucket
 *   b of column j (slot j·(edges + 1) + b) counts the values with exactly b edges ≤ value. A
 *   NaN or ±∞ returns STATUS_NOT_FINITE (index in OUT_INDEX).
 */
import { CHUNK_ELEMS, IO_A, IO_B, SCRATCH, param, OUT_INDEX } from './arena';
import { STATUS_OK, STATUS_BAD_LENGTH, STATUS_OUT_OF_RANGE, STATUS_NOT_FINITE } from './status';

/** Largest |v| whose square fits i64: ⌊√(2^63 − 1)⌋. */
const SQUARE_LIMIT: i64 = 3037000499;

/** Adds the records in IO_A to the column sums and sums of squares in IO_B (see the module comment). */
export function statsMomentsI64(rows: u32, dim: u32): u32 {
  const len = <u64>rows * <u64>dim;
  if (dim == 0 || len > <u64>CHUNK_ELEMS || <u64>dim * 2 > <u64>CHUNK_ELEMS) return STATUS_BAD_LENGTH;
  let e: u32 = 0;
  for (let r: u32 = 0; r < rows; r++) {
    for (let j: u32 = 0; j < dim; j++) {
      const v = load<i64>(IO_A + (<usize>e << 3));
      const ps = IO_B + (<usize>j << 3);
      const pq = IO_B + (<usize>(dim + j) << 3);
      if (v > SQUARE_LIMIT || v < -SQUARE_LIMIT) return outOfRange(e);
      const s = load<i64>(ps);
      const t = s + v;
      // signed overflow: both operands have the same sign and the sum has the other
      if (((s ^ t) & (v ^ t)) < 0) return outOfRange(e);
      const q = load<i64>(pq);
      const u = q + v * v;
      if (u < q) return outOfRange(e); // v² ≥ 0: a smaller result wrapped
      store<i64>(ps, t);
      store<i64>(pq, u);
      e++;
    }
  }
  return STATUS_OK;
}

function outOfRange(e: u32): u32 {
  store<u64>(param(OUT_INDEX), <u64>e);
  return STATUS_OUT_OF_RANGE;
}

/** Counts the records in IO_A into the histogram buckets in IO_B (see the module comment). */
export function statsHistogramF64(rows: u32, dim: u32, edges: u32): u32 {
  const len = <u64>rows * <u64>dim;
  const buckets = <u64>edges + 1;
  if (dim == 0 || edges == 0 || len > <u64>CHUNK_ELEMS || <u64>dim * buckets > <u64>CHUNK_ELEMS || edges > CHUNK_ELEMS) return STATUS_BAD_LENGTH;
  let e: u32 = 0;
  for (let r: u32 = 0; r < rows; r++) {
    for (let j: u32 = 0; j < dim; j++) {
      const x = load<f64>(IO_A + (<usize>e << 3));
      if (!isFinite<f64>(x)) {
        store<u64>(param(OUT_INDEX), <u64>e);
        return STATUS_NOT_FINITE;
      }
      // b = #{edges ≤ x}: binary search for the first edge > x
      let lo: u32 = 0;
      let hi: u32 = edges;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (load<f64>(SCRATCH + (<usize>mid << 3)) <= x) lo = mid + 1;
        else hi = mid;
      }
      const p = IO_B + ((<usize>j * <usize>buckets + <usize>lo) << 3);
      store<u64>(p, load<u64>(p) + 1);
      e++;
    }
  }
  return STATUS_OK;
}
