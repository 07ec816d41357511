/**
 * A slow or malicious network between honest parties, and malicious participants. A partial
 * delayed past the deadline is refused before it is decrypted (in both modes) and its sender is
 * told it was left out; a survivor revealing a wrong share or seed is detected and named, and the
 * round either recovers without it or releases nothing — never a wrong aggregate.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { world, baseConfig, kernelPromise, delayFrames } from './sdk-harness.ts';
import { isShardwireError } from '../../src/errors.ts';
import { SealedChannel } from '../../src/session/sealed-channel.ts';
import { decodeBody, RoundType } from '../../src/session/round-messages.ts';
import type { Frame } from '../../src/wire/frame.ts';

const timeouts = { joinMs: 5000, shareMs: 2000, roundMs: 800, revealMs: 2000 };

async function exactSum(xs: Float64Array[]): Promise<Float64Array> {
  const k = await kernelPromise;
  return k.decode(k.ringSum(xs.map((x) => k.encode(x, { exponent: 6, ring: 64, rounding: 'half-even' }))), { exponent: 6 });
}

/** Makes `id`'s messages of `type` pass through `edit` (plaintext JSON) before they are sealed. */
function tamper(id: string, type: string, edit: (body: Record<string, unknown>) => Record<string, unknown>): () => void {
  const original = SealedChannel.prototype.send;
  SealedChannel.prototype.send = function (this: SealedChannel, to: string, t: string, memo: string | undefined, plaintext: Uint8Array, extraAad?: Uint8Array) {
    if (this.keyring.id === id && t === type) plaintext = new TextEncoder().encode(JSON.stringify(edit(decodeBody(t, plaintext))));
    return original.call(this, to, t, memo, plaintext, extraAad);
  };
  return () => void (SealedChannel.prototype.send = original);
}

/** Flips the first byte of a base64url string's first character class: a different, valid value. */
const flip = (s: string) => (s[0] === 'A' ? 'B' : 'A') + s.slice(1);

for (const threat of ['malicious-coordinator', 'honest-coordinator'] as const) {
  test(`${threat}: a partial the relay delays past the deadline is refused unopened; its sender is told it was left out`, async () => {
    const w = await world(4, baseConfig({ threat, minClients: 2, smpc: { shards: 0, exponent: 6 }, timeouts }));
    try {
      const slow = w.identities[3].id;
      const opened: string[] = [];
      const open = w.coordinator.channel.open.bind(w.coordinator.channel);
      w.coordinator.channel.open = (f: Frame, extraAad?: Uint8Array) => (opened.push(`${f.header.from}:${f.header.type}`), open(f, extraAad));
      const refused: string[] = [];
      w.coordinator.on('refused', (r) => refused.push(r.error.code));
      delayFrames(w.clients[3], ['partial.begin', 'partial'], 1500);
      const xs = w.clients.map((_, i) => Float64Array.from([i + 1, 1]));
      const calls = w.clients.map((c, i) => c.aggregate(xs[i]).then(() => 'released', (e: unknown) => e));
      const { aggregate, report } = await w.coordinator.runRound({ dim: 2 });
      const results = await Promise.all(calls);
      await new Promise((r) => setTimeout(r, 1000)); // the late frames arrive now
      assert.deepEqual(aggregate, await exactSum(xs.slice(0, 3)));
      assert.deepEqual(report.dropped, [slow]);
      assert.ok(!opened.some((o) => o.startsWith(`${slow}:partial`)), `the late partial was decrypted: ${opened.join(' ')}`);
      assert.ok(refused.includes('E_REPLAY'), `refusals: ${refused.join(',')}`);
      assert.ok(isShardwireError(results[3], 'E_DROPPED'), String(results[3]));
      assert.deepEqual(results.slice(0, 3), ['released', 'released', 'released']);
    } finally {
      await w.close();
    }
  });
}

test('malicious-coordinator: a holder revealing a wrong share is named; the round recovers from the other holders', async () => {
  const w = await world(6, baseConfig({ minClients: 2, smpc: { shards: 3, exponent: 6 }, timeouts }));
  const evil = w.identities[2].id;
  const restore = tamper(evil, RoundType.reveal, (b) => ({ ...b, shares: (b.shares as { share: string }[]).map((s) => ({ ...s, share: flip(s.share) })) }));
  try {
    const xs = w.clients.map((_, i) => Float64Array.from([i, -i, 0.5]));
    const calls = w.clients.map((c, i) => c.aggregate(xs[i]));
    const { aggregate, report } = await w.coordinator.runRound({ dim: 3 });
    await Promise.all(calls);
    assert.deepEqual(aggregate, await exactSum(xs));
    assert.deepEqual(report.misbehaving, [evil]);
  } finally {
    restore();
    await w.close();
  }
});

