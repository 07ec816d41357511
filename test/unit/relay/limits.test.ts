import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isShardwireError } from '../../../src/errors.ts';
import { effectiveLimits, resolveRelayOptions } from '../../../src/relay/options.ts';
import { ConnectionRateLimiter, TokenBucket } from '../../../src/relay/rate-limiter.ts';
import { SessionTracker } from '../../../src/relay/session-tracker.ts';

test('token bucket: burst, refill and Infinity', () => {
  let t = 0;
  const b = new TokenBucket(10, 5, () => t);
  for (let i = 0; i < 5; i++) assert.ok(b.take());
  assert.equal(b.take(), false);
  t = 100; // 1 token refilled
  assert.ok(b.take());
  assert.equal(b.take(), false);
  t = 10_000;
  for (let i = 0; i < 5; i++) assert.ok(b.take());
  assert.equal(b.take(), false, 'never more than the burst');
  assert.ok(new TokenBucket(Infinity, 1, () => 0).take(1e12));
});

test('connection limiter reports which limit was hit', () => {
  const t = 0;
  const l = new ConnectionRateLimiter({ messagesPerSecond: 100, burstMessages: 100, bytesPerSecond: 1000, burstBytes: 1000 }, () => t);
  assert.equal(l.admit(600), 'ok');
  assert.equal(l.admit(600), 'bytes');
});

test('options: defaults, validation and effective session limits', () => {
  const o = resolveRelayOptions({});
  assert.equal(o.host, '127.0.0.1');
  assert.equal(o.port, 8787);
  assert.equal(o.maxPayloadBytes, 16 * 1024 * 1024);
  for (const bad of [{ port: 70000 }, { maxPayloadBytes: 0 }, { logLevel: 'loud' }, { heartbeatIntervalMs: 1.5 }, { burstBytes: 10 }, { host: '' }]) {
    assert.throws(() => resolveRelayOptions(bad as never), (e: unknown) => isShardwireError(e, 'E_BAD_CONFIG'));
  }
  assert.deepEqual(effectiveLimits({ vectorLength: 100 }, o), { maxPayloadBytes: 4 * Math.ceil(800 / 3) + 4096, idleTimeoutMs: 600_000, vectorLength: 100 });
  assert.equal(effectiveLimits({ maxPayloadBytes: 2 ** 32 }, o).maxPayloadBytes, o.maxPayloadBytes);
  assert.equal(effectiveLimits({ idleTimeoutMs: 2 ** 31 - 1 }, o).idleTimeoutMs, 86_400_000);
});

test('session tracker expires idle sessions and remembers them boundedly', () => {
  let t = 0;
  const s = new SessionTracker(() => t);
  s.track('a', 100);
  s.track('b', 1000);
  t = 50;
  s.touch('a');
  t = 120;
  assert.deepEqual(s.sweep(), []);
  t = 160;
  assert.deepEqual(s.sweep(), ['a']);
  assert.ok(s.wasExpired('a'));
  assert.equal(s.size, 1);
  for (let i = 0; i < 5000; i++) s.forget(`x${i}`, true);
  assert.equal(s.wasExpired('a'), false, 'tombstones are bounded');
  s.track('x4999', 5);
  assert.equal(s.wasExpired('x4999'), false);
});
