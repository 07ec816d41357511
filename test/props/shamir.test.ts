/**
 * Shamir sharing over GF(2^16) (src/secagg/shamir.ts): the field laws the interpolation relies
 * on, any t of k shares reconstruct, t − 1 shares are uniform whatever the secret (χ² on the
 * share words of two very different secrets), and a wrong share changes the result (so the
 * commitments downstream always catch it).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { gfInv, gfMul, shamirCombine, shamirSplit, SHAMIR_MAX_SHARES } from '../../src/secagg/shamir.ts';
import { isShardwireError } from '../../src/errors.ts';

const elem = fc.integer({ min: 0, max: 0xffff });
const nonzero = fc.integer({ min: 1, max: 0xffff });

test('GF(2^16): multiplication is commutative, associative, distributes over XOR; x·x^-1 = 1', () => {
  fc.assert(fc.property(elem, elem, elem, (a, b, c) => {
    assert.equal(gfMul(a, b), gfMul(b, a));
    assert.equal(gfMul(gfMul(a, b), c), gfMul(a, gfMul(b, c)));
    assert.equal(gfMul(a, b ^ c), gfMul(a, b) ^ gfMul(a, c));
    assert.equal(gfMul(a, 1), a);
    assert.equal(gfMul(a, 0), 0);
  }), { numRuns: 2000 });
  fc.assert(fc.property(nonzero, (a) => assert.equal(gfMul(a, gfInv(a)), 1)), { numRuns: 2000 });
});

test('the reduction polynomial is primitive: x generates all 65,535 non-zero elements', () => {
  let a = 1, n = 0;
  do {
    a = gfMul(a, 2);
    n++;
  } while (a !== 1 && n <= SHAMIR_MAX_SHARES);
  assert.equal(n, SHAMIR_MAX_SHARES);
});

test('any t of k shares reconstruct the secret; the shares of t − 1 do not', () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 40 }).chain((k) => fc.record({
        k: fc.constant(k),
        t: fc.integer({ min: 1, max: k }),
        secret: fc.uint8Array({ minLength: 32, maxLength: 32 }),
        pick: fc.shuffledSubarray(Array.from({ length: k }, (_, i) => i), { minLength: k, maxLength: k }),
      })),
      ({ k, t, secret, pick }) => {
        const shares = shamirSplit(secret, t, k);
        const chosen = pick.slice(0, t).map((i) => ({ x: i + 1, y: shares[i] }));
        assert.deepEqual(shamirCombine(chosen), secret);
        if (t > 1) {
          const fewer = shamirCombine(chosen.slice(0, t - 1));
          assert.notDeepEqual(fewer, secret); // equal only with probability 2^-256
        }
        // a wrong share (one word changed) gives another secret
        const bad = chosen.map((s, i) => (i === 0 ? { x: s.x, y: Uint8Array.from(s.y, (b, j) => (j === 0 ? b ^ 1 : b)) } : s));
        assert.notDeepEqual(shamirCombine(bad), secret);
      },
    ),
    { numRuns: 300 },
  );
});

test('t − 1 shares are uniform whatever the secret (χ² of the share words, two extreme secrets)', () => {
  // 2,000 splits each of the all-zero and the all-ones secret, t = 3: the 2 shares each party
  // below the threshold sees; bucket the top 8 bits of every word (255 d.o.f., limit ≈ 6.4 sd)
  for (const fill of [0x00, 0xff]) {
    const counts = new Array(256).fill(0);
    let words = 0;
    for (let r = 0; r < 2000; r++) {
      const shares = shamirSplit(new Uint8Array(32).fill(fill), 3, 5);
      for (const s of shares.slice(1, 3)) for (let w = 0; w < 16; w++) (counts[s[2 * w + 1]]++, words++);
    }
    const e = words / 256;
    const chi2 = counts.reduce((acc, c) => acc + (c - e) ** 2 / e, 0);
    assert.ok(chi2 < 400, `secret ${fill}: χ² ${chi2}`);
  }
});

test('bad arguments are refused with E_BAD_ARGUMENT', () => {
  const s = new Uint8Array(32);
  for (const f of [
    () => shamirSplit(new Uint8Array(31), 2, 3),
    () => shamirSplit(new Uint8Array(0), 1, 1),
    () => shamirSplit(s, 0, 3),
    () => shamirSplit(s, 4, 3),
    () => shamirSplit(s, 1, SHAMIR_MAX_SHARES + 1),
    () => shamirCombine([]),
    () => shamirCombine([{ x: 0, y: s }]),
    () => shamirCombine([{ x: 1, y: s }, { x: 1, y: s }]),
    () => shamirCombine([{ x: 1, y: s }, { x: 2, y: new Uint8Array(30) }]),
  ]) assert.throws(f, (e) => isShardwireError(e, 'E_BAD_ARGUMENT'));
});
