/**
 * @module relay/auth
 * Verifies a peer's `create` or `join` against the relay's challenge nonce (see
 * wire/auth-message.ts) and returns what the peer may do. Stateless apart from the
 * backplane's session registry.
 */
import { verify } from '../crypto/signature.ts';
import { ShardwireError, type ErrorCode } from '../errors.ts';
import { ControlType } from '../wire/constants.ts';
import { isMemberId, parseControlBody, parseCreateBody, parseJoinBody } from '../wire/control.ts';
import { authMessage, createBodyDigest } from '../wire/auth-message.ts';
import type { Frame } from '../wire/frame.ts';
import type { Backplane, SessionRecord } from './backplane.ts';
import { effectiveLimits, type ResolvedRelayOptions } from './options.ts';
import type { SessionTracker } from './session-tracker.ts';

/** A peer that passed authentication. */
export interface Admission {
  readonly record: SessionRecord;
  readonly id: string;
  readonly role: 'coordinator' | 'participant';
  readonly created: boolean;
}

function refuse(code: ErrorCode, reason: string, message: string): never {
  throw new ShardwireError(code, message, { reason });
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

/**
 * Checks a `create`/`join` control frame signed over `nonce`.
 *
 * @throws {ShardwireError} E_AUTH (bad signature, coordinator not allowed, malformed claim),
 *   E_NOT_IN_SESSION (unknown session, id not in roster), E_SESSION_EXPIRED, E_SESSION_EXISTS,
 *   E_RATE_LIMITED (too many sessions), E_BAD_PAYLOAD (malformed body). `details.reason` names
 *   the case for metrics.
 */
export async function authenticate(frame: Frame, nonce: Uint8Array, ctx: { options: ResolvedRelayOptions; backplane: Backplane; sessions: SessionTracker }): Promise<Admission> {
  const { session, from, type } = frame.header;
  if (session === '' || !isMemberId(from)) refuse('E_AUTH', 'malformed-claim', '"session" and "from" must name the session and your id');
  const body = parseControlBody(frame.payload);
  if (type === ControlType.create) {
    const c = parseCreateBody(body, from, ctx.options.maxRoster);
    const allowed = ctx.options.allowedCoordinators;
    if (allowed && !allowed.some((k) => sameBytes(k, c.publicKey))) refuse('E_AUTH', 'coordinator-not-allowed', 'this relay only accepts sessions from its configured coordinator keys');
    if (ctx.sessions.size >= ctx.options.maxSessions) refuse('E_RATE_LIMITED', 'too-many-sessions', `this relay holds its maximum of ${ctx.options.maxSessions} sessions; try later or another relay`);
    const msg = authMessage('create', session, from, nonce, await createBodyDigest(c.signedBody));
    if (!(await verify(c.signature, msg, c.publicKey))) refuse('E_AUTH', 'bad-signature', 'signature does not verify for this challenge, session, id and body');
    const record: SessionRecord = { id: session, coordinatorId: from, coordinatorKey: c.publicKey, roster: c.roster, limits: effectiveLimits(c.limits, ctx.options), createdAt: Date.now() };
    if (!(await ctx.backplane.createSession(record))) refuse('E_SESSION_EXISTS', 'session-exists', `session ${JSON.stringify(session)} already exists`);
    return { record, id: from, role: 'coordinator', created: true };
  }
  if (type !== ControlType.join) refuse('E_AUTH', 'protocol', `expected a "create" or "join" control frame, got "${type}"`);
  const j = parseJoinBody(body);
  const record = await ctx.backplane.getSession(session);
  if (!record) {
    if (ctx.sessions.wasExpired(session)) refuse('E_SESSION_EXPIRED', 'session-expired', `session ${JSON.stringify(session)} expired`);
    refuse('E_NOT_IN_SESSION', 'unknown-session', `no session ${JSON.stringify(session)} on this relay`);
  }
  const key = from === record.coordinatorId ? record.coordinatorKey : record.roster.get(from);
  if (!key) refuse('E_NOT_IN_SESSION', 'not-in-roster', `${JSON.stringify(from)} is not in the roster of session ${JSON.stringify(session)}`);
  if (!(await verify(j.signature, authMessage('join', session, from, nonce), key))) refuse('E_AUTH', 'bad-signature', 'signature does not verify for this challenge, session and id');
  return { record, id: from, role: from === record.coordinatorId ? 'coordinator' : 'participant', created: false };
}
