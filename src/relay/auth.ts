/**
 * @module relay/auth
 * Verifies a peer's `create` or `join` against the relay's challenge nonce (see
 * wire/auth-message.ts) and returns what the peer may do. Stateless apart from the
 * backplane's session registry and this node's session tracker.
 *
 * Identity binding: every id the relay admits — the creator, each roster entry, hence every
 * joiner — must be the id of its Ed25519 key (crypto/identity.ts: BLAKE2b-128 of the key), so
 * nobody can act under someone else's id with another key, and per-identity limits
 * (rate-limiter.ts) cannot be spent in someone else's name. Sessions are keyed by creator
 * (session-key.ts), so a session name never belongs to whoever asked for it first.
 */
import { _identityId } from '../crypto/identity.ts';
import { verify } from '../crypto/signature.ts';
import { getSodium } from '../sodium.ts';
import { ShardwireError, type ErrorCode } from '../errors.ts';
import { ControlType } from '../wire/constants.ts';
import { isMemberId, parseControlBody, parseCreateBody } from '../wire/control.ts';
import { authMessage, createBodyDigest } from '../wire/auth-message.ts';
import type { Frame } from '../wire/frame.ts';
import { joinBodyDigest, parseJoinBody, type InboxRequest } from '../wire/join-body.ts';
import type { Backplane, SessionRecord } from './backplane.ts';
import { effectiveLimits, type ResolvedRelayOptions } from './options.ts';
import { sessionKey } from './session-key.ts';
import type { SessionTracker } from './session-tracker.ts';

/** A peer that passed authentication. */
export interface Admission {
  readonly record: SessionRecord;
  readonly id: string;
  readonly role: 'coordinator' | 'participant';
  readonly created: boolean;
  /** What the peer asked of its offline inbox, if anything. */
  readonly inbox?: InboxRequest;
}

/** What authentication may read. */
export interface AuthContext {
  readonly options: ResolvedRelayOptions;
  readonly backplane: Backplane;
  readonly sessions: SessionTracker;
}

