/**
 * @module coordinator/statistic-round
 * The typed SDK entry of a statistics round on the coordinator (Coordinator.runStatistic): a
 * round of runRound with a statistic operation, returning the statistic itself.
 */
import { ShardwireError } from '../errors.ts';
import { aobject } from '../guards.ts';
import type { RoundOptions, RoundReport, RoundResultWithReport } from './round.ts';
import type { StatisticOperation } from '../stats/operations.ts';
import type { StatisticResult } from '../stats/decode.ts';

/** Options of one statistics round (see RoundOptions for the shared ones). */
export interface StatisticOptions<O extends StatisticOperation = StatisticOperation> extends Omit<RoundOptions, 'operation' | 'dim' | 'out'> {
  readonly operation: O;
  /** Values per record (columns); omitted (0) for a count, which reads no values. */
  readonly dim?: number;
  /** The most records one client contributes: sizes the bit budget; every client refuses to send more. */
  readonly maxRecords: number;
  /** Histogram: bucket edges, finite and strictly increasing (sent in round.open; every client checks them). */
  readonly edges?: readonly number[];
}

/** The released statistic of one round and the round's report. */
export interface StatisticRoundResult<O extends StatisticOperation = StatisticOperation> {
  readonly statistic: Extract<StatisticResult, { operation: O }>;
  readonly report: RoundReport;
}

/** Runs a statistics round through `runRound` (the coordinator's). */
export async function runStatistic<O extends StatisticOperation>(runRound: (o: RoundOptions) => Promise<RoundResultWithReport>, o: StatisticOptions<O>): Promise<StatisticRoundResult<O>> {
  aobject(o, 'options');
  if (o.operation !== 'count' && o.operation !== 'meanVariance' && o.operation !== 'histogram') {
    throw new ShardwireError('E_BAD_ARGUMENT', `"operation" expected count, meanVariance or histogram, got ${String(o.operation)}; vector rounds go through runRound`, { field: 'operation' });
  }
  const { statistic, report } = await runRound({ ...o, dim: o.dim ?? 0 });
  return { statistic: statistic as Extract<StatisticResult, { operation: O }>, report };
}
