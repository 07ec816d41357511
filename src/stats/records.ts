/**
 * @module stats/records
 * A client's records for a statistics round (stats/operations.ts): the input shapes the SDK
 * accepts, flattened once into row-major values, and the checks against the round's round.open
 * that run before the round is taken (a refused call leaves the round open for a corrected one).
 */
import { ShardwireError } from '../errors.ts';
import { describe } from '../guards.ts';
import type { RealVector } from '../kernel/vectors.ts';
import { isStatistic, MAX_RECORDS, type StatisticRoundOpen } from './operations.ts';

/**
 * Records: an array of rows (each a Float64Array or Float32Array of the round's dim), or a flat
 * row-major `data` with its number of `rows` (data.length = rows × dim; a count needs only rows).
 */
export type RecordsInput = readonly RealVector[] | { readonly data?: RealVector; readonly rows: number };

/** Records flattened: values row-major (rows × width), or no values (a count of `rows`). */
export interface RecordBatch {
  readonly rows: number;
  /** Values per record (0 when only counted). */
  readonly width: number;
  readonly data: Float64Array | Float32Array;
}

const isReal = (v: unknown): v is RealVector => v instanceof Float64Array || v instanceof Float32Array;

/**
 * Validates and flattens records (one memcpy per row for the array form).
 * @throws {ShardwireError} E_BAD_VECTOR for rows of different lengths or a data length that is not
 *   rows × width; E_BAD_ARGUMENT for another shape.
 */
export function recordBatch(input: unknown): RecordBatch {
  if (Array.isArray(input)) {
    if (input.length > MAX_RECORDS) throw new ShardwireError('E_BAD_ARGUMENT', `at most ${MAX_RECORDS} records, got ${input.length}`);
    const width = input.length === 0 ? 0 : (input[0] as RealVector).length;
    const data = new Float64Array(input.length * width);
    input.forEach((row: unknown, r) => {
      if (!isReal(row) || row.length !== width) throw new ShardwireError('E_BAD_VECTOR', `record ${r} expected a Float64Array or Float32Array of length ${width} (as record 0), got ${describe(row)}`, { record: r });
      data.set(row, r * width);
    });
    return { rows: input.length, width, data };
  }
  if (typeof input === 'object' && input !== null && 'rows' in input) {
    const { rows, data } = input as { rows: unknown; data?: unknown };
    if (typeof rows !== 'number' || !Number.isSafeInteger(rows) || rows < 0 || rows > MAX_RECORDS) throw new ShardwireError('E_BAD_ARGUMENT', `"rows" expected an integer in [0, ${MAX_RECORDS}], got ${describe(rows)}`, { field: 'rows' });
    if (data === undefined) return { rows, width: 0, data: new Float64Array(0) };
    if (!isReal(data)) throw new ShardwireError('E_BAD_VECTOR', `"data" expected a Float64Array or Float32Array, got ${describe(data)}`, { field: 'data' });
    if (rows === 0 ? data.length !== 0 : data.length % rows !== 0) throw new ShardwireError('E_BAD_VECTOR', `"data" of length ${data.length} is not ${rows} rows of equal width`, { field: 'data' });
    return { rows, width: rows === 0 ? 0 : data.length / rows, data };
  }
  throw new ShardwireError('E_BAD_ARGUMENT', `records expected an array of Float64Array/Float32Array rows or { data, rows }, got ${describe(input)}`);
}

/**
 * Throws when `batch` cannot be contributed to `open` (the round stays open): not a statistics
 * round, more records than its maxRecords, rows of another width than its dim (a count reads no
 * values, so any width), or histogram edges other than the ones the caller pinned.
 */
export function checkRecordsFit(open: StatisticRoundOpen, batch: RecordBatch, pinnedEdges?: readonly number[]): void {
  const { memo, operation } = open;
  if (!isStatistic(operation)) throw new ShardwireError('E_BAD_ARGUMENT', `round ${memo} computes a ${operation} of vectors, not a statistic of records; use aggregate()`, { memo, operation });
  const maxRecords = open.maxRecords!;
  if (batch.rows > maxRecords) throw new ShardwireError('E_BAD_ARGUMENT', `round ${memo} takes at most ${maxRecords} records per client (maxRecords), got ${batch.rows}; the round stays open for fewer records`, { memo, maxRecords, rows: batch.rows });
  if (operation !== 'count' && batch.rows > 0 && batch.width !== open.dim) throw new ShardwireError('E_BAD_VECTOR', `round ${memo} expects records of ${open.dim} values, got ${batch.width}; the round stays open for records of that width`, { memo, expected: open.dim, actual: batch.width });
  if (pinnedEdges !== undefined) {
    const edges = open.edges ?? [];
    if (edges.length !== pinnedEdges.length || edges.some((e, i) => !Object.is(e, pinnedEdges[i]))) {
      throw new ShardwireError('E_INCONSISTENT', `round ${memo} asks for a histogram over edges [${edges.join(', ')}], not the edges this client agreed to [${pinnedEdges.join(', ')}]; refusing to contribute`, { memo });
    }
  }
}
