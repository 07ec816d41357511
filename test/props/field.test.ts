/**
 * The kernel's prime-field arithmetic (src/kernel/field.ts over assembly/field.ts) equals the
 * BigInt reference (test/reference/field-bigint.ts) bit for bit: random primes of 33 … 1100 bits
 * and the table primes 2^(32L) − c of 2 … 64 limbs, random vectors with zeros and extreme values,
 * random keys and signs, lengths 0, 1, around the field chunk and over several chunks; on the
 * SIMD and scalar builds and both keystream sources. Algebraic laws (a mask times its inverse
 * is 1), a χ² test of PRG_F's uniformity, and typed errors for bad inputs.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Kernel } from '../../src/kernel/index.ts';
import {
  fieldChunkElems, fieldFromInts, fieldMaskProduct, fieldMaskStepElems, fieldMul, fieldMulMaskProduct, fieldToBigInts, primeField, type PrimeField,
} from '../../src/kernel/field.ts';
import * as ref from '../reference/field-bigint.ts';
import { isProbablePrime, randomPrime, tablePrime } from '../reference/primes.ts';
import { isShardwireError } from '../../src/errors.ts';

const kernels = [
  await Kernel.load('simd', { keystream: 'node:crypto' }),
  await Kernel.load('simd', { keystream: 'wasm' }),
  await Kernel.load('scalar', { keystream: 'wasm' }),
  await Kernel.load('scalar', { keystream: 'node:crypto' }),
];
const [k] = kernels;

const RANDOM_BITS = [33, 34, 47, 63, 64, 65, 95, 127, 200, 288, 521, 800, 1100];
const TABLE_LIMBS = [2, 3, 5, 9, 17, 33, 64];
const FIELDS: PrimeField[] = [
  primeField(4294967311n), // 2^32 + 15: PRG_F rejects about half of the units
  ...RANDOM_BITS.map((b) => primeField(randomPrime(b, 'field-test'))),
  ...TABLE_LIMBS.map((l) => primeField(tablePrime(l))),
];

const fieldArb = fc.constantFrom(...FIELDS);
const keyArb = fc.uint8Array({ minLength: 32, maxLength: 32 });
const signArb = fc.constantFrom(1, -1);
const kernelArb = fc.constantFrom(...kernels);

/** A signed 64-bit input: zeros, ±1, i64 extremes, ±(p−1)/2 when it fits, random. */
function intArb(f: PrimeField): fc.Arbitrary<bigint> {
  const half = (f.p - 1n) / 2n;
  const max = half < (1n << 63n) - 1n ? half : (1n << 63n) - 1n;
  const min = half < 1n << 63n ? -half : -(1n << 63n);
  return fc.oneof(
    fc.constantFrom(0n, 1n, -1n, max, min),
    fc.bigInt({ min, max }),
    fc.bigInt({ min: -1000n, max: 1000n }),
  );
}

function same(a: ArrayLike<unknown>, b: ArrayLike<unknown>, what: string): void {
  assert.equal(a.length, b.length, `${what}: lengths`);
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) assert.fail(`${what}: first difference at ${i}: ${a[i]} vs ${b[i]}`);
}

/** Random canonical elements (limbs < p) of f. */
function elementsArb(f: PrimeField, length: number): fc.Arbitrary<Uint32Array> {
  const x = fc.oneof(fc.constantFrom(0n, 1n, f.p - 1n, (f.p - 1n) / 2n, (f.p + 1n) / 2n), fc.bigInt({ min: 0n, max: f.p - 1n }));
  return fc.array(x, { minLength: length, maxLength: length }).map((xs) => {
    const v = new Uint32Array(xs.length * f.limbs);
    xs.forEach((x, j) => {
      for (let i = 0; i < f.limbs; i++, x >>= 32n) v[j * f.limbs + i] = Number(x & 0xffffffffn);
    });
    return v;
  });
}

test('the test fields are prime, from 33 to 2048 bits', () => {
  for (const f of FIELDS) assert.ok(isProbablePrime(f.p, 12), `${f.bits}-bit p`);
  assert.deepEqual([Math.min(...FIELDS.map((f) => f.bits)), Math.max(...FIELDS.map((f) => f.bits))], [33, 2048]);
});

