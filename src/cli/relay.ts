/**
 * @module cli/relay
 * `shardwire relay`: runs the relay until SIGTERM/SIGINT, then shuts down gracefully (stop
 * accepting, tell peers, drain, exit 0). Logs are JSON lines on stdout; the one human line
 * ("listening on …") goes to stderr, and nothing at all with `--log-level silent`. Every limit
 * comes from a flag, a SHARDWIRE_RELAY_* variable or `--config <file>` (relay/config-sources.ts).
 */
import { ShardwireError } from '../errors.ts';
import { relayFlagOptions, relayFlagUsage, relayOptionsFromSources } from '../relay/config-sources.ts';
import { startRelay, type RelayOptions } from '../relay/index.ts';
import { intFlag, parseFlags, usageError } from './args.ts';
import { listenForStop } from './stop-signals.ts';

export const summary = 'run the WebSocket relay (default 127.0.0.1:8787) with /healthz and /metrics';

export const usage = `usage: shardwire relay [flags]
${relayFlagUsage()}
  --dashboard                 serve a read-only live dashboard at /dashboard (counts only, no secrets)
  --stop-with-parent          also shut down when the launching process exits (\`npm start\` uses it:
                              npm's shell does not pass SIGTERM on)`;

/**
 * Parses the flags (and the environment and config file they point to) into relay options.
 * @throws {ShardwireError} E_BAD_ARGUMENT (usage) for a bad flag or flag value; E_BAD_CONFIG for a
 *   bad variable or config file.
 */
export async function relayOptions(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>> = process.env,
): Promise<{ options: RelayOptions; stopWithParent: boolean }> {
  const { help: _help, ...settings } = relayFlagOptions();
  const { values } = parseFlags(argv, {
    ...settings,
    dashboard: { type: 'boolean' },
    'stop-with-parent': { type: 'boolean' },
  });
  if (values.port !== undefined) intFlag(values.port, 'port', 8787, 0, 65535); // the usage message for a port
  const host = values.host as string | undefined;
  if (host !== undefined && host.trim() === '') throw usageError('--host expected an address or host name, got ""', { flag: 'host' });
  let options: RelayOptions;
  try {
    options = await relayOptionsFromSources(values, env);
  } catch (e) {
    // a bad flag value is a usage error (exit 2); a bad variable or file stays E_BAD_CONFIG
    const source = e instanceof ShardwireError ? e.details.source : undefined;
    if (typeof source === 'string' && source.startsWith('--')) throw usageError((e as ShardwireError).message.replace(/^E_BAD_CONFIG: /, ''), { flag: source.slice(2) });
    throw e;
  }
  if (values.dashboard === true) options = { ...options, dashboard: true };
  return { options, stopWithParent: values['stop-with-parent'] === true };
}

/** Runs the relay; resolves with the exit code once it has shut down. */
export async function run(argv: string[]): Promise<number> {
  const { options, stopWithParent } = await relayOptions(argv);
  const stop = listenForStop({ stopWithParent });
  let relay;
  try {
    relay = await startRelay(options);
  } catch (e) {
    stop.dispose();
    throw e;
  }
  const level = options.logLevel ?? 'info';
  if (level === 'info' || level === 'debug') {
    const http = `http://${relay.url.slice('ws://'.length)}`;
    const extra = options.dashboard === true ? `, dashboard: ${http}dashboard` : '';
    process.stderr.write(`shardwire relay listening on ${relay.url} (health: ${http}healthz${extra})\n`);
  }
  await stop.stopped;
  await relay.close();
  return 0;
}