test('malicious-coordinator: wrong shares with no holder to spare: nothing is released, the error names the sender', async () => {
  // three clients, shards 3: k = 2 holders each, t = 2 — no redundancy
  const w = await world(3, baseConfig({ minClients: 2, smpc: { shards: 3, exponent: 6 }, timeouts }));
  const evil = w.identities[1].id;
  const restore = tamper(evil, RoundType.reveal, (b) => ({ ...b, shares: (b.shares as { share: string }[]).map((s) => ({ ...s, share: flip(s.share) })) }));
  try {
    const calls = w.clients.map((c) => c.aggregate(Float64Array.from([1])).catch((e: unknown) => e));
    await assert.rejects(w.coordinator.runRound({ dim: 1 }), (e) => isShardwireError(e, 'E_TOO_FEW_CONTRIBUTORS') && (e.details.misbehaving as string[]).includes(evil));
    for (const r of await Promise.all(calls)) assert.ok(isShardwireError(r), String(r));
  } finally {
    restore();
    await w.close();
  }
});

test('malicious-coordinator: a dealer whose shares do not match its commitments is named by its holders (E_BAD_SHARE)', async () => {
  const w = await world(5, baseConfig({ minClients: 2, smpc: { shards: 3, exponent: 6 }, timeouts }));
  const evil = w.identities[0].id;
  const restore = tamper(evil, RoundType.keys, (b) => ({ ...b, shares: (b.shares as { commitSelf: string }[]).map((s) => ({ ...s, commitSelf: flip(s.commitSelf) })) }));
  try {
    const xs = w.clients.map((_, i) => Float64Array.from([i + 1]));
    const calls = w.clients.map((c, i) => c.aggregate(xs[i]).then(() => 'released', (e: unknown) => e));
    const outcome = await w.coordinator.runRound({ dim: 1 }).catch((e: Error) => e);
    const results = await Promise.all(calls);
    const named = results.filter((r) => isShardwireError(r, 'E_BAD_SHARE') && r.details.sender === evil);
    assert.ok(named.length >= 1, `holders name the dealer: ${results.map(String).join(' | ')}`);
    if (!(outcome instanceof Error)) {
      const included = outcome.report.contributors.map((id) => w.identities.findIndex((x) => x.id === id));
      assert.deepEqual(outcome.aggregate, await exactSum(included.map((i) => xs[i])), 'whatever is released is exact');
    }
  } finally {
    restore();
    await w.close();
  }
});

test('malicious-coordinator: a garbage consent signature is not counted and stops nothing', async () => {
  const w = await world(5, baseConfig({ minClients: 2, smpc: { shards: 3, exponent: 6 }, timeouts }));
  const restore = tamper(w.identities[4].id, RoundType.consent, (b) => ({ ...b, signature: flip(b.signature as string) }));
  try {
    const xs = w.clients.map((_, i) => Float64Array.from([i]));
    const calls = w.clients.map((c, i) => c.aggregate(xs[i]));
    const { aggregate } = await w.coordinator.runRound({ dim: 1 });
    await Promise.all(calls);
    assert.deepEqual(aggregate, await exactSum(xs));
  } finally {
    restore();
    await w.close();
  }
});

test('honest-coordinator: a survivor revealing a wrong edge seed is named (E_BAD_SHARE); nothing is released', async () => {
  const w = await world(4, baseConfig({ threat: 'honest-coordinator', minClients: 2, smpc: { shards: 3, exponent: 6 }, timeouts }));
  const evil = w.identities[1].id;
  const restore = tamper(evil, RoundType.reveal, (b) => ({ ...b, seeds: (b.seeds as { seed: string }[]).map((s) => ({ ...s, seed: flip(s.seed) })) }));
  try {
    const calls = w.clients.slice(0, 3).map((c) => c.aggregate(Float64Array.from([1])).catch((e: unknown) => e));
    await assert.rejects(w.coordinator.runRound({ dim: 1 }), (e) => isShardwireError(e, 'E_BAD_SHARE') && e.details.sender === evil);
    await Promise.all(calls);
  } finally {
    restore();
    await w.close();
  }
});