test('fieldMaskProduct equals the BigInt reference (any prime, keys, signs, length, build, keystream)', () => {
  fc.assert(
    fc.property(kernelArb, fieldArb, fc.nat({ max: 100 }), fc.array(fc.tuple(keyArb, signArb), { maxLength: 5 }), (kk, f, d, ks) => {
      const keys = ks.map(([key]) => key);
      const signs = ks.map(([, s]) => s);
      const got = new Uint32Array(d * f.limbs);
      const want = new Uint32Array(d * f.limbs);
      fieldMaskProduct(kk, f, d, keys, signs, got);
      ref.fieldMaskProduct(k, f, d, keys, signs, want);
      same(got, want, `${f.bits}-bit mask product`);
    }),
    { numRuns: 60 },
  );
});

test('fieldFromInts equals the BigInt reference: elements, stand-ins of zeros and the zero channel', () => {
  fc.assert(
    fc.property(
      kernelArb,
      fieldArb.chain((f) => fc.tuple(fc.constant(f), fc.array(intArb(f), { maxLength: 120 }))),
      keyArb,
      (kk, [f, xs], key) => {
        const x = BigUint64Array.from(xs, (v) => BigInt.asUintN(64, v));
        const out = [new Uint32Array(xs.length * f.limbs), new Uint32Array(xs.length * f.limbs)];
        const zeros = [new BigUint64Array(2 * xs.length).fill(7n), new BigUint64Array(2 * xs.length)];
        fieldFromInts(kk, f, x, key, out[0], zeros[0]);
        ref.fieldFromInts(k, f, x, key, out[1], zeros[1]);
        same(out[0], out[1], `${f.bits}-bit elements`);
        same(zeros[0], zeros[1], 'zero channel');
      },
    ),
    { numRuns: 60 },
  );
});

test('fieldMul and fieldToBigInts equal the BigInt reference on random elements', () => {
  fc.assert(
    fc.property(
      kernelArb,
      fc.tuple(fieldArb, fc.nat({ max: 40 })).chain(([f, n]) => fc.tuple(fc.constant(f), elementsArb(f, n), elementsArb(f, n))),
      (kk, [f, a, b]) => {
        const n = a.length / f.limbs;
        const got = a.slice();
        const want = a.slice();
        fieldMul(kk, f, got, b);
        ref.fieldMul(k, f, want, b);
        same(got, want, `${f.bits}-bit products`);
        same(fieldToBigInts(kk, f, got), ref.fieldToBigInts(k, f, want), 'centred values');
        assert.equal(fieldToBigInts(kk, f, a).length, n);
      },
    ),
    { numRuns: 80 },
  );
});

test('fieldMulMaskProduct equals fieldMul by the reference mask product', () => {
  fc.assert(
    fc.property(
      kernelArb,
      fc.tuple(fieldArb, fc.nat({ max: 60 })).chain(([f, n]) => fc.tuple(fc.constant(f), elementsArb(f, n))),
      fc.array(fc.tuple(keyArb, signArb), { maxLength: 4 }),
      (kk, [f, acc], ks) => {
        const keys = ks.map(([key]) => key);
        const signs = ks.map(([, s]) => s);
        const d = acc.length / f.limbs;
        const mask = new Uint32Array(d * f.limbs);
        ref.fieldMaskProduct(k, f, d, keys, signs, mask);
        const want = acc.slice();
        ref.fieldMul(k, f, want, mask);
        const got = acc.slice();
        fieldMulMaskProduct(kk, f, got, keys, signs);
        same(got, want, `${f.bits}-bit masked product`);
      },
    ),
    { numRuns: 40 },
  );
});

