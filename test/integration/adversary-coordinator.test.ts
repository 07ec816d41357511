/**
 * A lying coordinator against honest participants (test/integration/adversary-harness.ts drives
 * the protocol by hand and then tries to unmask one victim with everything it collected).
 * Under double masking every strategy fails and the victim's residue stays uniform; under the
 * honest-coordinator mode the classic attack — claim a live client dropped and ask for its
 * edges — recovers the input exactly, which is why that mode is not the default.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { world, baseConfig } from './sdk-harness.ts';
import { Rogue, chiSquareTopByte, CHI2_LIMIT } from './adversary-harness.ts';
import { isShardwireError } from '../../src/errors.ts';
import { Identity } from '../../src/crypto/identity.ts';
import { SessionKeyring } from '../../src/crypto/session-keyring.ts';
import { keyBundleToJson } from '../../src/crypto/session-keys.ts';
import { toBase64url } from '../../src/wire/base64url.ts';
import { RoundType } from '../../src/session/round-messages.ts';
import type { World } from './sdk-harness.ts';

const DIM = 20_000;
// the victim's input is as far from random as an input gets: a constant
const inputs = (n: number) => Array.from({ length: n }, (_, i) => new Float64Array(DIM).fill(i === 0 ? 0.25 : 0.5));

async function sixClients(threat: 'malicious-coordinator' | 'honest-coordinator', extra: Record<string, unknown> = {}): Promise<World> {
  return world(6, baseConfig({ threat, minClients: 2, smpc: { shards: 3, exponent: 6 }, clip: { norm: 'linf', bound: 1 }, timeouts: { joinMs: 5000, shareMs: 3000, roundMs: 3000, revealMs: 3000 }, ...extra }));
}

function contributions(w: World) {
  const xs = inputs(w.clients.length);
  const refused: string[][] = w.clients.map(() => []);
  w.clients.forEach((c, i) => c.on('refused', (r) => refused[i].push(r.error.code)));
  const calls = w.clients.map((c, i) => c.aggregate(xs[i], { timeoutMs: 8000 }).then(() => 'released' as const, (e: unknown) => e));
  return { calls, refused };
}

test('malicious-coordinator: claiming a live client dropped does not unmask it (the seven-line attack fails)', async () => {
  const w = await sixClients('malicious-coordinator');
  try {
    const ids = w.identities.map((x) => x.id);
    const victim = ids[0];
    const { calls } = contributions(w);
    const rogue = new Rogue(w.coordinator, 'lie-1');
    await rogue.start(ids, DIM);
    await rogue.share();
    const others = ids.filter((id) => id !== victim);
    await rogue.statement(ids, others);
    await rogue.waitAll(RoundType.consent, ids);
    await rogue.recover(ids, others, ids);
    await rogue.waitAll(RoundType.reveal, ids);
    const a = await rogue.attack(victim);
    assert.equal(a.unmasked, undefined, 'the victim was unmasked');
    assert.equal(a.selfShares, 0, 'no holder revealed a self-mask share of a client listed as dropped');
    assert.ok(a.maskShares >= a.threshold, 'its masking key was (legitimately) revealed');
    assert.ok(chiSquareTopByte(a.residue) < CHI2_LIMIT, 'what is left of the victim\'s partial is uniform');
    // the rogue releases the others' sum; the victim is told its input is not in it
    await Promise.all(ids.map((p) => rogue.send(p, RoundType.result, new TextEncoder().encode(JSON.stringify({ memo: 'lie-1', contributors: others })))));
    const results = await Promise.all(calls);
    assert.ok(isShardwireError(results[0], 'E_DROPPED'), `the victim's aggregate() must not resolve: ${String(results[0])}`);
  } finally {
    await w.close();
  }
});

test('honest-coordinator: the same lie recovers the victim exactly (why it is not the default)', async () => {
  const w = await sixClients('honest-coordinator');
  try {
    const ids = w.identities.map((x) => x.id);
    const victim = ids[0];
    contributions(w);
    const rogue = new Rogue(w.coordinator, 'lie-2');
    await rogue.start(ids, DIM);
    await rogue.waitAll(RoundType.partial, ids);
    rogue.members = ids;
    const others = ids.filter((id) => id !== victim);
    const body = new TextEncoder().encode(JSON.stringify({ memo: 'lie-2', dropped: [victim], survivors: others }));
    await Promise.all(others.map((p) => rogue.send(p, RoundType.recover, body)));
    await rogue.waitAll(RoundType.reveal, others);
    const x = await rogue.attackEdges(victim);
    assert.ok(x.every((v) => v === 0.25), 'single masking cannot stop a coordinator that lies about dropouts');
  } finally {
    await w.close();
  }
});

test('malicious-coordinator: different survivor sets for different holders give fewer than t shares of each kind', async () => {
  const w = await sixClients('malicious-coordinator');
  try {
    const ids = w.identities.map((x) => x.id);
    const victim = ids[0];
    const { calls } = contributions(w);
    const rogue = new Rogue(w.coordinator, 'split-1');
    await rogue.start(ids, DIM);
    await rogue.share();
    const holders = rogue.graph.neighbours(victim);
    const groupB = holders.slice(0, Math.floor(holders.length / 2)); // told: the victim dropped
    const groupA = ids.filter((id) => !groupB.includes(id)); // told: the victim survived
    const others = ids.filter((id) => id !== victim);
    await rogue.statement(groupA, ids);
    await rogue.statement(groupB, others);
    await rogue.waitAll(RoundType.consent, ids);
    await rogue.recover(groupA, ids, groupA);
    await rogue.recover(groupB, others, groupB);
    await rogue.waitAll(RoundType.reveal, ids);
    const a = await rogue.attack(victim);
    assert.equal(a.unmasked, undefined);
    assert.ok(a.selfShares < a.threshold && a.maskShares < a.threshold, `self ${a.selfShares}, mask ${a.maskShares}, t ${a.threshold}`);
    assert.ok(chiSquareTopByte(a.residue) < CHI2_LIMIT);
    await Promise.all(calls.map((c) => c.catch(() => undefined)));
  } finally {
    await w.close();
  }
});

test('malicious-coordinator: asking again with the victim dropped is refused (E_INCONSISTENT); never both kinds of share', async () => {
  const w = await sixClients('malicious-coordinator');
  try {
    const ids = w.identities.map((x) => x.id);
    const victim = ids[0];
    const { refused } = contributions(w);
    const rogue = new Rogue(w.coordinator, 'twice-1');
    await rogue.start(ids, DIM);
    await rogue.share();
    await rogue.statement(ids, ids);
    await rogue.waitAll(RoundType.consent, ids);
    await rogue.recover(ids, ids, ids);
    await rogue.waitAll(RoundType.reveal, ids);
    const others = ids.filter((id) => id !== victim);
    await rogue.statement(ids, others); // a second statement …
    await rogue.recover(ids, others, ids); // … and a second request
    await new Promise((r) => setTimeout(r, 500));
    for (const [holder, bodies] of rogue.got.get(RoundType.reveal)!) assert.equal(bodies.length, 1, `${holder} revealed twice`);
    assert.ok(refused.slice(1).every((codes) => codes.includes('E_INCONSISTENT')), `refusals: ${JSON.stringify(refused)}`);
    const a = await rogue.attack(victim);
    assert.ok(a.selfShares >= a.threshold && a.maskShares === 0, 'the self-mask came off (the victim survived), its masking key did not');
    assert.equal(a.unmasked, undefined);
    assert.ok(chiSquareTopByte(a.residue) < CHI2_LIMIT);
  } finally {
    await w.close();
  }
});

test('a pinned roster (rosterHash) refuses an identity the coordinator injects into a round (E_ROSTER_MISMATCH)', async () => {
  const w = await world(4, baseConfig({ minClients: 2, timeouts: { joinMs: 5000, shareMs: 2000, roundMs: 2000, revealMs: 2000 } }), undefined, undefined, { pinRoster: true });
  try {
    const ids = w.identities.map((x) => x.id);
    const sybil = await Identity.generate();
    const { calls } = contributions(w);
    const rogue = new Rogue(w.coordinator, 'sybil-1');
    // a participant of the coordinator's own, with a key bundle it signed itself
    const keyring = await SessionKeyring.create(sybil, w.coordinator.channel.keyring.sessionId, w.coordinator.configHash);
    (w.coordinator.roster as Map<string, { id: string; publicKey: string }>).set(sybil.id, { id: sybil.id, publicKey: toBase64url(sybil.publicKey) });
    w.coordinator.bundles.set(sybil.id, await keyBundleToJson(keyring.bundle));
    await rogue.start([...ids, sybil.id], DIM);
    for (const r of await Promise.all(calls)) assert.ok(isShardwireError(r, 'E_ROSTER_MISMATCH'), String(r));
    keyring.destroy();
  } finally {
    await w.close();
  }
});
