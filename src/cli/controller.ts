/**
 * @module cli/controller
 * `shardwire controller`: runs a FeatureCloud-compatible controller next to one FeatureCloud app
 * (src/controller/). Exit 0 once every site's app finished, 1 with a typed error otherwise, 2 for
 * a usage error. Progress goes to stderr (a live line), or JSON lines to stdout with --json.
 */
import { readFile } from 'node:fs/promises';
import { ShardwireError } from '../errors.ts';
import { loadIdentity } from '../crypto/identity-file.ts';
import { parseRoster } from '../controller/roster-file.ts';
import { choiceFlag, intFlag, parseFlags, usageError } from './args.ts';

export const summary = 'run a FeatureCloud app on shardwire: one controller per site, next to the app';

export const usage = `usage: shardwire controller --app <url> --relay <ws-url> --session <id> --identity <file>
                            --roster <file> [flags]
  --app <url>               the FeatureCloud app's root, e.g. http://127.0.0.1:5000 (API under /api)
  --relay <ws-url>          the shardwire relay, e.g. ws://127.0.0.1:8787/
  --session <id>            the run's id, the same at every site (1-120 of [A-Za-z0-9._:@-])
  --identity <file>         this site's identity (shardwire keygen)
  --roster <file>           {"coordinator": id, "sites": [{"id","publicKey"}, ...]}, the same at every site
  --coordinator             this site coordinates (must match the roster)
  --privacy-budget <e>[,<d>] total ε (and δ, default 0) this site's data may spend; needed for DP
  --threat <mode>           malicious-coordinator (default: double masking) or honest-coordinator
                            (single masking); the same at every site
  --poll-ms <ms>            /api/status polling interval (default 100, FeatureCloud's pace)
  --app-timeout-ms <ms>     deadline of one request to the app (default 30000)
  --join-timeout-ms <ms>    wait this long for the app and the other sites (default 120000)
  --round-timeout-ms <ms>   wait this long for every site's data of an SMPC round (default 120000)
  --share-timeout-ms <ms>   secure rounds: wait this long for the sites' masking keys and shares (default 30000)
  --status-port <n>         serve GET /status on this port (0 = any free port)
  --status-host <addr>      interface of /status (default 127.0.0.1)
  --json                    JSON lines on stdout instead of a live progress line on stderr`;

const DAY_MS = 86_400_000;

/** Parses `8` or `8,1e-5` into a privacy budget. @throws {ShardwireError} E_BAD_ARGUMENT (usage). */
export function parseBudget(text: string | undefined): { epsilon: number; delta: number } | undefined {
  if (text === undefined) return undefined;
  const [e, d, extra] = text.split(',');
  const epsilon = Number(e);
  const delta = d === undefined ? 0 : Number(d);
  if (extra !== undefined || !(epsilon > 0) || !Number.isFinite(epsilon) || !(delta >= 0 && delta < 1)) {
    throw usageError(
      `--privacy-budget expected <epsilon>[,<delta>] with ε > 0 and 0 ≤ δ < 1, e.g. 8 or 8,1e-5; got ` +
        `${JSON.stringify(text)}`,
      { flag: 'privacy-budget' },
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
    const why = (e as Error).message;
    throw new ShardwireError('E_BAD_ARGUMENT', `${flag}: ${JSON.stringify(path)} is not JSON (${why})`, { path });
  }
}

export async function run(argv: string[]): Promise<number> {
  const { values } = parseFlags(argv, {
    app: { type: 'string' },
    relay: { type: 'string' },
    session: { type: 'string' },
    identity: { type: 'string' },
    roster: { type: 'string' },
    coordinator: { type: 'boolean' },
    'privacy-budget': { type: 'string' },
    threat: { type: 'string' },
    'poll-ms': { type: 'string' },
    'app-timeout-ms': { type: 'string' },
    'join-timeout-ms': { type: 'string' },
    'round-timeout-ms': { type: 'string' },
    'share-timeout-ms': { type: 'string' },
    'status-port': { type: 'string' },
    'status-host': { type: 'string' },
    json: { type: 'boolean' },
  });
  for (const flag of ['app', 'relay', 'session', 'identity', 'roster'] as const) {
    if (values[flag] === undefined) throw usageError(`--${flag} is required`, { flag });
  }
  const ms = (flag: string, fallback: number) => intFlag(values[flag], flag, fallback, 1, DAY_MS);
  const options = {
    appUrl: values.app as string,
    relayUrl: values.relay as string,
    session: values.session as string,
    coordinator: values.coordinator === true,
    privacyBudget: parseBudget(values['privacy-budget'] as string | undefined),
    threat: choiceFlag(
      values.threat,
      'threat',
      ['malicious-coordinator', 'honest-coordinator'] as const,
      'malicious-coordinator',
    ),
    pollMs: ms('poll-ms', 100),
    appTimeoutMs: ms('app-timeout-ms', 30_000),
    timeouts: {
      joinMs: ms('join-timeout-ms', 120_000),
      roundMs: ms('round-timeout-ms', 120_000),
      shareMs: ms('share-timeout-ms', 30_000),
    },
    ...(values['status-port'] === undefined
      ? {}
      : {
          statusPort: intFlag(values['status-port'], 'status-port', 0, 0, 65_535),
          statusHost: (values['status-host'] as string | undefined) ?? '127.0.0.1',
        }),
    json: values.json === true,
  };
  const roster = await parseRoster(await readJson(values.roster as string, '--roster'));
  const identity = await loadIdentity(values.identity as string);
  // loaded here, not at the top, so that `shardwire --help` does not load the SDK
  const { runController } = await import('../controller/controller.ts');
  try {
    const { privacyBudget, ...rest } = options;
    await runController({ ...rest, ...(privacyBudget ? { privacyBudget } : {}), identity, roster });
    return 0;
  } finally {
    identity.zeroise();
    // the run is over (summary printed): a straggler — a secure-session join whose coordinator
    // left, which the SDK only gives up after joinMs — must not keep the process alive
    setTimeout(() => process.exit(), 2000).unref();
  }
}
