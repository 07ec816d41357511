/**
 * @module agent/routes
 * The agent's HTTP API, version 1 (docs/AGENT.md): one table of method, path and handler. The
 * server (agent-server.ts) authenticates every request before it gets here and turns what a
 * handler throws into the error answer.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomBytes } from 'node:crypto';
import { ShardwireError } from '../errors.ts';
import type { Kernel } from '../kernel/kernel.ts';
import { ParticipantSession, parseJoinRequest } from './participant-session.ts';
import { CoordinatorSession, parseStartRequest } from './coordinator-session.ts';
import { contentLength, readBody, readJson } from './request-body.ts';
import { ENVELOPE_CONTENT_TYPE, envelope, parseVectorHeaders, vectorView } from './vector-codec.ts';
import { aint } from '../guards.ts';
import { errorBody, statusOf } from './http-errors.ts';

/** What handlers share: the kernel, the sessions and the agent's limits and counters. */
export interface AgentContext {
  readonly kernel: Kernel;
  readonly participants: Map<string, ParticipantSession>;
  readonly coordinators: Map<string, CoordinatorSession>;
  /** Handles that left or closed, so a late call says so instead of "not found". */
  readonly gone: Set<string>;
  readonly maxBodyBytes: number;
  readonly startedAt: number;
  readonly version: string;
  readonly counters: { requests: number; internalErrors: number; errors: Record<string, number> };
  shutdown(): void;
}

type Handler = (
  ctx: AgentContext,
  req: IncomingMessage,
  res: ServerResponse,
  params: string[],
  url: URL,
) => Promise<void>;

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function sendEnvelope(res: ServerResponse, meta: Record<string, unknown>, data: Float64Array): void {
  const parts = envelope(meta, data);
  res.writeHead(200, {
    'content-type': ENVELOPE_CONTENT_TYPE,
    'content-length': parts.reduce((n, p) => n + p.byteLength, 0),
  });
  for (const p of parts.slice(0, -1)) res.write(p);
  res.end(parts[parts.length - 1]);
}

function lookup<T>(ctx: AgentContext, map: Map<string, T>, handle: string, what: string): T {
  const s = map.get(handle);
  if (s) return s;
  if (ctx.gone.has(handle))
    throw new ShardwireError('E_BAD_STATE', `${what} ${handle} has already left or closed; join or start again`, {
      handle,
    });
  throw new ShardwireError('E_NOT_FOUND', `no ${what} ${handle} in this agent`, { handle });
}

const round3 = (ms: number) => Math.round(ms * 1000) / 1000;

const newHandle = (prefix: string) => `${prefix}-${randomBytes(6).toString('hex')}`;

function waitParam(url: URL, name: string): number {
  const v = url.searchParams.get(name);
  return v === null ? 0 : aint(/^\d{1,9}$/.test(v) ? Number(v) : NaN, name, 0, 600_000);
}

async function roundAnswer(
  ctx: AgentContext,
  res: ServerResponse,
  c: CoordinatorSession,
  memo: string,
  waitMs: number,
): Promise<void> {
  const r = await c.round(memo, waitMs);
  if (r.state === 'running') return sendJson(res, 202, { memo, state: 'running' });
  if (r.error) return sendJson(res, statusOf(r.error.code), { ...errorBody(r.error), memo });
  sendEnvelope(res, { memo, state: 'done', report: r.result!.report }, r.result!.aggregate);
}

const status: Handler = async (ctx, _req, res) => {
  sendJson(res, 200, {
    api: 'v1',
    version: ctx.version,
    pid: process.pid,
    uptimeMs: Math.round(performance.now() - ctx.startedAt),
    maxBodyBytes: ctx.maxBodyBytes,
    kernel: ctx.kernel.flavour,
    requests: ctx.counters.requests,
    errors: ctx.counters.errors,
    internalErrors: ctx.counters.internalErrors,
    participants: [...ctx.participants.values()].map((p) => p.status()),
    coordinators: [...ctx.coordinators.values()].map((c) => c.status()),
  });
};

const join: Handler = async (ctx, req, res) => {
  const r = parseJoinRequest(await readJson(req));
  const handle = newHandle('p');
  const p = await ParticipantSession.join(handle, r, ctx.kernel);
  ctx.participants.set(handle, p);
  sendJson(res, 201, p.status());
};

const contribute: Handler = async (ctx, req, res, [handle]) => {
  const p = lookup(ctx, ctx.participants, handle, 'participant');
  // headers first: a wrong dtype or shape is refused before the body is read
  const v = parseVectorHeaders(req.headers, contentLength(req, ctx.maxBodyBytes, true)!);
  const t0 = performance.now();
  const bytes = await readBody(req, ctx.maxBodyBytes, { requireLength: true });
  const t1 = performance.now();
  const r = await p.contribute(vectorView(bytes, v.dtype), v);
  // where the time went, so a caller can tell the agent's share from the SDK's (bench:python)
  // (computeMs: the SDK's own work in the round, its waits for the other participants excluded)
  const timings = { readMs: round3(t1 - t0), sdkMs: round3(performance.now() - t1), computeMs: round3(r.computeMs) };
  const saturation = r.clippedElements === undefined ? {} : { clippedElements: r.clippedElements, clippedClients: r.clippedClients };
  const meta = { memo: r.memo, bytesSent: r.bytesSent, timings, ...(r.contributors ? { contributors: r.contributors } : {}), ...saturation, ...(r.privacy ? { privacy: r.privacy } : {}) };
  if (r.aggregate) sendEnvelope(res, meta, r.aggregate);
  else sendJson(res, 200, meta);
};

