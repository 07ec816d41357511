// Coordinator restarts: a coordinator process with a state file is SIGKILLed mid-round and
// started again with the same identity. The session resumes: released rounds are not replayed,
// the accountant's total is unchanged, the round in flight is aborted explicitly (its
// participants hear E_ABORTED at once), and the next round runs. The audit log tells the story
// without a payload or a secret; a tampered state file is refused with E_STATE_TAMPERED.
import assert from 'node:assert/strict';
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Client } from '../../src/client/client.ts';
import { Coordinator } from '../../src/coordinator/coordinator.ts';
import { Identity, serialiseIdentity } from '../../src/crypto/identity.ts';
import type { ShardwireError } from '../../src/errors.ts';
import { startRelay } from '../../src/relay/index.ts';
import { toBase64url } from '../../src/wire/base64url.ts';
import { kernelPromise } from './sdk-harness.ts';

const FIXTURE = fileURLToPath(new URL('./fixtures/coordinator-process.ts', import.meta.url));
const config = {
  smpc: { shards: 3, exponent: 4 }, minClients: 4, maxClients: 4,
  dp: { noisetype: 'gauss', epsilon: 1, delta: 1e-5, clippingVal: 1, mode: 'local' },
  privacyBudget: { epsilon: 100, delta: 1e-4 },
  timeouts: { joinMs: 10_000, shareMs: 20_000, roundMs: 20_000, revealMs: 5000 },
};

