/**
 * @module kernel/noise-abi
 * Typed interface of the noise exports (assembly/noise-abi.ts), kept apart from abi.ts so that
 * the sampler work (issue 3) owns its part of the ABI. Filled in by that issue.
 */

/** Raw noise exports of the kernel. */
export interface NoiseExports {}

/** Names of the noise function exports, checked by the loader and the ABI test. */
export const NOISE_FUNCTIONS = [] as const;
