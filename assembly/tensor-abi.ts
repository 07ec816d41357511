/**
 * The typed-tensor part of the WASM ABI, re-exported by index.ts (src/kernel/tensor-abi.ts
 * mirrors it): the exact integer encode of integer tensors (int-limbs.ts).
 */
import { intLimbs } from './int-limbs';

/** IO_A ← one limb of the IO_B integers as ring words, after the range check (int-limbs.ts). */
export function intLimbsToRing(len: u32, srcType: u32, shift: u32, limbBits: u32, top: u32, ring32: u32): u32 {
  return intLimbs(len, srcType, shift, limbBits, top, ring32);
}
