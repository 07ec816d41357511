/**
 * @module agent/agent-server
 * The local shardwire agent: an HTTP server on a loopback address or a Unix socket that lets a
 * program in any language join sessions, contribute vectors and run rounds through the SDK
 * (routes.ts, docs/AGENT.md). Every request must carry the bearer token written at start to a
 * file only the user can read; a bad request gets its error and the agent keeps running.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { readFileSync } from 'node:fs';
import { chmod, rm, stat } from 'node:fs/promises';
import { endianness } from 'node:os';
import { ShardwireError } from '../errors.ts';
import { aint } from '../guards.ts';
import { Kernel } from '../kernel/kernel.ts';
import { createLogger, type LogLevel, type Logger } from '../relay/logger.ts';
import { newToken, privateTokenPath, tokenMatches, writeTokenFile } from './token.ts';
import { asShardwireError, sendError } from './http-errors.ts';
import { dispatch, type AgentContext } from './routes.ts';
import { contentLength } from './request-body.ts';
import { onFile } from '../coordinator/node-files.ts';

/** Default largest request body: 2^27 bytes (16.7 M float64 or 33.5 M float32 elements). */
export const DEFAULT_MAX_BODY_BYTES = 128 * 1024 * 1024;

/** Options of {@link startAgent}. */
export interface AgentOptions {
  /** Loopback address to listen on (default 127.0.0.1); ignored with `socketPath`. */
  readonly host?: string;
  /** TCP port, 0 = any free port (default 0). */
  readonly port?: number;
  /** Listen on this Unix socket instead of TCP (created with mode 0600). */
  readonly socketPath?: string;
  /** Where to write the token (default: agent.token in a fresh private temp directory). */
  readonly tokenFile?: string;
  /** Largest request body in bytes (default {@link DEFAULT_MAX_BODY_BYTES}). */
  readonly maxBodyBytes?: number;
  /** Log level of the JSON lines written to stderr (default info). */
  readonly logLevel?: LogLevel;
  readonly kernel?: Kernel;
}

/** A running agent. */
export interface Agent {
  /** http://127.0.0.1:port, or http://unix for a socket. */
  readonly url: string;
  readonly socketPath?: string;
  readonly tokenFile: string;
  /** Resolves once the agent has stopped (close() or POST /v1/shutdown). */
  readonly closed: Promise<void>;
  /** Leaves every session, stops listening, removes the token file (and socket). Idempotent. */
  close(): Promise<void>;
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

function packageVersion(): string {
  try {
    return (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string })
      .version;
  } catch {
    return 'unknown';
  }
}

/**
 * Starts an agent and resolves once it listens and its token file is written.
 * @throws {ShardwireError} E_BAD_ARGUMENT for a non-loopback host, an existing socket path or a
 *   bad limit; E_UNSUPPORTED on a big-endian host (the wire is little-endian); E_KERNEL.
 * @example const agent = await startAgent({ port: 0 }); console.log(agent.url, agent.tokenFile)
 */
