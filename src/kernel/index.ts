/** @module kernel — the WebAssembly kernel's typed API (re-exports only). */
export { Kernel, type ArenaViews } from './kernel.ts';
export type { KernelFlavour, BuildFlavour, KernelLoadOptions, KernelSource } from './loader.ts';
export { MAX_EXPONENT, largestExponentFor, type EncodeOptions, type ClipOptions, type ClippedEncoding, type Rounding } from './fixed-point.ts';
export { isqrt, type ClipReport, type NormKind } from './clip.ts';
export type { MaskOptions } from './masks.ts';
export { MAX_STREAM_BLOCKS } from './stream.ts';
export { ringOf, allocRing, type RingBits, type RingVector, type RealVector } from './vectors.ts';
export { addNoise, sampleNoise, newNoiseKey, type NoiseSpec, type NoiseOptions } from './noise.ts';
