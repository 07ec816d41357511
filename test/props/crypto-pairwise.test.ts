// Properties of pairwise keys and shard seeds (docs/PROTOCOL.md §4): both ends agree, and a seed is
// unique to its (direction, memo, session, parties) tuple.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { derivePairwiseKey, deriveShardSeed } from '../../src/crypto/pairwise.ts';
import { getSodium } from '../../src/sodium.ts';

const secret = fc.uint8Array({ minLength: 32, maxLength: 32 });
const name = fc.string({ minLength: 1, maxLength: 12 });
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

test('i and j derive the same K_ij from their own secret and the other public key', async () => {
  const s = await getSodium();
  await fc.assert(fc.asyncProperty(secret, secret, name, async (a, b, session) => {
    const pa = s.crypto_scalarmult_base(a);
    const pb = s.crypto_scalarmult_base(b);
    fc.pre(hex(pa) !== hex(pb));
    assert.equal(hex(await derivePairwiseKey(session, a, pa, pb)), hex(await derivePairwiseKey(session, b, pb, pa)));
  }), { numRuns: 50 });
});

test('seeds differ whenever any of direction, memo, session or party changes', async () => {
  const key = fc.uint8Array({ minLength: 32, maxLength: 32 });
  const tuple = fc.tuple(name, name, name, name).filter(([, , i, j]) => i !== j);
  await fc.assert(fc.asyncProperty(key, tuple, tuple, async (k, [s1, m1, i1, j1], [s2, m2, i2, j2]) => {
    fc.pre(s1 !== s2 || m1 !== m2 || i1 !== i2 || j1 !== j2);
    assert.notEqual(hex(await deriveShardSeed(k, s1, m1, i1, j1)), hex(await deriveShardSeed(k, s2, m2, i2, j2)));
    assert.notEqual(hex(await deriveShardSeed(k, s1, m1, i1, j1)), hex(await deriveShardSeed(k, s1, m1, j1, i1)));
  }), { numRuns: 200 });
});

test('K_ij hashes the public keys in bytewise order (model: Buffer.compare), whichever party derives it', async () => {
  const s = await getSodium();
  const lp = (x: Uint8Array | string): Buffer => {
    const b = typeof x === 'string' ? Buffer.from(x, 'utf8') : Buffer.from(x);
    const len = Buffer.alloc(4);
    len.writeUInt32BE(b.length);
    return Buffer.concat([len, b]);
  };
  let differing = 0;
  await fc.assert(fc.asyncProperty(secret, secret, name, async (a, b, session) => {
    const pa = s.crypto_scalarmult_base(a);
    const pb = s.crypto_scalarmult_base(b);
    fc.pre(hex(pa) !== hex(pb));
    const [lo, hi] = Buffer.compare(pa, pb) < 0 ? [pa, pb] : [pb, pa];
    if ((Buffer.compare(pa, pb) < 0) !== (s.compare(pa, pb) < 0)) differing++;
    const q = s.crypto_scalarmult(a, pb);
    const input = Buffer.concat([lp('shardwire/pairwise/v1'), lp(session), lp(q), lp(lo), lp(hi)]);
    const model = s.crypto_generichash(32, input, null, 'hex');
    assert.equal(hex(await derivePairwiseKey(session, a, pa, pb)), model);
    assert.equal(hex(await derivePairwiseKey(session, b, pb, pa)), model);
  }), { numRuns: 64, seed: 7 });
  assert.ok(differing > 0, 'the sample holds pairs whose little-endian order is the opposite');
});
