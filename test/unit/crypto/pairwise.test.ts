import { test } from 'node:test';
import assert from 'node:assert/strict';
import { deriveChannelKey, derivePairwiseKey, deriveShardSeed } from '../../../src/crypto/pairwise.ts';
import { generateX25519KeyPair } from '../../../src/crypto/session-keys.ts';
import { getSodium } from '../../../src/sodium.ts';
import { hex, rejectsWith, toHex } from './_helpers.ts';
import { readFileSync } from 'node:fs';

test('X25519 underneath matches RFC 7748 §6.1', async () => {
  const s = await getSodium();
  const a = hex('77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a');
  const bPub = hex('de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f');
  assert.equal(toHex(s.crypto_scalarmult_base(a)), '8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a');
  assert.equal(toHex(s.crypto_scalarmult(a, bPub)), '4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742');
});

test('both sides derive the same K_ij, seeds and channel keys', async () => {
  const i = await generateX25519KeyPair();
  const j = await generateX25519KeyPair();
  const kij = await derivePairwiseKey('s', i.secretKey, i.publicKey, j.publicKey);
  const kji = await derivePairwiseKey('s', j.secretKey, j.publicKey, i.publicKey);
  assert.deepEqual(kij, kji);
  assert.equal(kij.length, 32);
  assert.notDeepEqual(await derivePairwiseKey('t', i.secretKey, i.publicKey, j.publicKey), kij);
  assert.deepEqual(await deriveShardSeed(kij, 's', 'm1', 'i', 'j'), await deriveShardSeed(kji, 's', 'm1', 'i', 'j'));
  assert.deepEqual(await deriveChannelKey(kij, 'aes-256-gcm', 's', 'i', 'j'), await deriveChannelKey(kji, 'aes-256-gcm', 's', 'i', 'j'));
});

test('seeds differ per direction, memo, session, party and key; channel keys per algorithm and direction', async () => {
  const k = new Uint8Array(32).fill(7);
  const base = toHex(await deriveShardSeed(k, 's', 'm', 'i', 'j'));
  const others = [
    await deriveShardSeed(k, 's', 'm', 'j', 'i'),
    await deriveShardSeed(k, 's', 'm2', 'i', 'j'),
    await deriveShardSeed(k, 's2', 'm', 'i', 'j'),
    await deriveShardSeed(k, 's', 'm', 'i', 'k'),
    await deriveShardSeed(new Uint8Array(32).fill(8), 's', 'm', 'i', 'j'),
    await deriveShardSeed(k, 's', 'mi', '', 'j').catch(() => new Uint8Array(32)), // ambiguous split refused or different
    await deriveChannelKey(k, 'xchacha20-poly1305', 's', 'i', 'j'),
    await deriveChannelKey(k, 'aes-256-gcm', 's', 'i', 'j'),
    await deriveChannelKey(k, 'aes-256-gcm', 's', 'j', 'i'),
  ].map(toHex);
  assert.equal(new Set([base, ...others]).size, others.length + 1);
});

test('seed is keyed BLAKE2b-256 over lp("shard") ‖ lp(session) ‖ lp(memo) ‖ lp(i) ‖ lp(j) (docs/PROTOCOL.md §4)', async () => {
  const s = await getSodium();
  const k = new Uint8Array(32).fill(1);
  const lp = (x: string): number[] => [0, 0, 0, x.length, ...new TextEncoder().encode(x)];
  const msg = Uint8Array.from([...lp('shard'), ...lp('sess'), ...lp('r1'), ...lp('a'), ...lp('b')]);
  assert.equal(toHex(await deriveShardSeed(k, 'sess', 'r1', 'a', 'b')), s.crypto_generichash(32, msg, k, 'hex'));
});

