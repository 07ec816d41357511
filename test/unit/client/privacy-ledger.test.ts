// A participant's privacy ledger on its own: persisted and reloaded exactly, tampering detected
// with a typed error, two rounds admitted at once never both take the last of the budget, the
// announced plan and spend checked (typed refusals), the signed round report compared.
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { Identity } from '../../../src/crypto/identity.ts';
import { configHash } from '../../../src/crypto/hash.ts';
import { validateConfig, type SessionConfig } from '../../../src/config.ts';
import { isShardwireError, type ErrorCode } from '../../../src/errors.ts';
import { PrivacyAccountant } from '../../../src/dp/accountant.ts';
import { releaseOf } from '../../../src/dp/noise-plan.ts';
import { announceNoise, type NoiseAnnouncement } from '../../../src/dp/noise-announcement.ts';
import { signRoundReport } from '../../../src/dp/round-report.ts';
import { ledgerFor, PrivacyLedger } from '../../../src/client/privacy-ledger.ts';
import { fileLedgerStore, memoryLedgerStore, type ResolvedLedgerStore } from '../../../src/client/ledger-store.ts';

const SESSION = 'ledger-unit';
const DIM = 10;
const makeConfig = (budget = 10, over: Record<string, unknown> = {}) => validateConfig({
  smpc: { shards: 3, exponent: 4 }, minClients: 4, minHonest: 3, maxClients: 6,
  dp: { noisetype: 'gauss', epsilon: 1, delta: 1e-5, clippingVal: 1, mode: 'distributed' },
  privacyBudget: { epsilon: budget, delta: 1e-4 }, ...over,
});
const PEERS = ['p1', 'p2', 'p3', 'p4', 'p5'];
const rejectsWith = (p: Promise<unknown>, code: ErrorCode) => assert.rejects(p, (e) => isShardwireError(e, code) || assert.fail(`expected ${code}, got ${String(e)}`));

interface Setup {
  config: SessionConfig;
  hash: string;
  me: Identity;
  coord: Identity;
  /** The honest coordinator's accountant, to announce and report. */
  acc: PrivacyAccountant;
  open(store: ResolvedLedgerStore): Promise<PrivacyLedger>;
  announce(): Promise<NoiseAnnouncement>;
  report(memo: string, contributors?: readonly string[], over?: Record<string, unknown>): Promise<unknown>;
}

async function setup(budget = 10): Promise<Setup> {
  const config = makeConfig(budget);
  const hash = await configHash(config);
  const me = await Identity.generate();
  const coord = await Identity.generate();
  const acc = new PrivacyAccountant({ sessionId: SESSION, budget: config.privacyBudget!, minHonest: config.minHonest });
  return {
    config, hash, me, coord, acc,
    open: (store) => PrivacyLedger.open({ store, identity: me, session: SESSION, configHash: hash, config, coordinator: { id: coord.id, publicKey: coord.publicKey } }),
    announce: () => announceNoise(config, config.noise!, { epsilon: acc.spent().epsilon, releases: acc.releases.length }),
    async report(memo, contributors = [me.id, ...PEERS.slice(0, 3)], over = {}) {
      const rec = acc.record(releaseOf(config.noise!, acc.releases.length + 1, contributors.length, DIM));
      const a = await announceNoise(config, config.noise!, { epsilon: 0, releases: 0 });
      const signed = await signRoundReport(coord, { session: SESSION, configHash: hash, memo, contributors, release: acc.releases.length, dimension: DIM, epsilonRound: rec.epsilon, epsilonTotal: rec.cumulative.epsilon, delta: rec.cumulative.delta, plan: a.plan });
      return { ...signed, ...over };
    },
  };
}

const roundOf = async (s: Setup, memo: string, dp?: NoiseAnnouncement) => ({ memo, participants: [s.me.id, ...PEERS], operation: 'sum', dim: DIM, dp: dp ?? (await s.announce()) });

/** One full round through the ledger: admit, sent, confirm. */
async function fullRound(s: Setup, l: PrivacyLedger, memo: string): Promise<void> {
  const contributors = [s.me.id, ...PEERS.slice(0, 3)];
  await l.admit(await roundOf(s, memo));
  await l.sent(memo);
  await l.confirm(memo, await s.report(memo, contributors), contributors);
}