export async function startAgent(o: AgentOptions = {}): Promise<Agent> {
  if (endianness() !== 'LE')
    throw new ShardwireError(
      'E_UNSUPPORTED',
      'the agent reads little-endian vectors without conversion and runs on little-endian hosts only',
    );
  const host = o.host ?? '127.0.0.1';
  if (o.socketPath === undefined && !isLoopback(host)) {
    throw new ShardwireError(
      'E_BAD_ARGUMENT',
      `"host" expected a loopback address (127.0.0.1, ::1, localhost), got ${JSON.stringify(host)}: the token ` +
        `travels in clear HTTP, so the agent never listens on a network; use a Unix socket or loopback`,
      { field: 'host' },
    );
  }
  const port = aint(o.port ?? 0, 'port', 0, 65535);
  const maxBodyBytes = aint(o.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES, 'maxBodyBytes', 1024, 2 ** 33);
  if (
    o.socketPath !== undefined &&
    (await stat(o.socketPath).then(
      () => true,
      () => false,
    ))
  ) {
    throw new ShardwireError(
      'E_BAD_ARGUMENT',
      `socket path ${JSON.stringify(o.socketPath)} already exists; remove the stale socket or choose another path`,
      { field: 'socketPath' },
    );
  }
  const log: Logger = createLogger(o.logLevel ?? 'info', (line) => process.stderr.write(line));
  const kernel = o.kernel ?? (await Kernel.load());
  const token = newToken();
  const tokenPlace =
    o.tokenFile === undefined
      ? await privateTokenPath()
      : { path: o.tokenFile, remove: () => rm(o.tokenFile!, { force: true }) };
  await onFile('tokenFile', tokenPlace.path, () => writeTokenFile(tokenPlace.path, token));

  let resolveClosed!: () => void;
  const closed = new Promise<void>((r) => (resolveClosed = r));
  let closing: Promise<void> | undefined;
  const ctx: AgentContext = {
    kernel,
    participants: new Map(),
    coordinators: new Map(),
    gone: new Set(),
    maxBodyBytes,
    startedAt: performance.now(),
    version: packageVersion(),
    counters: { requests: 0, internalErrors: 0, errors: {} },
    shutdown: () => void close(),
  };
  const onBug = (e: unknown) => {
    ctx.counters.internalErrors++;
    log.error('internal error', { error: e instanceof Error ? (e.stack ?? e.message) : String(e) });
  };

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    ctx.counters.requests++;
    const t0 = performance.now();
    const path = (req.url ?? '').split('?')[0].slice(0, 200);
    const answer = async () => {
      if (!tokenMatches(req.headers.authorization, token)) {
        throw new ShardwireError(
          'E_BAD_TOKEN',
          'missing or wrong bearer token; send "Authorization: Bearer <token>" with the token from the agent\'s ' +
            'token file',
        );
      }
      contentLength(req, maxBodyBytes, false); // refuse an oversized body before routing or reading it
      await dispatch(ctx, req, res);
    };
    answer()
      .catch((thrown: unknown) => {
        const e = asShardwireError(thrown, onBug);
        ctx.counters.errors[e.code] = (ctx.counters.errors[e.code] ?? 0) + 1;
        log.info('request refused', { method: req.method, path, code: e.code });
        sendError(res, e, req.complete ? undefined : req);
      })
      .finally(() =>
        log.debug('request', {
          method: req.method,
          path,
          status: res.statusCode,
          ms: Math.round(performance.now() - t0),
        }),
      );
  });
  server.on('clientError', (_e, socket) => socket.destroy());

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    if (o.socketPath !== undefined) server.listen(o.socketPath, resolve);
    else server.listen(port, host, resolve);
  }).catch(async (e: NodeJS.ErrnoException) => {
    await tokenPlace.remove().catch(() => undefined);
    throw new ShardwireError(
      'E_BAD_ARGUMENT',
      `the agent cannot listen on ${o.socketPath ?? `${host}:${port}`} (${e.code ?? e.message})`,
      { errno: e.code },
    );
  });
  if (o.socketPath !== undefined) await chmod(o.socketPath, 0o600);
  const address = server.address();
  const url =
    o.socketPath !== undefined || address === null || typeof address === 'string'
      ? 'http://unix'
      : `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`;
  log.info('agent listening', { url, socket: o.socketPath, tokenFile: tokenPlace.path });

  function close(): Promise<void> {
    closing ??= (async () => {
      for (const p of ctx.participants.values()) p.leave();
      for (const c of ctx.coordinators.values()) c.close();
      ctx.participants.clear();
      ctx.coordinators.clear();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await tokenPlace.remove().catch(() => undefined);
      if (o.socketPath !== undefined) await rm(o.socketPath, { force: true }).catch(() => undefined);
      log.info('agent stopped');
      resolveClosed();
    })();
    return closing;
  }
  return {
    url,
    tokenFile: tokenPlace.path,
    closed,
    close,
    ...(o.socketPath === undefined ? {} : { socketPath: o.socketPath }),
  };
}
