// The SDK's relay target: one URL or a list, and reconnection settings, checked with typed errors.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { linkLost, linkTarget, SDK_RESEND_MS } from '../../../src/session/reconnect.ts';
import { ShardwireError } from '../../../src/errors.ts';

const bad = (f: () => unknown, field: string) => assert.throws(f, (e: ShardwireError) => e.code === 'E_BAD_ARGUMENT' && e.details.field === field);

test('linkTarget: URL or URL list, reconnection off by default, on with the SDK resend window', () => {
  assert.deepEqual(linkTarget({ relayUrl: 'ws://a:1' }), { urls: ['ws://a:1'] });
  assert.deepEqual(linkTarget({ relayUrls: ['ws://a:1', 'wss://b'], reconnect: true }), { urls: ['ws://a:1', 'wss://b'], reconnect: { resendMs: SDK_RESEND_MS } });
  assert.deepEqual(linkTarget({ relayUrl: 'ws://a', reconnect: { windowMs: 5, resendMs: 0 } }).reconnect, { resendMs: 0, windowMs: 5 });
  assert.deepEqual(linkTarget({ relayUrl: 'ws://a', reconnect: false }), { urls: ['ws://a'] });
});

test('linkTarget refuses what is not a target', () => {
  bad(() => linkTarget({}), 'relayUrl');
  bad(() => linkTarget({ relayUrls: [] }), 'relayUrls');
  bad(() => linkTarget({ relayUrl: 'ws://a', relayUrls: ['ws://b'] }), 'relayUrls');
  bad(() => linkTarget({ relayUrl: 'http://a' }), 'relayUrl');
  bad(() => linkTarget({ relayUrls: ['ws://a', 7 as never] }), 'relayUrl');
  bad(() => linkTarget({ relayUrl: 'ws://a', reconnect: 'yes' as never }), 'reconnect');
  bad(() => linkTarget({ relayUrl: 'ws://a', reconnect: { windowMS: 5 } as never }), 'reconnect.windowMS');
  bad(() => linkTarget({ relayUrl: 'ws://a', reconnect: { windowMs: -1 } }), 'reconnect.windowMs');
  bad(() => linkTarget({ relayUrl: 'ws://a', reconnect: { windowMs: 1.5 } }), 'reconnect.windowMs');
});

test('linkLost keeps an E_LINK_LOST and wraps anything else', () => {
  const lost = new ShardwireError('E_LINK_LOST', 'x');
  assert.equal(linkLost(lost, 'client'), lost);
  const wrapped = linkLost(new ShardwireError('E_AUTH', 'no'), 'client');
  assert.equal(wrapped.code, 'E_LINK_LOST');
  assert.equal(wrapped.details.cause, 'E_AUTH');
  assert.equal(linkLost(undefined, 'coordinator').code, 'E_LINK_LOST');
});
