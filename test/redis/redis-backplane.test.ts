// The exported conformance suite, unchanged, against the Redis backplane on both client
// libraries, plus what only a shared backplane has: several nodes, dead nodes, TTLs.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { backplaneConformance } from '../../src/relay/backplane-conformance.ts';
import type { SessionRecord } from '../../src/relay/backplane.ts';
import { RedisBackplane } from '../../src/relay/redis/redis-backplane.ts';
import { startRedis, type RedisServer } from './redis-server.ts';

let redis: RedisServer;
let n = 0;
before(async () => {
  redis = await startRedis();
});
after(() => redis.stop());

for (const client of ['ioredis', 'node-redis'] as const) {
  // a fresh prefix per case: cases share the server but not their keys
  for (const c of backplaneConformance(() => RedisBackplane.connect({ url: redis.url, client, prefix: `c${++n}:` }))) {
    test(`RedisBackplane (${client}) ${c.name}`, c.run);
  }
}

function record(id: string, idleTimeoutMs = 1000): SessionRecord {
  return {
    id,
    coordinatorId: 'coord',
    coordinatorKey: new Uint8Array(32).fill(2),
    roster: new Map([['a', new Uint8Array(32).fill(1)]]),
    limits: { maxPayloadBytes: 1024, idleTimeoutMs },
    createdAt: 5,
  };
}

async function eventually(cond: () => boolean | Promise<boolean>, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) assert.fail('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

test('three nodes share sessions, presence, unicast and broadcast', async () => {
  const prefix = `x${++n}:`;
  const [a, b, c] = await Promise.all([0, 1, 2].map(() => RedisBackplane.connect({ url: redis.url, prefix })));
  try {
    assert.equal(await a!.createSession(record('coord/s')), true);
    assert.equal(await b!.createSession(record('coord/s')), false, 'one registry for all nodes');
    assert.deepEqual([...(await c!.getSession('coord/s'))!.roster.keys()], ['a']);
    assert.deepEqual(
      (await c!.sessionsNamed('s')).map((r) => r.id),
      ['coord/s'],
    );
    const got: string[] = [];
    await a!.subscribe('coord/s', 'm1', (e) => e.type === 'frame' && got.push(`m1:${e.frame[0]}`));
    await b!.subscribe('coord/s', 'm2', (e) => e.type === 'frame' && got.push(`m2:${e.frame[0]}`));
    assert.deepEqual(await c!.online('coord/s'), ['m1', 'm2']);
    assert.equal(
      await c!.publish({ type: 'frame', session: 'coord/s', to: 'm2', from: 'm1', frame: new Uint8Array([7]) }),
      1,
    );
    assert.equal(
      await c!.publish({
        type: 'frame',
        session: 'coord/s',
        to: '*',
        from: 'm1',
        exclude: 'm1',
        frame: new Uint8Array([8]),
      }),
      1,
    );
    await eventually(() => got.length === 2);
    assert.deepEqual(got, ['m2:7', 'm2:8']);
    await b!.subscribe('coord/s', 'm1', () => undefined); // m1 reconnects to node b
    assert.deepEqual(await c!.online('coord/s'), ['m2', 'm1']);
  } finally {
    await Promise.all([a!.close(), b!.close(), c!.close()]);
  }
});

test('members of a node that died drop out of online() once its liveness key expires', async () => {
  const prefix = `d${++n}:`;
  const [a, b] = await Promise.all([0, 1].map(() => RedisBackplane.connect({ url: redis.url, prefix })));
  try {
    await a!.createSession(record('coord/s'));
    await a!.subscribe('coord/s', 'alive', () => undefined);
    await b!.subscribe('coord/s', 'doomed', () => undefined);
    // simulate SIGKILL of node b: its timers stop and its liveness key is not refreshed
    clearInterval((b as unknown as { alive: NodeJS.Timeout }).alive);
    await (b as unknown as { redis: { command(a: unknown[]): Promise<unknown> } }).redis.command([
      'PEXPIRE',
      `${prefix}node:${b!.nodeId}`,
      50,
    ]);
    await eventually(async () => (await a!.online('coord/s')).join() === 'alive');
  } finally {
    await Promise.all([a!.close(), b!.close()]);
  }
});

test('every key has a TTL; deleteSession removes the session, its index entry and presence', async () => {
  const prefix = `t${++n}:`;
  const a = await RedisBackplane.connect({ url: redis.url, prefix });
  try {
    await a.createSession(record('coord/s'));
    await a.subscribe('coord/s', 'm', () => undefined);
    const cmd = (args: unknown[]) =>
      (a as unknown as { redis: { command(a: unknown[]): Promise<unknown> } }).redis.command(args);
    const keys = ((await cmd(['KEYS', `${prefix}*`])) as Buffer[]).map(String);
    assert.ok(keys.length >= 5, keys.join());
    for (const k of keys) {
      if (k === `${prefix}order`) continue; // one counter per deployment
      assert.ok(Number(await cmd(['PTTL', k])) > 0, `${k} has no TTL`);
    }
    await a.deleteSession('coord/s');
    const left = ((await cmd(['KEYS', `${prefix}*`])) as Buffer[])
      .map(String)
      .filter((k) => !k.includes('node:') && !k.endsWith('order'));
    assert.deepEqual(left, []);
  } finally {
    await a.close();
  }
});

test('an undecodable channel message is dropped and counted, never thrown', async () => {
  const prefix = `u${++n}:`;
  const a = await RedisBackplane.connect({ url: redis.url, prefix });
  try {
    const got: unknown[] = [];
    await a.subscribe('coord/s', 'm', (e) => got.push(e));
    const cmd = (args: unknown[]) =>
      (a as unknown as { redis: { command(a: unknown[]): Promise<unknown> } }).redis.command(args);
    await cmd(['PUBLISH', `${prefix}m:coord/s:m`, Buffer.from([9, 9])]);
    await eventually(() => a.dropped === 1);
    assert.equal(got.length, 0);
  } finally {
    await a.close();
  }
});

test('publishes fired without awaiting keep their order, from the first one on (with and without an inbox)', async () => {
  const prefix = `o${++n}:`;
  const a = await RedisBackplane.connect({ url: redis.url, prefix });
  try {
    await a.createSession(record('coord/s'));
    const plain: number[] = [];
    const boxed: number[] = [];
    await a.subscribe('coord/s', 'plain', (e) => e.type === 'frame' && plain.push(e.frame[0]! | (e.frame[1]! << 8)));
    await a.inbox.open('coord/s', 'boxed', {}, { maxFrames: 1000, maxBytes: 1 << 20, windowMs: 60_000 });
    await a.subscribe('coord/s', 'boxed', (e) => e.type === 'frame' && boxed.push(e.seq!));
    const sends: Promise<number>[] = [];
    for (let i = 0; i < 300; i++) {
      const frame = new Uint8Array([i & 255, i >> 8]);
      sends.push(a.publish({ type: 'frame', session: 'coord/s', to: 'plain', from: 'x', frame }));
      sends.push(a.publish({ type: 'frame', session: 'coord/s', to: 'boxed', from: 'x', frame }));
      if (i % 50 === 0) await new Promise((r) => setImmediate(r)); // new ticks, like frames from a socket
    }
    await Promise.all(sends);
    await eventually(() => plain.length === 300 && boxed.length === 300);
    assert.deepEqual(plain, [...Array(300).keys()]);
    assert.deepEqual(
      boxed,
      Array.from({ length: 300 }, (_, i) => i + 1),
    );
  } finally {
    await a.close();
  }
});