test('refuses low-order and reflected peer keys (E_CRYPTO), bad arguments (E_BAD_ARGUMENT)', async () => {
  const i = await generateX25519KeyPair();
  await rejectsWith(() => derivePairwiseKey('s', i.secretKey, i.publicKey, new Uint8Array(32)), 'E_CRYPTO');
  const one = new Uint8Array(32);
  one[0] = 1; // u = 1: a small-order point (its multiple by the clamped scalar is 0)
  await rejectsWith(() => derivePairwiseKey('s', i.secretKey, i.publicKey, one), 'E_CRYPTO');
  await rejectsWith(() => derivePairwiseKey('s', i.secretKey, i.publicKey, i.publicKey), 'E_CRYPTO');
  await rejectsWith(() => derivePairwiseKey('s', i.secretKey, i.publicKey, new Uint8Array(31)), 'E_BAD_ARGUMENT');
  await rejectsWith(() => deriveShardSeed(new Uint8Array(32), 's', 'm', 'i', 'i'), 'E_BAD_ARGUMENT');
  await rejectsWith(() => deriveShardSeed(new Uint8Array(16), 's', 'm', 'i', 'j'), 'E_BAD_ARGUMENT');
  await rejectsWith(() => deriveShardSeed(new Uint8Array(32), 's', '\uDC00', 'i', 'j'), 'E_BAD_ARGUMENT');
  await rejectsWith(() => deriveChannelKey(new Uint8Array(32), 'rot13' as 'aes-256-gcm', 's', 'i', 'j'), 'E_BAD_ARGUMENT');
});

interface KatCase {
  name: string;
  sessionId: string;
  a: { secretKey: string; publicKey: string };
  b: { secretKey: string; publicKey: string };
  sharedPoint: string;
  bytewiseLow: 'a' | 'b';
  littleEndianLow: 'a' | 'b';
  pairwiseKey: string;
  shardSeeds: Array<{ memo: string; from: string; to: string; seed: string }>;
  channelKeys: Array<{ algorithm: 'xchacha20-poly1305' | 'aes-256-gcm'; from: string; to: string; key: string }>;
}

test('known answers (test/vectors/pairwise-kij.json, made without libsodium): keys in bytewise order', async () => {
  const file = new URL('../../vectors/pairwise-kij.json', import.meta.url);
  const doc = JSON.parse(readFileSync(file, 'utf8')) as { cases: KatCase[] };
  assert.equal(doc.cases.length, 2);
  const differ = doc.cases.some((c) => c.bytewiseLow !== c.littleEndianLow);
  assert.ok(differ, 'one pair where bytewise and little-endian orders differ');
  const s = await getSodium();
  for (const c of doc.cases) {
    const [skA, pkA, skB, pkB] = [hex(c.a.secretKey), hex(c.a.publicKey), hex(c.b.secretKey), hex(c.b.publicKey)];
    assert.equal(toHex(s.crypto_scalarmult_base(skA)), c.a.publicKey, c.name);
    assert.equal(toHex(s.crypto_scalarmult(skA, pkB)), c.sharedPoint, c.name);
    const kab = await derivePairwiseKey(c.sessionId, skA, pkA, pkB);
    const kba = await derivePairwiseKey(c.sessionId, skB, pkB, pkA);
    assert.equal(toHex(kab), c.pairwiseKey, `${c.name}: K_ij from a`);
    assert.equal(toHex(kba), c.pairwiseKey, `${c.name}: K_ij from b`);
    for (const x of c.shardSeeds) {
      const seed = await deriveShardSeed(kab, c.sessionId, x.memo, x.from, x.to);
      assert.equal(toHex(seed), x.seed, `${c.name}: seed ${x.memo} ${x.from}→${x.to}`);
    }
    for (const x of c.channelKeys) {
      const key = await deriveChannelKey(kab, x.algorithm, c.sessionId, x.from, x.to);
      assert.equal(toHex(key), x.key, `${c.name}: ${x.algorithm} ${x.from}→${x.to}`);
    }
  }
});
