// Relays A, B, C as separate processes over one Redis, peers spread over them. SIGKILL relay B:
// its peers reconnect to C and resume; no frame is lost or delivered twice. Restart Redis: the
// relays hang up, the links come back (the coordinator creates its session again) and report the
// gap; nothing is delivered twice.
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { after, before, test } from 'node:test';
import { RelayLink } from '../../src/session/relay-link.ts';
import { identity, sleep, type Identity } from '../integration/relay-harness.ts';
import { startRedis, type RedisServer } from './redis-server.ts';
import { relayProcess as relayProcess_ } from './relay-process.ts';

let redis: RedisServer;
const children: ChildProcess[] = [];
const relayProcess = (url: string) => relayProcess_(url, children);

before(async () => {
  redis = await startRedis();
});
after(async () => {
  for (const c of children) c.kill('SIGKILL');
  await redis.stop();
});

async function until(cond: () => boolean, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) assert.fail(`timed out: ${what}`);
    await sleep(10);
  }
}

interface Member {
  readonly who: Identity;
  readonly link: RelayLink;
  readonly got: number[];
  readonly events: string[];
}

async function member(urls: string[], sid: string, who: Identity, coord: Identity): Promise<Member> {
  const link = await RelayLink.connect({
    urls,
    session: sid,
    identity: who,
    coordinator: coord.id,
    reconnect: { windowMs: 20_000, initialDelayMs: 20, maxDelayMs: 200 },
  });
  const got: number[] = [];
  const events: string[] = [];
  link.on({
    message: (f) => got.push(new DataView(f.payload.buffer, f.payload.byteOffset).getUint32(0)),
    resumed: (e) => events.push(`resumed:${e.gap}:${e.url}`),
    lost: (e) => events.push(`lost:${e.code}`),
  });
  return { who, link, got, events };
}

function frame(n: number): Uint8Array {
  const b = new Uint8Array(64);
  new DataView(b.buffer).setUint32(0, n);
  return b;
}

test('SIGKILL relay B: its peers move to C and get every frame once, in order', async () => {
  const [A, B, C] = await Promise.all([0, 1, 2].map(() => relayProcess(redis.url)));
  const coord = await identity('coord');
  const names = ['p1', 'p2', 'p3', 'p4', 'p5', 'p6'];
  const ids = await Promise.all(names.map((n) => identity(n)));
  const cl = await RelayLink.connect({
    url: A!.url,
    session: 'failover',
    identity: coord,
    create: { roster: ids.map((i) => i.entry) },
    reconnect: { windowMs: 20_000 },
  });
  // p1..p3 on B (falling back to C), p4, p5 on C, p6 on A
  const urlsOf = (i: number) => (i < 3 ? [B!.url, C!.url] : i < 5 ? [C!.url, A!.url] : [A!.url, C!.url]);
  const members = await Promise.all(ids.map((who, i) => member(urlsOf(i), 'failover', who, coord)));
  const N = 300;
  let killed = false;
  for (let n = 1; n <= N; n++) {
    for (const m of members) cl.send(cl.nextHeader(m.who.id, 'data'), frame(n));
    if (n === 100) {
      B!.child.kill('SIGKILL');
      killed = true;
    }
    if (n % 20 === 0) await sleep(5);
  }
  assert.ok(killed);
  for (const m of members) await until(() => m.got.length >= N, 20_000, `${m.who.name} got ${m.got.length}/${N}`);
  await sleep(100);
  for (const m of members)
    assert.deepEqual(
      m.got,
      Array.from({ length: N }, (_, i) => i + 1),
      `${m.who.name}: lost or doubled frames`,
    );
  for (const m of members.slice(0, 3)) {
    assert.ok(
      m.events.some((e) => e === `resumed:false:${C!.url}`),
      `${m.who.name} resumed on C without a gap: ${m.events.join()}`,
    );
  }
  for (const m of members) m.link.close();
  cl.close();
  A!.child.kill('SIGTERM');
  C!.child.kill('SIGTERM');
});

test('Redis restarted: links come back, the gap is reported, nothing is delivered twice', async () => {
  const [A, C] = await Promise.all([0, 1].map(() => relayProcess(redis.url)));
  const coord = await identity('coord');
  const ids = await Promise.all(['q1', 'q2'].map((n) => identity(n)));
  const cl = await RelayLink.connect({
    urls: [A!.url, C!.url],
    session: 'redis-restart',
    identity: coord,
    create: { roster: ids.map((i) => i.entry) },
    reconnect: { windowMs: 20_000, initialDelayMs: 20, maxDelayMs: 200 },
  });
  const coordEvents: string[] = [];
  cl.on({ resumed: (e) => coordEvents.push(`resumed:${e.gap}`) });
  const members = await Promise.all(
    ids.map((who, i) => member(i === 0 ? [A!.url, C!.url] : [C!.url, A!.url], 'redis-restart', who, coord)),
  );
  for (let n = 1; n <= 50; n++) for (const m of members) cl.send(cl.nextHeader(m.who.id, 'data'), frame(n));
  for (const m of members) await until(() => m.got.length >= 50, 10_000, 'before restart');
  await redis.restart();
  await until(() => coordEvents.length > 0, 20_000, 'coordinator back (session created again)');
  for (const m of members)
    await until(() => m.events.some((e) => e.startsWith('resumed:')), 20_000, `${m.who.name} back`);
  for (const m of members)
    assert.ok(
      m.events.some((e) => e.startsWith('resumed:true')),
      `the lost inbox is reported as a gap: ${m.events.join()}`,
    );
  for (let n = 51; n <= 80; n++) for (const m of members) cl.send(cl.nextHeader(m.who.id, 'data'), frame(n));
  for (const m of members) await until(() => m.got.at(-1) === 80, 10_000, `${m.who.name} after restart`);
  await sleep(100);
  for (const m of members) {
    assert.equal(
      new Set(m.got).size,
      m.got.length,
      `${m.who.name} got a frame twice: ${m.got.join()} events ${m.events.join()}`,
    );
    assert.deepEqual(
      m.got.slice(0, 50),
      Array.from({ length: 50 }, (_, i) => i + 1),
      `${m.who.name}: ${m.got.join()} events ${m.events.join()}`,
    );
  }
  for (const m of members) m.link.close();
  cl.close();
});
