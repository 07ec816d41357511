/**
 * Exact integer encode of typed tensors: one limb of each source integer into ring words, with a
 * range check. A wide integer x is split as x = Σ_j limb_j · 2^(shift_j): lower limbs are the
 * unsigned bits [shift, shift + limbBits), the top limb the arithmetic x >> shift (signed), so
 * each limb's sum over n clients fits the ring when the TypeScript budget (src/tensors/budget.ts)
 * certified it, and the sums recombine exactly at decode.
 */
import { IO_A, IO_B, CHUNK_ELEMS, param, OUT_INDEX } from './arena';
import { STATUS_OK, STATUS_BAD_LENGTH, STATUS_BAD_ARGUMENT, STATUS_OUT_OF_RANGE } from './status';

/** Source element types (IO_B layout). */
export const SRC_I64: u32 = 0;
export const SRC_I32: u32 = 1;
export const SRC_U8: u32 = 2;

/** PARAMS slots of the range check: smallest and largest allowed value (i64). */
export const PARAM_INT_LO: u32 = 6;
export const PARAM_INT_HI: u32 = 7;

@inline function source(i: u32, srcType: u32): i64 {
  if (srcType == SRC_I64) return load<i64>(IO_B + (<usize>i << 3));
  if (srcType == SRC_I32) return <i64>load<i32>(IO_B + (<usize>i << 2));
  return <i64>load<u8>(IO_B + <usize>i);
}

/**
 * IO_B holds `len` integers of `srcType`; every one must lie in [PARAM_INT_LO, PARAM_INT_HI],
 * else STATUS_OUT_OF_RANGE with the first offender's index in OUT_INDEX and nothing meaningful
 * in IO_A. IO_A ← limb(x) = top ? x >> shift : (x >> shift) & (2^limbBits − 1), as u32 words
 * (ring32 = 1, two's complement) or u64 words.
 */
export function intLimbs(len: u32, srcType: u32, shift: u32, limbBits: u32, top: u32, ring32: u32): u32 {
  if (len > CHUNK_ELEMS) return STATUS_BAD_LENGTH;
  if (srcType > SRC_U8 || shift > 63 || limbBits == 0 || limbBits > 64 || top > 1 || ring32 > 1) return STATUS_BAD_ARGUMENT;
  const lo = load<i64>(param(PARAM_INT_LO));
  const hi = load<i64>(param(PARAM_INT_HI));
  const mask: u64 = limbBits >= 64 ? <u64>-1 : (<u64>1 << <u64>limbBits) - 1;
  for (let i: u32 = 0; i < len; i++) {
    const x = source(i, srcType);
    if (x < lo || x > hi) {
      store<u64>(param(OUT_INDEX), i);
      return STATUS_OUT_OF_RANGE;
    }
  }
  for (let i: u32 = 0; i < len; i++) {
    const x = source(i, srcType) >> <i64>shift;
    const limb: u64 = top ? <u64>x : <u64>x & mask;
    if (ring32) store<u32>(IO_A + (<usize>i << 2), <u32>limb);
    else store<u64>(IO_A + (<usize>i << 3), limb);
  }
  return STATUS_OK;
}
