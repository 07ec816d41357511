/**
 * The bit budget never accepts a configuration whose worst-case sum overflows the ring's signed
 * range, checked against big-integer arithmetic on the exact value of the bound; when it
 * refuses, the suggested limits really fit.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import bigInt from 'big-integer';
import { computeBitBudget } from '../../src/config.ts';
import { isShardwireError } from '../../src/errors.ts';

/** ⌈bound · 10^e⌉ with big-integer: the double is an exact dyadic fraction num / 2^k. */
function refCeilScaled(bound: number, exponent: number): bigInt.BigInteger {
  let num = bound;
  let den = bigInt.one;
  while (!Number.isInteger(num)) {
    num *= 2; // exact for doubles
    den = den.multiply(2);
  }
  const scaled = bigInt(BigInt(num).toString()).multiply(bigInt(10).pow(exponent));
  const { quotient, remainder } = scaled.divmod(den);
  return remainder.isZero() ? quotient : quotient.add(1);
}

function refWorst(clients: number, exponent: number, bound: number, tail: bigint): bigInt.BigInteger {
  return bigInt(clients).multiply(refCeilScaled(bound, exponent).add(bigInt(tail.toString())));
}

const capacity = (ring: number) => bigInt(2).pow(ring - 1).subtract(1);

test('accepted configurations never overflow; refusals are real and their suggestions fit', () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 10_000 }),
      fc.integer({ min: 0, max: 15 }),
      fc.oneof(fc.double({ min: 0, max: 1e6, noNaN: true }), fc.double({ min: 0, max: 10, noNaN: true }), fc.constantFrom(0.1, 1, 2 ** -30, 123.456)),
      fc.bigInt({ min: 0n, max: 2n ** 40n }),
      fc.constantFrom<'auto' | 32 | 64>('auto', 32, 64),
      (clients, exponent, bound, noiseTail, ring) => {
        const worst = refWorst(clients, exponent, bound, noiseTail);
        try {
          const b = computeBitBudget({ clients, exponent, elementBound: bound, noiseTail, ring });
          assert.ok(worst.lesserOrEquals(capacity(b.ring)), `accepted ring ${b.ring} with worst ${worst}`);
          assert.equal(b.worstCaseSum.toString(), worst.toString());
          if (ring === 'auto' && b.ring === 64) assert.ok(worst.greater(capacity(32)), 'chose 64 although 32 fits');
        } catch (e) {
          assert.ok(isShardwireError(e, 'E_RING_OVERFLOW'), String(e));
          const largest = ring === 32 ? 32 : 64;
          assert.ok(worst.greater(capacity(largest)), 'refused a configuration that fits');
          const d = e.details as { maxClients: number; maxExponent: number; maxElementBound: number };
          if (d.maxClients >= 1) assert.ok(refWorst(d.maxClients, exponent, bound, noiseTail).lesserOrEquals(capacity(largest)));
          assert.ok(refWorst(d.maxClients + 1, exponent, bound, noiseTail).greater(capacity(largest)), 'maxClients is not the largest');
          if (d.maxExponent >= 0) assert.ok(refWorst(clients, d.maxExponent, bound, noiseTail).lesserOrEquals(capacity(largest)));
          assert.ok(refWorst(clients, exponent, d.maxElementBound, noiseTail).lesserOrEquals(capacity(largest)) || d.maxElementBound === 0);
          assert.match(e.message, /What would fit/);
        }
      },
    ),
    { numRuns: 2000 },
  );
});

test('edge: the largest client count that fits ring 32 exactly is accepted, one more goes to 64', () => {
  const perClient = 1000n; // bound 1, exponent 3
  const n = Number((2n ** 31n - 1n) / perClient);
  assert.equal(computeBitBudget({ clients: Math.min(n, 10_000), exponent: 3, elementBound: 1 }).ring, 32);
  const big = computeBitBudget({ clients: 10_000, exponent: 6, elementBound: 1 });
  assert.equal(big.ring, 64);
  assert.throws(() => computeBitBudget({ clients: 10_000, exponent: 15, elementBound: 1e6 }), (e) => isShardwireError(e, 'E_RING_OVERFLOW'));
});