test('lengths 0, 1, around the field chunk and over several chunks (table and rejection-heavy primes)', () => {
  const key = new Uint8Array(32).fill(3);
  const other = new Uint8Array(32).fill(4);
  // the mask products run in steps of fieldMaskStepElems, the other operations in field chunks
  const cases: Array<[PrimeField, (chunk: number, step: number) => number[]]> = [
    [FIELDS[0], (c, s) => [0, 1, s - 1, s + 1, c - 1, c, c + 1]],
    [primeField(tablePrime(2)), () => [k.chunkElems + 1]],
    [primeField(tablePrime(9)), (c, s) => [s + 1, c - 1, 2 * c + 3]],
    [primeField(tablePrime(64)), (c) => [c + 1]],
  ];
  for (const [f, lengthsOf] of cases) {
    const chunk = fieldChunkElems(k, f);
    const step = fieldMaskStepElems(k, f);
    assert.ok(step === chunk || (step < chunk && step >= 2 * f.bits), `step ${step}, chunk ${chunk}`);
    // the reference inverts element by element (a modPow each): −1 streams only where that is quick
    const signs = f === FIELDS[0] ? [1, -1] : [1, 1];
    for (const d of lengthsOf(chunk, step)) {
      const want = new Uint32Array(d * f.limbs);
      ref.fieldMaskProduct(k, f, d, [key, other], signs, want);
      const x = BigUint64Array.from({ length: d }, (_, j) => (j % 5 === 0 ? 0n : BigInt.asUintN(64, BigInt(j * 7919 - 30000))));
      const wantEl = new Uint32Array(d * f.limbs);
      const wantZeros = new BigUint64Array(2 * d);
      ref.fieldFromInts(k, f, x, key, wantEl, wantZeros);
      ref.fieldMul(k, f, wantEl, want);
      const wantValues = ref.fieldToBigInts(k, f, wantEl);
      for (const kk of [kernels[0], kernels[1]]) {
        const got = new Uint32Array(d * f.limbs);
        fieldMaskProduct(kk, f, d, [key, other], signs, got);
        same(got, want, `${f.bits}-bit mask, d = ${d}`);
        const el = new Uint32Array(d * f.limbs);
        const zeros = new BigUint64Array(2 * d);
        fieldFromInts(kk, f, x, key, el, zeros);
        same(zeros, wantZeros, `zero channel, d = ${d}`);
        fieldMul(kk, f, el, got);
        same(el, wantEl, `${f.bits}-bit products, d = ${d}`);
        same(fieldToBigInts(kk, f, el), wantValues, `centred values, d = ${d}`);
      }
    }
  }
});

/** The Montgomery form of 1 repeated d times. */
function ones(f: PrimeField, d: number): Uint32Array {
  const v = new Uint32Array(d * f.limbs);
  const one = (1n << BigInt(32 * f.limbs)) % f.p;
  for (let j = 0; j < d; j++) {
    let x = one;
    for (let i = 0; i < f.limbs; i++, x >>= 32n) v[j * f.limbs + i] = Number(x & 0xffffffffn);
  }
  return v;
}

test('a mask times its inverse is 1; the +1 and −1 streams of one key cancel in one product', () => {
  fc.assert(
    fc.property(kernelArb, fieldArb, fc.integer({ min: 1, max: 100 }), keyArb, fc.array(fc.tuple(keyArb, signArb), { maxLength: 3 }), (kk, f, d, key, rest) => {
      const mask = new Uint32Array(d * f.limbs);
      const inverse = new Uint32Array(d * f.limbs);
      fieldMaskProduct(kk, f, d, [key], [1], mask);
      fieldMaskProduct(kk, f, d, [key], [-1], inverse);
      fieldMul(kk, f, mask, inverse);
      same(mask, ones(f, d), 'mask · inverse');
      // Π over an edge list where every key enters once with +1 and once with −1
      const keys = [key, ...rest.map(([r]) => r)];
      const both = new Uint32Array(d * f.limbs);
      fieldMaskProduct(kk, f, d, [...keys, ...keys], [...keys.map(() => 1), ...keys.map(() => -1)], both);
      same(both, ones(f, d), 'cancelling streams');
      assert.ok(fieldToBigInts(kk, f, both).every((x) => x === 1n));
    }),
    { numRuns: 40 },
  );
});

test('fieldFromInts then fieldToBigInts gives the integers back (zeros become their non-zero stand-ins)', () => {
  fc.assert(
    fc.property(kernelArb, fieldArb.chain((f) => fc.tuple(fc.constant(f), fc.array(intArb(f), { maxLength: 60 }))), keyArb, (kk, [f, xs], key) => {
      const out = new Uint32Array(xs.length * f.limbs);
      const zeros = new BigUint64Array(2 * xs.length);
      fieldFromInts(kk, f, BigUint64Array.from(xs, (v) => BigInt.asUintN(64, v)), key, out, zeros);
      const back = fieldToBigInts(kk, f, out);
      xs.forEach((x, j) => {
        if (x !== 0n) assert.equal(back[j], x);
        else assert.notEqual(back[j], 0n);
        assert.equal(x === 0n, zeros[2 * j] !== 0n || zeros[2 * j + 1] !== 0n || back[j] !== x);
      });
    }),
    { numRuns: 40 },
  );
});

