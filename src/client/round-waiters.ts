/**
 * @module client/round-waiters
 * Matches the coordinator's `round.open`s with the application's `aggregate()` calls: an open that
 * arrives first waits for a call, a call that comes first waits for an open (of any memo, or of
 * the one it names), both with a timeout and an AbortSignal. A call may bring a check of its input
 * against the open (vector length, weight): an open the check refuses is not taken, so the call
 * fails with the check's error and the round stays open for a corrected call.
 */
import { ShardwireError } from '../errors.ts';
import { describe } from '../guards.ts';
import type { RoundOpen } from '../session/round-messages.ts';

/** An opened round and when its `round.open` arrived (for the send pace). */
export interface Opened {
  readonly open: RoundOpen;
  readonly openedAt: number;
}

/** Throws when the caller's input does not fit `open`; the open then stays waiting. */
export type OpenCheck = (open: RoundOpen) => void;

interface Waiter {
  readonly memo: string | undefined;
  readonly check: OpenCheck | undefined;
  resolve(o: Opened): void;
  reject(e: ShardwireError): void;
}

export class RoundWaiters {
  readonly #pending: Opened[] = [];
  #waiters: Waiter[] = [];

  /** True when an open of `memo` is waiting for a call. */
  has(memo: string): boolean {
    return this.#pending.some((p) => p.open.memo === memo);
  }

  /** Removes a waiting open (the coordinator aborted it); true when there was one. */
  drop(memo: string): boolean {
    const i = this.#pending.findIndex((p) => p.open.memo === memo);
    if (i >= 0) this.#pending.splice(i, 1);
    return i >= 0;
  }

  /**
   * Hands an arrived open to the first call waiting for it whose check accepts it, or keeps it.
   * Calls whose check refuses it fail with the check's error.
   */
  push(open: RoundOpen, openedAt: number): void {
    for (const w of this.#waiters.filter((w) => w.memo === undefined || w.memo === open.memo)) {
      const refusal = refusalOf(w.check, open);
      if (refusal) {
        w.reject(refusal);
        continue;
      }
      w.resolve({ open, openedAt });
      return;
    }
    this.#pending.push({ open, openedAt });
  }

  /**
   * The next open (of `memo` when given) that `check` accepts. When the first waiting open is
   * refused by `check`, it stays waiting and the call fails at once with the check's error.
   * @throws {ShardwireError} the check's error; E_TIMEOUT after `ms`; E_ABORTED through `signal`
   *   or after {@link fail}.
   */
  next(memo: string | undefined, ms: number, signal?: AbortSignal, check?: OpenCheck): Promise<Opened> {
    const i = this.#pending.findIndex((p) => memo === undefined || p.open.memo === memo);
    if (i >= 0) {
      const refusal = refusalOf(check, this.#pending[i].open);
      return refusal ? Promise.reject(refusal) : Promise.resolve(this.#pending.splice(i, 1)[0]);
    }
    return new Promise<Opened>((resolve, reject) => {
      const done = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        this.#waiters = this.#waiters.filter((w) => w !== waiter);
      };
      const waiter: Waiter = { memo, check, resolve: (o) => (done(), resolve(o)), reject: (e) => (done(), reject(e)) };
      const timer = setTimeout(() => waiter.reject(new ShardwireError('E_TIMEOUT', `waited ${ms} ms for a round to open${memo === undefined ? '' : ` (memo ${memo})`}`)), ms);
      const onAbort = () => waiter.reject(new ShardwireError('E_ABORTED', 'stopped waiting for a round to open: aborted by the caller'));
      this.#waiters.push(waiter);
      if (signal?.aborted) onAbort();
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** Rejects every waiting call with `e`. */
  fail(e: ShardwireError): void {
    for (const w of [...this.#waiters]) w.reject(e);
  }
}

function refusalOf(check: OpenCheck | undefined, open: RoundOpen): ShardwireError | undefined {
  try {
    check?.(open);
    return undefined;
  } catch (e) {
    return e instanceof ShardwireError ? e : new ShardwireError('E_BAD_ARGUMENT', String(e));
  }
}

/** The weight to use in `open`: required (0 < w ≤ maxWeight) for a weighted mean, refused otherwise. */
export function weightFor(open: RoundOpen, weight: number | undefined, maxWeight: number): number | undefined {
  if (open.operation !== 'weightedMean') {
    if (weight !== undefined) throw new ShardwireError('E_BAD_ARGUMENT', `"weight" given, but round ${open.memo} computes a ${open.operation}, not a weightedMean`);
    return undefined;
  }
  if (typeof weight !== 'number' || !Number.isFinite(weight) || weight <= 0 || weight > maxWeight) {
    throw new ShardwireError('E_BAD_ARGUMENT', `round ${open.memo} is a weightedMean: "weight" expected a number in (0, ${maxWeight}] (config maxWeight), got ${describe(weight)}`, { field: 'weight' });
  }
  return weight;
}
