/**
 * @module cli/relay
 * `shardwire relay`: runs the relay until SIGTERM/SIGINT, then shuts down gracefully (stop
 * accepting, tell peers, drain, exit 0). Logs are JSON lines on stdout; the one human line
 * ("listening on …") goes to stderr, and nothing at all with `--log-level silent`.
 */
import { LOG_LEVELS } from '../relay/logger.ts';
import { startRelay, type RelayOptions } from '../relay/index.ts';
import { choiceFlag, intFlag, parseFlags, sizeFlag, usageError } from './args.ts';
import { publicKeyFlag } from './key-flag.ts';
import { listenForStop } from './stop-signals.ts';

export const summary = 'run the WebSocket relay (default 127.0.0.1:8787) with /healthz and /metrics';

export const usage = `usage: shardwire relay [flags]
  --host <addr>               interface to listen on (default 127.0.0.1)
  --port <n>                  TCP port, 0 = any free port (default 8787)
  --max-payload <size>        largest frame payload, e.g. 16MiB, 65536 (default 16MiB)
  --max-connections <n>       refuse connections past this (default 20000)
  --heartbeat-ms <ms>         ping interval; a peer silent for one interval is dropped (default 15000)
  --idle-timeout-ms <ms>      default idle expiry of sessions (default 600000)
  --allow-coordinator <key>   only this Ed25519 public key may create sessions; repeatable. The key is
                              unpadded base64url, as \`shardwire keygen\` and \`shardwire pubkey\` print it
  --dashboard                 serve a read-only live dashboard at /dashboard (counts only, no secrets)
  --log-level <level>         ${LOG_LEVELS.join(' | ')} (default info); JSON lines on stdout
  --stop-with-parent          also shut down when the launching process exits (\`npm start\` uses it:
                              npm's shell does not pass SIGTERM on)`;

const U31 = 2 ** 31 - 1;

/** Parses the flags into relay options. @throws {ShardwireError} E_BAD_ARGUMENT (usage). */
export function relayOptions(argv: readonly string[]): { options: RelayOptions; stopWithParent: boolean } {
  const { values } = parseFlags(argv, {
    host: { type: 'string' },
    port: { type: 'string' },
    'max-payload': { type: 'string' },
    'max-connections': { type: 'string' },
    'heartbeat-ms': { type: 'string' },
    'idle-timeout-ms': { type: 'string' },
    'allow-coordinator': { type: 'string', multiple: true },
    dashboard: { type: 'boolean' },
    'log-level': { type: 'string' },
    'stop-with-parent': { type: 'boolean' },
  });
  const host = values.host as string | undefined;
  if (host !== undefined && host.trim() === '')
    throw usageError('--host expected an address or host name, got ""', { flag: 'host' });
  const o: RelayOptions = {
    host,
    port: intFlag(values.port, 'port', 8787, 0, 65535),
    maxPayloadBytes: sizeFlag(values['max-payload'], 'max-payload'),
    maxConnections: intFlag(values['max-connections'], 'max-connections', 20_000, 1, 10_000_000),
    heartbeatIntervalMs: intFlag(values['heartbeat-ms'], 'heartbeat-ms', 15_000, 1, U31),
    sessionIdleTimeoutMs: intFlag(values['idle-timeout-ms'], 'idle-timeout-ms', 600_000, 1, U31),
    allowedCoordinators: (values['allow-coordinator'] as string[] | undefined)?.map((k) =>
      publicKeyFlag(k, 'allow-coordinator'),
    ),
    dashboard: values.dashboard === true,
    logLevel: choiceFlag(values['log-level'], 'log-level', LOG_LEVELS, 'info'),
  };
  if (o.maxPayloadBytes !== undefined && (o.maxPayloadBytes < 1 || o.maxPayloadBytes > 2 ** 30)) {
    throw usageError(
      `--max-payload expected a size from 1 byte to 1GiB, got ${JSON.stringify(values['max-payload'])}`,
      { flag: 'max-payload' },
    );
  }
  for (const k of Object.keys(o) as (keyof RelayOptions)[]) if (o[k] === undefined) delete o[k];
  return { options: o, stopWithParent: values['stop-with-parent'] === true };
}

/** Runs the relay; resolves with the exit code once it has shut down. */
export async function run(argv: string[]): Promise<number> {
  const { options, stopWithParent } = relayOptions(argv);
  const stop = listenForStop({ stopWithParent });
  let relay;
  try {
    relay = await startRelay(options);
  } catch (e) {
    stop.dispose();
    throw e;
  }
  if (options.logLevel === 'info' || options.logLevel === 'debug') {
    const http = `http://${relay.url.slice('ws://'.length)}`;
    const extra = options.dashboard === true ? `, dashboard: ${http}dashboard` : '';
    process.stderr.write(`shardwire relay listening on ${relay.url} (health: ${http}healthz${extra})\n`);
  }
  await stop.stopped;
  await relay.close();
  return 0;
}
