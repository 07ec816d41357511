/**
 * @module kernel/noise-abi
 * Typed interface of the noise exports (assembly/noise-abi.ts), kept apart from abi.ts so that
 * the samplers own their part of the ABI.
 */

/** Raw noise exports of the kernel. Pointers are byte offsets into `memory`. */
export interface NoiseExports {
  /** Offset of the 32-byte noise key. */
  noiseKeyPtr(): number;
  /** Offset of the noise parameter slots (u64): [0] A, [1] B, [2] stream position in bits. */
  noiseParamsPtr(): number;
  /** Seeks the noise stream to the bit in slot [2]; clears its flags. */
  noiseSeek(): number;
  /** Writes the stream position (bits consumed) into slot [2]. */
  noiseTell(): number;
  /** Zeroes the noise key and buffered keystream. */
  noiseWipe(): number;
  /** Draws `len` samples of `kind` (A, B from the slots) into IO_B as i64. */
  noiseSampleI64(kind: number, len: number): number;
  /** IO_A (u64) += noise of `kind` (4 discrete Laplace, 5 discrete Gaussian) mod 2^64. */
  noiseAddU64(kind: number, len: number): number;
  /** IO_A (u32) += noise of `kind` mod 2^32. */
  noiseAddU32(kind: number, len: number): number;
}

/** Names of the noise function exports, checked by the loader and the ABI test. */
export const NOISE_FUNCTIONS = [
  'noiseKeyPtr', 'noiseParamsPtr', 'noiseSeek', 'noiseTell', 'noiseWipe', 'noiseSampleI64', 'noiseAddU64', 'noiseAddU32',
] as const;

/** Sampler kinds (the `kind` argument), mirrored from assembly/noise-abi.ts. */
export const NOISE_KIND = {
  uniform: 0,
  bernoulli: 1,
  bernExp: 2,
  geometric: 3,
  dlaplace: 4,
  dgauss: 5,
} as const;

/** Noise parameter slot indices (u64 each). */
export const NP_A = 0;
export const NP_B = 1;
export const NP_POSITION = 2;

/** Largest numerator or denominator of a discrete Laplace scale (assembly/noise.ts). */
export const MAX_LAPLACE_TERM = 2n ** 48n;
/** Largest discrete Gaussian σ in integer units (assembly/noise.ts). */
export const MAX_GAUSS_SIGMA = 2n ** 28n;
/** Bits in one ChaCha20 stream: 2^32 blocks × 512 (positions count bits, assembly/noise-stream.ts). */
export const NOISE_STREAM_BITS = 2n ** 41n;
