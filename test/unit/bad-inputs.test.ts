// Bad inputs found by review, each answered by a typed error (or, for a relay-internal envelope,
// dropped): a Redis URL the client libraries would throw on, relay URL lists and reconnection
// settings, a truncated backplane envelope, a malformed agent envelope, unwritable file settings.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isShardwireError, type ErrorCode } from '../../src/errors.ts';
import { resolveRelayOptions } from '../../src/relay/options.ts';
import { linkTarget } from '../../src/session/reconnect.ts';
import { decodeEnvelope } from '../../src/relay/redis/envelope.ts';
import { openEnvelope } from '../../src/agent/vector-codec.ts';
import { AuditLog } from '../../src/coordinator/audit-log.ts';

const code = (c: ErrorCode) => (e: unknown) => isShardwireError(e, c);

test('backplane URLs the Redis clients cannot parse are E_BAD_CONFIG', () => {
  for (const u of ['redis://h:99999', 'redis://[::1', 'redis://:0']) assert.throws(() => resolveRelayOptions({ backplaneUrl: u } as never), code('E_BAD_CONFIG'), u);
  assert.equal(resolveRelayOptions({ backplaneUrl: 'redis://127.0.0.1:6379' } as never).backplaneUrl, 'redis://127.0.0.1:6379');
});

test('relay URL lists and reconnection settings are checked', () => {
  for (const bad of [5, {}, 'ws://a']) assert.throws(() => linkTarget({ relayUrls: bad } as never), code('E_BAD_ARGUMENT'));
  for (const reconnect of [{ initialDelayMs: 0 }, { maxDelayMs: 0 }, { windowMs: 2 ** 31 }, { initialDelayMs: 5000, maxDelayMs: 100 }])
    assert.throws(() => linkTarget({ relayUrl: 'ws://a', reconnect } as never), code('E_BAD_ARGUMENT'), JSON.stringify(reconnect));
  assert.deepEqual(linkTarget({ relayUrl: 'ws://a', reconnect: { initialDelayMs: 10, maxDelayMs: 100 } } as never).urls, ['ws://a']);
});

test('a backplane envelope cut inside its length bytes is dropped, not decoded', () => {
  assert.equal(decodeEnvelope('s', Buffer.from([1, 3, 97, 98, 99])), undefined);
});

test('an agent envelope whose JSON does not parse, or is not an object, is E_BAD_PAYLOAD', () => {
  const env = (json: string) => {
    const j = new TextEncoder().encode(json);
    const b = new Uint8Array(8 + j.length);
    b.set(new TextEncoder().encode('SWE1'));
    new DataView(b.buffer).setUint32(4, j.length, true);
    b.set(j, 8);
    return b;
  };
  assert.throws(() => openEnvelope(env('{x}')), code('E_BAD_PAYLOAD'));
  assert.throws(() => openEnvelope(env('[1]')), code('E_BAD_PAYLOAD'));
});

test('an audit log in a missing directory is E_BAD_ARGUMENT naming the setting', async () => {
  await assert.rejects(AuditLog.open('/nonexistent-shardwire-dir/audit.jsonl', 's'), (e: unknown) => isShardwireError(e, 'E_BAD_ARGUMENT') && (e as { details?: { field?: string } }).details?.field === 'auditLogPath');
});