const leave: Handler = async (ctx, _req, res, [handle]) => {
  const p = lookup(ctx, ctx.participants, handle, 'participant');
  p.leave();
  ctx.participants.delete(handle);
  ctx.gone.add(handle);
  sendJson(res, 200, p.status());
};

const start: Handler = async (ctx, req, res) => {
  const r = parseStartRequest(await readJson(req));
  const handle = newHandle('c');
  const c = await CoordinatorSession.start(handle, r, ctx.kernel);
  ctx.coordinators.set(handle, c);
  sendJson(res, 201, c.status());
};

const waitParticipants: Handler = async (ctx, req, res, [handle]) => {
  const c = lookup(ctx, ctx.coordinators, handle, 'coordinator');
  const o = await readJson(req);
  const count = o.count === undefined ? undefined : aint(o.count, 'count', 1, c.coordinator.roster.size);
  const timeoutMs = o.timeoutMs === undefined ? undefined : aint(o.timeoutMs, 'timeoutMs', 0, 86_400_000);
  const ready = await c.coordinator.waitForParticipants(count, timeoutMs);
  sendJson(res, 200, { ready });
};

const startRound: Handler = async (ctx, req, res, [handle], url) => {
  const c = lookup(ctx, ctx.coordinators, handle, 'coordinator');
  const wait = url.searchParams.get('wait');
  const { memo, done } = c.startRound(await readJson(req));
  if (wait === null || wait === 'false') return sendJson(res, 202, { memo, state: 'running' });
  await done;
  await roundAnswer(ctx, res, c, memo, 0);
};

const getRound: Handler = async (ctx, _req, res, [handle, memo], url) => {
  const c = lookup(ctx, ctx.coordinators, handle, 'coordinator');
  let decoded: string;
  try {
    decoded = decodeURIComponent(memo!);
  } catch {
    throw new ShardwireError('E_NOT_FOUND', 'the round memo in the path is not valid percent-encoding', { field: 'memo' });
  }
  await roundAnswer(ctx, res, c, decoded, waitParam(url, 'waitMs'));
};

const closeCoordinator: Handler = async (ctx, _req, res, [handle]) => {
  const c = lookup(ctx, ctx.coordinators, handle, 'coordinator');
  c.close();
  ctx.coordinators.delete(handle);
  ctx.gone.add(handle);
  sendJson(res, 200, c.status());
};

const shutdown: Handler = async (ctx, _req, res) => {
  res.once('finish', () => ctx.shutdown());
  sendJson(res, 202, { state: 'stopping' });
};

const H = '([A-Za-z0-9_-]{1,64})';
/** The API: method, path pattern (captures are the handler's params), handler. */
export const ROUTES: readonly { method: string; path: RegExp; handler: Handler }[] = [
  { method: 'GET', path: /^\/v1\/status$/, handler: status },
  { method: 'POST', path: /^\/v1\/participants$/, handler: join },
  {
    method: 'GET',
    path: new RegExp(`^/v1/participants/${H}$`),
    handler: async (ctx, _q, res, [h]) => sendJson(res, 200, lookup(ctx, ctx.participants, h, 'participant').status()),
  },
  { method: 'POST', path: new RegExp(`^/v1/participants/${H}/contributions$`), handler: contribute },
  { method: 'DELETE', path: new RegExp(`^/v1/participants/${H}$`), handler: leave },
  { method: 'POST', path: /^\/v1\/coordinators$/, handler: start },
  {
    method: 'GET',
    path: new RegExp(`^/v1/coordinators/${H}$`),
    handler: async (ctx, _q, res, [h]) => sendJson(res, 200, lookup(ctx, ctx.coordinators, h, 'coordinator').status()),
  },
  { method: 'POST', path: new RegExp(`^/v1/coordinators/${H}/participants/wait$`), handler: waitParticipants },
  { method: 'POST', path: new RegExp(`^/v1/coordinators/${H}/rounds$`), handler: startRound },
  { method: 'GET', path: new RegExp(`^/v1/coordinators/${H}/rounds/([A-Za-z0-9._:@%-]{1,400})$`), handler: getRound },
  { method: 'DELETE', path: new RegExp(`^/v1/coordinators/${H}$`), handler: closeCoordinator },
  { method: 'POST', path: /^\/v1\/shutdown$/, handler: shutdown },
];

/**
 * Finds the route for `req` and runs it.
 * @throws {ShardwireError} E_NOT_FOUND for an unknown path or a method the path does not take;
 *   whatever the handler throws.
 */
export async function dispatch(ctx: AgentContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  let url: URL;
  try {
    url = new URL(req.url ?? '/', 'http://agent');
  } catch {
    throw new ShardwireError('E_NOT_FOUND', 'the request target is not a path the agent serves', { field: 'path' });
  }
  const onPath = ROUTES.filter((r) => r.path.test(url.pathname));
  const route = onPath.find((r) => r.method === req.method);
  if (!route) {
    const allowed = onPath.map((r) => r.method);
    throw new ShardwireError(
      'E_NOT_FOUND',
      allowed.length > 0
        ? `${req.method} is not allowed on ${url.pathname} (allowed: ${allowed.join(', ')})`
        : `no route ${url.pathname}; the API is under /v1 (see docs/AGENT.md)`,
      { method: req.method, path: url.pathname.slice(0, 200) },
    );
  }
  const params = route.path.exec(url.pathname)!.slice(1);
  await route.handler(ctx, req, res, params, url);
}
