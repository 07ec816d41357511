/**
 * @module kernel/abi
 * Hand-written typed interface of the kernel's exports (assembly/index.ts). No generated
 * bindings: they copy and allocate per call, wrong for a hot path (STYLE.md). A test checks this
 * list against `WebAssembly.Module.exports` of every build.
 */

import type { NoiseExports } from './noise-abi.ts';
import { NOISE_FUNCTIONS } from './noise-abi.ts';
import type { StatsExports } from './stats-abi.ts';
import { STATS_FUNCTIONS } from './stats-abi.ts';
import type { FieldExports } from './field-abi.ts';
import { FIELD_FUNCTIONS } from './field-abi.ts';

/** The raw exports of build/kernel-*.wasm. Pointers are byte offsets into `memory`. */
export interface KernelExports extends NoiseExports, StatsExports, FieldExports {
  readonly memory: WebAssembly.Memory;
  abiVersion(): number;
  chunkElems(): number;
  maxSeeds(): number;
  simdEnabled(): number;
  ioAPtr(): number;
  ioBPtr(): number;
  scratchPtr(): number;
  seedsPtr(): number;
  seedSignsPtr(): number;
  keyPtr(): number;
  noncePtr(): number;
  paramsPtr(): number;
  /** XOR IO_A[0..lenBytes) with ChaCha20(KEY, NONCE) from block `counter`. */
  chacha20XorBytes(lenBytes: number, counter: number): number;
  /** IO_A ± Σ PRG(seed_k) over Z_2^32 (len elements; stream from block `startBlock`, skipping `skipBytes`). */
  maskApplyU32(len: number, seedCount: number, startBlock: number, skipBytes: number): number;
  /** Same over Z_2^64. */
  maskApplyU64(len: number, seedCount: number, startBlock: number, skipBytes: number): number;
  /** IO_A (f64) → IO_A (i64) fixed point of x·10^exponent·PARAM_WEIGHT (f64 bits), in place; mode 0 randomized, 1 half-even. */
  encodeF64ToI64(len: number, exponent: number, mode: number, startBlock: number, skipBytes: number): number;
  /** IO_A (i64) → IO_A (u32) two's complement, in place; fails when a value leaves [−2^31, 2^31). */
  narrowI64ToU32(len: number): number;
  /** IO_A (u32, two's complement) → IO_A (i64), in place. */
  widenU32ToI64(len: number): number;
  /** Σ|v| (kind 1), Σv² (kind 2) or max|v| (kind 0) of IO_A (i64) into OUT_NORM_{LO,HI}. */
  normI64(len: number, kind: number): number;
  /** v ← sign(v)·⌊|v|·m / 2^62⌋ with m in PARAM_MULT (IO_A i64). */
  scaleI64(len: number): number;
  /** v ← clamp(v, −B, B) with B in PARAM_BOUND; count of changed elements in OUT_COUNT. */
  clampI64(len: number): number;
  /** IO_A (i64 two's complement) → IO_A (f64) divided by 10^exponent · PARAM_DIVISOR (f64 bits), in place. */
  decodeI64ToF64(len: number, exponent: number): number;
  /** IO_A (u32 two's complement) → IO_A (f64) divided by 10^exponent · PARAM_DIVISOR (widening in place). */
  decodeU32ToF64(len: number, exponent: number): number;
  ringAddU32(len: number): number;
  ringSubU32(len: number): number;
  ringNegU32(len: number): number;
  ringAddU64(len: number): number;
  ringSubU64(len: number): number;
  ringNegU64(len: number): number;
  /** IO_B[0..lenBytes) ← PRG bytes from block `startBlock` + `skipBytes`, key at `keyPtr` (KEY or a SEEDS slot). */
  prgIntoB(keyPtr: number, lenBytes: number, startBlock: number, skipBytes: number): number;
  /** IO_A (f64) → IO_A (i64) as encodeF64ToI64, rounding bits from IO_B (u32 per element). */
  encodeBitsF64ToI64(len: number, exponent: number, mode: number): number;
  /**
   * Fused chunk pass (assembly/fused.ts): IO_A f64 → encode (bits from IO_B) → op (0 none,
   * 1 measure, 2 scale, 3 clamp) with norm kind (0 L∞, 1 L1, 2 L2) → i64, or u32 when narrow = 1.
   */
  encodeFusedI64(len: number, exponent: number, mode: number, op: number, kind: number, narrow: number): number;
}

/** Names of the function exports above, for the ABI test and the loader's check. */
export const KERNEL_FUNCTIONS = [
  'abiVersion', 'chunkElems', 'maxSeeds', 'simdEnabled', 'ioAPtr', 'ioBPtr', 'scratchPtr', 'seedsPtr',
  'seedSignsPtr', 'keyPtr', 'noncePtr', 'paramsPtr', 'chacha20XorBytes', 'maskApplyU32', 'maskApplyU64',
  'encodeF64ToI64', 'narrowI64ToU32', 'widenU32ToI64', 'normI64', 'scaleI64', 'clampI64',
  'decodeI64ToF64', 'decodeU32ToF64', 'ringAddU32', 'ringSubU32', 'ringNegU32', 'ringAddU64',
  'ringSubU64', 'ringNegU64', 'prgIntoB', 'encodeBitsF64ToI64', 'encodeFusedI64', ...NOISE_FUNCTIONS, ...STATS_FUNCTIONS, ...FIELD_FUNCTIONS,
] as const;

/** Must equal assembly/index.ts ABI_VERSION. */
export const EXPECTED_ABI_VERSION = 3;

/** PARAMS slot indices (u64 each), mirrored from assembly/arena.ts. */
export const PARAM_BOUND = 0;
export const PARAM_MULT = 1;
export const PARAM_DIVISOR = 2;
export const PARAM_WEIGHT = 3;
export const OUT_INDEX = 8;
export const OUT_NORM_LO = 9;
export const OUT_NORM_HI = 10;
export const OUT_COUNT = 11;
export const OUT_AFTER = 12;

/** Ops of encodeFusedI64, mirrored from assembly/fused.ts. */
export const OP_NONE = 0;
export const OP_MEASURE = 1;
export const OP_SCALE = 2;
export const OP_CLAMP = 3;
