/**
 * @module wire/inbox-control
 * Control bodies of the offline inbox (docs/RELAY.md "Offline inbox"). A peer that joined with
 * `inbox` counts the message frames it receives (1, 2, ... after the welcome's `inbox.after`):
 * - `ack { seq }` (peer → relay): every frame up to `seq` arrived; the relay may forget them.
 * - `gap { from, to }` (relay → peer): frames `from`..`to` are lost (the inbox's caps dropped
 *   them while this peer was slow or away); the peer's count continues at `to`.
 */
import { ShardwireError } from '../errors.ts';
import { describe } from '../guards.ts';
import { intField, onlyKeys } from './control.ts';

/** peer → relay. */
export interface AckBody {
  readonly seq: number;
}

/** relay → peer. */
export interface GapBody {
  readonly from: number;
  readonly to: number;
}

const MAX = Number.MAX_SAFE_INTEGER;

/** Validated `ack` body. @throws {ShardwireError} E_BAD_PAYLOAD @example parseAckBody({ seq: 7 }) */
export function parseAckBody(o: Record<string, unknown>): AckBody {
  onlyKeys(o, ['seq'], 'ack');
  return { seq: intField(o.seq, 'seq', 0, MAX) };
}

/** Validated `gap` body. @throws {ShardwireError} E_BAD_PAYLOAD @example parseGapBody({ from: 3, to: 5 }) */
export function parseGapBody(o: Record<string, unknown>): GapBody {
  onlyKeys(o, ['from', 'to'], 'gap');
  const from = intField(o.from, 'from', 1, MAX);
  const to = intField(o.to, 'to', from, MAX);
  if (to < from)
    throw new ShardwireError('E_BAD_PAYLOAD', `"to" expected >= "from", got ${describe(to)}`, { field: 'to' });
  return { from, to };
}
