/**
 * `npm run bench:aead`: which AEAD for bulk payloads (docs/RELAY.md, docs/CRYPTO.md)?
 * libsodium-wrappers' XChaCha20-Poly1305 (WebAssembly) vs WebCrypto AES-256-GCM
 * (`crypto.subtle`, the same API in Node 20 and browsers), at payload sizes from 1 KiB (per-call
 * overhead) to 8 MiB (a d = 10^6 partial over Z_2^64), plus shardwire's `seal`/`open` envelope
 * path. node:crypto's AES-256-GCM is measured too and cross-checks WebCrypto's output; the
 * envelope uses node:crypto on Node and WebCrypto elsewhere (src/crypto/aes-gcm.ts). Every competitor's output is verified before timing.
 * Prints a table, then one JSON line. `--quick` for fewer repetitions.
 */
import { createCipheriv, createDecipheriv } from 'node:crypto';
import { aesGcm } from '../src/crypto/aes-gcm.ts';
import { __TESTS, open, seal, type ChannelKeys } from '../src/crypto/aead.ts';
import { getSodium } from '../src/sodium.ts';

const quick = process.argv.includes('--quick');
const sodium = await getSodium();
const subtle = globalThis.crypto.subtle;

/** Median seconds per call of async `fn` over `reps` timed runs after warm-up. */
async function time(fn: () => unknown, reps: number, warm = 2): Promise<number> {
  for (let i = 0; i < warm; i++) await fn();
  const t: number[] = [];
  for (let i = 0; i < reps; i++) {
    const s = process.hrtime.bigint();
    await fn();
    t.push(Number(process.hrtime.bigint() - s) / 1e9);
  }
  t.sort((a, b) => a - b);
  return t[Math.floor(t.length / 2)];
}

function same(a: Uint8Array, b: Uint8Array, what: string): void {
  if (a.length !== b.length || !a.every((v, i) => v === b[i])) throw new Error(`benchmark verification failed: ${what}`);
}

const key = sodium.randombytes_buf(32);
const keys: ChannelKeys = { 'xchacha20-poly1305': key, 'aes-256-gcm': key.slice() };
const aad = new TextEncoder().encode('{"session":"bench","from":"a","to":"b","type":"partial","memo":"r1","seq":1}');
const xNonce = sodium.randombytes_buf(24);
const gNonce = sodium.randombytes_buf(12) as Uint8Array<ArrayBuffer>;
const gKeyEnc = await subtle.importKey('raw', keys['aes-256-gcm'] as Uint8Array<ArrayBuffer>, 'AES-GCM', false, ['encrypt']);
const gKeyDec = await subtle.importKey('raw', keys['aes-256-gcm'] as Uint8Array<ArrayBuffer>, 'AES-GCM', false, ['decrypt']);

const xEnc = (m: Uint8Array) => sodium.crypto_aead_xchacha20poly1305_ietf_encrypt(m, aad, null, xNonce, key);
const xDec = (c: Uint8Array) => sodium.crypto_aead_xchacha20poly1305_ietf_decrypt(null, c, aad, xNonce, key);
const gEnc = async (m: Uint8Array) => new Uint8Array(await subtle.encrypt({ name: 'AES-GCM', iv: gNonce, additionalData: aad }, gKeyEnc, m as Uint8Array<ArrayBuffer>));
const gDec = async (c: Uint8Array) => new Uint8Array(await subtle.decrypt({ name: 'AES-GCM', iv: gNonce, additionalData: aad }, gKeyDec, c as Uint8Array<ArrayBuffer>));
const nodeGcm = (m: Uint8Array) => {
  const c = createCipheriv('aes-256-gcm', keys['aes-256-gcm'], gNonce);
  c.setAAD(aad);
  const out = Buffer.concat([c.update(m), c.final(), c.getAuthTag()]);
  return new Uint8Array(out.buffer, out.byteOffset, out.length);
};
const nodeGcmOpen = (c: Uint8Array) => {
  const d = createDecipheriv('aes-256-gcm', keys['aes-256-gcm'], gNonce);
  d.setAAD(aad);
  d.setAuthTag(c.subarray(c.length - 16));
  const out = d.update(c.subarray(0, c.length - 16));
  d.final();
  return out;
};

interface Row {
  bytes: number;
  xchacha_seal_ms: number; xchacha_open_ms: number;
  aesgcm_seal_ms: number; aesgcm_open_ms: number;
  node_aesgcm_seal_ms: number; node_aesgcm_open_ms: number;
  envelope_xchacha_seal_ms: number; envelope_aesgcm_seal_ms: number; envelope_aesgcm_open_ms: number;
  xchacha_seal_mb_s: number; aesgcm_seal_mb_s: number;
  ratio_seal: number; ratio_open: number;
}

