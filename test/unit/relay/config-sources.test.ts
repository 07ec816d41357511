import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isShardwireError } from '../../../src/errors.ts';
import {
  envName,
  RELAY_SETTINGS,
  relayFlagOptions,
  relayOptionsFromSources,
} from '../../../src/relay/config-sources.ts';
import { IdentityRateLimits } from '../../../src/relay/rate-limiter.ts';
import { resolveRelayOptions } from '../../../src/relay/options.ts';
import { toBase64url } from '../../../src/wire/index.ts';

const files = (map: Record<string, string>) => async (p: string) => {
  if (!(p in map)) throw Object.assign(new Error('nope'), { code: 'ENOENT' });
  return map[p]!;
};

function badConfig(re: RegExp, source?: string) {
  return (e: unknown) =>
    isShardwireError(e, 'E_BAD_CONFIG') &&
    re.test((e as Error).message) &&
    (source === undefined || e.details.source === source);
}

test('every limit can be set from a flag, an environment variable and the config file', async () => {
  const expected: Record<string, unknown> = {};
  const flags: Record<string, unknown> = {};
  const env: Record<string, string> = {};
  const file: Record<string, unknown> = {};
  const key = toBase64url(new Uint8Array(32).fill(3));
  RELAY_SETTINGS.forEach((s, i) => {
    const strings: Record<string, string> = {
      host: '0.0.0.0',
      backplaneUrl: 'redis://127.0.0.1:1',
      redisClient: 'node-redis',
    };
    const text =
      s.kind === 'keys' ? key : s.kind === 'level' ? 'warn' : s.kind === 'string' ? strings[s.key]! : String(1000 + i);
    const value =
      s.kind === 'keys' ? [new Uint8Array(32).fill(3)] : s.kind === 'string' || s.kind === 'level' ? text : 1000 + i;
    expected[s.key] = value;
    // spread the settings over the three sources; each source alone is tested below
    if (i % 3 === 0) flags[s.flag] = s.kind === 'keys' ? [text] : text;
    else if (i % 3 === 1) env[envName(s)] = text;
    else file[s.key] = s.kind === 'keys' ? [text] : s.kind === 'int' ? value : text;
  });
  expected.burstBytes = Math.max(expected.burstBytes as number, expected.maxPayloadBytes as number);
  if (flags['byte-burst']) flags['byte-burst'] = String(expected.burstBytes);
  else if (env[envName({ flag: 'byte-burst' })]) env[envName({ flag: 'byte-burst' })] = String(expected.burstBytes);
  else file.burstBytes = String(expected.burstBytes);
  const o = await relayOptionsFromSources(
    { ...flags, config: 'relay.json' },
    env,
    files({ 'relay.json': JSON.stringify(file) }),
  );
  assert.deepEqual(o, expected);
  for (const s of RELAY_SETTINGS) assert.ok(relayFlagOptions()[s.flag], s.flag);
});

test('precedence: flag over environment over file over default; sizes and "unlimited"', async () => {
  const env = { SHARDWIRE_RELAY_PORT: '2000', SHARDWIRE_RELAY_MAX_PAYLOAD: '1MiB', SHARDWIRE_RELAY_CONFIG: 'f.json' };
  const file = JSON.stringify({
    port: 3000,
    maxPayloadBytes: '2MiB',
    messagesPerSecond: 'unlimited',
    highWaterMarkBytes: '64KiB',
  });
  const o = await relayOptionsFromSources({ port: '1000' }, env, files({ 'f.json': file }));
  assert.equal(o.port, 1000);
  assert.equal(o.maxPayloadBytes, 1024 * 1024);
  assert.equal(o.messagesPerSecond, Infinity);
  assert.equal(o.highWaterMarkBytes, 65536);
  assert.deepEqual(await relayOptionsFromSources({}, {}), {});
  const keys = [1, 2].map((b) => toBase64url(new Uint8Array(32).fill(b)));
  assert.equal(
    (await relayOptionsFromSources({}, { SHARDWIRE_RELAY_ALLOW_COORDINATOR: keys.join(', ') })).allowedCoordinators
      ?.length,
    2,
  );
});

