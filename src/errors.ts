/**
 * @module errors
 * The one error class of shardwire and its catalogue of stable codes.
 *
 * Every failure that reaches a caller is a {@link ShardwireError} whose `code` is listed in
 * {@link ERROR_CATALOGUE}; the catalogue gives each code a hint (what to do) and, for errors the
 * relay reports to a peer, the WebSocket close code (RFC 6455 §7.4.1) used when it must hang up.
 * The README's error table is generated from the same entries (see test/unit/errors.test.ts).
 */

/** One entry of the catalogue. */
export interface ErrorSpec {
  /** What the caller should do about it. */
  readonly hint: string;
  /** WebSocket close code used when the relay closes a peer for this error, if it ever does. */
  readonly closeCode?: number;
}

/** Every error code shardwire can raise, with a hint and (relay errors) a close code. */
export const ERROR_CATALOGUE = {
  E_BAD_ARGUMENT: { hint: 'Check the argument named in the message against the TSDoc of the function you called.' },
  E_BAD_VECTOR: { hint: 'Pass a Float32Array/Float64Array (or the ring vector type named) of the expected length with finite values only.' },
  E_BAD_CONFIG: { hint: 'Fix the configuration field named in the message; see README §Configuration and bit budget.' },
  E_UNSUPPORTED: { hint: 'The requested feature is not available in this version; the message names the alternative.' },
  E_RING_OVERFLOW: { hint: 'Lower the exponent, the clipping bound or the number of clients to the values named in the message.' },
  E_KERNEL: { hint: 'The WebAssembly kernel failed to load (the message names the file or URL) or reported an internal error: in a checkout rebuild with `npm run asbuild`, reinstall an installed package, serve kernel-*.wasm to browsers; report a bug if it persists.' },
  E_BAD_FRAME: { hint: 'The frame does not follow the wire format (docs/RELAY.md, "Wire format"); fix the sender.', closeCode: 1002 },
  E_BAD_PAYLOAD: { hint: 'The frame text was not valid UTF-8/JSON.', closeCode: 1007 },
  E_FRAME_TOO_LARGE: { hint: 'Send smaller frames or raise the relay\'s --max-payload.', closeCode: 1009 },
  E_AUTH: { hint: 'Sign the relay challenge with the identity key registered in the session roster.', closeCode: 1008 },
  E_NOT_IN_SESSION: { hint: 'Join the session first, or ask the coordinator to add this identity to the roster.', closeCode: 1008 },
  E_SESSION_EXISTS: { hint: 'Choose a new session id.' },
  E_SESSION_EXPIRED: { hint: 'The session was idle past its expiry; create a new one.', closeCode: 1008 },
  E_RATE_LIMITED: { hint: 'Slow down: the connection exceeded its message or byte rate.', closeCode: 1008 },
  E_BACKPRESSURE: { hint: 'The recipient is not reading fast enough; retry later or send less.' },
  E_SHUTTING_DOWN: { hint: 'The relay is shutting down; reconnect to another relay.', closeCode: 1001 },
  E_CONFIG_MISMATCH: { hint: 'All parties must use the same configuration (same configHash); fetch the coordinator\'s config again.' },
  E_TOO_FEW_CONTRIBUTORS: { hint: 'Fewer than minClients contributed; nothing was released. Retry the round or lower minClients.' },
  E_TIMEOUT: { hint: 'A phase did not finish in time; raise the timeout or check the peers\' connectivity.' },
  E_REPLAY: { hint: 'The message belongs to another round or was already received; it was ignored.' },
  E_ABORTED: { hint: 'The operation was cancelled through its AbortSignal.' },
  E_BAD_DP_CONFIG: { hint: 'Fix the differential-privacy field named in the message (see README §Differential privacy).' },
  E_BUDGET_EXHAUSTED: { hint: 'This release would exceed the session\'s privacy budget; start a new session or raise the budget knowingly.' },
  E_BAD_STATE: { hint: 'The call does not fit the current state (a round still running, a session already left or closed), or a saved state is corrupted or from another version/session: wait or start again, or restore a good copy instead of starting over.' },
  E_CRYPTO: { hint: 'Decryption or signature verification failed: the data was altered or the wrong key was used.' },
  E_INCONSISTENT: { hint: 'The coordinator showed this participant a view that contradicts its own or the other participants\' signed view (or asked twice); nothing was revealed. Treat the coordinator as compromised.' },
  E_BAD_SHARE: { hint: 'A share or a rebuilt secret failed verification; details.sender names the party that misbehaved. Remove it from the roster.' },
  E_UNDELIVERED: { hint: 'This participant\'s partial could not be delivered (details.cause names why: the relay link closed, the relay refused a frame, no upload credit came); it was not counted. Check the relay and contribute again.' },
  E_DROPPED: { hint: 'This participant\'s contribution was not part of the released aggregate (it arrived late or was excluded); contribute again in the next round.' },
  E_ROSTER_MISMATCH: { hint: 'The roster differs from the one pinned by the config\'s rosterHash (or names an identity outside it); use the roster agreed out of band.' },
  E_LINK_LOST: { hint: 'The relay link dropped and did not come back within the reconnection window (or the relay refused it for good); check the relays, then join again.' },
  E_STATE_TAMPERED: { hint: 'A saved state (the coordinator\'s session state, a participant\'s privacy ledger) does not authenticate under this identity: it was altered, truncated or written by another identity. Restore a good copy; never start the session or the ledger over (the spent privacy budget would be forgotten).' },
  E_NOISE_PLAN_MISMATCH: { hint: 'The coordinator announced a noise plan (mechanism, noise scale, minHonest, budget) other than the one this participant derives from the agreed config; nothing was contributed. Treat the coordinator as misconfigured or compromised.' },
  E_LEDGER_MISMATCH: { hint: 'The coordinator\'s privacy accounting (its announced cumulative ε or its signed round report) disagrees with this participant\'s own ledger; details.reason says how. Stop contributing to the session and compare the ledgers.' },
  E_APP: { hint: 'The FeatureCloud app crashed, did not answer, or broke the controller protocol (the message says which); read the app\'s log.' },
  E_PEER_FAILED: { hint: 'Another site failed (the message names it and its own error code); fix that site, then restart the run on every site.' },
  E_BAD_TOKEN: { hint: 'Send the agent\'s bearer token (from the token file it wrote at start) in the Authorization header.' },
  E_NOT_FOUND: { hint: 'The agent has no such route or handle; check the URL, the method and the handle returned by join/start.' },
  E_BODY_TOO_LARGE: { hint: 'Send a smaller request body or start the agent with a larger --max-body.' },
  E_INTERNAL: { hint: 'A bug in shardwire: the agent logged it with a stack trace; report it with that log.' },
} as const satisfies Record<string, ErrorSpec>;

