/**
 * @module cli/controller
 * `shardwire controller`: runs a FeatureCloud-compatible controller next to one FeatureCloud app
 * (src/controller/). Exit 0 once every site's app finished, 1 with a typed error otherwise.
 */
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { ShardwireError } from '../errors.ts';
import { loadIdentity } from '../crypto/identity-file.ts';
import { parseRoster } from '../controller/roster-file.ts';

export const summary = 'run a FeatureCloud app on shardwire: one controller per site, next to the app';

const USAGE = `usage: shardwire controller --app <url> --relay <ws-url> --session <id> --identity <file>
                            --roster <file> [flags]
  --app <url>               the FeatureCloud app's root, e.g. http://127.0.0.1:5000 (API under /api)
  --relay <ws-url>          the shardwire relay, e.g. ws://127.0.0.1:8787/
  --session <id>            the run's id, the same at every site (1-120 of [A-Za-z0-9._:@-])
  --identity <file>         this site's identity (shardwire keygen)
  --roster <file>           {"coordinator": id, "sites": [{"id","publicKey"}, ...]}, the same at every site
  --coordinator             this site coordinates (must match the roster)
  --privacy-budget <e>[,<d>] total ε (and δ, default 0) this site's data may spend; needed for DP
  --poll-ms <ms>            /api/status polling interval (default 100, FeatureCloud's pace)
  --app-timeout-ms <ms>     deadline of one request to the app (default 30000)
  --join-timeout-ms <ms>    wait this long for the app and the other sites (default 120000)
  --round-timeout-ms <ms>   wait this long for every site's data of an SMPC round (default 120000)
  --share-timeout-ms <ms>   secure rounds: wait this long for the sites' masking keys and shares (default 30000)
  --threat <mode>           malicious-coordinator (default: double masking) or honest-coordinator
                            (single masking); the same at every site
  --status-port <n>         serve GET /status on this port (0 = any free port)
  --status-host <addr>      interface of /status (default 127.0.0.1)
  --json                    JSON lines on stdout instead of a live progress line`;

function int(text: string | undefined, flag: string): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text))
    throw new ShardwireError('E_BAD_ARGUMENT', `${flag} expected a non-negative integer, got ${JSON.stringify(text)}`, {
      flag,
    });
  return Number(text);
}

/** Parses `8` or `8,1e-5` into a privacy budget. */
export function parseBudget(text: string | undefined): { epsilon: number; delta: number } | undefined {
  if (text === undefined) return undefined;
  const [e, d, extra] = text.split(',');
  const epsilon = Number(e);
  const delta = d === undefined ? 0 : Number(d);
  if (extra !== undefined || !(epsilon > 0) || !Number.isFinite(epsilon) || !(delta >= 0 && delta < 1)) {
    throw new ShardwireError(
      'E_BAD_ARGUMENT',
      `--privacy-budget expected <epsilon>[,<delta>] with ε > 0 and 0 ≤ δ < 1, e.g. 8 or 8,1e-5; got ` +
        `${JSON.stringify(text)}`,
      { flag: '--privacy-budget' },
    );
  }
  return { epsilon, delta };
}

async function readJson(path: string, flag: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw new ShardwireError(
      'E_BAD_ARGUMENT',
      `${flag}: cannot read ${JSON.stringify(path)} (${(e as NodeJS.ErrnoException).code ?? 'error'})`,
      { path },
    );
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new ShardwireError(
      'E_BAD_ARGUMENT',
      `${flag}: ${JSON.stringify(path)} is not JSON (${(e as Error).message})`,
      { path },
    );
  }
}

export async function run(argv: string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        app: { type: 'string' },
        relay: { type: 'string' },
        session: { type: 'string' },
        identity: { type: 'string' },
        roster: { type: 'string' },
        coordinator: { type: 'boolean' },
        'privacy-budget': { type: 'string' },
        'poll-ms': { type: 'string' },
        'app-timeout-ms': { type: 'string' },
        'join-timeout-ms': { type: 'string' },
        'round-timeout-ms': { type: 'string' },
        'share-timeout-ms': { type: 'string' },
        threat: { type: 'string' },
        'status-port': { type: 'string' },
        'status-host': { type: 'string' },
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (e) {
    console.error(`shardwire controller: ${(e as Error).message}\n${USAGE}`);
    return 2;
  }
  if (values.help === true) {
    console.log(USAGE);
    return 0;
  }
  for (const flag of ['app', 'relay', 'session', 'identity', 'roster'] as const) {
    if (values[flag] === undefined) {
      console.error(`shardwire controller: --${flag} is required\n${USAGE}`);
      return 2;
    }
  }
  const roster = await parseRoster(await readJson(values.roster!, '--roster'));
  const identity = await loadIdentity(values.identity!);
  const joinMs = int(values['join-timeout-ms'], '--join-timeout-ms');
  const roundMs = int(values['round-timeout-ms'], '--round-timeout-ms');
  const shareMs = int(values['share-timeout-ms'], '--share-timeout-ms');
  const threat = values.threat;
  if (threat !== undefined && threat !== 'malicious-coordinator' && threat !== 'honest-coordinator') {
    identity.zeroise();
    throw new ShardwireError(
      'E_BAD_ARGUMENT',
      `--threat expected malicious-coordinator or honest-coordinator, got ${JSON.stringify(threat)}`,
      { flag: '--threat' },
    );
  }
  // loaded here, not at the top, so that `shardwire --help` does not load the SDK
  const { runController } = await import('../controller/controller.ts');
  try {
    await runController({
      appUrl: values.app!,
      relayUrl: values.relay!,
      session: values.session!,
      identity,
      roster,
      coordinator: values.coordinator === true,
      ...(values['privacy-budget'] === undefined ? {} : { privacyBudget: parseBudget(values['privacy-budget']) }),
      ...(values['poll-ms'] === undefined ? {} : { pollMs: int(values['poll-ms'], '--poll-ms') }),
      ...(values['app-timeout-ms'] === undefined
        ? {}
        : { appTimeoutMs: int(values['app-timeout-ms'], '--app-timeout-ms') }),
      timeouts: {
        ...(joinMs === undefined ? {} : { joinMs }),
        ...(roundMs === undefined ? {} : { roundMs }),
        ...(shareMs === undefined ? {} : { shareMs }),
      },
      ...(threat === undefined ? {} : { threat }),
      ...(values['status-port'] === undefined
        ? {}
        : {
            statusPort: int(values['status-port'], '--status-port'),
            statusHost: values['status-host'] ?? '127.0.0.1',
          }),
      json: values.json === true,
    });
    return 0;
  } finally {
    identity.zeroise();
    // the run is over (summary printed): a straggler — a secure-session join whose coordinator
    // left, which the SDK only gives up after joinMs — must not keep the process alive
    setTimeout(() => process.exit(), 2000).unref();
  }
}
