import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Identity } from '../../../src/crypto/identity.ts';
import { generateX25519KeyPair, keyBundleFromJson, keyBundleSigningBytes, keyBundleToJson, signKeyBundle, verifyKeyBundle, type KeyBundle } from '../../../src/crypto/session-keys.ts';
import { CONFIG_HASH, OTHER_CONFIG_HASH, rejectsWith } from './_helpers.ts';

async function setup(): Promise<{ me: Identity; bundle: KeyBundle }> {
  const me = await Identity.generate();
  const kp = await generateX25519KeyPair();
  return { me, bundle: await signKeyBundle(me, 'sess-1', kp.publicKey, CONFIG_HASH) };
}

test('a signed bundle verifies against its identity, session and configHash; JSON round trip', async () => {
  const { me, bundle } = await setup();
  assert.equal(bundle.id, me.id);
  await verifyKeyBundle(bundle, { identity: me.toPublic(), sessionId: 'sess-1', configHash: CONFIG_HASH });
  const back = await keyBundleFromJson(JSON.parse(JSON.stringify(await keyBundleToJson(bundle))));
  assert.deepEqual(back, bundle);
  await verifyKeyBundle(back, { identity: me.toPublic(), sessionId: 'sess-1', configHash: CONFIG_HASH });
});

test('signing bytes are domain-separated and length-prefixed', async () => {
  const { bundle } = await setup();
  const bytes = keyBundleSigningBytes(bundle);
  assert.equal(new DataView(bytes.buffer).getUint32(0), 'shardwire/key-bundle/v1'.length);
  // moving a character between adjacent fields changes the encoding
  const a = keyBundleSigningBytes({ ...bundle, id: 'ab', sessionId: 'c' });
  const b = keyBundleSigningBytes({ ...bundle, id: 'a', sessionId: 'bc' });
  assert.notDeepEqual(a, b);
});

test('wrong signature, key, id → E_CRYPTO; other session → E_REPLAY; other configHash → E_CONFIG_MISMATCH', async () => {
  const { me, bundle } = await setup();
  const other = await Identity.generate();
  const exp = { identity: me.toPublic(), sessionId: 'sess-1', configHash: CONFIG_HASH };
  const sig = bundle.signature.slice();
  sig[3] ^= 0x10;
  await rejectsWith(() => verifyKeyBundle({ ...bundle, signature: sig }, exp), 'E_CRYPTO');
  const pk = bundle.x25519PublicKey.slice();
  pk[0] ^= 1;
  await rejectsWith(() => verifyKeyBundle({ ...bundle, x25519PublicKey: pk }, exp), 'E_CRYPTO');
  // a tampered configHash invalidates the signature: that is E_CRYPTO, not a mismatch
  await rejectsWith(() => verifyKeyBundle({ ...bundle, configHash: OTHER_CONFIG_HASH }, exp), 'E_CRYPTO');
  await rejectsWith(() => verifyKeyBundle(bundle, { ...exp, identity: other.toPublic() }), 'E_CRYPTO');
  await rejectsWith(() => verifyKeyBundle(bundle, { ...exp, identity: { id: me.id, publicKey: other.publicKey } }), 'E_CRYPTO');
  await rejectsWith(() => verifyKeyBundle({ ...bundle, signature: new Uint8Array(10) }, exp), 'E_CRYPTO');
  await rejectsWith(() => verifyKeyBundle(bundle, { ...exp, sessionId: 'sess-2' }), 'E_REPLAY');
  await rejectsWith(() => verifyKeyBundle(bundle, { ...exp, configHash: OTHER_CONFIG_HASH }), 'E_CONFIG_MISMATCH');
  // a validly signed bundle under another hash is a mismatch
  const kp = await generateX25519KeyPair();
  const theirs = await signKeyBundle(me, 'sess-1', kp.publicKey, OTHER_CONFIG_HASH);
  await rejectsWith(() => verifyKeyBundle(theirs, exp), 'E_CONFIG_MISMATCH');
});

test('bad arguments and malformed JSON bundles', async () => {
  const { me, bundle } = await setup();
  await rejectsWith(() => signKeyBundle(me, '', bundle.x25519PublicKey, CONFIG_HASH), 'E_BAD_ARGUMENT');
  await rejectsWith(() => signKeyBundle(me, 's', new Uint8Array(31), CONFIG_HASH), 'E_BAD_ARGUMENT');
  await rejectsWith(() => signKeyBundle(me, 's', bundle.x25519PublicKey, 'ABC'), 'E_BAD_ARGUMENT');
  const json = await keyBundleToJson(bundle);
  for (const bad of [null, [], { ...json, signature: 'AAAA' }, { ...json, x25519PublicKey: 5 }, { ...json, id: '' }, { ...json, signature: '%%%' }]) {
    await rejectsWith(() => keyBundleFromJson(bad), 'E_CRYPTO');
  }
  me.zeroise();
  await rejectsWith(() => signKeyBundle(me, 's', bundle.x25519PublicKey, CONFIG_HASH), 'E_BAD_STATE');
});
