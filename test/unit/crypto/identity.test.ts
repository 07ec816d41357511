import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Identity, identityId, parseIdentity, serialiseIdentity, verifySignature } from '../../../src/crypto/identity.ts';
import { getSodium } from '../../../src/sodium.ts';
import { rejectsWith } from './_helpers.ts';

test('generate: 32-hex id derived from the public key; sign/verify', async () => {
  const me = await Identity.generate();
  assert.match(me.id, /^[0-9a-f]{32}$/);
  assert.equal(await identityId(me.publicKey), me.id);
  const msg = new TextEncoder().encode('hello');
  const sig = await me.sign(msg);
  assert.equal(await verifySignature(me.publicKey, msg, sig), true);
  sig[0] ^= 1;
  assert.equal(await verifySignature(me.publicKey, msg, sig), false);
  assert.notEqual((await Identity.generate()).id, me.id);
});

test('serialise/parse round trip keeps keys and id; JSON.stringify never shows the secret', async () => {
  const me = await Identity.generate();
  const text = await serialiseIdentity(me);
  const back = await parseIdentity(text);
  assert.equal(back.id, me.id);
  assert.deepEqual(back.publicKey, me.publicKey);
  assert.deepEqual(back.secretKey, me.secretKey);
  const shown = JSON.stringify(me);
  const sodium = await getSodium();
  assert.ok(!shown.includes(sodium.to_base64(me.secretKey, sodium.base64_variants.ORIGINAL)));
  assert.deepEqual(Object.keys(JSON.parse(shown)), ['id', 'publicKey']);
});

test('parseIdentity refuses malformed, inconsistent and other-version files with E_BAD_STATE', async () => {
  const a = JSON.parse(await serialiseIdentity(await Identity.generate())) as Record<string, unknown>;
  const b = JSON.parse(await serialiseIdentity(await Identity.generate())) as Record<string, unknown>;
  const variants: unknown[] = [
    'not json', '[]', 'null', '"x"',
    { ...a, version: 3 }, { ...a, version: 1 }, { ...a, version: '2' }, { ...a, type: 'other' },
    { ...a, publicKey: b.publicKey }, { ...a, id: b.id }, { ...a, secretKey: b.secretKey },
    { ...a, secretKey: 'AAAA' }, { ...a, secretKey: '!!not base64!!' }, { ...a, publicKey: 12 },
    { ...a, extra: 1 }, { type: a.type, version: 1 },
  ];
  for (const v of variants) {
    const text = typeof v === 'string' ? v : JSON.stringify(v);
    await rejectsWith(() => parseIdentity(text), 'E_BAD_STATE');
  }
  // an error never carries key material
  try { await parseIdentity(JSON.stringify({ ...a, publicKey: b.publicKey })); } catch (e) {
    assert.ok(!(e as Error).message.includes(String(a.secretKey)));
    assert.ok(!JSON.stringify((e as { details: unknown }).details).includes(String(a.secretKey)));
  }
});

test('fromSecretKey refuses a secret key whose public half does not match its seed', async () => {
  const me = await Identity.generate();
  const sk = me.secretKey.slice();
  sk[40] ^= 1;
  await rejectsWith(() => Identity.fromSecretKey(sk), 'E_CRYPTO');
  await rejectsWith(() => Identity.fromSecretKey(new Uint8Array(32)), 'E_BAD_ARGUMENT');
});

test('zeroise wipes the secret key; later use throws E_BAD_STATE', async () => {
  const me = await Identity.generate();
  const view = me.secretKey;
  me.zeroise();
  assert.ok(view.every((x) => x === 0));
  assert.equal(me.usable, false);
  await rejectsWith(() => me.sign(new Uint8Array(1)), 'E_BAD_STATE');
  await rejectsWith(() => serialiseIdentity(me), 'E_BAD_STATE');
  me.zeroise(); // idempotent
});
