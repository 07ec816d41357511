/**
 * @module cli/demo-flags
 * Flags of `shardwire demo` and the session configuration they imply. Every refusal is a usage
 * error (exit code 2): E_BAD_ARGUMENT for a flag, or the config's own code for a combination of
 * flags the configuration refuses.
 */
import { ShardwireError } from '../errors.ts';
import { validateConfig, type SessionConfig } from '../config.ts';
import { choiceFlag, intFlag, numberFlag, parseFlags, usageError } from './args.ts';
import { isStatistic } from '../stats/operations.ts';
import { roundNoise } from '../stats/noise.ts';

/**
 * Round operations the demo runs, one list for `--operation`: vector rounds (a product needs a
 * session with smpc.operation 'multiply') and statistics of each client's records.
 */
export const DEMO_OPERATIONS = ['sum', 'mean', 'multiply', 'count', 'meanVariance', 'histogram'] as const;
export type DemoOperation = (typeof DEMO_OPERATIONS)[number];

export const USAGE = `usage: shardwire demo [flags]
  --clients N      client processes to spawn (default 10, 2..200)
  --operation OP   ${DEMO_OPERATIONS.join(' | ')} (default sum): vector rounds
                   (multiply: the exact element-wise product, no DP) or statistics of each client's records
  --records N      statistics: records per client (default 100, 1..100000; also the round's maxRecords)
  --dim D          vector length, or values per record (default 100000 for sum, 4 for statistics;
                   1..100000000; 10^8 wants ≈ 2 GB per client; a count reads no values)
  --shards S       additive shards per input (default 3; 0 = one per participant)
  --dp KIND        none | gauss | laplace (default none)
  --mode MODE      local | distributed (gauss only; default local)
  --epsilon E      ε of one release (default 1)
  --delta D        δ of one release (gauss; default 1e-5)
  --budget E       session ε budget (default 3 · epsilon · rounds)
  --clip C         clipping bound in real units (default 1; L∞ without DP, L2 gauss, L1 laplace)
  --exponent X     fixed-point scale 10^X (default 6, 0..15)
  --drop K         K clients exit once the first round opens, without contributing (default 0)
  --rounds R       rounds to run (default 1, 1..100)
  --json           print one JSON object on stdout instead of text, and no progress bar
  --help           this text`;

/** Parsed, validated demo flags. */
export interface DemoFlags {
  readonly help: boolean;
  readonly operation: DemoOperation;
  /** Records per client (statistics). */
  readonly records: number;
  readonly clients: number;
  readonly dim: number;
  readonly shards: number;
  readonly dp: 'none' | 'gauss' | 'laplace';
  readonly mode: 'local' | 'distributed';
  readonly epsilon: number;
  readonly delta: number;
  readonly budget: number;
  readonly clip: number;
  readonly exponent: number;
  readonly drop: number;
  readonly rounds: number;
  readonly json: boolean;
}

function bad(flag: string, message: string): never {
  throw usageError(`--${flag} ${message}`, { flag });
}

const num = numberFlag;
const int = intFlag;

/**
 * Parses `shardwire demo` flags.
 * @throws {ShardwireError} E_BAD_ARGUMENT for an unknown, malformed or out-of-range flag.
 */
