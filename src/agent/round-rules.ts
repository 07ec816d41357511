/**
 * @module agent/round-rules
 * When a round the agent runs opens and closes (FEDn names in brackets):
 * - `minClients` [clients_required]: wait (up to `waitMs`) until this many participants are ready
 *   before opening; never below the session's `minClients`, the floor below which nothing is
 *   released;
 * - `timeoutMs` [round_timeout]: how long partials are collected; the missing ones are dropped
 *   through the SDK's dropout recovery;
 * - `bufferSize` [buffer_size]: close as soon as this many partials arrived, the rest treated as
 *   dropped. Passed through to `runRound`, which implements it.
 * With `participants` listed, the round waits for those (up to `waitMs`) and leaves out any that
 * are still not ready, as long as `minClients` remain.
 */
import { ShardwireError } from '../errors.ts';
import { aint, aoneOf, describe } from '../guards.ts';
import type { SessionConfig } from '../config.ts';
import type { RoundOptions, RoundResultWithReport } from '../coordinator/round.ts';
import { onlyKeys } from './request-fields.ts';
import { OPERATIONS, SESSION_OPERATIONS, type Operation } from '../session/round-messages.ts';
import { isStatistic } from '../stats/operations.ts';


/** The body of `POST /v1/coordinators/{handle}/rounds`. */
export interface RoundRequest {
  readonly dim: number;
  readonly operation: Operation;
  readonly memo?: string;
  readonly participants?: readonly string[];
  readonly broadcast?: boolean;
  readonly timeoutMs?: number;
  readonly bufferSize?: number;
  readonly minClients: number;
  readonly waitMs: number;
}

/** The part of a Coordinator the round rules use. */
export interface RoundHost {
  readonly config: SessionConfig;
  readonly roster: ReadonlyMap<string, unknown>;
  readyParticipants(): string[];
  runRound(o: RoundOptions): Promise<RoundResultWithReport>;
}

/**
 * Validates a round request against the session: sizes, the closing rules and their bounds.
 * @throws {ShardwireError} E_BAD_ARGUMENT naming the field and its allowed range.
 * @example parseRoundRequest({ dim: 1000, operation: 'mean', bufferSize: 8 }, coordinator)
 */
export function parseRoundRequest(o: Record<string, unknown>, host: RoundHost): RoundRequest {
  onlyKeys(o, 'round', [
    'dim',
    'operation',
    'memo',
    'participants',
    'broadcast',
    'timeoutMs',
    'bufferSize',
    'minClients',
    'waitMs',
  ]);
  const floor = host.config.minClients;
  const rosterSize = host.roster.size;
  const dim = aint(o.dim, 'dim', 1, 2 ** 31 - 1);
  // the session's first operation by default: 'sum', or 'multiply' in a product session
  const operation = aoneOf(o.operation ?? SESSION_OPERATIONS[host.config.smpc.operation][0], 'operation', OPERATIONS);
  const allowed: readonly Operation[] = SESSION_OPERATIONS[host.config.smpc.operation];
  if (!isStatistic(operation) && !allowed.includes(operation)) {
    throw new ShardwireError('E_UNSUPPORTED', `"operation" ${operation} is not available in a session with smpc.operation "${host.config.smpc.operation}" (it runs ${allowed.join(', ')})`, { field: 'operation' });
  }
  if (isStatistic(operation)) {
    throw new ShardwireError('E_UNSUPPORTED', `"operation" ${operation} is a statistics round over records, which the agent does not carry (its contributions are one vector); use the SDK's Coordinator.runStatistic and Client.contributeRecords`, { field: 'operation' });
  }
  let participants: string[] | undefined;
  if (o.participants !== undefined) {
    if (!Array.isArray(o.participants) || o.participants.some((p) => typeof p !== 'string' || !host.roster.has(p))) {
      throw new ShardwireError(
        'E_BAD_ARGUMENT',
        `"participants" expected an array of ids from the session roster, got ${describe(o.participants)}`,
        { field: 'participants' },
      );
    }
    participants = [...new Set(o.participants as string[])];
  }
  const most = participants?.length ?? rosterSize;
  const minClients = aint(o.minClients ?? floor, 'minClients', floor, Math.max(floor, most));
  if (o.broadcast !== undefined && typeof o.broadcast !== 'boolean')
    throw new ShardwireError('E_BAD_ARGUMENT', `"broadcast" expected a boolean, got ${describe(o.broadcast)}`, {
      field: 'broadcast',
    });
  if (o.memo !== undefined && (typeof o.memo !== 'string' || !/^[A-Za-z0-9._:@-]{1,128}$/.test(o.memo))) {
    throw new ShardwireError(
      'E_BAD_ARGUMENT',
      `"memo" expected 1-128 characters of [A-Za-z0-9._:@-], got ${describe(o.memo)}`,
      { field: 'memo' },
    );
  }
  return {
    dim,
    operation,
    minClients,
    waitMs: aint(o.waitMs ?? host.config.timeouts.joinMs, 'waitMs', 0, 86_400_000),
    ...(o.memo === undefined ? {} : { memo: o.memo as string }),
    ...(participants === undefined ? {} : { participants }),
    ...(o.broadcast === undefined ? {} : { broadcast: o.broadcast as boolean }),
    ...(o.timeoutMs === undefined ? {} : { timeoutMs: aint(o.timeoutMs, 'timeoutMs', 1, 86_400_000) }),
    ...(o.bufferSize === undefined
      ? {}
      : { bufferSize: aint(o.bufferSize, 'bufferSize', floor, Math.max(floor, most)) }),
  };
}

