/**
 * @module agent/coordinator-session
 * One session the agent coordinates: the SDK Coordinator plus the rounds it runs in the
 * background. Starting a round answers at once with its memo, so that the caller (a Flower
 * strategy's configure_fit) can send its clients their instructions while the round collects;
 * the result is fetched later by memo. One round runs at a time; the last few results are kept.
 */
import { randomBytes } from 'node:crypto';
import { ShardwireError } from '../errors.ts';
import { Coordinator } from '../coordinator/coordinator.ts';
import type { RoundResultWithReport } from '../coordinator/round.ts';
import { checkIdOfKey } from '../crypto/identity.ts';
import { loadIdentity } from '../crypto/identity-file.ts';
import type { Kernel } from '../kernel/kernel.ts';
import { aobjectField, aoptInt, apeer, arelayUrl, astring, onlyKeys } from './request-fields.ts';
import { parseRoundRequest, runWithRules } from './round-rules.ts';

/** Finished rounds whose results stay fetchable (older ones are forgotten). */
export const KEPT_ROUNDS = 8;

/** The body of `POST /v1/coordinators`. */
export interface StartRequest {
  readonly relayUrl: string;
  readonly session: string;
  readonly identityFile: string;
  readonly roster: readonly { readonly id: string; readonly publicKey: Uint8Array }[];
  readonly config: Record<string, unknown>;
  readonly maxDim?: number;
  readonly accountantState?: string;
}

/**
 * Validates a start request body.
 * @throws {ShardwireError} E_BAD_ARGUMENT naming the field.
 * @example parseStartRequest({ relayUrl, session, identityFile, roster: [{ id, publicKey }], config })
 */
export function parseStartRequest(o: Record<string, unknown>): StartRequest {
  onlyKeys(o, 'start', ['relayUrl', 'session', 'identityFile', 'roster', 'config', 'maxDim', 'accountantState']);
  if (!Array.isArray(o.roster) || o.roster.length === 0) {
    throw new ShardwireError(
      'E_BAD_ARGUMENT',
      '"roster" expected a non-empty array of { id, publicKey } (the participants\' keygen output)',
      { field: 'roster' },
    );
  }
  return {
    relayUrl: arelayUrl(o.relayUrl),
    session: astring(o.session, 'session', 128),
    identityFile: astring(o.identityFile, 'identityFile'),
    roster: o.roster.map((m, i) => apeer(m, `roster[${i}]`)),
    config: aobjectField(o.config, 'config'),
    ...(o.maxDim === undefined ? {} : { maxDim: aoptInt(o.maxDim, 'maxDim', 1, 2 ** 31 - 2) }),
    ...(o.accountantState === undefined
      ? {}
      : { accountantState: astring(o.accountantState, 'accountantState', 1 << 22) }),
  };
}

/** A round the agent started. */
interface RoundRecord {
  readonly memo: string;
  state: 'running' | 'done' | 'failed';
  readonly done: Promise<void>;
  result?: RoundResultWithReport;
  error?: ShardwireError;
}

/** A coordinated session. Create with {@link CoordinatorSession.start}. */
export class CoordinatorSession {
  readonly handle: string;
  readonly session: string;
  readonly coordinator: Coordinator;
  private readonly rounds = new Map<string, RoundRecord>();
  private running: string | undefined;
  private readonly closed = new AbortController();

  private constructor(handle: string, session: string, coordinator: Coordinator) {
    this.handle = handle;
    this.session = session;
    this.coordinator = coordinator;
  }

  /**
   * Loads the identity file, checks the roster and creates the session on the relay.
   * @throws {ShardwireError} E_BAD_ARGUMENT (unreadable file, a roster id not matching its key),
   *   E_BAD_STATE (identity file malformed or readable by others), and Coordinator.start's errors.
   * @example const c = await CoordinatorSession.start('c-1', parseStartRequest(body), kernel)
   */
  static async start(handle: string, r: StartRequest, kernel: Kernel): Promise<CoordinatorSession> {
    for (const [i, m] of r.roster.entries()) await checkIdOfKey(m, `roster[${i}]`, "the participant's keygen output");
    const identity = await loadIdentity(r.identityFile);
    try {
      const coordinator = await Coordinator.start({
        relayUrl: r.relayUrl,
        session: r.session,
        identity,
        kernel,
        roster: r.roster,
        config: r.config,
        ...(r.maxDim === undefined ? {} : { maxDim: r.maxDim }),
        ...(r.accountantState === undefined ? {} : { accountantState: r.accountantState }),
      });
      return new CoordinatorSession(handle, r.session, coordinator);
    } finally {
      identity.zeroise();
    }
  }

