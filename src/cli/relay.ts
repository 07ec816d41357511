/**
 * @module cli/relay
 * `shardwire relay`: runs the relay until SIGTERM/SIGINT, then shuts down gracefully (stop
 * accepting, tell peers, drain, exit 0).
 */
import { parseArgs } from 'node:util';
import { ShardwireError } from '../errors.ts';
import { fromBase64url } from '../wire/base64url.ts';
import { LOG_LEVELS, type LogLevel } from '../relay/logger.ts';
import { startRelay, type RelayOptions } from '../relay/index.ts';

export const summary = 'run the WebSocket relay (default 127.0.0.1:8787) with /healthz and /metrics';

const USAGE = `usage: shardwire relay [flags]
  --host <addr>               interface to listen on (default 127.0.0.1)
  --port <n>                  TCP port, 0 = any free port (default 8787)
  --max-payload <size>        largest frame payload, e.g. 16MiB, 65536 (default 16MiB)
  --max-connections <n>       refuse connections past this (default 20000)
  --heartbeat-ms <ms>         ping interval; a peer silent for one interval is dropped (default 15000)
  --idle-timeout-ms <ms>      default idle expiry of sessions (default 600000)
  --allow-coordinator <key>   only this Ed25519 public key (base64url) may create sessions; repeatable
  --log-level <level>         ${LOG_LEVELS.join(' | ')} (default info); JSON lines on stdout`;

/** Parses `16MiB`, `64KiB`, `1000`. */
function size(text: string, flag: string): number {
  const m = /^(\d+)\s*(B|KiB|MiB|GiB)?$/i.exec(text);
  if (!m) throw new ShardwireError('E_BAD_ARGUMENT', `${flag} expected a size like 65536, 64KiB or 16MiB, got ${JSON.stringify(text)}`, { flag });
  const unit = (m[2] ?? 'B').toLowerCase();
  return Number(m[1]) * ({ b: 1, kib: 1024, mib: 1024 ** 2, gib: 1024 ** 3 } as Record<string, number>)[unit]!;
}

function int(text: string | undefined, flag: string): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text)) throw new ShardwireError('E_BAD_ARGUMENT', `${flag} expected a non-negative integer, got ${JSON.stringify(text)}`, { flag });
  return Number(text);
}

/** Runs the relay; resolves with the exit code once it has shut down. */
export async function run(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      host: { type: 'string' },
      port: { type: 'string' },
      'max-payload': { type: 'string' },
      'max-connections': { type: 'string' },
      'heartbeat-ms': { type: 'string' },
      'idle-timeout-ms': { type: 'string' },
      'allow-coordinator': { type: 'string', multiple: true },
      'log-level': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const keys = values['allow-coordinator']?.map((k) => {
    const b = fromBase64url(k);
    if (!b || b.length !== 32) throw new ShardwireError('E_BAD_ARGUMENT', `--allow-coordinator expected a 32-byte Ed25519 public key in base64url, got ${JSON.stringify(k.slice(0, 60))}`, {});
    return b;
  });
  const o: RelayOptions = {
    host: values.host,
    port: int(values.port, '--port'),
    maxPayloadBytes: values['max-payload'] === undefined ? undefined : size(values['max-payload'], '--max-payload'),
    maxConnections: int(values['max-connections'], '--max-connections'),
    heartbeatIntervalMs: int(values['heartbeat-ms'], '--heartbeat-ms'),
    sessionIdleTimeoutMs: int(values['idle-timeout-ms'], '--idle-timeout-ms'),
    allowedCoordinators: keys,
    logLevel: values['log-level'] as LogLevel | undefined,
  };
  for (const k of Object.keys(o) as (keyof RelayOptions)[]) if (o[k] === undefined) delete o[k];
  const relay = await startRelay(o);
  // Plain line for humans and scripts that wait for readiness (the JSON log has it too).
  console.log(`shardwire relay listening on ${relay.url} (health: http://${relay.url.slice(5)}healthz)`);
  await new Promise<void>((resolve) => {
    const stop = () => {
      process.off('SIGTERM', stop);
      process.off('SIGINT', stop);
      resolve();
    };
    process.on('SIGTERM', stop);
    process.on('SIGINT', stop);
  });
  await relay.close();
  return 0;
}