/**
 * χ² over 64 equal-width buckets of (0, p): 63 degrees of freedom; 156 is the upper 10^-9 point
 * (Wilson–Hilferty), so a uniform source fails with probability about 10^-9 (the keys are fixed,
 * so the run is deterministic).
 */
function chiSquare(values: readonly bigint[], p: bigint): number {
  const buckets = new Array<number>(64).fill(0);
  for (const v of values) buckets[Number((((v % p) + p) % p * 64n) / p)]++;
  const expected = values.length / 64;
  return buckets.reduce((s, c) => s + (c - expected) ** 2 / expected, 0);
}

test('PRG_F is uniform on a small prime (χ², 64 buckets, 10^-9 threshold), with and without inversion', () => {
  const f = FIELDS[0]; // 2^32 + 15: half the units are rejected
  const d = 64 * 1000;
  for (const kk of [kernels[0], kernels[1]]) {
    const plain = new Uint32Array(d * f.limbs);
    fieldMaskProduct(kk, f, d, [new Uint8Array(32).fill(0x5a)], [1], plain);
    const ratio = new Uint32Array(d * f.limbs);
    fieldMaskProduct(kk, f, d, [new Uint8Array(32).fill(0x11), new Uint8Array(32).fill(0x22)], [1, -1], ratio);
    for (const [name, v] of [['PRG_F', plain], ['PRG_F / PRG_F', ratio]] as const) {
      const chi = chiSquare(fieldToBigInts(kk, f, v), f.p);
      assert.ok(chi < 156, `${name}: χ² = ${chi.toFixed(1)} over 63 degrees of freedom`);
    }
  }
});

function throwsCode(fn: () => unknown, code: string, what: string): void {
  assert.throws(fn, (e: unknown) => isShardwireError(e) && e.code === code, what);
}

