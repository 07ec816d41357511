import assert from 'node:assert/strict';
import { test } from 'node:test';
import { generateSigningKeyPair, sign, signingKeyPairFromSeed, verify } from '../../../src/crypto/signature.ts';
import { isShardwireError } from '../../../src/errors.ts';
import {
  authMessage, canonicalCreateBody, createBodyDigest, encodeControlBody, fromBase64url, parseControlBody, parseCreateBody,
  parseJoinBody, toBase64url,
} from '../../../src/wire/index.ts';

const k = toBase64url(new Uint8Array(32).fill(7));
const sig = toBase64url(new Uint8Array(64).fill(1));

test('base64url round-trips every length and refuses non-canonical text', () => {
  for (let n = 0; n < 70; n++) {
    const b = Uint8Array.from({ length: n }, (_, i) => (i * 37 + n) & 255);
    const t = toBase64url(b);
    assert.equal(t, Buffer.from(b).toString('base64url'));
    assert.deepEqual(fromBase64url(t), b);
  }
  for (const bad of ['A', 'AB=', 'A+B/', 'ab c', 'AB', 'AAB', 'é']) {
    const dec = fromBase64url(bad);
    if (dec !== undefined) assert.equal(toBase64url(dec), bad, `${bad} decoded but is not canonical`);
  }
  assert.equal(fromBase64url('AB'), undefined); // trailing bits set
});

test('parseControlBody refuses non-JSON, non-objects and invalid UTF-8', () => {
  for (const b of [new Uint8Array([0xff]), new TextEncoder().encode('[1]'), new TextEncoder().encode('nul'), new TextEncoder().encode('null')]) {
    assert.throws(() => parseControlBody(b), (e: unknown) => isShardwireError(e, 'E_BAD_PAYLOAD'));
  }
  assert.deepEqual(parseControlBody(encodeControlBody({ a: 1 })), { a: 1 });
});

test('parseCreateBody validates roster entries, duplicates, the coordinator id and limits', () => {
  const ok = { signature: sig, publicKey: k, roster: [{ id: 'a', publicKey: k }], limits: { vectorLength: 10 } };
  const p = parseCreateBody(ok, 'coord', 10);
  assert.deepEqual([...p.roster.keys()], ['a']);
  assert.deepEqual(p.limits, { vectorLength: 10 });
  const bad: [Record<string, unknown>, RegExp][] = [
    [{ ...ok, roster: 'x' }, /"roster" expected an array/],
    [{ ...ok, roster: [{ id: 'a', publicKey: k }, { id: 'a', publicKey: k }] }, /appears twice/],
    [{ ...ok, roster: [{ id: 'coord', publicKey: k }] }, /coordinator's own id/],
    [{ ...ok, roster: [{ id: '*', publicKey: k }] }, /roster\[0\]\.id/],
    [{ ...ok, roster: [{ id: 'relay', publicKey: k }] }, /roster\[0\]\.id/],
    [{ ...ok, roster: [{ id: 'a', publicKey: 'short' }] }, /roster\[0\]\.publicKey/],
    [{ ...ok, roster: [{ id: 'a', publicKey: k, x: 1 }] }, /unknown field "x"/],
    [{ ...ok, publicKey: sig }, /"publicKey" expected 32 bytes/],
    [{ ...ok, signature: k }, /"signature" expected 64 bytes/],
    [{ ...ok, limits: { maxPayloadBytes: -1 } }, /limits\.maxPayloadBytes/],
    [{ ...ok, limits: { vectorLength: 0 } }, /limits\.vectorLength/],
    [{ ...ok, limits: [] }, /"limits" expected an object/],
    [{ ...ok, roster: Array.from({ length: 11 }, (_, i) => ({ id: `p${i}`, publicKey: k })) }, /allows 10/],
  ];
  for (const [body, re] of bad) assert.throws(() => parseCreateBody(body, 'coord', 10), (e: unknown) => isShardwireError(e, 'E_BAD_PAYLOAD') && re.test((e as Error).message), re.source);
  assert.throws(() => parseJoinBody({ signature: sig, extra: 1 }), /unknown field/);
});

test('the signed create body is canonical: key order and defaults do not change the digest', async () => {
  const a = canonicalCreateBody(k, [{ id: 'a', publicKey: k }], { vectorLength: 5, idleTimeoutMs: 9 });
  const parsed = parseCreateBody({ limits: { idleTimeoutMs: 9, vectorLength: 5 }, roster: [{ publicKey: k, id: 'a' }], publicKey: k, signature: sig }, 'coord', 10);
  assert.deepEqual(await createBodyDigest(parsed.signedBody), await createBodyDigest(a));
  const other = canonicalCreateBody(k, [{ id: 'b', publicKey: k }], { vectorLength: 5, idleTimeoutMs: 9 });
  assert.notDeepEqual(await createBodyDigest(other), await createBodyDigest(a));
});

test('authMessage binds action, session, id, nonce and digest', async () => {
  const kp = await generateSigningKeyPair();
  const nonce = new Uint8Array(32).fill(3);
  const m = authMessage('join', 's', 'alice', nonce);
  const s = await sign(m, kp.secretKey);
  assert.ok(await verify(s, m, kp.publicKey));
  for (const other of [authMessage('create', 's', 'alice', nonce), authMessage('join', 't', 'alice', nonce), authMessage('join', 's', 'bob', nonce), authMessage('join', 's', 'alice', new Uint8Array(32).fill(4)), authMessage('join', 's', 'alice', nonce, new Uint8Array(32).fill(1))]) {
    assert.equal(await verify(s, other, kp.publicKey), false);
  }
  // length prefixes: ("ab","c") and ("a","bc") differ
  assert.notDeepEqual(authMessage('join', 'ab', 'c', nonce), authMessage('join', 'a', 'bc', nonce));
  assert.throws(() => authMessage('join', 's', 'a', new Uint8Array(31)), (e: unknown) => isShardwireError(e, 'E_BAD_ARGUMENT'));
});

test('signature: seeded key pairs are deterministic, tampering fails, bad sizes are E_BAD_ARGUMENT', async () => {
  const a = await signingKeyPairFromSeed(new Uint8Array(32).fill(9));
  const b = await signingKeyPairFromSeed(new Uint8Array(32).fill(9));
  assert.deepEqual(a.publicKey, b.publicKey);
  const msg = new TextEncoder().encode('hello');
  const s = await sign(msg, a.secretKey);
  assert.equal(s.length, 64);
  assert.ok(await verify(s, msg, a.publicKey));
  const t = s.slice();
  t[0]! ^= 1;
  assert.equal(await verify(t, msg, a.publicKey), false);
  assert.equal(await verify(s, new TextEncoder().encode('hellp'), a.publicKey), false);
  assert.equal(await verify(s, msg, new Uint8Array(32)), false);
  await assert.rejects(sign(msg, new Uint8Array(32)), (e: unknown) => isShardwireError(e, 'E_BAD_ARGUMENT'));
  await assert.rejects(verify(new Uint8Array(63), msg, a.publicKey), (e: unknown) => isShardwireError(e, 'E_BAD_ARGUMENT'));
  await assert.rejects(signingKeyPairFromSeed(new Uint8Array(31)), (e: unknown) => isShardwireError(e, 'E_BAD_ARGUMENT'));
});
