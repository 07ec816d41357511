import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Identity } from '../../../src/crypto/identity.ts';
import { SessionKeyring } from '../../../src/crypto/session-keyring.ts';
import { signKeyBundle, generateX25519KeyPair } from '../../../src/crypto/session-keys.ts';
import { CONFIG_HASH, OTHER_CONFIG_HASH, rejectsWith } from './_helpers.ts';

async function pair(): Promise<{ a: Identity; b: Identity; ra: SessionKeyring; rb: SessionKeyring }> {
  const a = await Identity.generate();
  const b = await Identity.generate();
  const ra = await SessionKeyring.create(a, 'sess', CONFIG_HASH);
  const rb = await SessionKeyring.create(b, 'sess', CONFIG_HASH);
  await ra.addPeer(b.toPublic(), rb.bundle);
  await rb.addPeer(a.toPublic(), ra.bundle);
  return { a, b, ra, rb };
}

test('two keyrings agree on both directions of every seed and can talk both ways', async () => {
  const { a, b, ra, rb } = await pair();
  assert.deepEqual(ra.shardSeed(a.id, b.id, 'r1'), rb.shardSeed(a.id, b.id, 'r1'));
  assert.deepEqual(ra.shardSeed(b.id, a.id, 'r1'), rb.shardSeed(b.id, a.id, 'r1'));
  assert.notDeepEqual(ra.shardSeed(a.id, b.id, 'r1'), ra.shardSeed(b.id, a.id, 'r1'));
  assert.notDeepEqual(ra.shardSeed(a.id, b.id, 'r1'), ra.shardSeed(a.id, b.id, 'r2'));
  const h = new TextEncoder().encode('header');
  for (const size of [10, 200_000]) {
    const msg = new Uint8Array(size).fill(5);
    assert.deepEqual(await rb.open(a.id, await ra.seal(b.id, msg, h), h), msg);
    assert.deepEqual(await ra.open(b.id, await rb.seal(a.id, msg, h), h), msg);
    // no reflection: a's message to b cannot be passed back to a as if from b
    await rejectsWith(async () => ra.open(b.id, await ra.seal(b.id, msg, h), h), 'E_CRYPTO');
  }
  assert.deepEqual(ra.peerIds(), [b.id]);
  assert.ok(ra.hasPeer(b.id));
  assert.deepEqual(ra.peerBundle(b.id), rb.bundle);
  assert.doesNotThrow(() => JSON.stringify(ra));
});

test('addPeer checks the bundle: config mismatch, other session, wrong identity, key change, self', async () => {
  const a = await Identity.generate();
  const b = await Identity.generate();
  const ra = await SessionKeyring.create(a, 'sess', CONFIG_HASH);
  const rbOther = await SessionKeyring.create(b, 'sess', OTHER_CONFIG_HASH);
  await rejectsWith(() => ra.addPeer(b.toPublic(), rbOther.bundle), 'E_CONFIG_MISMATCH');
  const rbSess = await SessionKeyring.create(b, 'sess-2', CONFIG_HASH);
  await rejectsWith(() => ra.addPeer(b.toPublic(), rbSess.bundle), 'E_REPLAY');
  const rb = await SessionKeyring.create(b, 'sess', CONFIG_HASH);
  await rejectsWith(() => ra.addPeer(a.toPublic(), rb.bundle), 'E_CRYPTO');
  await ra.addPeer(b.toPublic(), rb.bundle);
  await ra.addPeer(b.toPublic(), rb.bundle); // idempotent
  const kp = await generateX25519KeyPair();
  await rejectsWith(async () => ra.addPeer(b.toPublic(), await signKeyBundle(b, 'sess', kp.publicKey, CONFIG_HASH)), 'E_CRYPTO');
  await rejectsWith(() => ra.addPeer(a.toPublic(), ra.bundle), 'E_BAD_ARGUMENT');
  assert.equal(ra.peerIds().length, 1);
});

test('seeds and seal/open refuse unknown peers and misuse', async () => {
  const { a, b, ra } = await pair();
  await rejectsWith(() => ra.shardSeed(a.id, 'stranger', 'r1'), 'E_NOT_IN_SESSION');
  await rejectsWith(() => ra.shardSeed(a.id, a.id, 'r1'), 'E_BAD_ARGUMENT');
  await rejectsWith(() => ra.shardSeed(b.id, 'x', 'r1'), 'E_BAD_ARGUMENT');
  await rejectsWith(() => ra.shardSeed(a.id, b.id, ''), 'E_BAD_ARGUMENT');
  await rejectsWith(() => ra.seal('stranger', new Uint8Array(1), new Uint8Array(0)), 'E_NOT_IN_SESSION');
  await rejectsWith(() => ra.open('stranger', new Uint8Array(40), new Uint8Array(0)), 'E_NOT_IN_SESSION');
});

test('destroy wipes the session secret key, K_ij and channel keys; use after destroy → E_BAD_STATE', async () => {
  const { a, b, ra } = await pair();
  const secrets = ra._secretsForTests();
  assert.equal(secrets.length, 1 + 5);
  assert.ok(secrets.every((s) => s.some((x) => x !== 0)));
  ra.destroy();
  assert.ok(secrets.every((s) => s.every((x) => x === 0)));
  assert.equal(ra.destroyed, true);
  await rejectsWith(() => ra.shardSeed(a.id, b.id, 'r1'), 'E_BAD_STATE');
  await rejectsWith(() => ra.seal(b.id, new Uint8Array(1), new Uint8Array(0)), 'E_BAD_STATE');
  await rejectsWith(() => ra.open(b.id, new Uint8Array(40), new Uint8Array(0)), 'E_BAD_STATE');
  await rejectsWith(() => ra.addPeer(b.toPublic(), ra.bundle), 'E_BAD_STATE');
  ra.destroy(); // idempotent
  a.zeroise();
  await rejectsWith(() => SessionKeyring.create(a, 'sess', CONFIG_HASH), 'E_BAD_STATE');
});

test('sealParts through the keyring opens on the other side', async () => {
  const { a, b, ra, rb } = await pair();
  const h = new TextEncoder().encode('h');
  const [p, body] = await ra.sealParts(b.id, new Uint8Array(70_000).fill(2), h);
  assert.equal(p[0], 2); // bulk → AES-256-GCM
  assert.deepEqual(await rb.open(a.id, Uint8Array.from([...p, ...body]), h), new Uint8Array(70_000).fill(2));
});
