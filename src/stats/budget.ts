/**
 * @module stats/budget
 * The bit budget of a statistics round (docs/PROTOCOL.md §3.2), through computeBitBudget with the
 * per-coordinate bounds in integer units (exponent 0): a client with at most R = maxRecords
 * records adds at most R to a count or a histogram bucket, R·B to a column's Σq and R·B² to its
 * Σq² (B = ⌈clip.bound·10^exponent⌉ ≥ the clamp the kernel applies), plus the noise tail. The ring
 * must hold the largest of these times the number of clients, or the round is refused before
 * anyone is asked — and the refusal names the largest maxRecords that would fit.
 */
import { ShardwireError } from '../errors.ts';
import { ceilScaled, computeBitBudget, type BitBudget, type SessionConfig } from '../config.ts';
import { nextUp } from '../dp/rounding.ts';
import type { StatisticOperation } from './operations.ts';

/** The smallest double ≥ v. */
function doubleAtLeast(v: bigint): number {
  const d = Number(v);
  return BigInt(d) >= v ? d : nextUp(d);
}

/** Largest contribution of one record to any coordinate, integer units. */
export function perRecordBound(operation: StatisticOperation, config: Pick<SessionConfig, 'clip' | 'smpc'>): bigint {
  if (operation !== 'meanVariance') return 1n;
  const b = ceilScaled(config.clip.bound, config.smpc.exponent);
  return b > 1n ? b * b : 1n; // max(1, B, B²)
}

/**
 * The ring of a statistics round with `clients` contributors of at most `maxRecords` records.
 * @throws {ShardwireError} E_RING_OVERFLOW naming the largest maxRecords that fits (0: none).
 */
export function statisticBudget(config: Pick<SessionConfig, 'clip' | 'smpc' | 'ring'>, operation: StatisticOperation, clients: number, maxRecords: number, noiseTail: bigint): BitBudget {
  const perRecord = perRecordBound(operation, config);
  const perClient = BigInt(maxRecords) * perRecord;
  try {
    return computeBitBudget({ clients, exponent: 0, elementBound: doubleAtLeast(perClient), ring: config.ring, noiseTail });
  } catch (e) {
    if (!(e instanceof ShardwireError) || e.code !== 'E_RING_OVERFLOW') throw e;
    const ring = config.ring === 'auto' ? 64 : config.ring;
    const capacity = (1n << BigInt(ring - 1)) - 1n;
    const room = capacity / BigInt(clients) - noiseTail;
    const fit = room <= 0n ? 0n : room / perRecord;
    const what = operation === 'meanVariance' ? `Σx² of one column can reach ${clients} × ${maxRecords} × ⌈clip.bound·10^${config.smpc.exponent}⌉² = ${BigInt(clients) * perClient}` : `one count can reach ${clients} × ${maxRecords}`;
    throw new ShardwireError('E_RING_OVERFLOW', `${operation}: ${what}${noiseTail > 0n ? ` plus the noise tail ${noiseTail} per client` : ''}, past the ${ring}-bit ring's capacity ${capacity}. At most ${fit} records per client fit (maxRecords)${operation === 'meanVariance' ? ', or lower the exponent or clip.bound' : ''}; nothing was asked`, { ring, maxRecords: Number(fit), capacity: String(capacity) });
  }
}