function refuse(code: ErrorCode, reason: string, message: string): never {
  throw new ShardwireError(code, message, { reason });
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

/**
 * Checks a `create`/`join` control frame signed over `nonce`, from a peer at address `ip`.
 *
 * @throws {ShardwireError} E_AUTH (bad signature, id not derived from its key, coordinator not
 *   allowed, malformed claim), E_NOT_IN_SESSION (unknown or ambiguous session, id not in roster),
 *   E_SESSION_EXPIRED, E_SESSION_EXISTS, E_RATE_LIMITED (too many sessions), E_BAD_PAYLOAD
 *   (malformed body). `details.reason` names the case for metrics.
 * @example const admission = await authenticate(frame, nonce, '203.0.113.7', ctx)
 */
export async function authenticate(frame: Frame, nonce: Uint8Array, ip: string, ctx: AuthContext): Promise<Admission> {
  const { session, from, type } = frame.header;
  if (session === '' || !isMemberId(from)) {
    refuse('E_AUTH', 'malformed-claim', '"session" and "from" must name the session and your id');
  }
  const body = parseControlBody(frame.payload);
  if (type === ControlType.create) return create(frame, body, nonce, ip, ctx);
  if (type !== ControlType.join) {
    const message = `expected a "create" or "join" control frame, got "${type}"`;
    refuse('E_AUTH', 'protocol', message);
  }
  const j = parseJoinBody(body);
  const record = await findSession(session, from, j.coordinator, ctx);
  const key = from === record.coordinatorId ? record.coordinatorKey : record.roster.get(from);
  if (!key) {
    const message = `${JSON.stringify(from)} is not in the roster of session ${JSON.stringify(session)}`;
    refuse('E_NOT_IN_SESSION', 'not-in-roster', message);
  }
  const msg = authMessage('join', session, from, nonce, await joinBodyDigest(j));
  if (!(await verify(j.signature, msg, key))) {
    refuse('E_AUTH', 'bad-signature', 'signature does not verify for this challenge, session, id and body');
  }
  const role = from === record.coordinatorId ? 'coordinator' : 'participant';
  return { record, id: from, role, created: false, ...(j.inbox ? { inbox: j.inbox } : {}) };
}

async function create(frame: Frame, body: Record<string, unknown>, nonce: Uint8Array, ip: string, ctx: AuthContext,
): Promise<Admission> {
  const { session, from } = frame.header;
  const o = ctx.options;
  const c = parseCreateBody(body, from, o.maxRoster);
  if (o.allowedCoordinators && !o.allowedCoordinators.some((k) => sameBytes(k, c.publicKey))) {
    const message = 'this relay only accepts sessions from its configured coordinator keys';
    refuse('E_AUTH', 'coordinator-not-allowed', message);
  }
  if (ctx.sessions.size >= o.maxSessions) {
    const message = `this relay holds its maximum of ${o.maxSessions} sessions; try later or another relay`;
    refuse('E_RATE_LIMITED', 'too-many-sessions', message);
  }
  if (ctx.sessions.createdBy(ip) >= o.maxSessionsPerIp) {
    const message = `your address holds its maximum of ${o.maxSessionsPerIp} sessions on this relay; ` +
      `let some expire first`;
    refuse('E_RATE_LIMITED', 'too-many-sessions-per-ip', message);
  }
  const sodium = await getSodium();
  const derived = _identityId(sodium, c.publicKey);
  if (from !== derived) {
    const message = `"from" ${JSON.stringify(from)} is not the id of the presented key (expected ${derived}); ` +
      `ids derive from keys`;
    refuse('E_AUTH', 'id-not-derived', message);
  }
  const msg = authMessage('create', session, from, nonce, await createBodyDigest(c.signedBody));
  if (!(await verify(c.signature, msg, c.publicKey))) {
    refuse('E_AUTH', 'bad-signature', 'signature does not verify for this challenge, session, id and body');
  }
  // After the signature: hashing a 10,000-member roster is work an anonymous peer must not get for free.
  for (const [id, key] of c.roster) {
    if (_identityId(sodium, key) !== id) {
      const message = `roster id ${JSON.stringify(id)} is not the id of its key; ` +
        `list participants as { id: identityId(key), publicKey }`;
      refuse('E_AUTH', 'roster-id-not-derived', message);
    }
  }
  const record: SessionRecord = {
    id: sessionKey(from, session), coordinatorId: from, coordinatorKey: c.publicKey, roster: c.roster,
    limits: effectiveLimits(c.limits, o), createdAt: Date.now(),
  };
  if (!(await ctx.backplane.createSession(record))) {
    const message = `you already have a session ${JSON.stringify(session)}; join it, or pick another name`;
    refuse('E_SESSION_EXISTS', 'session-exists', message);
  }
  return { record, id: from, role: 'coordinator', created: true, ...(c.signedBody.inbox ? { inbox: {} } : {}) };
}

/** The session `name` that `member` may join: by its coordinator when named, else the only one. */
async function findSession(name: string, member: string, coordinator: string | undefined, ctx: AuthContext,
): Promise<SessionRecord> {
  let record: SessionRecord | undefined;
  if (coordinator !== undefined) record = await ctx.backplane.getSession(sessionKey(coordinator, name));
  else {
    const own = await ctx.backplane.getSession(sessionKey(member, name));
    if (own) return own; // the coordinator reconnecting to its own session
    const named = ctx.backplane.sessionsNamed ? await ctx.backplane.sessionsNamed(name) : [];
    const mine = named.filter((r) => r.roster.has(member));
    if (mine.length > 1) {
      const message = `${mine.length} coordinators opened a session ${JSON.stringify(name)} listing you; ` +
        `name yours ("coordinator")`;
      refuse('E_NOT_IN_SESSION', 'ambiguous-session', message);
    }
    record = mine[0] ?? named[0];
  }
  if (record) return record;
  if (ctx.sessions.wasExpired(coordinator === undefined ? name : sessionKey(coordinator, name))) {
    refuse('E_SESSION_EXPIRED', 'session-expired', `session ${JSON.stringify(name)} expired`);
  }
  const whose = coordinator ? ` of coordinator ${coordinator}` : '';
  refuse('E_NOT_IN_SESSION', 'unknown-session', `no session ${JSON.stringify(name)}${whose} on this relay`);
}
