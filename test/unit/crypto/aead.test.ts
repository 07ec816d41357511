import { test } from 'node:test';
import assert from 'node:assert/strict';
import { __TESTS, BULK_THRESHOLD_BYTES, defaultAlgorithm, open, seal, type ChannelKeys } from '../../../src/crypto/aead.ts';
import { getSodium } from '../../../src/sodium.ts';
import { GCM, hex, rejectsWith, toHex } from './_helpers.ts';

const keys = (): ChannelKeys => ({ 'xchacha20-poly1305': crypto.getRandomValues(new Uint8Array(32)), 'aes-256-gcm': crypto.getRandomValues(new Uint8Array(32)) });
const header = new TextEncoder().encode('{"session":"s","from":"a","to":"b","type":"partial","memo":"r1","seq":3}');

// draft-irtf-cfrg-xchacha-03 §A.3.1
const XCHACHA = {
  key: hex('808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f'),
  nonce: hex('404142434445464748494a4b4c4d4e4f5051525354555657'),
  aad: hex('50515253c0c1c2c3c4c5c6c7'),
  plaintext: new TextEncoder().encode("Ladies and Gentlemen of the class of '99: If I could offer you only one tip for the future, sunscreen would be it."),
  sealed: 'bd6d179d3e83d43b9576579493c0e939572a1700252bfaccbed2902c21396cbb731c7f1b0b4aa6440bf3a82f4eda7e39ae64c6708c54c216cb96b72e1213b4522f8c9ba40db5d945b11b69b982c1bb9e3f3fac2bc369488f76b2383565d3fff921f9664c97637da9768812f615c68b13b52e' + 'c0875924c1c7987947deafd8780acf49',
};

test('known answers: the primitives under seal() match the published vectors', async () => {
  const s = await getSodium();
  assert.equal(toHex(s.crypto_aead_xchacha20poly1305_ietf_encrypt(XCHACHA.plaintext, XCHACHA.aad, null, XCHACHA.nonce, XCHACHA.key)), XCHACHA.sealed);
  const k = await crypto.subtle.importKey('raw', GCM.key, 'AES-GCM', false, ['encrypt']);
  assert.equal(toHex(new Uint8Array(await crypto.subtle.encrypt({ name: 'AES-GCM', iv: GCM.nonce, additionalData: GCM.aad }, k, GCM.plaintext))), GCM.sealed);
});

test('known answers: seal() = id ‖ nonce ‖ primitive(key, nonce, aad = id ‖ header), cross-checked with libsodium and WebCrypto', async () => {
  const s = await getSodium();
  const x = await __TESTS.sealWithNonce('xchacha20-poly1305', XCHACHA.key, XCHACHA.plaintext, XCHACHA.aad, XCHACHA.nonce);
  assert.equal(x[0], 1);
  assert.deepEqual(x.subarray(1, 25), XCHACHA.nonce);
  assert.equal(toHex(x.subarray(25)), toHex(s.crypto_aead_xchacha20poly1305_ietf_encrypt(XCHACHA.plaintext, Uint8Array.of(1, ...XCHACHA.aad), null, XCHACHA.nonce, XCHACHA.key)));
  const g = await __TESTS.sealWithNonce('aes-256-gcm', GCM.key, GCM.plaintext, GCM.aad, GCM.nonce);
  assert.equal(g[0], 2);
  const k = await crypto.subtle.importKey('raw', GCM.key, 'AES-GCM', false, ['decrypt']);
  const pt = new Uint8Array(await crypto.subtle.decrypt({ name: 'AES-GCM', iv: GCM.nonce, additionalData: Uint8Array.of(2, ...GCM.aad) }, k, g.subarray(13) as Uint8Array<ArrayBuffer>));
  assert.deepEqual(pt, GCM.plaintext);
  // and open() takes them back
  assert.deepEqual(await open({ 'xchacha20-poly1305': XCHACHA.key, 'aes-256-gcm': GCM.key }, x, XCHACHA.aad), XCHACHA.plaintext);
  assert.deepEqual(await open({ 'xchacha20-poly1305': XCHACHA.key, 'aes-256-gcm': GCM.key }, g, GCM.aad), GCM.plaintext);
});

