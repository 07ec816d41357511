/**
 * @module sodium
 * The one place that loads libsodium-wrappers (its wasm/asm.js initialises asynchronously).
 * Everything in src/ that needs libsodium awaits {@link getSodium} and uses what it returns.
 */
import _sodium from 'libsodium-wrappers';

/** The initialised libsodium API. */
export type Sodium = typeof _sodium;

let ready: Promise<Sodium> | undefined;

/** Resolves once libsodium is initialised; cheap after the first call. */
export function getSodium(): Promise<Sodium> {
  ready ??= _sodium.ready.then(() => _sodium);
  return ready;
}
