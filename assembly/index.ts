/**
 * The WASM ABI of the shardwire kernel: the only file that exports. Integers in, status codes
 * out; vectors travel through the static arena (arena.ts). Mirrored by src/kernel/abi.ts.
 */
import {
  CHUNK_ELEMS, MAX_SEEDS, IO_A, IO_B, SCRATCH, SEEDS, SEED_SIGNS, KEY, NONCE, PARAMS,
  param, PARAM_MULT, PARAM_BOUND, OUT_INDEX, OUT_NORM_LO, OUT_NORM_HI, OUT_COUNT,
} from './arena';
import { STATUS_OK, STATUS_BAD_LENGTH, STATUS_BAD_ARGUMENT, STATUS_OUT_OF_RANGE } from './status';
import { keystream } from './chacha';
import { applyMasks } from './shares';
import { encode, decodeI64, decodeU32 } from './fixedpoint';
import { norm, scale, clamp, NORM_L2 } from './clip';
import { addU32, subU32, negU32, addU64, subU64, negU64, narrowI64ToU32 as narrow, widenU32ToI64 as widen } from './ring';

export * from './noise-abi';
export * from './pipeline-abi';
export * from './stats-abi';
export * from './field-abi';

/** Bumped whenever an export's meaning changes; checked by the loader. */
export const ABI_VERSION: u32 = 3;

export function abiVersion(): u32 { return ABI_VERSION; }
export function chunkElems(): u32 { return CHUNK_ELEMS; }
export function maxSeeds(): u32 { return MAX_SEEDS; }
export function simdEnabled(): u32 { return ASC_FEATURE_SIMD ? 1 : 0; }
export function ioAPtr(): usize { return IO_A; }
export function ioBPtr(): usize { return IO_B; }
export function scratchPtr(): usize { return SCRATCH; }
export function seedsPtr(): usize { return SEEDS; }
export function seedSignsPtr(): usize { return SEED_SIGNS; }
export function keyPtr(): usize { return KEY; }
export function noncePtr(): usize { return NONCE; }
export function paramsPtr(): usize { return PARAMS; }

/**
 * XORs the first `lenBytes` of IO_A with the ChaCha20 stream of (KEY, NONCE) starting at block
 * `counter` (RFC 8439 §2.4 encryption). lenBytes ≤ CHUNK_ELEMS·8.
 */
export function chacha20XorBytes(lenBytes: u32, counter: u32): u32 {
  if (lenBytes > CHUNK_ELEMS * 8) return STATUS_BAD_LENGTH;
  const blocks = (lenBytes + 63) >> 6;
  if (<u64>counter + <u64>blocks > 0x1_0000_0000) return STATUS_BAD_LENGTH;
  keystream(KEY, NONCE, counter, blocks, SCRATCH);
  let i: u32 = 0;
  if (ASC_FEATURE_SIMD) {
    for (; i + 16 <= lenBytes; i += 16) {
      v128.store(IO_A + i, v128.xor(v128.load(IO_A + i), v128.load(SCRATCH + i)));
    }
  }
  for (; i < lenBytes; i++) store<u8>(IO_A + i, load<u8>(IO_A + i) ^ load<u8>(SCRATCH + i));
  return STATUS_OK;
}

/** Checks a mask/encode stream range: elements of `width` bytes from (startBlock, skipBytes). */
function streamFits(len: u32, width: u32, startBlock: u32, skipBytes: u32): bool {
  if (len > CHUNK_ELEMS || skipBytes >= 64 || skipBytes % width != 0) return false;
  const blocks = (<u64>skipBytes + <u64>len * width + 63) >> 6;
  return <u64>startBlock + blocks <= 0x1_0000_0000;
}

/** IO_A (u32) ± Σ PRG(SEEDS[k]) over Z_2^32; SEED_SIGNS[k] = 1 subtracts. */
export function maskApplyU32(len: u32, seedCount: u32, startBlock: u32, skipBytes: u32): u32 {
  if (seedCount > MAX_SEEDS || !streamFits(len, 4, startBlock, skipBytes)) return STATUS_BAD_LENGTH;
  applyMasks(IO_A, len, 4, seedCount, startBlock, skipBytes);
  return STATUS_OK;
}

/** IO_A (u64) ± Σ PRG(SEEDS[k]) over Z_2^64. */
export function maskApplyU64(len: u32, seedCount: u32, startBlock: u32, skipBytes: u32): u32 {
  if (seedCount > MAX_SEEDS || !streamFits(len, 8, startBlock, skipBytes)) return STATUS_BAD_LENGTH;
  applyMasks(IO_A, len, 8, seedCount, startBlock, skipBytes);
  return STATUS_OK;
}