/** Resolves with the participants to ask once the opening rule holds (polled every 20 ms). */
export async function readyForRound(
  host: RoundHost,
  r: RoundRequest,
  signal?: AbortSignal,
): Promise<{ asked: string[]; notReady: string[] }> {
  const end = Date.now() + r.waitMs;
  for (;;) {
    const ready = new Set(host.readyParticipants());
    if (r.participants) {
      const asked = r.participants.filter((p) => ready.has(p));
      if (asked.length === r.participants.length || (Date.now() >= end && asked.length >= r.minClients)) {
        return { asked, notReady: r.participants.filter((p) => !ready.has(p)) };
      }
    } else if (ready.size >= r.minClients) return { asked: [...ready], notReady: [] };
    if (signal?.aborted)
      throw new ShardwireError('E_ABORTED', 'the round was cancelled before it opened (the session was closed)');
    if (Date.now() >= end) {
      const have = r.participants ? r.participants.filter((p) => ready.has(p)).length : ready.size;
      throw new ShardwireError(
        'E_TOO_FEW_CONTRIBUTORS',
        `only ${have} participants were ready after ${r.waitMs} ms, fewer than minClients = ${r.minClients}; ` +
          `the round was not opened and nothing was released`,
        { ready: have, minClients: r.minClients },
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/**
 * Waits for the opening rule, then runs the round with the closing rules; the report gains a
 * `closing` section saying which rules applied.
 * @throws {ShardwireError} E_TOO_FEW_CONTRIBUTORS when too few are ready; the SDK's round errors.
 * @example const { aggregate, report } = await runWithRules(coordinator, 'r-1', request)
 */
export async function runWithRules(
  host: RoundHost,
  memo: string,
  r: RoundRequest,
  signal?: AbortSignal,
): Promise<RoundResultWithReport> {
  const { asked, notReady } = await readyForRound(host, r, signal);
  // bufferSize is implemented by runRound (FEDn buffer_size); the agent passes it through
  const options: RoundOptions & { bufferSize?: number } = {
    dim: r.dim,
    operation: r.operation,
    memo,
    participants: asked,
    ...(r.broadcast === undefined ? {} : { broadcast: r.broadcast }),
    ...(r.timeoutMs === undefined ? {} : { timeoutMs: r.timeoutMs }),
    ...(r.bufferSize === undefined ? {} : { bufferSize: r.bufferSize }),
    ...(signal ? { signal } : {}),
  };
  const result = await host.runRound(options);
  const closing = {
    minClients: r.minClients,
    timeoutMs: r.timeoutMs ?? host.config.timeouts.roundMs,
    ...(r.bufferSize === undefined ? {} : { bufferSize: r.bufferSize }),
    notReady,
  };
  return { aggregate: result.aggregate, report: { ...result.report, closing } as typeof result.report };
}
