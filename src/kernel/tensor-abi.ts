/**
 * @module kernel/tensor-abi
 * Typed interface of the typed-tensor kernel exports (assembly/tensor-abi.ts), spread into
 * KERNEL_FUNCTIONS like the noise exports.
 */

/** Source element types of intLimbsToRing (assembly/int-limbs.ts). */
export const SRC_I64 = 0;
export const SRC_I32 = 1;
export const SRC_U8 = 2;
/** PARAMS slots of the range check (i64): smallest and largest allowed value. */
export const PARAM_INT_LO = 6;
export const PARAM_INT_HI = 7;

export interface TensorExports {
  /**
   * IO_B: len integers of srcType, each checked against [PARAM_INT_LO, PARAM_INT_HI]
   * (STATUS_OUT_OF_RANGE, index in OUT_INDEX); IO_A ← top ? x >> shift : (x >> shift) mod 2^limbBits,
   * as u32 (ring32 = 1) or u64 words.
   */
  intLimbsToRing(len: number, srcType: number, shift: number, limbBits: number, top: number, ring32: number): number;
}

export const TENSOR_FUNCTIONS = ['intLimbsToRing'] as const;