/** IO_A f64 → i64 fixed point in place (mode 0 randomized from the KEY/NONCE stream, 1 half-even). */
export function encodeF64ToI64(len: u32, exponent: u32, mode: u32, startBlock: u32, skipBytes: u32): u32 {
  if (!streamFits(len, 4, startBlock, skipBytes)) return STATUS_BAD_LENGTH;
  return encode(IO_A, len, exponent, mode, startBlock, skipBytes);
}

/** IO_A i64 → u32 in place; STATUS_OUT_OF_RANGE (index in OUT_INDEX) if a value leaves Z_2^32's signed range. */
export function narrowI64ToU32(len: u32): u32 {
  if (len > CHUNK_ELEMS) return STATUS_BAD_LENGTH;
  return narrow(IO_A, len, param(OUT_INDEX)) ? STATUS_OK : STATUS_OUT_OF_RANGE;
}

/** IO_A u32 → i64 (sign-extended) in place. */
export function widenU32ToI64(len: u32): u32 {
  if (len > CHUNK_ELEMS) return STATUS_BAD_LENGTH;
  widen(IO_A, len);
  return STATUS_OK;
}

/** Chunk norm of IO_A (i64): kind 0 max|v|, 1 Σ|v|, 2 Σv², into OUT_NORM_LO/HI. */
export function normI64(len: u32, kind: u32): u32 {
  if (len > CHUNK_ELEMS) return STATUS_BAD_LENGTH;
  if (kind > NORM_L2) return STATUS_BAD_ARGUMENT;
  return norm(IO_A, len, kind, param(OUT_NORM_LO), param(OUT_NORM_HI)) ? STATUS_OK : STATUS_OUT_OF_RANGE;
}

/** IO_A (i64) scaled by PARAM_MULT / 2^62 toward zero; changed count in OUT_COUNT. */
export function scaleI64(len: u32): u32 {
  if (len > CHUNK_ELEMS) return STATUS_BAD_LENGTH;
  const m = load<u64>(param(PARAM_MULT));
  if (m > (<u64>1 << 62)) return STATUS_BAD_ARGUMENT;
  store<u64>(param(OUT_COUNT), scale(IO_A, len, m));
  return STATUS_OK;
}

/** IO_A (i64) clamped to [−PARAM_BOUND, PARAM_BOUND]; changed count in OUT_COUNT. */
export function clampI64(len: u32): u32 {
  if (len > CHUNK_ELEMS) return STATUS_BAD_LENGTH;
  const b = load<u64>(param(PARAM_BOUND));
  if (b > <u64>i64.MAX_VALUE) return STATUS_BAD_ARGUMENT;
  store<u64>(param(OUT_COUNT), clamp(IO_A, len, b));
  return STATUS_OK;
}

/** IO_A i64 → f64 / 10^exponent in place. */
export function decodeI64ToF64(len: u32, exponent: u32): u32 {
  if (len > CHUNK_ELEMS) return STATUS_BAD_LENGTH;
  return decodeI64(IO_A, len, exponent);
}

/** IO_A u32 (two's complement) → f64 / 10^exponent in place (widening). */
export function decodeU32ToF64(len: u32, exponent: u32): u32 {
  if (len > CHUNK_ELEMS) return STATUS_BAD_LENGTH;
  return decodeU32(IO_A, len, exponent);
}

export function ringAddU32(len: u32): u32 { if (len > CHUNK_ELEMS) return STATUS_BAD_LENGTH; addU32(IO_A, IO_B, len); return STATUS_OK; }
export function ringSubU32(len: u32): u32 { if (len > CHUNK_ELEMS) return STATUS_BAD_LENGTH; subU32(IO_A, IO_B, len); return STATUS_OK; }
export function ringNegU32(len: u32): u32 { if (len > CHUNK_ELEMS) return STATUS_BAD_LENGTH; negU32(IO_A, len); return STATUS_OK; }
export function ringAddU64(len: u32): u32 { if (len > CHUNK_ELEMS) return STATUS_BAD_LENGTH; addU64(IO_A, IO_B, len); return STATUS_OK; }
export function ringSubU64(len: u32): u32 { if (len > CHUNK_ELEMS) return STATUS_BAD_LENGTH; subU64(IO_A, IO_B, len); return STATUS_OK; }
export function ringNegU64(len: u32): u32 { if (len > CHUNK_ELEMS) return STATUS_BAD_LENGTH; negU64(IO_A, len); return STATUS_OK; }
