/**
 * @module relay/config-sources
 * Relay settings from the command line, the environment and a JSON config file, in that order of
 * precedence over the defaults of options.ts. One table names every setting once: its option key
 * (also its key in the config file), its flag and its environment variable
 * (`SHARDWIRE_RELAY_` + the flag in upper snake case: `--max-payload` → `SHARDWIRE_RELAY_MAX_PAYLOAD`).
 * Every bad value is E_BAD_CONFIG naming the setting and where it came from.
 *
 * @example
 * const options = await relayOptionsFromSources({ 'max-payload': '64MiB' }, process.env)
 * const relay = await startRelay(options)
 */
import { readFile } from 'node:fs/promises';
import { ShardwireError } from '../errors.ts';
import { describe } from '../guards.ts';
import { fromBase64url } from '../wire/base64url.ts';
import { LOG_LEVELS } from './logger.ts';
import { resolveRelayOptions, type RelayOptions } from './options.ts';

/** How a setting's text is read. */
type Kind = 'int' | 'size' | 'rate' | 'byte-rate' | 'string' | 'keys' | 'level';

/** One relay setting. */
export interface RelaySetting {
  /** Key in RelayOptions and in the config file. */
  readonly key: keyof RelayOptions & string;
  /** Command-line flag without the dashes. */
  readonly flag: string;
  readonly kind: Kind;
  readonly help: string;
}

/** Every setting the CLI, the environment and config files may set. */
export const RELAY_SETTINGS: readonly RelaySetting[] = [
  { key: 'host', flag: 'host', kind: 'string', help: 'interface to listen on (default 127.0.0.1)' },
  { key: 'port', flag: 'port', kind: 'int', help: 'TCP port, 0 = any free port (default 8787)' },
  {
    key: 'maxPayloadBytes',
    flag: 'max-payload',
    kind: 'size',
    help: 'largest frame payload, e.g. 16MiB, 65536 (default 16MiB)',
  },
  {
    key: 'maxConnections',
    flag: 'max-connections',
    kind: 'int',
    help: 'authenticated connections held (default 20000)',
  },
  {
    key: 'maxPreAuth',
    flag: 'max-preauth',
    kind: 'int',
    help: 'unauthenticated connections held; the oldest is evicted past it (default 1024)',
  },
  {
    key: 'maxPreAuthPerIp',
    flag: 'max-preauth-per-ip',
    kind: 'int',
    help: 'unauthenticated connections per address (default 256)',
  },
  {
    key: 'authTimeoutMs',
    flag: 'auth-timeout-ms',
    kind: 'int',
    help: 'time to authenticate after connecting (default 5000)',
  },
  { key: 'maxSessions', flag: 'max-sessions', kind: 'int', help: 'sessions held (default 10000)' },
  {
    key: 'maxSessionsPerIp',
    flag: 'max-sessions-per-ip',
    kind: 'int',
    help: 'live sessions created from one address (default 1000)',
  },
  { key: 'maxRoster', flag: 'max-roster', kind: 'int', help: 'largest session roster (default 10000)' },
  {
    key: 'heartbeatIntervalMs',
    flag: 'heartbeat-ms',
    kind: 'int',
    help: 'ping interval; a peer silent for one interval is dropped (default 15000)',
  },
  {
    key: 'sessionIdleTimeoutMs',
    flag: 'idle-timeout-ms',
    kind: 'int',
    help: 'default idle expiry of sessions (default 600000)',
  },
  {
    key: 'maxSessionIdleTimeoutMs',
    flag: 'max-idle-timeout-ms',
    kind: 'int',
    help: 'longest idle expiry a session may ask for (default 86400000)',
  },
  {
    key: 'messagesPerSecond',
    flag: 'message-rate',
    kind: 'rate',
    help: 'frames per second per identity, or "unlimited" (default 1000)',
  },
  {
    key: 'burstMessages',
    flag: 'message-burst',
    kind: 'rate',
    help: 'frames an identity may send at once (default 2000)',
  },
  {
    key: 'bytesPerSecond',
    flag: 'byte-rate',
    kind: 'byte-rate',
    help: 'bytes per second per identity, e.g. 256MiB, or "unlimited" (default 256MiB)',
  },
  {
    key: 'burstBytes',
    flag: 'byte-burst',
    kind: 'byte-rate',
    help: 'bytes an identity may send at once (default 4 x max payload + 64KiB)',
  },
  {
    key: 'highWaterMarkBytes',
    flag: 'high-water-mark',
    kind: 'size',
    help: 'bytes queued to one receiver before frames to it are dropped (default 2 x max payload)',
  },
  {
    key: 'maxBadFrames',
    flag: 'max-bad-frames',
    kind: 'rate',
    help: 'bad frames tolerated per connection, or "unlimited" (default 8)',
  },
  {
    key: 'shutdownGraceMs',
    flag: 'shutdown-grace-ms',
    kind: 'int',
    help: 'time peers get to drain on shutdown (default 5000)',
  },
  {
    key: 'allowedCoordinators',
    flag: 'allow-coordinator',
    kind: 'keys',
    help: 'only this Ed25519 public key (base64url) may create sessions; repeatable (env: comma-separated)',
  },
  {
    key: 'inboxWindowMs',
    flag: 'inbox-window-ms',
    kind: 'int',
    help: 'how long frames wait for an absent member (default 60000; 0 = off)',
  },
  { key: 'inboxMaxFrames', flag: 'inbox-max-frames', kind: 'int', help: 'frames kept per member inbox (default 1024)' },
  { key: 'inboxMaxBytes', flag: 'inbox-max-bytes', kind: 'size', help: 'bytes kept per member inbox (default 16MiB)' },
  {
    key: 'backplaneUrl',
    flag: 'backplane',
    kind: 'string',
    help: 'memory (default) or redis://host:port: share sessions and routing with other relays',
  },
  {
    key: 'redisClient',
    flag: 'redis-client',
    kind: 'string',
    help: 'ioredis (default) or node-redis, for a redis:// backplane',
  },
  {
    key: 'logLevel',
    flag: 'log-level',
    kind: 'level',
    help: `${LOG_LEVELS.join(' | ')} (default info); JSON lines on stdout`,
  },
];