test('bad inputs are typed errors', () => {
  const f = primeField(tablePrime(3));
  const key = new Uint8Array(32);
  const v = new Uint32Array(2 * f.limbs);
  // fields
  throwsCode(() => primeField(4n), 'E_BAD_ARGUMENT', 'p too small');
  throwsCode(() => primeField(tablePrime(3) + 1n), 'E_BAD_ARGUMENT', 'p even');
  throwsCode(() => primeField(1n << 2048n), 'E_BAD_ARGUMENT', 'p too large');
  throwsCode(() => primeField(5 as unknown as bigint), 'E_BAD_ARGUMENT', 'p a number');
  const forged = { p: f.p, limbs: 2, bits: f.bits } as PrimeField;
  throwsCode(() => fieldMul(k, forged, v, v), 'E_BAD_ARGUMENT', 'limbs that do not match p');
  throwsCode(() => fieldToBigInts(k, null as unknown as PrimeField, v), 'E_BAD_ARGUMENT', 'no field');
  // vectors
  throwsCode(() => fieldMul(k, f, v, new Uint32Array(f.limbs)), 'E_BAD_VECTOR', 'other shorter');
  throwsCode(() => fieldMul(k, f, new Uint32Array(f.limbs + 1), new Uint32Array(f.limbs + 1)), 'E_BAD_VECTOR', 'not whole elements');
  throwsCode(() => fieldMul(k, f, [1, 2, 3] as unknown as Uint32Array, v), 'E_BAD_VECTOR', 'an array');
  throwsCode(() => fieldToBigInts(k, f, new Int32Array(f.limbs) as unknown as Uint32Array), 'E_BAD_VECTOR', 'Int32Array');
  const big = new Uint32Array(2 * f.limbs).fill(0xffffffff);
  throwsCode(() => fieldMul(k, f, v.slice(), big), 'E_BAD_VECTOR', 'element ≥ p');
  throwsCode(() => fieldToBigInts(k, f, big), 'E_BAD_VECTOR', 'element ≥ p');
  throwsCode(() => fieldMulMaskProduct(k, f, big, [key], [1]), 'E_BAD_VECTOR', 'acc element ≥ p');
  throwsCode(() => fieldMulMaskProduct(k, f, new Uint32Array(f.limbs + 1), [key], [1]), 'E_BAD_VECTOR', 'acc not whole elements');
  throwsCode(() => fieldMulMaskProduct(k, f, v.slice(), [key], [2]), 'E_BAD_ARGUMENT', 'sign 2');
  throwsCode(() => fieldMaskProduct(k, f, 3, [key], [1], v), 'E_BAD_VECTOR', 'out of another length');
  throwsCode(() => fieldMaskProduct(k, f, 2, [key], [1], new Float64Array(6) as unknown as Uint32Array), 'E_BAD_VECTOR', 'out a Float64Array');
  throwsCode(() => fieldFromInts(k, f, new BigInt64Array(2) as unknown as BigUint64Array, key, v, new BigUint64Array(4)), 'E_BAD_VECTOR', 'x signed');
  throwsCode(() => fieldFromInts(k, f, new BigUint64Array(2), key, v, new BigUint64Array(3)), 'E_BAD_VECTOR', 'zeros short');
  throwsCode(() => fieldFromInts(k, f, new BigUint64Array(3), key, v, new BigUint64Array(6)), 'E_BAD_VECTOR', 'out short');
  // keys and signs
  throwsCode(() => fieldMaskProduct(k, f, 2, [new Uint8Array(31)], [1], v), 'E_BAD_ARGUMENT', 'short key');
  throwsCode(() => fieldMaskProduct(k, f, 2, ['k' as unknown as Uint8Array], [1], v), 'E_BAD_ARGUMENT', 'string key');
  throwsCode(() => fieldMaskProduct(k, f, 2, [key], [0], v), 'E_BAD_ARGUMENT', 'sign 0');
  throwsCode(() => fieldMaskProduct(k, f, 2, [key], [1, -1], v), 'E_BAD_ARGUMENT', 'more signs than keys');
  throwsCode(() => fieldMaskProduct(k, f, 2, key as unknown as Uint8Array[], [1], v), 'E_BAD_ARGUMENT', 'keys not an array');
  throwsCode(() => fieldFromInts(k, f, new BigUint64Array(2), new Uint8Array(16), v, new BigUint64Array(4)), 'E_BAD_ARGUMENT', 'short private key');
  // range: |x| ≥ p/2 in a 2-limb field, with the index of the first offender
  const small = FIELDS[0];
  const half = (small.p - 1n) / 2n;
  const x = BigUint64Array.from([0n, half, BigInt.asUintN(64, -half), half + 1n, 1n << 63n]);
  assert.throws(
    () => fieldFromInts(k, small, x, key, new Uint32Array(5 * small.limbs), new BigUint64Array(10)),
    (e: unknown) => isShardwireError(e) && e.code === 'E_RING_OVERFLOW' && e.details.index === 3,
  );
  const negative = BigUint64Array.from([5n, BigInt.asUintN(64, -half - 1n)]);
  assert.throws(
    () => fieldFromInts(k, small, negative, key, new Uint32Array(2 * small.limbs), new BigUint64Array(4)),
    (e: unknown) => isShardwireError(e) && e.code === 'E_RING_OVERFLOW' && e.details.index === 1,
  );
});

test('no key, private stream or stand-in stays in the arena after a field operation', () => {
  const f = primeField(tablePrime(5));
  for (const kk of [kernels[0], kernels[1]]) {
    const { bytes, keyOffset } = kk.views;
    const d = 300;
    fieldMaskProduct(kk, f, d, [new Uint8Array(32).fill(0xab), new Uint8Array(32).fill(0xcd)], [1, -1], new Uint32Array(d * f.limbs));
    fieldFromInts(kk, f, new BigUint64Array(d), new Uint8Array(32).fill(0xef), new Uint32Array(d * f.limbs), new BigUint64Array(2 * d));
    assert.ok(bytes.subarray(keyOffset, keyOffset + 32).every((b) => b === 0), 'key slot');
    for (const [name, at] of [['IO_A', kk.raw.ioAPtr()], ['IO_B', kk.raw.ioBPtr()], ['FIELD_C', kk.raw.fieldCPtr()], ['FIELD_Z', kk.raw.fieldZPtr()]] as const) {
      assert.ok(bytes.subarray(at, at + d * 4 * f.limbs).every((b) => b === 0), name);
    }
  }
});
