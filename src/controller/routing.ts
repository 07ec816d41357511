/**
 * @module controller/routing
 * Where one data piece of a FeatureCloud app goes, decided from its status exactly as the
 * engine's send functions encode it (app.py `send_data_to_coordinator`, `send_data_to_participant`,
 * `broadcast_data`):
 * - `smpc` set: a secure aggregation at the coordinator, keyed by the memo (dp may be set too);
 * - no destination: from a participant, to the coordinator; from the coordinator, a broadcast to
 *   every other client (the engine already handed the coordinator its own copy, `send_to_self`);
 * - a destination: to that client; the coordinator sending DP data to itself names its own id.
 * `dp` without `smpc` means the sending site adds the noise before anything leaves it.
 */
import { ShardwireError } from '../errors.ts';
import type { AppDp, AppSmpc, AppStatus } from './app-status.ts';

/** Who this site is in the run. */
export interface SiteRole {
  readonly id: string;
  readonly coordinatorId: string;
  /** Every client of the run, in the order the apps were told. */
  readonly clients: readonly string[];
}

/** A routing decision. */
export type Route =
  | { readonly kind: 'smpc'; readonly memo: string | null; readonly smpc: AppSmpc; readonly dp: AppDp | null }
  | {
      readonly kind: 'direct';
      readonly memo: string | null;
      readonly to: readonly string[];
      readonly dp: AppDp | null;
    };

/**
 * Routes the data piece announced by `status` (which must have `available: true`).
 * @throws {ShardwireError} E_APP for an unknown destination, or SMPC data addressed to a
 *   participant (the engine never does either).
 * @example routeOf(status, { id: 'a', coordinatorId: 'a', clients: ['a', 'b'] }) // broadcast → { to: ['b'] }
 */
export function routeOf(status: AppStatus, site: SiteRole): Route {
  const { destination, memo, smpc, dp } = status;
  if (destination !== null && !site.clients.includes(destination)) {
    throw new ShardwireError(
      'E_APP',
      `the app sent data to ${JSON.stringify(destination)}, which is not a client of this run (clients: ` +
        `${site.clients.join(', ')})`,
      { destination },
    );
  }
  if (smpc !== null) {
    if (destination !== null && destination !== site.coordinatorId) {
      throw new ShardwireError(
        'E_APP',
        `the app asked for SMPC aggregation towards ${destination}; SMPC data always goes to the coordinator ` +
          `${site.coordinatorId}`,
        { destination },
      );
    }
    return { kind: 'smpc', memo, smpc, dp };
  }
  if (destination !== null) return { kind: 'direct', memo, to: [destination], dp };
  if (site.id === site.coordinatorId)
    return { kind: 'direct', memo, to: site.clients.filter((c) => c !== site.id), dp };
  return { kind: 'direct', memo, to: [site.coordinatorId], dp };
}

/**
 * The query string for `POST /api/data`. The engine's await functions look data up under
 * `urllib.parse.quote(memo)` while bottle URL-decodes the query once, so the memo is quoted the
 * Python way first and then encoded for the URL (app.py: "we need to use the urlencoded memo").
 * @example dataQuery('b', 'round 1') // 'client=b&memo=round%25201'
 */
export function dataQuery(client: string, memo: string | null): string {
  const c = `client=${encodeURIComponent(client)}`;
  return memo === null ? c : `${c}&memo=${encodeURIComponent(pythonQuote(memo))}`;
}

/** Python's `urllib.parse.quote(s)` (safe = '/', UTF-8): unreserved characters and '/' stay. */
export function pythonQuote(s: string): string {
  let out = '';
  for (const byte of new TextEncoder().encode(s)) {
    const ch = String.fromCharCode(byte);
    out += /[A-Za-z0-9_.\-~/]/.test(ch) ? ch : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}
