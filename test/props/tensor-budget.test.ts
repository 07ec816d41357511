/**
 * The per-tensor bit budget never certifies a layout that could wrap: for 10^5 random
 * configurations (dtype, bound, clients, ring, weighted, saturation, exponent, clip bound),
 * every limb's n-fold worst case — recomputed here with bigint from the limb's definition, not
 * from the budget — fits the ring's signed range, the limbs recombine every allowed value exactly
 * (extremes included), and a refusal names the tensor.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { roundLayout } from '../../src/tensors/layout.ts';
import { recombine, type Limb } from '../../src/tensors/budget.ts';
import { DTYPE_RANGE, type Dtype, type TensorSpec } from '../../src/tensors/spec.ts';
import { computeBitBudget } from '../../src/config.ts';
import { isShardwireError } from '../../src/errors.ts';

const INT_DTYPES = ['int32', 'int64', 'uint8', 'bool'] as const;

/** The limb of x as the kernel computes it (assembly/int-limbs.ts), as a signed value. */
function limbOf(x: bigint, l: Limb): bigint {
  const shifted = x >> BigInt(l.shift);
  return l.top ? shifted : shifted & ((1n << BigInt(l.bits)) - 1n);
}

/** Largest |limb| over [lo, hi]: limbs are monotone in x for the top limb; lower limbs are < 2^bits. */
function limbMagnitude(lo: bigint, hi: bigint, l: Limb): bigint {
  if (!l.top) return (1n << BigInt(l.bits)) - 1n; // the unsigned bits [shift, shift + bits)
  const a = limbOf(lo, l);
  const b = limbOf(hi, l);
  return (a < 0n ? -a : a) > (b < 0n ? -b : b) ? (a < 0n ? -a : a) : b < 0n ? -b : b;
}

const boundArb = fc.oneof(fc.constant(undefined), fc.bigInt({ min: 0n, max: 2n ** 63n }), fc.bigInt({ min: 0n, max: 1000n }), fc.constantFrom(2n ** 31n, 2n ** 32n, 2n ** 53n, 2n ** 62n, 2n ** 63n - 1n));

test('10^5 random integer configurations: certified limbs never wrap and recombine exactly', () => {
  let certified = 0;
  fc.assert(
    fc.property(
      fc.constantFrom(...INT_DTYPES),
      boundArb,
      fc.integer({ min: 1, max: 10_000 }),
      fc.constantFrom<32 | 64>(32, 64),
      fc.boolean(),
      fc.integer({ min: 0, max: 2 ** 31 }),
      fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }),
      (dtype, bound, clients, ring, saturation, dim, sample) => {
        const spec: TensorSpec = { name: 't', dtype: dtype as Dtype, shape: [1], ...(bound === undefined ? {} : { bound }) };
        let layout;
        try {
          layout = roundLayout({ ring, clients, weighted: false, saturation, dim, dp: false, tensors: [spec, { name: 'f', dtype: 'float32', shape: [dim] }] });
        } catch (e) {
          assert.ok(isShardwireError(e) && e.code === 'E_RING_OVERFLOW' && typeof e.details.tensor === 'string', String(e));
          return;
        }
        certified++;
        const capacity = (1n << BigInt(ring - 1)) - 1n;
        for (const entry of layout.tail) {
          const limbs = entry.plan.limbs;
          for (const l of limbs) assert.ok(BigInt(clients) * limbMagnitude(entry.lo, entry.hi, l) <= capacity, `${entry.name} limb ${l.shift} wraps`);
          // every allowed value, extremes included, recombines exactly; n copies sum exactly
          const x = sample < entry.lo ? entry.lo : sample > entry.hi ? entry.hi : sample;
          for (const v of [entry.lo, entry.hi, x, 0n < entry.lo ? entry.lo : 0n]) {
            const parts = limbs.map((l) => limbOf(v, l));
            assert.equal(recombine(limbs, parts), v);
            assert.equal(recombine(limbs, parts.map((p) => p * BigInt(clients))), v * BigInt(clients));
          }
        }
        // layout positions are contiguous and cover exactly [head, length)
        let at = layout.head;
        for (const e of layout.tail) (assert.equal(e.offset, at), (at += e.numel * e.plan.limbs.length));
        assert.equal(at, layout.length);
      },
    ),
    { numRuns: 100_000 },
  );
  assert.ok(certified > 90_000, `only ${certified} configurations certified`);
});

test('dtype ranges: default bounds are the dtype ranges and always certify for n ≤ MAX_CLIENTS', () => {
  for (const dtype of INT_DTYPES) {
    for (const ring of [32, 64] as const) {
      const layout = roundLayout({ ring, clients: 10_000, weighted: false, saturation: false, dim: 0, dp: false, tensors: [{ name: 'x', dtype, shape: [2] }] });
      assert.deepEqual([layout.tail[0].lo, layout.tail[0].hi], [...DTYPE_RANGE[dtype]]);
    }
  }
});

test('float tensors: the session budget is the single-vector budget (refusals are E_RING_OVERFLOW)', () => {
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 10_000 }), fc.integer({ min: 0, max: 15 }), fc.double({ min: 0, max: 1e6, noNaN: true }), (clients, exponent, bound) => {
      try {
        const b = computeBitBudget({ clients, exponent, elementBound: bound, ring: 'auto' });
        assert.ok(b.worstCaseSum <= b.capacity);
      } catch (e) {
        assert.ok(isShardwireError(e) && e.code === 'E_RING_OVERFLOW');
      }
    }),
    { numRuns: 2000 },
  );
});
