import { test } from 'node:test';
import assert from 'node:assert/strict';
import { blake2b, canonicalJson, configHash, isConfigHash } from '../../../src/crypto/hash.ts';
import { getSodium } from '../../../src/sodium.ts';
import { rejectsWith, toHex } from './_helpers.ts';

test('canonicalJson sorts keys recursively and has no whitespace', () => {
  assert.equal(canonicalJson({ b: 1, a: [true, null, { d: 'x', c: -0 }], é: 1.5e-7 }), '{"a":[true,null,{"c":0,"d":"x"}],"b":1,"é":1.5e-7}');
  assert.equal(canonicalJson([]), '[]');
  assert.equal(canonicalJson(Object.create(null)), '{}');
});

test('canonicalJson orders keys by UTF-16 code units (RFC 8785 §3.2.3)', () => {
  // U+20AC sorts before U+1F600 (surrogate D83D) in UTF-16, though not in code points
  assert.equal(canonicalJson({ '\u{1F600}': 1, '\u20AC': 2, 'a': 3 }), '{"a":3,"€":2,"😀":1}');
});

test('canonicalJson refuses what JSON cannot represent exactly', async () => {
  const cyclic: Record<string, unknown> = { a: 1 };
  cyclic.self = cyclic;
  const bad: unknown[] = [NaN, Infinity, -Infinity, undefined, () => 1, Symbol('s'), 1n, cyclic, { a: undefined }, [1, , 3], new Date(0), new Map(), new Uint8Array(2), '\uD800', { [Symbol('k')]: 1 }];
  for (const v of bad) await rejectsWith(() => canonicalJson(v), 'E_BAD_ARGUMENT');
  await rejectsWith(() => canonicalJson({ x: { y: [NaN] } }, 'E_BAD_CONFIG'), 'E_BAD_CONFIG');
  try { canonicalJson({ x: { y: [NaN] } }); } catch (e) { assert.match((e as Error).message, /\$\.x\.y\[0\]/); }
});

test('canonicalJson accepts a shared (non-cyclic) sub-object twice', () => {
  const shared = { z: 1 };
  assert.equal(canonicalJson({ a: shared, b: shared }), '{"a":{"z":1},"b":{"z":1}}');
});

test('configHash is BLAKE2b-256 hex of the canonical JSON and ignores key order', async () => {
  const sodium = await getSodium();
  const h = await configHash({ smpc: { shards: 3, operation: 'add' }, minClients: 2 });
  assert.ok(isConfigHash(h));
  assert.equal(h, sodium.crypto_generichash(32, '{"minClients":2,"smpc":{"operation":"add","shards":3}}', null, 'hex'));
  assert.equal(await configHash({ minClients: 2, smpc: { operation: 'add', shards: 3 } }), h);
  assert.notEqual(await configHash({ minClients: 3, smpc: { operation: 'add', shards: 3 } }), h);
  await rejectsWith(() => configHash({ x: NaN }), 'E_BAD_CONFIG');
});

test('blake2b matches RFC 7693 Appendix A (BLAKE2b-512 of "abc") and validates inputs', async () => {
  const d = await blake2b(new TextEncoder().encode('abc'), 64);
  assert.equal(toHex(d), 'ba80a53f981c4d0d6a2797b69f12f6e94c212f14685ac4b74b12bb6fdbffa2d17d87c5392aab792dc252d5de4533cc9518d38aa8dbf1925ab92386edd4009923');
  await rejectsWith(() => blake2b(new Uint8Array(1), 8), 'E_BAD_ARGUMENT');
  await rejectsWith(() => blake2b(new Uint8Array(1), 32, new Uint8Array(8)), 'E_BAD_ARGUMENT');
  await rejectsWith(() => blake2b('abc' as unknown as Uint8Array), 'E_BAD_ARGUMENT');
  assert.notEqual(toHex(await blake2b(new Uint8Array(1), 32, new Uint8Array(32))), toHex(await blake2b(new Uint8Array(1))));
});