function spawnCoordinator(): { child: ChildProcess; next(type: string): Promise<Record<string, unknown>> } {
  const child = fork(FIXTURE, [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const inbox: Record<string, unknown>[] = [];
  const waiting: ((m: Record<string, unknown>) => void)[] = [];
  child.on('message', (m: Record<string, unknown>) => (waiting.length > 0 ? waiting.shift()!(m) : inbox.push(m)));
  return {
    child,
    async next(type) {
      const m = inbox.shift() ?? (await new Promise<Record<string, unknown>>((r) => waiting.push(r)));
      assert.equal(m.type, type, `coordinator process: ${JSON.stringify(m)}`);
      return m;
    },
  };
}

test('a coordinator SIGKILLed mid-round resumes from its state file: nothing replayed, ε kept, the round in flight aborted', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sw-restart-'));
  const relay = await startRelay({ port: 0, logLevel: 'silent' });
  const kernel = await kernelPromise;
  const coordId = await Identity.generate();
  const ids = await Promise.all(Array.from({ length: 4 }, () => Identity.generate()));
  const session = 'restart-1';
  const start = {
    type: 'start', relayUrl: relay.url, session, identity: await serialiseIdentity(coordId), config,
    roster: ids.map((i) => ({ id: i.id, publicKey: toBase64url(i.publicKey) })),
    statePath: join(dir, 'state.json'), auditLogPath: join(dir, 'audit.jsonl'),
  };
  const procs: ChildProcess[] = [];
  const clients: Client[] = [];
  try {
    const first = spawnCoordinator();
    procs.push(first.child);
    first.child.send(start);
    assert.equal((await first.next('started')).resumedFrom, null);
    for (const identity of ids) clients.push(await Client.join({ relayUrl: relay.url, session, identity, kernel, config, coordinator: { id: coordId.id, publicKey: coordId.publicKey } }));
    const x = (i: number) => Float64Array.from({ length: 16 }, (_, k) => ((i + k) % 5) / 100);
    // round 1 is released
    const r1 = clients.map((c, i) => c.aggregate(x(i)));
    first.child.send({ type: 'round', n: 4, dim: 16, memo: 'r1' });
    const res1 = await first.next('result');
    await Promise.all(r1);
    const spentAfterR1 = res1.epsilonTotal as number;
    assert.ok(spentAfterR1 > 0);
    // round 2: SIGKILL once every client has sent its partial
    let sent = 0;
    const killed = new Promise<void>((resolve) => {
      for (const c of clients) c.on('progress', (p) => {
        if (p.memo === 'r2' && p.phase === 'sent' && ++sent === clients.length) {
          first.child.kill('SIGKILL');
          first.child.once('exit', () => resolve());
        }
      });
    });
    const r2 = clients.map((c, i) => c.aggregate(x(i + 1)).then(() => 'released', (e: ShardwireError) => e.code));
    first.child.send({ type: 'round', n: 4, dim: 16, memo: 'r2' });
    await killed;
    // the same identity and state file: the session resumes
    const second = spawnCoordinator();
    procs.push(second.child);
    const t0 = performance.now();
    second.child.send(start);
    const started = await second.next('started');
    assert.deepEqual(started.resumedFrom, { rounds: 2, released: 1, aborted: 'r2' });
    assert.equal(started.spent, spentAfterR1, 'the accountant total is unchanged by the restart');
    assert.deepEqual(await Promise.all(r2), ['E_ABORTED', 'E_ABORTED', 'E_ABORTED', 'E_ABORTED'], 'the round in flight is aborted explicitly');
    assert.ok(performance.now() - t0 < 10_000);
    // released and aborted memos are never run again
    second.child.send({ type: 'round', n: 4, dim: 16, memo: 'r1' });
    assert.equal((await second.next('error')).code, 'E_REPLAY');
    second.child.send({ type: 'round', n: 4, dim: 16, memo: 'r2' });
    assert.equal((await second.next('error')).code, 'E_REPLAY');
    // the next round runs with every participant, and ε keeps adding up from where it was
    const r3 = clients.map((c, i) => c.aggregate(x(i + 2)));
    second.child.send({ type: 'round', n: 4, dim: 16, memo: 'r3' });
    const res3 = await second.next('result');
    await Promise.all(r3);
    assert.equal((res3.contributors as string[]).length, 4);
    assert.ok((res3.epsilonTotal as number) > spentAfterR1);
    second.child.kill('SIGKILL');
    // the audit log: the story, in order, without payloads or secrets
    const text = readFileSync(start.auditLogPath, 'utf8');
    const lines = text.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    const story = lines.filter((l) => !String(l.event).startsWith('member-')).map((l) => `${String(l.event)}${l.memo ? `:${String(l.memo)}` : ''}`);
    assert.deepEqual(story, [
      'session-created', 'round-opened:r1', 'epsilon-charged:r1', 'contributors:r1', 'released:r1', 'round-opened:r2',
      'session-resumed', 'aborted:r2', 'round-opened:r3', 'epsilon-charged:r3', 'contributors:r3', 'released:r3',
    ]);
    assert.equal(lines.filter((l) => l.event === 'member-ready').length, 4);
    for (const l of lines) assert.equal(l.session, session);
    const secret = toBase64url(coordId.secretKey);
    assert.ok(!text.includes(secret.slice(0, 20)) && !/payload|secret|share|aggregate/i.test(Object.keys(Object.assign({}, ...lines)).join()), 'no secrets or payloads in the audit log');
    assert.ok(!readFileSync(start.statePath, 'utf8').includes(secret.slice(0, 20)));
  } finally {
    for (const p of procs) p.kill('SIGKILL');
    for (const c of clients) c.close();
    await relay.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a tampered, foreign or mismatched state file is refused before anything connects', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sw-tamper-'));
  const relay = await startRelay({ port: 0, logLevel: 'silent' });
  const kernel = await kernelPromise;
  const coordId = await Identity.generate();
  const ids = await Promise.all(Array.from({ length: 4 }, () => Identity.generate()));
  const roster = ids.map((i) => ({ id: i.id, publicKey: i.publicKey }));
  const statePath = join(dir, 'state.json');
  const base = { relayUrl: relay.url, session: 'tamper', roster, kernel, statePath };
  const code = (c: string) => (e: ShardwireError) => e.code === c;
  try {
    await (await Coordinator.start({ ...base, identity: coordId, config })).close();
    const good = readFileSync(statePath, 'utf8');
    const file = JSON.parse(good) as Record<string, string | number>;
    const box = Buffer.from(String(file.box), 'base64url');
    box[10]! ^= 1;
    writeFileSync(statePath, JSON.stringify({ ...file, box: box.toString('base64url') }));
    await assert.rejects(Coordinator.start({ ...base, identity: coordId, config }), code('E_STATE_TAMPERED'));
    writeFileSync(statePath, JSON.stringify({ ...file, generation: Number(file.generation) - 1 }));
    await assert.rejects(Coordinator.start({ ...base, identity: coordId, config }), code('E_STATE_TAMPERED'), 'a rolled-back generation does not authenticate');
    writeFileSync(statePath, good.slice(0, good.length - 30));
    await assert.rejects(Coordinator.start({ ...base, identity: coordId, config }), code('E_STATE_TAMPERED'));
    writeFileSync(statePath, good);
    await assert.rejects(Coordinator.start({ ...base, identity: await Identity.generate(), config }), code('E_BAD_STATE'), 'another identity');
    await assert.rejects(Coordinator.start({ ...base, identity: coordId, config: { ...config, minClients: 3 } }), code('E_BAD_STATE'), 'another config');
    const again = await Coordinator.start({ ...base, identity: coordId, config });
    assert.deepEqual(again.resumedFrom, { rounds: 0, released: 0 });
    await again.close();
  } finally {
    await relay.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
