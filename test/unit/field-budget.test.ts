/**
 * The product's bit budget (src/field-budget.ts): the table primes are prime (Miller–Rabin) and
 * the largest below 2^(32L) among odd candidates checked by trial division for the small ones;
 * the chosen field always holds B^n centred and is the smallest table field that does; what
 * does not fit is refused with E_RING_OVERFLOW naming settings that do fit.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { fieldBudget, tableField, MIN_FIELD_LIMBS } from '../../src/field-budget.ts';
import { MAX_FIELD_LIMBS } from '../../src/kernel/field.ts';
import { ceilScaled } from '../../src/scaled.ts';
import { validateConfig } from '../../src/config.ts';
import { isShardwireError } from '../../src/errors.ts';
import { isProbablePrime } from '../reference/primes.ts';
import { unclippedBound } from '../../src/controller/session-config.ts';

test('every table prime is prime (Miller–Rabin, random bases) and has exactly its limb count', () => {
  for (let limbs = MIN_FIELD_LIMBS; limbs <= MAX_FIELD_LIMBS; limbs++) {
    const f = tableField(limbs);
    assert.equal(f.limbs, limbs);
    assert.equal(f.bits, 32 * limbs);
    assert.ok(isProbablePrime(f.p, limbs <= 16 ? 8 : 3), `2^${32 * limbs} − ${(1n << BigInt(32 * limbs)) - f.p} is composite`);
  }
});

test('the small table primes are the largest primes below 2^(32L) (no prime between)', () => {
  for (let limbs = 2; limbs <= 4; limbs++) {
    const top = 1n << BigInt(32 * limbs);
    for (let n = tableField(limbs).p + 2n; n < top; n += 2n) assert.ok(!isProbablePrime(n, 4), `${n} is prime and larger`);
  }
});

test('the chosen field holds B^n centred and is the smallest table field that does', () => {
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 60 }), fc.integer({ min: 0, max: 8 }), fc.double({ min: 1e-3, max: 1e3, noNaN: true }), (n, exponent, bound) => {
      let budget;
      try {
        budget = fieldBudget({ clients: n, exponent, elementBound: bound });
      } catch (e) {
        assert.ok(isShardwireError(e, 'E_RING_OVERFLOW'));
        const b = ceilScaled(bound, exponent);
        assert.ok(b ** BigInt(n) > (tableField(MAX_FIELD_LIMBS).p - 1n) / 2n || b >= 1n << 63n, 'refused although the largest field holds it');
        return;
      }
      const worst = ceilScaled(bound, exponent) ** BigInt(n);
      assert.equal(budget.worstCaseProduct, worst);
      assert.ok(worst <= (budget.field.p - 1n) / 2n);
      if (budget.field.limbs > MIN_FIELD_LIMBS) assert.ok(worst > (tableField(budget.field.limbs - 1).p - 1n) / 2n, 'a smaller field would do');
    }),
    { numRuns: 2000 },
  );
});

test('a product that no field holds is refused naming what fits, and each suggestion fits', () => {
  let error: unknown;
  try {
    fieldBudget({ clients: 100, exponent: 8, elementBound: 10 });
  } catch (e) {
    error = e;
  }
  assert.ok(isShardwireError(error, 'E_RING_OVERFLOW'));
  const d = (error as unknown as { details: { maxClients: number; maxExponent: number; maxElementBound: number } }).details;
  assert.match((error as Error).message, /at most \d+ clients/);
  assert.doesNotThrow(() => fieldBudget({ clients: d.maxClients, exponent: 8, elementBound: 10 }));
  assert.throws(() => fieldBudget({ clients: d.maxClients + 1, exponent: 8, elementBound: 10 }));
  assert.doesNotThrow(() => fieldBudget({ clients: 100, exponent: d.maxExponent, elementBound: 10 }));
  assert.doesNotThrow(() => fieldBudget({ clients: 100, exponent: 8, elementBound: d.maxElementBound }));
});

test('config: multiply sessions are validated before anything runs', () => {
  const base = { smpc: { operation: 'multiply', exponent: 3 }, minClients: 2, maxClients: 10, clip: { norm: 'linf', bound: 4 } };
  assert.equal(validateConfig(base).smpc.operation, 'multiply');
  const code = (c: unknown) => {
    try {
      validateConfig(c);
    } catch (e) {
      return (e as { code: string }).code;
    }
    return 'ok';
  };
  assert.equal(code({ ...base, dp: { noisetype: 'laplace', epsilon: 1, clippingVal: 1 } }), 'E_UNSUPPORTED');
  assert.equal(code({ ...base, ring: 64 }), 'E_BAD_CONFIG');
  assert.equal(code({ ...base, maxWeight: 3 }), 'E_BAD_CONFIG');
  assert.equal(code({ ...base, maxClients: 1000, smpc: { operation: 'multiply', exponent: 8 }, clip: { norm: 'linf', bound: 100 } }), 'E_RING_OVERFLOW');
});

test('the limits the docs state: 154 factors at exponent 3 and bound 10; 38 FeatureCloud sites at the unclipped bound', () => {
  const most = (exponent: number, bound: number) => {
    let n = 1;
    while (n < 1000) {
      try {
        fieldBudget({ clients: n + 1, exponent, elementBound: bound });
      } catch (e) {
        assert.ok(isShardwireError(e, 'E_RING_OVERFLOW'));
        break;
      }
      n++;
    }
    return n;
  };
  assert.equal(most(3, 10), 154);
  for (const e of [0, 3, 8]) assert.equal(most(e, unclippedBound(e)), 38);
});
