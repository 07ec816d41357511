/**
 * @module relay/relay-frames
 * Control frames the relay itself sends (challenge, welcome, presence, error, shutdown).
 */
import type { ErrorCode } from '../errors.ts';
import { ControlType, FrameKind, RELAY_ID } from '../wire/constants.ts';
import { encodeControlBody, type ErrorBody, type PresenceBody } from '../wire/control.ts';
import { encodeFrameUnchecked } from '../wire/frame.ts';

// Relay control frames carry a process-wide counter as seq: receivers use it for ordering/logs
// only; the relay is not a party whose replays matter (its frames carry no protocol data).
let seq = 0;

/** A relay → peer control frame. */
export function relayFrame(session: string, to: string, type: ControlType, body: object): Uint8Array {
  seq = seq >= Number.MAX_SAFE_INTEGER ? 0 : seq + 1;
  return encodeFrameUnchecked(FrameKind.control, { session, from: RELAY_ID, to, type, seq }, encodeControlBody(body));
}

/** An `error` control frame. */
export function errorFrame(session: string, to: string, code: ErrorCode, message: string, details?: Record<string, unknown>, ref?: ErrorBody['ref']): Uint8Array {
  const body: ErrorBody = { code, message, ...(details && Object.keys(details).length > 0 ? { details } : {}), ...(ref ? { ref } : {}) };
  return relayFrame(session, to, ControlType.error, body);
}

/** A `presence` control frame for the whole session. */
export function presenceFrame(session: string, body: PresenceBody): Uint8Array {
  return relayFrame(session, '*', ControlType.presence, body);
}
