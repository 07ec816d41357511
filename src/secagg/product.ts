/**
 * @module secagg/product
 * The secure product's partials (docs/PROTOCOL.md §9). A client's factor vector x (fixed point,
 * clipped, half-even rounding) becomes, per element j, in the round's prime field F_p:
 *
 *   factor_j = x_j mod p                       (signed: the centred product carries the sign)
 *            = a uniform non-zero stand-in     when x_j = 0 (zero has no inverse)
 *   masked_j = factor_j · Π_s PRG_F(key_s)_j^(sign_s)
 *
 * and a zero channel of two 64-bit words per element, ρ_j (uniform) when x_j = 0 else 0, masked
 * additively with the same seeds as a sum: Σ over the contributors is 0 exactly when no factor
 * is zero, and otherwise uniform (so it says "some factor is 0", not how many; it misses a zero
 * with probability 2^-128 per element). The mask keys are BLAKE2b(seed) under a label of their
 * own, so the field streams never reuse the zero channel's keystream. Each edge's mask enters one
 * partial with +1 and the other with −1 (its inverse), each self mask with +1: the product of
 * all partials is the product of the factors, and the recovery of a dropped party multiplies
 * the missing inverses in exactly as the sum subtracts the missing masks.
 *
 * A partial is one 32-bit-ring vector: [zero channel: 2d u64 words][masked factors: d·limbs u32].
 */
import type { Kernel } from '../kernel/kernel.ts';
import type { ClipOptions } from '../kernel/fixed-point.ts';
import type { RealVector, RingVector } from '../kernel/vectors.ts';
import { wipeRing } from '../kernel/vectors.ts';
import { fieldCheckVector, fieldFromInts, fieldMul, fieldMulMaskProduct, fieldToBigInts, type PrimeField } from '../kernel/field.ts';
import type { Sodium } from '../sodium.ts';
import { ratioToNumber } from '../dp/rounding.ts';

const KEY_LABEL = new TextEncoder().encode('shardwire/v1/product-mask');

/** Length (in 32-bit words) of a product partial of `dim` factors. */
export function productPartialLength(dim: number, field: PrimeField): number {
  return 4 * dim + dim * field.limbs;
}

/** The two parts of a product partial or of the coordinator's running product. */
export function productViews(v: Uint32Array, dim: number, field: PrimeField): { zeros: BigUint64Array; factors: Uint32Array } {
  return {
    zeros: new BigUint64Array(v.buffer, v.byteOffset, 2 * dim),
    factors: v.subarray(4 * dim, 4 * dim + dim * field.limbs),
  };
}

/** The field-mask key of a mask seed (BLAKE2b-256 under the product's own label). */
export function productMaskKeys(sodium: Sodium, seeds: readonly Uint8Array[]): Uint8Array[] {
  return seeds.map((seed) => sodium.crypto_generichash(32, seed, KEY_LABEL));
}

/** What {@link buildProductPartial} needs besides the input. */
export interface ProductInputs {
  readonly exponent: number;
  readonly clip: ClipOptions;
  readonly field: PrimeField;
  readonly masks: { readonly seeds: readonly Uint8Array[]; readonly signs: readonly (1 | -1)[] };
}

/** Product of the masks of `seeds` with `signs`, multiplied into the factors. */
export function applyProductMasks(k: Kernel, sodium: Sodium, field: PrimeField, dim: number, factors: Uint32Array, seeds: readonly Uint8Array[], signs: readonly (1 | -1)[]): void {
  if (seeds.length === 0) return;
  const keys = productMaskKeys(sodium, seeds);
  try {
    fieldMulMaskProduct(k, field, factors.subarray(0, dim * field.limbs), keys, signs); // one kernel pass, no mask vector
  } finally {
    for (const key of keys) key.fill(0);
  }
}

/**
 * Builds a client's masked product partial into `out` (length {@link productPartialLength}).
 * @throws {ShardwireError} E_BAD_VECTOR for NaN/∞ inputs; E_RING_OVERFLOW when a clipped factor
 *   does not fit (the session's field budget rules that out).
 */
export function buildProductPartial(k: Kernel, sodium: Sodium, x: RealVector, p: ProductInputs, out: Uint32Array): void {
  const dim = x.length;
  const { vector } = k.encodeAndClip(x, { exponent: p.exponent, ring: 64, rounding: 'half-even', clip: p.clip });
  const ints = vector as BigUint64Array;
  const { zeros, factors } = productViews(out, dim, p.field);
  const key = globalThis.crypto.getRandomValues(new Uint8Array(32));
  try {
    fieldFromInts(k, p.field, ints, key, factors, zeros);
  } finally {
    key.fill(0);
    wipeRing(ints);
  }
  k.expandMasks(zeros, p.masks.seeds, p.masks.signs);
  applyProductMasks(k, sodium, p.field, dim, factors, p.masks.seeds, p.masks.signs);
}

/**
 * The coordinator's check of a complete partial before it is kept: every masked factor must be a
 * field element (limbs below p). A partial that is not is refused whole, so that a client cannot
 * get a half-multiplied running product (the kernel checks chunk by chunk as it multiplies).
 * @throws {ShardwireError} E_BAD_VECTOR naming the first element that is not below p.
 */
export function checkProductPartial(k: Kernel, field: PrimeField, dim: number, partial: RingVector): void {
  fieldCheckVector(k, field, productViews(partial as Uint32Array, dim, field).factors);
}

/** The coordinator's fold of one more partial into the running product. */
export function foldProduct(k: Kernel, field: PrimeField, dim: number, acc: RingVector, partial: RingVector): void {
  const a = productViews(acc as Uint32Array, dim, field);
  const b = productViews(partial as Uint32Array, dim, field);
  k.accumulate(a.zeros, new Uint8Array(b.zeros.buffer, b.zeros.byteOffset, b.zeros.byteLength));
  fieldMul(k, field, a.factors, b.factors);
}

/** The coordinator's recovery: remove the masks of `seeds` (signs as the sum's corrections). */
export function unmaskProduct(k: Kernel, sodium: Sodium, field: PrimeField, dim: number, acc: RingVector, seeds: readonly Uint8Array[], signs: readonly (1 | -1)[]): void {
  const a = productViews(acc as Uint32Array, dim, field);
  k.expandMasks(a.zeros, seeds, signs);
  applyProductMasks(k, sodium, field, dim, a.factors, seeds, signs);
}

/** The released product: exact centred integers (scale 10^scaleExponent) and their real values. */
export interface ProductResult {
  readonly values: Float64Array;
  /** Exact product of the fixed-point factors per element (0 when any factor was 0). */
  readonly exact: bigint[];
}

/**
 * Decodes the unmasked running product: an element whose zero channel is non-zero is exactly 0;
 * the others are the centred field value divided by 10^scaleExponent (exponent × contributors).
 */
export function decodeProduct(k: Kernel, field: PrimeField, dim: number, acc: RingVector, scaleExponent: number, out?: Float64Array): ProductResult {
  const { zeros, factors } = productViews(acc as Uint32Array, dim, field);
  const exact = fieldToBigInts(k, field, factors);
  const values = out ?? new Float64Array(dim);
  const den = 10n ** BigInt(scaleExponent);
  for (let j = 0; j < dim; j++) {
    if (zeros[2 * j] !== 0n || zeros[2 * j + 1] !== 0n) exact[j] = 0n;
    values[j] = ratioToNumber(exact[j], den);
  }
  return { values, exact };
}