/** A stable error code; switch on it, never on the message. */
export type ErrorCode = keyof typeof ERROR_CATALOGUE;

/**
 * The error every public shardwire function throws.
 *
 * @example
 * try { kernel.encode(x, { exponent: 8, ring: 64 }) }
 * catch (e) { if (e instanceof ShardwireError && e.code === 'E_BAD_VECTOR') console.log(e.details) }
 */
export class ShardwireError extends Error {
  override readonly name = 'ShardwireError';
  /** Stable machine-readable code from {@link ERROR_CATALOGUE}. */
  readonly code: ErrorCode;
  /** Structured context (indices, expected/actual values); never secrets. */
  readonly details: Readonly<Record<string, unknown>>;

  constructor(code: ErrorCode, message: string, details: Record<string, unknown> = {}) {
    super(`${code}: ${message}`);
    this.code = code;
    this.details = Object.freeze({ ...details });
  }

  /** What to do about this error, from the catalogue. */
  get hint(): string {
    return ERROR_CATALOGUE[this.code].hint;
  }

  /** WebSocket close code for relay errors, if the catalogue has one. */
  get closeCode(): number | undefined {
    return (ERROR_CATALOGUE[this.code] as ErrorSpec).closeCode;
  }
}

/** True when `e` is a ShardwireError, optionally with the given code. */
export function isShardwireError(e: unknown, code?: ErrorCode): e is ShardwireError {
  return e instanceof ShardwireError && (code === undefined || e.code === code);
}
