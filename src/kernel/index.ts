/** @module kernel — the WebAssembly kernel's typed API (re-exports only). */
export { Kernel, type ArenaViews, type KernelOptions } from './kernel.ts';
export type { KernelFlavour, BuildFlavour, KernelLoadOptions, KernelSource } from './loader.ts';
export {
  MAX_EXPONENT, largestExponentFor,
  type DecodeOptions, type EncodeOptions, type ClipOptions, type ClippedEncoding, type Rounding,
} from './fixed-point.ts';
export { isqrt, type ClipReport, type NormKind } from './clip.ts';
export type { MaskOptions } from './masks.ts';
export { MAX_STREAM_BLOCKS } from './stream.ts';
export { ringOf, allocRing, type RingBits, type RingVector, type RealVector } from './vectors.ts';
export type { KeystreamChoice, KeystreamSource } from './keystream.ts';
export type { MaskedEncodeOptions, MaskedEncoding } from './pipeline.ts';
export type { AccumulateOptions } from './accumulate.ts';
export { addNoise, sampleNoise, newNoiseKey, type NoiseSpec, type NoiseOptions } from './noise.ts';