export function parseDemoFlags(argv: readonly string[]): DemoFlags {
  const { values } = parseFlags(argv, {
    operation: { type: 'string' }, records: { type: 'string' }, clients: { type: 'string' }, dim: { type: 'string' }, shards: { type: 'string' }, dp: { type: 'string' }, mode: { type: 'string' },
    epsilon: { type: 'string' }, delta: { type: 'string' }, budget: { type: 'string' }, clip: { type: 'string' },
    exponent: { type: 'string' }, drop: { type: 'string' }, rounds: { type: 'string' }, json: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  });
  const s = (k: string) => values[k] as string | undefined;
  const clients = int(s('clients'), 'clients', 10, 2, 200);
  const dp = choiceFlag(s('dp'), 'dp', ['none', 'gauss', 'laplace'] as const, 'none');
  const operation = choiceFlag(s('operation'), 'operation', DEMO_OPERATIONS, 'sum');
  if (operation === 'multiply' && dp !== 'none') bad('operation', 'multiply cannot take --dp: no differential-privacy mechanism for a product is defined');
  const mode = choiceFlag(s('mode'), 'mode', ['local', 'distributed'] as const, 'local');
  if (mode === 'distributed' && dp !== 'gauss') bad('mode', 'distributed applies to --dp gauss only (Laplace noise is never split)');
  const epsilon = num(s('epsilon'), 'epsilon', 1);
  if (!(epsilon > 0)) bad('epsilon', `expected a number > 0, got ${epsilon}`);
  if (dp === 'laplace' && s('delta') !== undefined && num(s('delta'), 'delta', 0) !== 0) bad('delta', 'must be 0 (or omitted) with --dp laplace: pure ε-DP has no δ');
  const delta = dp === 'laplace' ? 0 : num(s('delta'), 'delta', 1e-5);
  if (dp !== 'laplace' && !(delta > 0 && delta < 1)) bad('delta', `expected a number in (0, 1), got ${delta}`);
  const rounds = int(s('rounds'), 'rounds', 1, 1, 100);
  const budget = num(s('budget'), 'budget', 3 * epsilon * rounds);
  if (!(budget > 0)) bad('budget', `expected a number > 0, got ${budget}`);
  const clip = num(s('clip'), 'clip', 1);
  if (!(clip > 0)) bad('clip', `expected a number > 0, got ${clip}`);
  const drop = int(s('drop'), 'drop', 0, 0, clients - 2);
  const statistic = isStatistic(operation);
  if (!statistic && s('records') !== undefined) bad('records', `applies to statistics (--operation count, meanVariance, histogram), not to ${operation}`);
  if (operation === 'count' && s('dim') !== undefined) bad('dim', 'does not apply to --operation count: a count reads no values');
  return {
    help: values.help === true,
    operation,
    records: int(s('records'), 'records', 100, 1, 100_000),
    clients,
    dim: operation === 'count' ? 0 : int(s('dim'), 'dim', statistic ? 4 : 100_000, 1, 100_000_000),
    shards: int(s('shards'), 'shards', 3, 0, clients),
    dp, mode, epsilon, delta, budget, clip,
    exponent: int(s('exponent'), 'exponent', 6, 0, 15),
    drop, rounds,
    json: values.json === true,
  };
}

/**
 * The session configuration of a demo: at least `clients − drop` contributors (and 2) must
 * contribute for a release; generous timeouts, since client processes start slowly.
 * @throws {ShardwireError} the config's code (E_BAD_CONFIG, E_BAD_DP_CONFIG, E_RING_OVERFLOW, ...),
 *   marked as a usage error: the flags asked for a configuration that cannot work.
 */
export function demoConfig(f: DemoFlags): { raw: Record<string, unknown>; config: SessionConfig } {
  const minClients = Math.max(2, f.clients - f.drop);
  const raw: Record<string, unknown> = {
    smpc: { operation: f.operation === 'multiply' ? 'multiply' : 'add', shards: f.shards, exponent: f.exponent },
    minClients,
    maxClients: f.clients,
    timeouts: { joinMs: 120_000, shareMs: 120_000, roundMs: 120_000, revealMs: 30_000 },
    ...(f.dp === 'none'
      ? { clip: { norm: 'linf', bound: f.clip } }
      : {
          // a statistic protects one record, added or removed (a count is public under "replace")
          dp: { noisetype: f.dp, epsilon: f.epsilon, delta: f.delta, clippingVal: f.clip, mode: f.mode, ...(isStatistic(f.operation) ? { neighbouring: 'add-remove' } : {}) },
          privacyBudget: { epsilon: f.budget, delta: f.delta },
        }),
  };
  try {
    const config = validateConfig(raw);
    roundNoise(config, { operation: f.operation, dim: f.dim, edges: [0] }); // E_UNSUPPORTED: a statistic DP cannot calibrate
    return { raw, config };
  } catch (e) {
    if (!(e instanceof ShardwireError)) throw e;
    throw new ShardwireError(e.code, e.message.replace(/^E_[A-Z_]+: /, ''), { ...e.details, usage: true });
  }
}