// 4 MiB: a d = 10^6 partial over Z_2^32; 8 MiB: over Z_2^64
const sizes = [1 << 10, 1 << 14, 1 << 16, 1 << 18, 1 << 20, 4 << 20, 8 << 20];
const rows: Row[] = [];
for (const bytes of sizes) {
  const m = sodium.randombytes_buf(bytes);
  // verify: round trips, WebCrypto = node:crypto, seal() output opens to the input
  const xc = xEnc(m);
  same(xDec(xc), m, `xchacha round trip at ${bytes}`);
  const gc = await gEnc(m);
  same(gc, nodeGcm(m), `WebCrypto AES-GCM ≠ node:crypto at ${bytes}`);
  same(await gDec(gc), m, `AES-GCM round trip at ${bytes}`);
  same(nodeGcmOpen(gc), m, `node:crypto AES-GCM open at ${bytes}`);
  const env = await __TESTS.sealWithNonce('aes-256-gcm', keys['aes-256-gcm'], m, aad, gNonce);
  same(await open(keys, env, aad), m, `envelope round trip at ${bytes}`);

  const reps = quick ? 3 : bytes >= 1 << 20 ? 15 : bytes >= 1 << 16 ? 31 : 201;
  const ms = (s: number) => +(s * 1e3).toFixed(4);
  const tx = await time(() => xEnc(m), reps);
  const txd = await time(() => xDec(xc), reps);
  const tg = await time(() => gEnc(m), reps);
  const tgd = await time(() => gDec(gc), reps);
  const tn = await time(() => nodeGcm(m), reps);
  const tnd = await time(() => nodeGcmOpen(gc), reps);
  const tex = await time(() => seal(keys, m, aad, { algorithm: 'xchacha20-poly1305' }), reps);
  const teg = await time(() => seal(keys, m, aad, { algorithm: 'aes-256-gcm' }), reps);
  const tego = await time(() => open(keys, env, aad), reps);
  rows.push({
    bytes,
    xchacha_seal_ms: ms(tx), xchacha_open_ms: ms(txd),
    aesgcm_seal_ms: ms(tg), aesgcm_open_ms: ms(tgd),
    node_aesgcm_seal_ms: ms(tn), node_aesgcm_open_ms: ms(tnd),
    envelope_xchacha_seal_ms: ms(tex), envelope_aesgcm_seal_ms: ms(teg), envelope_aesgcm_open_ms: ms(tego),
    xchacha_seal_mb_s: +(bytes / tx / 1e6).toFixed(1), aesgcm_seal_mb_s: +(bytes / tg / 1e6).toFixed(1),
    ratio_seal: +(tx / tg).toFixed(2), ratio_open: +(txd / tgd).toFixed(2),
  });
}

console.log(`AEAD seal/open, median ms per call (gcm = WebCrypto; env = shardwire seal/open, AES-GCM on ${aesGcm()?.name}; ratio = XChaCha20-Poly1305 / WebCrypto AES-256-GCM)`);
console.log(['bytes', 'xchacha seal', 'xchacha open', 'gcm seal', 'gcm open', 'node seal', 'node open', 'env xchacha', 'env gcm seal', 'env gcm open', 'ratio seal', 'ratio open'].map((h) => h.padStart(12)).join(''));
for (const r of rows) {
  console.log([r.bytes, r.xchacha_seal_ms, r.xchacha_open_ms, r.aesgcm_seal_ms, r.aesgcm_open_ms, r.node_aesgcm_seal_ms, r.node_aesgcm_open_ms, r.envelope_xchacha_seal_ms, r.envelope_aesgcm_seal_ms, r.envelope_aesgcm_open_ms, `${r.ratio_seal}×`, `${r.ratio_open}×`].map((v) => String(v).padStart(12)).join(''));
}
const bulk = rows[rows.length - 1];
const result = {
  bench: 'aead',
  node: process.version,
  libsodium: sodium.sodium_version_string(),
  envelope_aesgcm_backend: aesGcm()?.name,
  bulk_bytes: bulk.bytes,
  xchacha_bulk_seal_ms: bulk.xchacha_seal_ms,
  aesgcm_bulk_seal_ms: bulk.aesgcm_seal_ms,
  xchacha_bulk_mb_s: bulk.xchacha_seal_mb_s,
  aesgcm_bulk_mb_s: bulk.aesgcm_seal_mb_s,
  bulk_ratio_seal: bulk.ratio_seal,
  bulk_ratio_open: bulk.ratio_open,
  rows,
};
console.log(JSON.stringify(result));
