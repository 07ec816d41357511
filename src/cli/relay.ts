/**
 * @module cli/relay
 * `shardwire relay`: runs the relay until SIGTERM/SIGINT, then shuts down gracefully (stop
 * accepting, tell peers, drain, exit 0).
 */
import { parseArgs } from 'node:util';
import { relayFlagOptions, relayFlagUsage, relayOptionsFromSources } from '../relay/config-sources.ts';
import { startRelay } from '../relay/index.ts';

export const summary = 'run the WebSocket relay (default 127.0.0.1:8787) with /healthz and /metrics';

const USAGE = `usage: shardwire relay [flags]
${relayFlagUsage()}`;

/** Runs the relay; resolves with the exit code once it has shut down. */
export async function run(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: relayFlagOptions(), strict: true });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  // Flags, SHARDWIRE_RELAY_* variables and --config file, validated in src/relay/config-sources.ts.
  const o = await relayOptionsFromSources(values, process.env);
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
