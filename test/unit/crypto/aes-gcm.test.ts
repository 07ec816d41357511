// Both AES-256-GCM backends (node:crypto, WebCrypto) and the combined one aead.ts uses: published
// vector, agreement with each other on random inputs of many sizes, tamper rejection, and owned,
// aligned plaintexts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { aesGcm, aesGcmBackends, fastestAesGcm } from '../../../src/crypto/aes-gcm.ts';
import { GCM, hex, toHex } from './_helpers.ts';


const backends = aesGcmBackends();

test('Node has both backends: it seals with WebCrypto and opens with node:crypto', () => {
  assert.deepEqual(backends.map((b) => b.name), ['node:crypto', 'webcrypto']);
  assert.equal(aesGcm()?.name, 'seal webcrypto, open node:crypto');
  assert.equal(fastestAesGcm([backends[1]])?.name, 'webcrypto');
  assert.equal(fastestAesGcm([backends[0]])?.name, 'node:crypto');
  assert.equal(fastestAesGcm([]), undefined);
});

test('without getBuiltinModule (a browser, an older Node) only WebCrypto is offered', () => {
  const proc = globalThis.process as unknown as { getBuiltinModule?: unknown };
  const saved = proc.getBuiltinModule;
  proc.getBuiltinModule = undefined;
  try {
    assert.deepEqual(aesGcmBackends().map((b) => b.name), ['webcrypto']);
  } finally {
    proc.getBuiltinModule = saved;
  }
});

for (const b of backends) {
  test(`${b.name}: McGrew–Viega test case 16, both directions`, async () => {
    assert.equal(toHex(await b.encrypt(GCM.key, GCM.nonce, GCM.plaintext, GCM.aad)), GCM.sealed);
    assert.deepEqual(await b.decrypt(GCM.key, GCM.nonce, hex(GCM.sealed), GCM.aad), GCM.plaintext);
  });

  test(`${b.name}: any flipped bit of ciphertext, tag, nonce, aad or key → undefined; short input → undefined`, async () => {
    const sealed = hex(GCM.sealed);
    for (const at of [0, 30, sealed.length - 16, sealed.length - 1]) {
      const t = sealed.slice();
      t[at] ^= 0x80;
      assert.equal(await b.decrypt(GCM.key, GCM.nonce, t, GCM.aad), undefined, `byte ${at}`);
    }
    const flip = (x: Uint8Array, at: number) => Uint8Array.from(x, (v, i) => (i === at ? v ^ 1 : v));
    assert.equal(await b.decrypt(GCM.key, flip(GCM.nonce, 3), sealed, GCM.aad), undefined);
    assert.equal(await b.decrypt(GCM.key, GCM.nonce, sealed, flip(GCM.aad, 0)), undefined);
    assert.equal(await b.decrypt(flip(GCM.key, 31), GCM.nonce, sealed, GCM.aad), undefined);
    assert.equal(await b.decrypt(GCM.key, GCM.nonce, sealed.subarray(0, 15), GCM.aad), undefined);
  });

  test(`${b.name}: plaintexts come back owned and 8-byte aligned (ring vectors view them as words)`, async () => {
    const key = crypto.getRandomValues(new Uint8Array(32));
    const nonce = crypto.getRandomValues(new Uint8Array(12));
    for (const n of [0, 1, 7, 4096, 65_536 + 3, 1 << 20]) {
      const pt = crypto.getRandomValues(new Uint8Array(Math.min(n, 65_536)));
      const full = n > 65_536 ? new Uint8Array(n).fill(0xa5) : pt;
      const out = await b.decrypt(key, nonce, await b.encrypt(key, nonce, full, new Uint8Array(0)), new Uint8Array(0));
      assert.ok(out);
      assert.deepEqual(out, full);
      assert.equal(out.byteOffset % 8, 0);
      assert.equal(out.buffer.byteLength, out.byteLength, 'not a view into a shared pool');
    }
  });
}

test('node:crypto and WebCrypto agree on random keys, nonces, aad and lengths (either seals, the other opens)', async () => {
  const [a, b] = backends;
  await fc.assert(
    fc.asyncProperty(
      fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.uint8Array({ minLength: 12, maxLength: 12 }),
      fc.uint8Array({ maxLength: 300 }), fc.uint8Array({ maxLength: 5000 }),
      async (key, nonce, aad, pt) => {
        const sa = await a.encrypt(key, nonce, pt, aad);
        const sb = await b.encrypt(key, nonce, pt, aad);
        assert.deepEqual(sa, sb);
        assert.deepEqual(await b.decrypt(key, nonce, sa, aad), pt);
        assert.deepEqual(await a.decrypt(key, nonce, sb, aad), pt);
      },
    ),
    { numRuns: 300 },
  );
});
