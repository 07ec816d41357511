/**
 * @module kernel/wasm-url.bundle
 * wasm-url.ts for the self-contained browser bundle (dist/browser/): the release builds sit next
 * to the bundle file itself. The debug build is not shipped there.
 */
import type { BuildFlavour } from './loader.ts';

/** URL of the given build next to the bundle. */
export function defaultKernelUrl(flavour: BuildFlavour): URL {
  switch (flavour) {
    case 'simd':
      return new URL('./kernel-simd.wasm', import.meta.url);
    case 'scalar':
      return new URL('./kernel-scalar.wasm', import.meta.url);
    case 'debug':
      return new URL('./kernel-debug.wasm', import.meta.url);
  }
}
