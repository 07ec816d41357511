/**
 * @module kernel/wasm-url
 * Where the kernel builds live by default, relative to this module: `build/` at the package
 * root, which is `../../build/` from both `src/kernel/` (a checkout under tsx) and
 * `dist/kernel/` (the compiled package). Each URL is a literal `new URL('…', import.meta.url)`
 * so that bundlers (Vite, webpack 5, Parcel) can find the file and copy it as an asset.
 * The self-contained browser bundle swaps this module for wasm-url.bundle.ts (scripts/build-browser.mjs).
 */
import type { BuildFlavour } from './loader.ts';

/** URL of the given build next to this package's code. */
export function defaultKernelUrl(flavour: BuildFlavour): URL {
  switch (flavour) {
    case 'simd':
      return new URL('../../build/kernel-simd.wasm', import.meta.url);
    case 'scalar':
      return new URL('../../build/kernel-scalar.wasm', import.meta.url);
    case 'debug':
      return new URL('../../build/kernel-debug.wasm', import.meta.url);
  }
}
