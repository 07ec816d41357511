// The SDK across relay processes over one Redis: the coordinator on relay A, clients on B and C.
// SIGKILL relay B mid-round: its clients reconnect to C, resume, and the round completes exactly
// with every participant (minClients = n, so nobody may be left out). Restart Redis mid-round:
// the round either completes exactly or fails with a typed error (never a wrong or doubled
// release), and the session goes on with exact rounds afterwards.
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { after, before, test } from 'node:test';
import { Client } from '../../src/client/client.ts';
import { Coordinator } from '../../src/coordinator/coordinator.ts';
import { Identity } from '../../src/crypto/identity.ts';
import { ShardwireError } from '../../src/errors.ts';
import type { ParticipantPhase } from '../../src/secagg/participant-context.ts';
import { kernelPromise } from '../integration/sdk-harness.ts';
import { startRedis, type RedisServer } from './redis-server.ts';
import { relayProcess, type RelayProcess } from './relay-process.ts';

let redis: RedisServer;
const children: ChildProcess[] = [];
before(async () => {
  redis = await startRedis();
});
after(async () => {
  for (const c of children) c.kill('SIGKILL');
  await redis.stop();
});

const N = 5;
const DIM = 48;
const RECONNECT = { windowMs: 20_000, initialDelayMs: 20, maxDelayMs: 200 };
const config = {
  smpc: { shards: 3, exponent: 6 }, minClients: N, maxClients: N, clip: { norm: 'linf', bound: 10 },
  timeouts: { joinMs: 20_000, shareMs: 20_000, roundMs: 20_000, revealMs: 10_000 },
};
const vec = (i: number, r: number) => Float64Array.from({ length: DIM }, (_, k) => ((i * 7 + k * 3 + r) % 9) - 4 + 0.5);
const sum = (r: number) => Float64Array.from({ length: DIM }, (_, k) => Array.from({ length: N }, (_, i) => vec(i, r)[k]!).reduce((a, b) => a + b, 0));

async function cluster(session: string, urlsOf: (i: number) => string[], coordinatorUrls: string[]) {
  const kernel = await kernelPromise;
  const coordId = await Identity.generate();
  const ids = await Promise.all(Array.from({ length: N }, () => Identity.generate()));
  const coordinator = await Coordinator.start({
    relayUrls: coordinatorUrls, reconnect: RECONNECT, session, identity: coordId, kernel, config, maxDim: DIM,
    roster: ids.map((i) => ({ id: i.id, publicKey: i.publicKey })),
  });
  const clients = await Promise.all(ids.map((identity, i) => Client.join({
    relayUrls: urlsOf(i), reconnect: RECONNECT, session, identity, kernel, config, coordinator: { id: coordId.id, publicKey: coordId.publicKey },
  })));
  await coordinator.waitForParticipants(N, 20_000);
  return { coordinator, clients };
}

async function waitReady(c: Coordinator, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (c.readyParticipants().length < N) {
    if (Date.now() > end) assert.fail(`only ${c.readyParticipants().length} of ${N} participants are back`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

for (const phase of ['open', 'sent'] as ParticipantPhase[]) {
  test(`SIGKILL relay B at '${phase}': its clients move to C and the round completes exactly`, async () => {
    const [A, B, C] = (await Promise.all([0, 1, 2].map(() => relayProcess(redis.url, children)))) as [RelayProcess, RelayProcess, RelayProcess];
    const { coordinator, clients } = await cluster(`kill-b-${phase}`, (i) => (i < 3 ? [B.url, C.url] : [C.url, A.url]), [A.url, C.url]);
    try {
      const first = clients.map((c, i) => c.aggregate(vec(i, 1)));
      assert.deepEqual((await coordinator.runRound({ dim: DIM })).aggregate, sum(1));
      await Promise.all(first);
      let killed = false;
      const moved: string[] = [];
      clients[0]!.on('progress', (p) => {
        if (p.phase === phase && !killed) {
          killed = true;
          B.child.kill('SIGKILL');
        }
      });
      for (const c of clients.slice(0, 3)) c.on('resumed', (e) => moved.push(`${e.url === C.url ? 'C' : e.url}:${e.gap}`));
      const pending = clients.map((c, i) => c.aggregate(vec(i, 2)));
      const { aggregate, report } = await coordinator.runRound({ dim: DIM });
      await Promise.all(pending);
      assert.ok(killed);
      assert.equal(report.contributors.length, N);
      assert.deepEqual(aggregate, sum(2), 'exact after relay B died');
      assert.deepEqual(moved.sort(), ['C:false', 'C:false', 'C:false'], 'B\'s clients resumed on C without a gap');
      const third = clients.map((c, i) => c.aggregate(vec(i, 3)));
      assert.deepEqual((await coordinator.runRound({ dim: DIM })).aggregate, sum(3));
      await Promise.all(third);
    } finally {
      for (const c of clients) c.close();
      coordinator.close();
      for (const r of [A, B, C]) r.child.kill('SIGKILL');
    }
  });
}

test('Redis restarted mid-round: the round is exact or fails with a typed error, never doubled; the session goes on', async () => {
  const [A, C] = (await Promise.all([0, 1].map(() => relayProcess(redis.url, children)))) as [RelayProcess, RelayProcess];
  const { coordinator, clients } = await cluster('redis-restart-sdk', (i) => (i % 2 === 0 ? [A.url, C.url] : [C.url, A.url]), [A.url, C.url]);
  try {
    let restarted: Promise<void> | undefined;
    clients[0]!.on('progress', (p) => {
      if (p.phase === 'shared' && !restarted) restarted = redis.restart();
    });
    const pending = clients.map((c, i) => c.aggregate(vec(i, 1)).then((r) => r, (e: unknown) => e));
    const outcome = await coordinator.runRound({ dim: DIM }).then((r) => r, (e: unknown) => e);
    await restarted;
    const results = await Promise.all(pending);
    if (outcome instanceof ShardwireError) {
      assert.ok(['E_LINK_LOST', 'E_TOO_FEW_CONTRIBUTORS', 'E_TIMEOUT'].includes(outcome.code), `typed failure: ${outcome.code} ${outcome.message}`);
      for (const r of results) assert.ok(r instanceof ShardwireError, 'no client saw a release of a failed round');
    } else {
      assert.ok(!(outcome instanceof Error), String(outcome));
      const { aggregate } = outcome as { aggregate: Float64Array };
      assert.deepEqual(aggregate, sum(1), 'a round that survived the restart is exact');
    }
    await waitReady(coordinator, 20_000);
    const next = clients.map((c, i) => c.aggregate(vec(i, 2)));
    const { aggregate, report } = await coordinator.runRound({ dim: DIM });
    await Promise.all(next);
    assert.equal(report.contributors.length, N);
    assert.deepEqual(aggregate, sum(2), 'exact after Redis came back');
  } finally {
    for (const c of clients) c.close();
    coordinator.close();
    for (const r of [A, C]) r.child.kill('SIGKILL');
  }
});