test('round trips for both algorithms, empty and bulk payloads; default picks AES-GCM for bulk', async () => {
  const k = keys();
  assert.equal(defaultAlgorithm(100), 'xchacha20-poly1305');
  assert.equal(defaultAlgorithm(BULK_THRESHOLD_BYTES), 'aes-256-gcm');
  for (const n of [0, 1, 1000, BULK_THRESHOLD_BYTES, 1 << 20]) {
    const pt = crypto.getRandomValues(new Uint8Array(Math.min(n, 65536)));
    const full = n > 65536 ? new Uint8Array(n).fill(9) : pt;
    for (const algorithm of [undefined, 'xchacha20-poly1305', 'aes-256-gcm'] as const) {
      const sealed = await seal(k, full, header, { algorithm });
      assert.equal(sealed[0], (algorithm ?? defaultAlgorithm(n)) === 'aes-256-gcm' ? 2 : 1);
      assert.deepEqual(await open(k, sealed, header), full);
    }
  }
  // fresh nonce every time
  const a = await seal(k, new Uint8Array(8), header);
  const b = await seal(k, new Uint8Array(8), header);
  assert.notDeepEqual(a, b);
});

test('tampered ciphertext, tag, nonce, id, aad or key → E_CRYPTO', async () => {
  const k = keys();
  for (const algorithm of ['xchacha20-poly1305', 'aes-256-gcm'] as const) {
    const sealed = await seal(k, new TextEncoder().encode('partial vector bytes'), header, { algorithm });
    const nonceEnd = algorithm === 'aes-256-gcm' ? 13 : 25;
    for (const at of [1, nonceEnd - 1, nonceEnd, sealed.length - 17, sealed.length - 1]) {
      const t = sealed.slice();
      t[at] ^= 0x01;
      await rejectsWith(() => open(k, t, header), 'E_CRYPTO');
    }
    const flipped = sealed.slice();
    flipped[0] = algorithm === 'aes-256-gcm' ? 1 : 2;
    await rejectsWith(() => open(k, flipped, header), 'E_CRYPTO');
    const badHeader = header.slice();
    badHeader[10] ^= 1;
    await rejectsWith(() => open(k, sealed, badHeader), 'E_CRYPTO');
    await rejectsWith(() => open(k, sealed, header.subarray(1)), 'E_CRYPTO');
    await rejectsWith(() => open(keys(), sealed, header), 'E_CRYPTO');
    await rejectsWith(() => open(k, sealed.subarray(0, nonceEnd + 15), header), 'E_CRYPTO');
  }
  await rejectsWith(() => open(k, new Uint8Array(0), header), 'E_CRYPTO');
  await rejectsWith(() => open(k, Uint8Array.of(9, ...new Uint8Array(40)), header), 'E_CRYPTO');
});

test('bad arguments → E_BAD_ARGUMENT', async () => {
  const k = keys();
  await rejectsWith(() => seal(k, 'text' as unknown as Uint8Array, header), 'E_BAD_ARGUMENT');
  await rejectsWith(() => seal(k, new Uint8Array(1), null as unknown as Uint8Array), 'E_BAD_ARGUMENT');
  await rejectsWith(() => seal({ ...k, 'xchacha20-poly1305': new Uint8Array(16) }, new Uint8Array(1), header), 'E_BAD_ARGUMENT');
  await rejectsWith(() => seal(k, new Uint8Array(1), header, { algorithm: 'des' as 'aes-256-gcm' }), 'E_BAD_ARGUMENT');
});

test('sealParts concatenates to a payload that open() accepts', async () => {
  const { sealParts } = await import('../../../src/crypto/aead.ts');
  const k = keys();
  for (const algorithm of ['xchacha20-poly1305', 'aes-256-gcm'] as const) {
    const [prefix, body] = await sealParts(k, new Uint8Array(300).fill(1), header, { algorithm });
    assert.equal(prefix.length, algorithm === 'aes-256-gcm' ? 13 : 25);
    assert.deepEqual(await open(k, Uint8Array.from([...prefix, ...body]), header), new Uint8Array(300).fill(1));
  }
});