  /**
   * Validates a round request and starts the round in the background.
   * @throws {ShardwireError} E_BAD_STATE while another round runs or after close; E_REPLAY for a
   *   memo already used; E_BAD_ARGUMENT for a bad request.
   * @example const { memo } = c.startRound({ dim: 1000, operation: 'mean' })
   */
  startRound(body: Record<string, unknown>): { memo: string; done: Promise<void> } {
    const r = parseRoundRequest(body, this.coordinator);
    if (this.closed.signal.aborted)
      throw new ShardwireError('E_BAD_STATE', `session ${this.session} was closed; start a new one`, {
        handle: this.handle,
      });
    if (this.running !== undefined) {
      throw new ShardwireError(
        'E_BAD_STATE',
        `round ${this.running} is still running; rounds of one session run one at a time (fetch its result first)`,
        { running: this.running },
      );
    }
    const memo = r.memo ?? `r-${randomBytes(8).toString('hex')}`;
    if (this.rounds.has(memo))
      throw new ShardwireError('E_REPLAY', `memo ${memo} was already used in this session; memos are never reused`, {
        memo,
      });
    this.running = memo;
    const record: RoundRecord = {
      memo,
      state: 'running',
      done: runWithRules(this.coordinator, memo, r, this.closed.signal)
        .then(
          (result) => {
            record.state = 'done';
            record.result = result;
          },
          (e: unknown) => {
            record.state = 'failed';
            record.error =
              e instanceof ShardwireError
                ? e
                : new ShardwireError('E_INTERNAL', `round ${memo} failed on an internal error`, { cause: String(e) });
          },
        )
        .finally(() => {
          this.running = undefined;
          this.forgetOld();
        }),
    };
    this.rounds.set(memo, record);
    return { memo, done: record.done };
  }

  /**
   * The round `memo`, once finished or after `waitMs` (whichever comes first).
   * @throws {ShardwireError} E_NOT_FOUND for an unknown or forgotten memo.
   * @example const r = await c.round('r-1', 30000)
   */
  async round(memo: string, waitMs: number): Promise<RoundRecord> {
    const r = this.rounds.get(memo);
    if (!r)
      throw new ShardwireError(
        'E_NOT_FOUND',
        `no round ${memo} in session ${this.session} (unknown, or one of more than ${KEPT_ROUNDS} older rounds)`,
        { memo },
      );
    if (r.state === 'running' && waitMs > 0) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([r.done, new Promise((resolve) => (timer = setTimeout(resolve, waitMs)))]);
      clearTimeout(timer);
    }
    return r;
  }

  private forgetOld(): void {
    const finished = [...this.rounds.values()].filter((r) => r.state !== 'running');
    for (const r of finished.slice(0, Math.max(0, finished.length - KEPT_ROUNDS))) this.rounds.delete(r.memo);
  }

  /** What `GET /v1/coordinators/{handle}` reports (no aggregates). */
  status(): Record<string, unknown> {
    const c = this.coordinator;
    const spent = c.accountant?.spent();
    return {
      handle: this.handle,
      role: 'coordinator',
      session: this.session,
      configHash: c.configHash,
      state: this.closed.signal.aborted ? 'closed' : 'open',
      roster: [...c.roster.keys()],
      ready: c.readyParticipants(),
      running: this.running ?? null,
      rounds: [...this.rounds.values()].map((r) => ({
        memo: r.memo,
        state: r.state,
        ...(r.error ? { code: r.error.code } : {}),
      })),
      config: c.config,
      ...(spent ? { privacy: { epsilonSpent: spent.epsilon, delta: spent.delta, budget: c.accountant!.budget } } : {}),
    };
  }

  /** Closes the session (a running round aborts) and wipes its keys. Idempotent. */
  close(): void {
    if (this.closed.signal.aborted) return;
    this.closed.abort();
    this.coordinator.close();
  }
}