/** Environment variable of a setting. */
export function envName(s: Pick<RelaySetting, 'flag'>): string {
  return `SHARDWIRE_RELAY_${s.flag.replace(/-/g, '_').toUpperCase()}`;
}
/** Environment variable naming a config file (the `--config` flag wins over it). */
export const CONFIG_ENV = 'SHARDWIRE_RELAY_CONFIG';

type FlagOption = { type: 'string' | 'boolean'; multiple?: boolean; short?: string };

/** `node:util` parseArgs options for every setting, plus `--config` and `--help`. */
export function relayFlagOptions(): Record<string, FlagOption> {
  const out: Record<string, FlagOption> = {};
  for (const s of RELAY_SETTINGS) out[s.flag] = { type: 'string', ...(s.kind === 'keys' ? { multiple: true } : {}) };
  return { ...out, config: { type: 'string' }, help: { type: 'boolean', short: 'h' } };
}

const HINT: Record<Kind, string> = {
  int: '<n>',
  size: '<size>',
  rate: '<n>',
  'byte-rate': '<size>',
  string: '<addr>',
  keys: '<key>',
  level: '<level>',
};

/** Usage lines for every setting (flag, value hint, help). */
export function relayFlagUsage(): string {
  const lines = RELAY_SETTINGS.map((s) => `  --${`${s.flag} ${HINT[s.kind]}`.padEnd(28)}${s.help}`);
  const example = '{"maxPayloadBytes": "64MiB"}';
  lines.push(`  --${'config <file>'.padEnd(28)}JSON file of settings by option name, e.g. ${example}`);
  lines.push(`  every setting can also come from ${envName({ flag: '<flag>' })}; flags win over the environment,`);
  lines.push('  which wins over the file');
  return lines.join('\n');
}

const SIZE_UNITS: Record<string, number> = { b: 1, kib: 1024, mib: 1024 ** 2, gib: 1024 ** 3 };

function bad(source: string, expected: string, got: unknown, field: string): never {
  const shown = typeof got === 'string' ? JSON.stringify(got.slice(0, 80)) : describe(got);
  throw new ShardwireError('E_BAD_CONFIG', `${source} expected ${expected}, got ${shown}`, { field, source });
}

function keyList(v: unknown, source: string, field: string): Uint8Array[] {
  const list: unknown[] = Array.isArray(v)
    ? v
    : typeof v === 'string'
      ? v
          .split(',')
          .map((k) => k.trim())
          .filter((k) => k !== '')
      : bad(source, 'a list of base64url keys', v, field);
  return list.map((k) => {
    const b = typeof k === 'string' ? fromBase64url(k) : undefined;
    if (!b || b.length !== 32) bad(source, 'a 32-byte Ed25519 public key in base64url (shardwire keygen)', k, field);
    return b;
  });
}

