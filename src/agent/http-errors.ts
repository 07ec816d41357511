/**
 * @module agent/http-errors
 * How the agent answers a failure: the ShardwireError's code, message, hint and details as JSON,
 * under the HTTP status that fits the code. Anything that is not a ShardwireError is a bug: it is
 * logged with its stack, counted, and answered as 500 E_INTERNAL without its message (which may
 * hold anything).
 */
import type { ServerResponse } from 'node:http';
import { ShardwireError, type ErrorCode } from '../errors.ts';

/** HTTP status per code; codes not listed answer 400. */
const STATUS: Partial<Record<ErrorCode, number>> = {
  E_BAD_TOKEN: 401,
  E_NOT_FOUND: 404,
  E_BODY_TOO_LARGE: 413,
  E_BAD_STATE: 409,
  E_REPLAY: 409,
  E_SESSION_EXISTS: 409,
  E_CONFIG_MISMATCH: 409,
  E_TOO_FEW_CONTRIBUTORS: 409,
  E_BUDGET_EXHAUSTED: 409,
  E_ABORTED: 409,
  E_DROPPED: 409,
  E_ROSTER_MISMATCH: 409,
  E_AUTH: 502,
  E_NOT_IN_SESSION: 502,
  E_SESSION_EXPIRED: 502,
  E_CRYPTO: 502,
  E_INCONSISTENT: 502,
  E_BAD_SHARE: 502,
  E_RATE_LIMITED: 503,
  E_BACKPRESSURE: 503,
  E_SHUTTING_DOWN: 503,
  E_TIMEOUT: 504,
  E_KERNEL: 500,
  E_INTERNAL: 500,
};

/**
 * The HTTP status the agent uses for `code`: 400 for bad input, 401 bad token, 404 unknown
 * route or handle, 409 wrong state, a round that released nothing (or released it without this
 * contribution) or a roster that is not the pinned one, 413 body too large, 502 the relay or a
 * peer refused or broke the protocol, 503 overloaded, 504 timeout, 500 bugs.
 * @example statusOf('E_TIMEOUT') // 504
 */
export function statusOf(code: ErrorCode): number {
  return STATUS[code] ?? 400;
}

/** The JSON body of an error answer. */
export interface ErrorBody {
  readonly code: ErrorCode;
  readonly message: string;
  readonly hint: string;
  readonly details: Readonly<Record<string, unknown>>;
}

/** The error answer for `e` (never a secret: ShardwireError details carry none by contract). */
export function errorBody(e: ShardwireError): ErrorBody {
  return { code: e.code, message: e.message, hint: e.hint, details: e.details };
}

/**
 * Turns anything thrown into a ShardwireError; non-ShardwireErrors go to `onBug` first (log and
 * count) and come back as E_INTERNAL.
 */
export function asShardwireError(e: unknown, onBug: (e: unknown) => void): ShardwireError {
  if (e instanceof ShardwireError) return e;
  onBug(e);
  return new ShardwireError('E_INTERNAL', 'the agent failed on an internal error (logged on its stderr)');
}

/**
 * Sends `e` as JSON with its status. When the request body was not read (`drain`), the rest is
 * read and discarded so the client can finish sending and read the answer, and the connection
 * is closed afterwards.
 */
export function sendError(res: ServerResponse, e: ShardwireError, drain?: { resume(): unknown }): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const text = JSON.stringify(errorBody(e));
  const headers: Record<string, string | number> = {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
  };
  if (drain) {
    headers.connection = 'close';
    drain.resume();
  }
  res.writeHead(statusOf(e.code), headers);
  res.end(text);
}