test('bad values are E_BAD_CONFIG naming the setting and its source', async () => {
  await assert.rejects(
    relayOptionsFromSources({ port: 'abc' }, {}),
    badConfig(/--port expected a non-negative integer/, '--port'),
  );
  await assert.rejects(
    relayOptionsFromSources({ port: '70000' }, {}),
    badConfig(/--port: "port" expected an integer in \[0, 65535\]/, '--port'),
  );
  await assert.rejects(
    relayOptionsFromSources({}, { SHARDWIRE_RELAY_MAX_PAYLOAD: '12 parsecs' }),
    badConfig(/SHARDWIRE_RELAY_MAX_PAYLOAD expected a size/),
  );
  await assert.rejects(
    relayOptionsFromSources({}, { SHARDWIRE_RELAY_LOG_LEVEL: 'loud' }),
    badConfig(/SHARDWIRE_RELAY_LOG_LEVEL expected one of silent, error, warn, info, debug, got "loud"/),
  );
  await assert.rejects(
    relayOptionsFromSources({ 'allow-coordinator': ['short'] }, {}),
    badConfig(/--allow-coordinator expected a 32-byte Ed25519 public key/),
  );
  const read = files({
    'a.json': '{"maxPayload": 5}',
    'b.json': '{"port": "x"}',
    'c.json': '[1]',
    'd.json': '{',
    'e.json': '{"authTimeoutMs": 0}',
  });
  await assert.rejects(
    relayOptionsFromSources({ config: 'a.json' }, {}, read),
    badConfig(/a\.json: unknown setting "maxPayload"/, 'a.json'),
  );
  await assert.rejects(
    relayOptionsFromSources({ config: 'b.json' }, {}, read),
    badConfig(/b\.json: "port" expected a non-negative integer/),
  );
  await assert.rejects(
    relayOptionsFromSources({ config: 'c.json' }, {}, read),
    badConfig(/expected a JSON object of settings/),
  );
  await assert.rejects(relayOptionsFromSources({ config: 'd.json' }, {}, read), badConfig(/is not valid JSON/));
  await assert.rejects(
    relayOptionsFromSources({ config: 'e.json' }, {}, read),
    badConfig(/e\.json: "authTimeoutMs": "authTimeoutMs" expected an integer/),
  );
  await assert.rejects(
    relayOptionsFromSources({ config: 'missing.json' }, {}, read),
    badConfig(/could not be read \(ENOENT\)/),
  );
});

test('options refuse unknown keys and malformed coordinator keys', () => {
  assert.throws(() => resolveRelayOptions({ maxPayload: 5 } as never), badConfig(/unknown relay option "maxPayload"/));
  assert.throws(
    () => resolveRelayOptions({ allowedCoordinators: [new Uint8Array(31)] }),
    badConfig(/allowedCoordinators/),
  );
  assert.throws(
    () => resolveRelayOptions({ backplaneUrl: 'http://x' }),
    badConfig(/"backplaneUrl" expected "memory" or redis/),
  );
  assert.throws(() => resolveRelayOptions({ redisClient: 'jedis' } as never), badConfig(/"redisClient"/));
  const o = resolveRelayOptions({});
  assert.equal(o.authTimeoutMs, 5000);
  assert.equal(o.maxPreAuthPerIp, 256);
});

test('identity rate limits: shared by connections, kept while they could still refill, then forgotten', () => {
  let t = 0;
  const limits = new IdentityRateLimits(
    { messagesPerSecond: 10, burstMessages: 10, bytesPerSecond: Infinity, burstBytes: 1 },
    () => t,
  );
  const a = limits.acquire('alice');
  for (let i = 0; i < 10; i++) assert.equal(a.admit(1), 'ok');
  limits.release('alice');
  const again = limits.acquire('alice');
  assert.equal(again.admit(1), 'messages', 'a new connection of the same identity gets the same empty bucket');
  limits.release('alice');
  t = 500;
  limits.sweep();
  assert.equal(limits.size, 1, 'kept: not refilled yet');
  t = 1000;
  limits.sweep();
  assert.equal(limits.size, 0, 'forgotten once it would be full anyway');
  limits.acquire('bob');
  t = 10_000;
  limits.sweep();
  assert.equal(limits.size, 1, 'never forgotten while connected');
});