test('persisted: rounds survive a reload exactly; readable JSON; the released figures agree with the coordinator', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sw-ledger-'));
  try {
    const s = await setup();
    const path = join(dir, 'ledger.json');
    const l = await s.open(fileLedgerStore(path));
    assert.equal(l.persistent, true);
    await fullRound(s, l, 'r1');
    await fullRound(s, l, 'r2');
    await l.admit(await roundOf(s, 'r3'));
    await l.settle('r3', 'E_TIMEOUT'); // withdrawn before sending: free
    assert.deepEqual(l.entries.map((e) => e.state), ['released', 'released', 'withdrawn']);
    assert.equal(l.confirmed().epsilon, s.acc.spent().epsilon);
    assert.equal(l.spent().epsilon, s.acc.spent().epsilon);
    const file = JSON.parse(readFileSync(path, 'utf8'));
    assert.equal(file.format, 'shardwire-client-ledger');
    assert.equal(file.entries.length, 3);
    await l.close();
    const again = await s.open(fileLedgerStore(path));
    assert.deepEqual(again.entries, l.entries);
    assert.equal(again.spent().epsilon, l.spent().epsilon);
    // a memo is never admitted twice, even after a restart
    await rejectsWith(again.admit(await roundOf(s, 'r1')), 'E_REPLAY');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('tampering: an edited, truncated or foreign ledger is refused with a typed error', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sw-ledger-'));
  try {
    const s = await setup();
    const path = join(dir, 'ledger.json');
    const l = await s.open(fileLedgerStore(path));
    await fullRound(s, l, 'r1');
    await l.close();
    const good = readFileSync(path, 'utf8');
    const edits: [string, (t: string) => string, ErrorCode][] = [
      ['ε of a round lowered', (t) => { const j = JSON.parse(t); j.entries[0].epsilon /= 2; return JSON.stringify(j); }, 'E_STATE_TAMPERED'],
      ['budget raised', (t) => { const j = JSON.parse(t); j.budget.epsilon *= 2; return JSON.stringify(j); }, 'E_STATE_TAMPERED'],
      ['entry deleted', (t) => { const j = JSON.parse(t); j.entries = []; return JSON.stringify(j); }, 'E_STATE_TAMPERED'],
      ['truncated', (t) => t.slice(0, t.length / 2), 'E_STATE_TAMPERED'],
      ['another session', (t) => t.replace(`"session": "${SESSION}"`, '"session": "other"'), 'E_BAD_STATE'],
      ['not a ledger', () => '{"hello":1}', 'E_BAD_STATE'],
    ];
    for (const [what, edit, code] of edits) {
      writeFileSync(path, edit(good));
      await rejectsWith(s.open(fileLedgerStore(path)), code).catch((e) => assert.fail(`${what}: ${String(e)}`));
    }
    // another participant's identity cannot read (or forge) it
    writeFileSync(path, good);
    const other = await Identity.generate();
    await rejectsWith(PrivacyLedger.open({ store: fileLedgerStore(path), identity: other, session: SESSION, configHash: s.hash, config: s.config, coordinator: { id: s.coord.id, publicKey: s.coord.publicKey } }), 'E_BAD_STATE');
    const forged = JSON.parse(good);
    forged.participant = other.id;
    writeFileSync(path, JSON.stringify(forged));
    await rejectsWith(PrivacyLedger.open({ store: fileLedgerStore(path), identity: other, session: SESSION, configHash: s.hash, config: s.config, coordinator: { id: s.coord.id, publicKey: s.coord.publicKey } }), 'E_STATE_TAMPERED');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('concurrency: two rounds admitted at once never both take the last of the budget; writes stay in order', async () => {
  // a budget that fits exactly two rounds
  const probe = new PrivacyAccountant({ sessionId: SESSION, budget: { epsilon: 1e9, delta: 1e-4 }, minHonest: 3 });
  const cfg = makeConfig(10);
  probe.record(releaseOf(cfg.noise!, 1, 4, DIM));
  probe.record(releaseOf(cfg.noise!, 2, 4, DIM));
  const two = probe.spent().epsilon;
  const tight = await setup(two * (1 + 1e-12));
  const store = memoryLedgerStore();
  const l = await tight.open(store);
  await l.admit(await roundOf(tight, 'a'));
  const outcomes = await Promise.allSettled([l.admit(await roundOf(tight, 'b')), l.admit(await roundOf(tight, 'c'))]);
  assert.deepEqual(outcomes.map((o) => o.status).sort(), ['fulfilled', 'rejected']);
  const refused = outcomes.find((o) => o.status === 'rejected') as PromiseRejectedResult;
  assert.ok(isShardwireError(refused.reason, 'E_BUDGET_EXHAUSTED'), String(refused.reason));
  const reloaded = await tight.open(store);
  assert.deepEqual(reloaded.entries.map((e) => e.state), ['reserved', 'reserved']);
  // two rounds that both fit: both reserved, both written
  const roomy = await setup(100);
  const st2 = memoryLedgerStore();
  const l2 = await roomy.open(st2);
  await Promise.all(['x', 'y', 'z'].map(async (m) => l2.admit(await roundOf(roomy, m))));
  await Promise.all(['x', 'y', 'z'].map((m) => l2.sent(m)));
  assert.deepEqual((await roomy.open(st2)).entries.map((e) => `${e.memo}:${e.state}`).sort(), ['x:sent', 'y:sent', 'z:sent']);
});

test('admission: a different plan, less noise, a smaller budget, too few participants or a low spend are refused, nothing reserved', async () => {
  const s = await setup();
  const l = await s.open(memoryLedgerStore());
  await fullRound(s, l, 'r1');
  const a = await s.announce();
  const cases: [string, Partial<NoiseAnnouncement> | undefined, ErrorCode, string[]?][] = [
    ['less noise', { sigma: String(BigInt(a.sigma!) - 1n) }, 'E_NOISE_PLAN_MISMATCH'],
    ['more noise (another plan)', { sigma: String(BigInt(a.sigma!) + 1n) }, 'E_NOISE_PLAN_MISMATCH'],
    ['smaller budget', { budget: { epsilon: 1, delta: 1e-4 } }, 'E_NOISE_PLAN_MISMATCH'],
    ['another mechanism', { mechanism: 'laplace' }, 'E_NOISE_PLAN_MISMATCH'],
    ['local instead of distributed', { mode: 'local' }, 'E_NOISE_PLAN_MISMATCH'],
    ['more honest clients claimed', { minHonest: 4 }, 'E_NOISE_PLAN_MISMATCH'],
    ['another tail', { tail: '1' }, 'E_NOISE_PLAN_MISMATCH'],
    ['another plan hash', { plan: 'ab'.repeat(32) }, 'E_NOISE_PLAN_MISMATCH'],
    ['cumulative ε below the ledger', { spent: { epsilon: 0, releases: 0 } }, 'E_LEDGER_MISMATCH'],
    ['fewer participants than minHonest', {}, 'E_NOISE_PLAN_MISMATCH', [s.me.id, 'p1']],
  ];
  for (const [what, change, code, participants] of cases) {
    const round = { memo: `bad-${what.replace(/\W+/g, '-')}`, participants: participants ?? [s.me.id, ...PEERS], operation: 'sum', dim: DIM, dp: { ...a, ...change } as NoiseAnnouncement };
    await rejectsWith(l.admit(round), code).catch((e) => assert.fail(`${what}: ${String(e)}`));
  }
  await rejectsWith(l.admit({ memo: 'no-dp', participants: [s.me.id, ...PEERS], operation: 'sum', dim: DIM }), 'E_NOISE_PLAN_MISMATCH');
  assert.deepEqual(l.entries.map((e) => e.memo), ['r1'], 'nothing reserved for a refused round');
});

test('round report: a bad signature, another ε, a lower cumulative ε or other contributors are disputes (typed, recorded, still counted)', async () => {
  const s = await setup();
  const l = await s.open(memoryLedgerStore());
  const contributors = [s.me.id, ...PEERS.slice(0, 3)];
  const forger = await Identity.generate();
  const cases: [string, (memo: string) => Promise<unknown>][] = [
    ['no report', async () => undefined],
    ['malformed', async () => ({ v: 1 })],
    ['edited ε', async (m) => s.report(m, contributors, { epsilonRound: 0.0001 })],
    ['other contributors', async (m) => s.report(m, [s.me.id, ...PEERS])],
    ['signed by someone else', async (m) => {
      const r = (await s.report(m, contributors)) as Record<string, unknown>;
      return { ...r, signature: (await signRoundReport(forger, r as never)).signature };
    }],
  ];
  for (const [what, make] of cases) {
    const memo = `m-${what.replace(/\W+/g, '-')}`;
    await l.admit(await roundOf(s, memo));
    await l.sent(memo);
    await rejectsWith(l.confirm(memo, await make(memo), contributors), 'E_LEDGER_MISMATCH').catch((e) => assert.fail(`${what}: ${String(e)}`));
    const entry = l.entries.find((e) => e.memo === memo)!;
    assert.equal(entry.state, 'disputed', what);
    assert.ok(entry.reason, what);
  }
  assert.equal(l.entries.length, cases.length);
  assert.ok(l.spent().releases === cases.length, 'disputed rounds still count against the budget');
});

test('a coordinator whose report understates the session total is a dispute', async () => {
  const s = await setup();
  const l = await s.open(memoryLedgerStore());
  await fullRound(s, l, 'r1');
  const contributors = [s.me.id, ...PEERS.slice(0, 3)];
  await l.admit(await roundOf(s, 'r2'));
  await l.sent('r2');
  const honest = (await s.report('r2', contributors)) as Record<string, unknown>;
  const lowered = await signRoundReport(s.coord, { ...(honest as unknown as Parameters<typeof signRoundReport>[1]), epsilonTotal: honest.epsilonRound as number, release: 1 });
  await assert.rejects(l.confirm('r2', lowered, contributors), (e) => isShardwireError(e, 'E_LEDGER_MISMATCH') && /cumulative/.test(String(e.details.reason)));
});

test('settle: withdrawn before sending is free; after sending the round stays counted', async () => {
  const s = await setup();
  const l = await s.open(memoryLedgerStore());
  await l.admit(await roundOf(s, 'a'));
  await l.settle('a', 'E_TIMEOUT');
  await l.admit(await roundOf(s, 'b'));
  await l.sent('b');
  await l.settle('b', 'E_ABORTED');
  await l.admit(await roundOf(s, 'c'));
  await l.sent('c');
  await l.settle('c', 'E_DROPPED');
  assert.deepEqual(l.entries.map((e) => e.state), ['withdrawn', 'aborted', 'dropped']);
  assert.equal(l.spent().releases, 2);
  assert.equal(l.confirmed().releases, 0);
});

test('bad settings are typed: both stores, a non-string path, a store without methods, an unwritable directory', async () => {
  const s = await setup();
  const base = { identity: s.me, session: SESSION, configHash: s.hash, config: s.config, coordinator: s.coord };
  await rejectsWith(ledgerFor({ ledgerPath: '/tmp/x.json', ledgerStore: memoryLedgerStore() }, base), 'E_BAD_ARGUMENT');
  await rejectsWith(ledgerFor({ ledgerPath: 42 as never }, base), 'E_BAD_ARGUMENT');
  await rejectsWith(ledgerFor({ ledgerPath: '' }, base), 'E_BAD_ARGUMENT');
  await rejectsWith(ledgerFor({ ledgerStore: { load: 1 } as never }, base), 'E_BAD_ARGUMENT');
  const dir = mkdtempSync(join(tmpdir(), 'sw-ledger-'));
  try {
    await rejectsWith(ledgerFor({ ledgerPath: join(dir, 'missing', 'l.json') }, base), 'E_BAD_ARGUMENT');
    if (process.getuid?.() !== 0) {
      mkdirSync(join(dir, 'ro'));
      chmodSync(join(dir, 'ro'), 0o500);
      await rejectsWith(ledgerFor({ ledgerPath: join(dir, 'ro', 'l.json') }, base), 'E_BAD_ARGUMENT');
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  // without DP there is no ledger; in memory it is not persistent
  const plain = validateConfig({ smpc: { shards: 3, exponent: 4 }, minClients: 2, clip: { norm: 'linf', bound: 1 } });
  assert.equal(await ledgerFor({}, { ...base, config: plain }), undefined);
  assert.equal((await ledgerFor({}, base))!.persistent, false);
  // an application store is used as given
  let saved = '';
  const custom = await ledgerFor({ ledgerStore: { load: async () => undefined, save: async (t) => void (saved = t) } }, base);
  await custom!.admit(await roundOf(s, 'c1'));
  assert.ok(saved.includes('"c1"'));
});
