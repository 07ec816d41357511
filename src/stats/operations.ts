/**
 * @module stats/operations
 * The statistics a round can compute over secure sums (docs/PROTOCOL.md §3.2), what each adds to
 * the round's `round.open`, and how many secure coordinates each sums. A statistics round works
 * on records: every client holds up to `maxRecords` records of `dim` values and contributes its
 * local sufficient statistics, so the release is over all the records of all the contributors:
 *
 *   count          [n_i]                                        1 coordinate
 *   meanVariance   [n_i, Σ_r q_rj (j < dim), Σ_r q_rj² (j < dim)]  1 + 2·dim coordinates
 *   histogram      [c_jb: records whose column j falls in bucket b]  dim·(edges + 1) coordinates
 *
 * q_rj is record r's column j in fixed point (half-even, clamped to ±clip.bound); a histogram
 * bucket b of column j holds the values with exactly b edges ≤ value (b = 0 below the first edge,
 * b = edges.length at or above the last), so every finite value lands in one bucket.
 */
import { ShardwireError } from '../errors.ts';
import { aint, describe } from '../guards.ts';

/** The statistics operations (also values of round.open's `operation`). */
export type StatisticOperation = 'count' | 'meanVariance' | 'histogram';
export const STATISTIC_OPERATIONS: readonly StatisticOperation[] = ['count', 'meanVariance', 'histogram'];

/** Most records one client may declare per round (2^40: counts stay exact in doubles far beyond any session). */
export const MAX_RECORDS = 2 ** 40;
/** Most histogram edges (the kernel holds them in one scratch chunk; dim·(edges + 1) ≤ 65,536 as well). */
export const MAX_EDGES = 4096;
/** Most secure coordinates of a statistics round's record columns (the kernel's moments keep 2·dim sums in one chunk). */
export const MAX_STAT_CELLS = 65_536;

/** The statistic's parameters in round.open (every client checks them). */
export interface StatisticOpen {
  /** Most records one client contributes (the bit budget and the client's check). */
  readonly maxRecords: number;
  /** Histogram bucket edges: finite, strictly increasing. */
  readonly edges?: readonly number[];
}

/** The fields of a `round.open` that a statistics round reads (session/round-messages.ts RoundOpen has them all). */
export interface StatisticRoundOpen extends Partial<StatisticOpen> {
  readonly memo: string;
  readonly operation: string;
  readonly dim: number;
  readonly ring: 32 | 64;
}

/** True for the operations of this module. */
export function isStatistic(operation: string): operation is StatisticOperation {
  return (STATISTIC_OPERATIONS as readonly string[]).includes(operation);
}

/** Secure coordinates a round sums: its dim, +1 for a weighted mean's weight, or the statistic's layout. */
export function secureLength(operation: string, dim: number, edges?: readonly number[]): number {
  if (operation === 'count') return 1;
  if (operation === 'meanVariance') return 1 + 2 * dim;
  if (operation === 'histogram') return dim * ((edges?.length ?? 0) + 1);
  return dim + (operation === 'weightedMean' ? 1 : 0);
}

/**
 * Validates histogram edges (finite, strictly increasing, 1..MAX_EDGES) and returns a frozen copy.
 * @throws {ShardwireError} `code` (E_BAD_ARGUMENT at the SDK edge, E_BAD_PAYLOAD in a message).
 */
export function checkEdges(edges: unknown, code: 'E_BAD_ARGUMENT' | 'E_BAD_PAYLOAD' = 'E_BAD_ARGUMENT'): readonly number[] {
  if (!Array.isArray(edges) || edges.length < 1 || edges.length > MAX_EDGES) throw new ShardwireError(code, `"edges" expected an array of 1 to ${MAX_EDGES} numbers, got ${describe(edges)}`, { field: 'edges' });
  for (let i = 0; i < edges.length; i++) {
    const e = edges[i];
    if (typeof e !== 'number' || !Number.isFinite(e) || (i > 0 && !(e > (edges[i - 1] as number)))) {
      throw new ShardwireError(code, `"edges" must be finite and strictly increasing; edge ${i} is ${describe(e)}`, { field: 'edges', index: i });
    }
  }
  return Object.freeze([...(edges as number[])]);
}

/**
 * The coordinator's statistic options, validated: maxRecords is required, edges only (and always)
 * for a histogram, dim ≥ 1 except for a count (whose dim is 0: no values are read), and the
 * layout within the kernel's limits.
 * @throws {ShardwireError} E_BAD_ARGUMENT naming the option.
 */
export function statisticOptions(operation: StatisticOperation, dim: number, o: { readonly maxRecords?: unknown; readonly edges?: unknown }): StatisticOpen {
  if (o.maxRecords === undefined) throw new ShardwireError('E_BAD_ARGUMENT', `"maxRecords" is required for a ${operation} round: the most records one client contributes (it sizes the bit budget, and every client refuses to send more)`, { field: 'maxRecords' });
  const maxRecords = aint(o.maxRecords, 'maxRecords', 1, MAX_RECORDS);
  if (operation === 'count' ? dim !== 0 : dim < 1) throw new ShardwireError('E_BAD_ARGUMENT', `"dim" ${operation === 'count' ? 'must be 0 (or omitted) for a count: no values are read' : `expected ≥ 1 for a ${operation}`}, got ${dim}`, { field: 'dim' });
  if (operation !== 'histogram') {
    if (o.edges !== undefined) throw new ShardwireError('E_BAD_ARGUMENT', `"edges" given, but a ${operation} round has no buckets`, { field: 'edges' });
  } else if (o.edges === undefined) throw new ShardwireError('E_BAD_ARGUMENT', '"edges" is required for a histogram round (finite, strictly increasing bucket edges)', { field: 'edges' });
  const edges = operation === 'histogram' ? checkEdges(o.edges) : undefined;
  const cells = operation === 'meanVariance' ? 2 * dim : secureLength(operation, dim, edges);
  if (cells > MAX_STAT_CELLS) throw new ShardwireError('E_BAD_ARGUMENT', `a ${operation} round of dim ${dim}${edges ? ` and ${edges.length} edges` : ''} needs ${cells} kernel cells, more than ${MAX_STAT_CELLS}; split the columns over several rounds`, { field: 'dim', cells });
  return { maxRecords, ...(edges ? { edges } : {}) };
}

/**
 * The statistic fields of a received round.open (E_BAD_PAYLOAD when malformed), or {} for the
 * other operations (which must not carry them).
 */
export function parseStatisticOpen(type: string, o: Record<string, unknown>): Partial<StatisticOpen> {
  const bad = (message: string): never => {
    throw new ShardwireError('E_BAD_PAYLOAD', `${type}: ${message}`, { type });
  };
  const operation = String(o.operation);
  if (!isStatistic(operation)) {
    if (o.maxRecords !== undefined || o.edges !== undefined) bad(`"maxRecords" and "edges" belong to statistics rounds, not to a ${operation}`);
    return {};
  }
  try {
    return statisticOptions(operation, o.dim as number, { maxRecords: o.maxRecords, edges: o.edges });
  } catch (e) {
    return bad(e instanceof ShardwireError ? e.message : String(e));
  }
}
