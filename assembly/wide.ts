/**
 * 64×64 → 128-bit unsigned multiplication from 32-bit halves (WebAssembly has no wide multiply
 * in the MVP). Used where a product of two 64-bit magnitudes may exceed 2^64 (clipping).
 */

/** High 64 bits of a·b. */
export function mulHiU64(a: u64, b: u64): u64 {
  const a0 = a & 0xffffffff, a1 = a >> 32, b0 = b & 0xffffffff, b1 = b >> 32;
  const p00 = a0 * b0, p01 = a0 * b1, p10 = a1 * b0, p11 = a1 * b1;
  const mid = (p00 >> 32) + (p01 & 0xffffffff) + (p10 & 0xffffffff);
  return p11 + (p01 >> 32) + (p10 >> 32) + (mid >> 32);
}
