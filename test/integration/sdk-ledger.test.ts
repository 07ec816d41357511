/**
 * Client-side accounting through the relay: every participant keeps its own ledger file, its
 * figures equal the coordinator's signed report round after round, the file reloads exactly, and
 * a coordinator that forgot what it spent (its accountant replaced by a fresh one) is refused by
 * every participant, so nothing is released.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { world } from './sdk-harness.ts';
import { isShardwireError } from '../../src/errors.ts';
import { PrivacyAccountant } from '../../src/dp/accountant.ts';
import { PrivacyLedger } from '../../src/client/privacy-ledger.ts';
import { fileLedgerStore } from '../../src/client/ledger-store.ts';
import { configHash } from '../../src/crypto/hash.ts';

const config = (mode: 'local' | 'distributed') => ({
  smpc: { shards: 3, exponent: 4 }, minClients: 3,
  dp: { noisetype: 'gauss', epsilon: 1, delta: 1e-5, clippingVal: 1, mode },
  privacyBudget: { epsilon: 30, delta: 1e-4 },
  timeouts: { joinMs: 5000, shareMs: 4000, roundMs: 4000, revealMs: 2000 },
});

for (const mode of ['distributed', 'local'] as const) {
  test(`ledgers through the relay (${mode}): each participant's figures equal the coordinator's, rounds after rounds; the files reload`, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sw-ledgers-'));
    const paths = [0, 1, 2, 3].map((i) => join(dir, `p${i}.json`));
    const w = await world(4, config(mode), undefined, undefined, { client: (i) => ({ ledgerPath: paths[i] }) });
    try {
      const warnings: string[] = [];
      for (const c of w.clients) c.on('warning', (x) => warnings.push(x.message));
      for (let r = 0; r < 3; r++) {
        const calls = w.clients.map((c) => c.aggregate(new Float64Array(20).fill(0.01)));
        const { report } = await w.coordinator.runRound({ dim: 20 });
        for (const res of await Promise.all(calls)) {
          assert.equal(res.privacy!.epsilonRound, report.dp!.epsilonRound);
          assert.equal(res.privacy!.epsilonTotal, report.dp!.epsilonTotal);
          assert.equal(res.privacy!.coordinatorEpsilonTotal, report.dp!.epsilonTotal);
        }
      }
      assert.deepEqual(warnings.filter((m) => /ledger/.test(m)), [], 'a persistent ledger gives no warning');
      for (const [i, c] of w.clients.entries()) {
        assert.deepEqual(c.ledger!.entries.map((e) => e.state), ['released', 'released', 'released']);
        assert.equal(JSON.parse(readFileSync(paths[i], 'utf8')).entries.length, 3);
        const again = await PrivacyLedger.open({ store: fileLedgerStore(paths[i]), identity: w.identities[i], session: w.coordinator.channel.keyring.sessionId, configHash: w.coordinator.configHash, config: c.config, coordinator: { id: w.coordinator.identity.id, publicKey: w.coordinator.identity.publicKey } });
        assert.deepEqual(again.entries, c.ledger!.entries);
        assert.equal(again.spent().epsilon, w.coordinator.accountant!.spent().epsilon);
      }
      assert.equal(await configHash(w.clients[0].config), w.coordinator.configHash);
    } finally {
      await w.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

test('a coordinator that forgot its spend is refused by every participant; nothing is released', async () => {
  const w = await world(4, config('distributed'));
  try {
    for (const c of w.clients) assert.equal(c.ledger!.persistent, false, 'no ledgerPath: kept in memory (the client warns at join)');
    const calls = w.clients.map((c) => c.aggregate(new Float64Array(8)));
    await w.coordinator.runRound({ dim: 8 });
    await Promise.all(calls);
    // a restart without its state file, say: the accountant starts over at zero
    const c = w.coordinator as unknown as { accountant: PrivacyAccountant };
    c.accountant = new PrivacyAccountant({ sessionId: w.coordinator.channel.keyring.sessionId, budget: w.coordinator.config.privacyBudget!, minHonest: w.coordinator.config.minHonest });
    const refused = w.clients.map((cl) => cl.aggregate(new Float64Array(8), { timeoutMs: 3000 }).then(() => 'released', (e: unknown) => e));
    const outcome = await w.coordinator.runRound({ dim: 8, timeoutMs: 1500 }).then(() => 'released', (e: unknown) => e);
    assert.ok(outcome instanceof Error && !isShardwireError(outcome, 'E_LEDGER_MISMATCH'), `the round must fail at the coordinator: ${String(outcome)}`);
    for (const r of await Promise.all(refused)) assert.ok(isShardwireError(r, 'E_LEDGER_MISMATCH'), String(r));
    for (const cl of w.clients) assert.equal(cl.ledger!.entries.length, 1);
  } finally {
    await w.close();
  }
});
