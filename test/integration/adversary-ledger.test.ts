/**
 * A coordinator that lies about differential privacy, against participants that keep their own
 * ledgers (test/integration/adversary-harness.ts drives the protocol by hand): one that announces
 * less noise, a smaller budget, another plan, more honest clients than the config, or a cumulative
 * ε below a participant's own ledger gets nothing from any participant — no join, no keys, no
 * partial — so it has nothing to release; one whose signed round report disagrees with the
 * ledgers is a typed error at every participant, recorded in its ledger.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { world, baseConfig, type World } from './sdk-harness.ts';
import { Rogue } from './adversary-harness.ts';
import { isShardwireError, type ErrorCode } from '../../src/errors.ts';
import { Identity } from '../../src/crypto/identity.ts';
import { announcePrivacy } from '../../src/coordinator/round-privacy.ts';
import { signRoundReport } from '../../src/dp/round-report.ts';
import { encodeBody, RoundType } from '../../src/session/round-messages.ts';
import type { NoiseAnnouncement } from '../../src/dp/noise-announcement.ts';

const DIM = 64;
const dpWorld = (threat: 'malicious-coordinator' | 'honest-coordinator' = 'malicious-coordinator'): Promise<World> => world(4, baseConfig({
  threat, minClients: 3, minHonest: 3, smpc: { shards: 3, exponent: 4 }, clip: undefined,
  dp: { noisetype: 'gauss', epsilon: 1, delta: 1e-5, clippingVal: 1, mode: 'distributed' },
  privacyBudget: { epsilon: 20, delta: 1e-4 },
  timeouts: { joinMs: 5000, shareMs: 3000, roundMs: 3000, revealMs: 3000 },
}));

const input = () => new Float64Array(DIM).fill(0.01);

/** One honest round, so every ledger holds a confirmed release. */
async function honestRound(w: World): Promise<void> {
  const calls = w.clients.map((c) => c.aggregate(input()));
  await w.coordinator.runRound({ dim: DIM });
  const results = await Promise.all(calls);
  for (const r of results) assert.ok(r.privacy && r.privacy.epsilonTotal > 0);
}

test('a coordinator announcing another noise plan or a lower spend gets nothing from any participant', async () => {
  const w = await dpWorld();
  try {
    await honestRound(w);
    const ids = w.identities.map((x) => x.id);
    const honest = (await announcePrivacy(w.coordinator, w.coordinator.noise))!;
    const lies: [string, Record<string, unknown>, ErrorCode][] = [
      ['less noise', { dp: { ...honest, sigma: String(BigInt(honest.sigma!) - 1n) } }, 'E_NOISE_PLAN_MISMATCH'],
      ['a smaller budget', { dp: { ...honest, budget: { epsilon: 5, delta: 1e-4 } } }, 'E_NOISE_PLAN_MISMATCH'],
      ['a larger budget', { dp: { ...honest, budget: { epsilon: 100, delta: 1e-4 } } }, 'E_NOISE_PLAN_MISMATCH'],
      ['local noise instead of distributed', { dp: { ...honest, mode: 'local' } }, 'E_NOISE_PLAN_MISMATCH'],
      ['Laplace instead of Gaussian', { dp: { ...honest, mechanism: 'laplace', sigma: undefined, scale: { num: '1', den: '1' } } }, 'E_NOISE_PLAN_MISMATCH'],
      ['fewer honest clients needed', { dp: { ...honest, minHonest: 2 } }, 'E_NOISE_PLAN_MISMATCH'],
      ['another plan hash', { dp: { ...honest, plan: '0'.repeat(64) } }, 'E_NOISE_PLAN_MISMATCH'],
      ['no announcement at all', {}, 'E_NOISE_PLAN_MISMATCH'],
      ['a cumulative ε below the participants\' own', { dp: { ...honest, spent: { epsilon: 0, releases: 0 } } }, 'E_LEDGER_MISMATCH'],
      ['a cumulative ε slightly below', { dp: { ...honest, spent: { epsilon: honest.spent.epsilon * 0.99, releases: honest.spent.releases } } }, 'E_LEDGER_MISMATCH'],
    ];
    for (const [i, [what, extra, code]] of lies.entries()) {
      const memo = `lie-${i}`;
      const calls = w.clients.map((c) => c.aggregate(input(), { timeoutMs: 4000 }).then(() => 'released', (e: unknown) => e));
      const rogue = new Rogue(w.coordinator, memo);
      await rogue.start(ids, DIM, extra);
      const results = await Promise.all(calls);
      for (const r of results) assert.ok(isShardwireError(r, code), `${what}: expected ${code}, got ${String(r)}`);
      await new Promise((r) => setTimeout(r, 100)); // anything sent would have arrived by now
      assert.equal(rogue.got.size, 0, `${what}: a participant sent ${[...rogue.got.keys()].join(', ')}`);
    }
    for (const c of w.clients) assert.deepEqual(c.ledger!.entries.map((e) => e.state), ['released'], 'refused rounds leave no entry');
  } finally {
    await w.close();
  }
});

test('a signed round report that understates the spend, or is signed by another key, is E_LEDGER_MISMATCH at every participant and recorded', async () => {
  const w = await dpWorld();
  try {
    const ids = w.identities.map((x) => x.id);
    const forger = await Identity.generate();
    const c = w.coordinator;
    for (const [memo, key] of [['under', c.identity], ['forged', forger]] as const) {
      const calls = w.clients.map((cl) => cl.aggregate(input(), { timeoutMs: 8000 }).then(() => 'released', (e: unknown) => e));
      const rogue = new Rogue(c, memo);
      const announced = (await announcePrivacy(c, c.noise))!;
      await rogue.start(ids, DIM, { dp: announced });
      await rogue.share();
      // it claims the round cost a tenth of what the plan gives, and signs that
      const report = await signRoundReport(key, { session: c.channel.keyring.sessionId, configHash: c.configHash, memo, contributors: ids, release: 1, dimension: DIM, epsilonRound: 0.01, epsilonTotal: 0.01, delta: 1e-4, plan: announced.plan });
      await Promise.all(ids.map((p) => rogue.send(p, RoundType.result, encodeBody({ memo, contributors: ids, report }))));
      const results = await Promise.all(calls);
      for (const r of results) assert.ok(isShardwireError(r, 'E_LEDGER_MISMATCH'), `${memo}: ${String(r)}`);
      for (const cl of w.clients) {
        const entry = cl.ledger!.entries.find((e) => e.memo === memo)!;
        assert.equal(entry.state, 'disputed');
        assert.match(entry.reason!, memo === 'forged' ? /signature/ : /ε of the round/);
      }
    }
    for (const cl of w.clients) assert.equal(cl.ledger!.spent().releases, 2, 'disputed rounds count against the budget');
  } finally {
    await w.close();
  }
});
