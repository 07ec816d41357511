/**
 * @module cli/demo-statistics
 * The statistics side of `shardwire demo --operation count|meanVariance|histogram`: each client's
 * records (a deterministic function of client index and round, on the same grid as the vector
 * demo's inputs, so encoding is exact), the demo's histogram edges, and the plain statistic the
 * parent computes from the contributors' records to set next to the secure one — from the exact
 * fixed-point sums, as the coordinator does, so without DP the two agree bit for bit.
 * Demo data only — nothing here is secret or random.
 */
import { demoInput, type InputGrid } from './demo-inputs.ts';
import { ratioToNumber } from '../dp/rounding.ts';
import type { StatisticOperation } from '../stats/operations.ts';

/** Histogram buckets of the demo: 10 equal bins over [−clip, clip], plus one below and one above. */
export function demoEdges(clip: number): number[] {
  return Array.from({ length: 11 }, (_, i) => -clip + (i * clip) / 5);
}

/** Client `index`'s records in `round`: `count` rows of `dim` values (row r is the vector input of round·count + r). */
export function demoRecords(index: number, round: number, dim: number, count: number, g: InputGrid): Float64Array[] {
  return Array.from({ length: count }, (_, r) => demoInput(index, round * count + r, Math.max(dim, 1), g).subarray(0, dim));
}

/** The statistic over the records of `indices`, computed in the clear (the flat form the coordinator releases). */
export function plainStatistic(operation: StatisticOperation, indices: readonly number[], round: number, dim: number, count: number, g: InputGrid, exponent: number, edges: readonly number[]): Float64Array {
  const rows = indices.flatMap((i) => demoRecords(i, round, dim, count, g));
  if (operation === 'count') return Float64Array.of(rows.length);
  if (operation === 'histogram') {
    const counts = new Float64Array(dim * (edges.length + 1));
    for (const row of rows) row.forEach((x, j) => counts[j * (edges.length + 1) + edges.filter((e) => e <= x).length]++);
    return counts;
  }
  // meanVariance from the exact fixed-point sums (on the grid x·10^exponent is an integer)
  const S = 10n ** BigInt(exponent);
  const n = BigInt(rows.length);
  const out = new Float64Array(1 + 2 * dim);
  out[0] = rows.length;
  for (let j = 0; j < dim; j++) {
    let s = 0n, q = 0n;
    for (const row of rows) {
      const v = BigInt(Math.round(row[j] * 10 ** exponent));
      s += v;
      q += v * v;
    }
    out[1 + j] = n > 0n ? ratioToNumber(s, n * S) : NaN;
    out[1 + dim + j] = n > 1n ? ratioToNumber(n * q - s * s, n * (n - 1n) * S * S) : NaN;
  }
  return out;
}