/** Reads one value of setting `s` (text from a flag or the environment, any JSON value from a file). */
function parseValue(s: RelaySetting, v: unknown, source: string): unknown {
  const unlimited = s.kind === 'rate' || s.kind === 'byte-rate';
  if (unlimited && v === 'unlimited') return Infinity;
  if (s.kind === 'keys') return keyList(v, source, s.key);
  if (s.kind === 'string' || s.kind === 'level') {
    const expected = s.kind === 'level' ? `one of ${LOG_LEVELS.join(', ')}` : 'a non-empty string';
    if (typeof v !== 'string' || v === '' || (s.kind === 'level' && !(LOG_LEVELS as readonly string[]).includes(v))) bad(source, expected, v, s.key);
    return v;
  }
  if (typeof v === 'number') return v; // from a file: range checks are options.ts's
  const sized = s.kind === 'size' || s.kind === 'byte-rate';
  const m = typeof v === 'string' ? (sized ? /^(\d+)\s*(B|KiB|MiB|GiB)?$/i : /^(\d+)()$/).exec(v.trim()) : null;
  if (!m) {
    const what = sized ? 'a size like 65536, 64KiB or 16MiB' : 'a non-negative integer';
    bad(source, `${what}${unlimited ? ' or "unlimited"' : ''}`, v, s.key);
  }
  return Number(m[1]) * SIZE_UNITS[(m[2] || 'B').toLowerCase()]!;
}

function fileError(path: string, message: string): ShardwireError {
  return new ShardwireError('E_BAD_CONFIG', `config file ${JSON.stringify(path)} ${message}`, { source: path });
}

async function readConfigFile(path: string, read: (p: string) => Promise<string>): Promise<Record<string, unknown>> {
  let text: string;
  try {
    text = await read(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? 'error';
    throw fileError(path, `could not be read (${code}); check the path given to --config or ${CONFIG_ENV}`);
  }
  let o: unknown;
  try {
    o = JSON.parse(text);
  } catch (e) {
    throw fileError(path, `is not valid JSON: ${(e as Error).message}`);
  }
  if (typeof o !== 'object' || o === null || Array.isArray(o)) {
    throw fileError(path, `expected a JSON object of settings, got ${describe(o)}`);
  }
  return o as Record<string, unknown>;
}

/**
 * Merges defaults < config file < environment < flags into relay options and validates them.
 * `flags` are `parseArgs` values of {@link relayFlagOptions}; `env` is usually `process.env`.
 *
 * @throws {ShardwireError} E_BAD_CONFIG naming the setting and its source (flag, variable or file),
 *   for an unknown key in the file, a value of the wrong form, or one that options.ts refuses.
 * @example const o = await relayOptionsFromSources({ port: '9000', config: 'relay.json' }, process.env)
 */
export async function relayOptionsFromSources(
  flags: Readonly<Record<string, unknown>>,
  env: Readonly<Record<string, string | undefined>>,
  read: (path: string) => Promise<string> = (p) => readFile(p, 'utf8'),
): Promise<RelayOptions> {
  const out: Record<string, unknown> = {};
  const from: Record<string, string> = {};
  const set = (s: RelaySetting, v: unknown, source: string) => {
    out[s.key] = parseValue(s, v, source);
    from[s.key] = source;
  };
  const file = (flags.config as string | undefined) ?? env[CONFIG_ENV];
  if (file !== undefined && file !== '') {
    const byKey = new Map(RELAY_SETTINGS.map((s) => [s.key as string, s]));
    for (const [k, v] of Object.entries(await readConfigFile(file, read))) {
      const s = byKey.get(k);
      const shown = JSON.stringify(k.slice(0, 60));
      if (!s) {
        const known = RELAY_SETTINGS.map((x) => x.key).join(', ');
        const details = { field: k.slice(0, 60), source: file };
        throw new ShardwireError('E_BAD_CONFIG', `${file}: unknown setting ${shown}; known: ${known}`, details);
      }
      set(s, v, `${file}: ${shown}`);
    }
  }
  for (const s of RELAY_SETTINGS) {
    const e = env[envName(s)];
    if (e !== undefined && e !== '') set(s, e, envName(s));
    if (flags[s.flag] !== undefined) set(s, flags[s.flag], `--${s.flag}`);
  }
  try {
    resolveRelayOptions(out as RelayOptions);
  } catch (e) {
    const field = e instanceof ShardwireError ? e.details.field : undefined;
    const source = typeof field === 'string' ? from[field] : undefined;
    if (source === undefined) throw e;
    const err = e as ShardwireError;
    const message = `${source}: ${err.message.replace(/^E_BAD_CONFIG: /, '')}`;
    throw new ShardwireError('E_BAD_CONFIG', message, { ...err.details, source });
  }
  return out as RelayOptions;
}
