/**
 * The privacy ledger through the agent's HTTP API: a participant joined with `ledgerPath` keeps its
 * ledger in that file, each contribution answers with the round as the ledger counts it, the
 * status shows the ledger, and a bad `ledgerPath` is E_BAD_ARGUMENT.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { startRelay } from '../../src/relay/index.ts';
import { Kernel } from '../../src/kernel/kernel.ts';
import { startAgent } from '../../src/agent/index.ts';
import { call, bytesOf, identityFiles, vectorHeaders } from './agent-harness.ts';

const config = {
  smpc: { shards: 0, exponent: 4 }, minClients: 2, maxClients: 2,
  dp: { noisetype: 'gauss', epsilon: 1, delta: 1e-5, clippingVal: 1, mode: 'distributed' },
  privacyBudget: { epsilon: 10, delta: 1e-4 },
  timeouts: { joinMs: 5000, roundMs: 4000, revealMs: 2000 },
};

test('agent: ledgerPath keeps the participant\'s ledger; contributions answer with its figures; bad ledgerPath typed', async () => {
  const relay = await startRelay({ port: 0, logLevel: 'silent' });
  const agent = await startAgent({ logLevel: 'silent', kernel: await Kernel.load() });
  const ids = await identityFiles(3);
  try {
    const session = `agent-ledger-${Math.random().toString(36).slice(2)}`;
    const started = await call(agent, 'POST', '/v1/coordinators', { json: { relayUrl: relay.url, session, identityFile: ids.files[0], roster: ids.peers.slice(1), config } });
    assert.equal(started.status, 201, JSON.stringify(started.json()));
    const coordinator = started.json().handle as string;
    const base = (i: number) => ({ relayUrl: relay.url, session, identityFile: ids.files[i], coordinator: ids.peers[0], config });
    const bad = await call(agent, 'POST', '/v1/participants', { json: { ...base(1), ledgerPath: 42 } });
    assert.equal(bad.status, 400);
    assert.equal(bad.json().code, 'E_BAD_ARGUMENT');
    const ledgers = [1, 2].map((i) => join(dirname(ids.files[0]), `ledger-${i}.json`));
    const handles: string[] = [];
    for (const i of [1, 2]) {
      const r = await call(agent, 'POST', '/v1/participants', { json: { ...base(i), ledgerPath: ledgers[i - 1] } });
      assert.equal(r.status, 201, JSON.stringify(r.json()));
      handles.push(r.json().handle);
    }
    assert.equal((await call(agent, 'POST', `/v1/coordinators/${coordinator}/participants/wait`, { json: { count: 2, timeoutMs: 5000 } })).status, 200);
    assert.equal((await call(agent, 'POST', `/v1/coordinators/${coordinator}/rounds`, { json: { dim: 16 } })).status, 202);
    const v = new Float64Array(16).fill(0.01);
    const sent = await Promise.all(handles.map((h) => call(agent, 'POST', `/v1/participants/${h}/contributions`, { body: bytesOf(v), headers: vectorHeaders(v) })));
    for (const [i, r] of sent.entries()) {
      assert.equal(r.status, 200, JSON.stringify(r.json()));
      const p = r.json().privacy;
      assert.ok(p.epsilonTotal > 0 && p.epsilonTotal === p.coordinatorEpsilonTotal, JSON.stringify(p));
      assert.equal(JSON.parse(readFileSync(ledgers[i], 'utf8')).entries[0].state, 'released');
    }
    const status = (await call(agent, 'GET', `/v1/participants/${handles[0]}`)).json();
    assert.equal(status.ledger.where, ledgers[0]);
    assert.equal(status.ledger.persistent, true);
    assert.equal(status.ledger.rounds, 1);
  } finally {
    await agent.close();
    await relay.close();
    await ids.remove();
  }
});
