/**
 * @module kernel/status
 * Kernel status codes (mirror of assembly/status.ts; test/unit/kernel/status.test.ts checks
 * both agree) and their translation into ShardwireErrors.
 */
import { ShardwireError } from '../errors.ts';
import { OUT_INDEX } from './abi.ts';

export const STATUS_OK = 0;
export const STATUS_BAD_LENGTH = 1;
export const STATUS_NOT_FINITE = 2;
export const STATUS_OUT_OF_RANGE = 3;
export const STATUS_BAD_ARGUMENT = 4;
export const STATUS_RING_RANGE = 5;

/** What the kernel must expose for a status to be explained. */
interface StatusSource {
  readonly raw: { paramsPtr(): number; memory: WebAssembly.Memory };
}

/** Index of the offending element the kernel recorded for the last failing call. */
export function failingIndex(k: StatusSource): number {
  return Number(new BigUint64Array(k.raw.memory.buffer, k.raw.paramsPtr(), 16)[OUT_INDEX]);
}

/**
 * Throws the ShardwireError matching a non-OK status. Data errors (not finite, out of range) are
 * normally caught with a better message by the caller; this is the fallback.
 * @throws {ShardwireError} E_BAD_VECTOR / E_RING_OVERFLOW / E_KERNEL
 */
export function checkStatus(k: StatusSource, status: number, op: string, elementOffset = 0): void {
  if (status === STATUS_OK) return;
  if (status === STATUS_NOT_FINITE) {
    const index = elementOffset + failingIndex(k);
    throw new ShardwireError('E_BAD_VECTOR', `${op}: element ${index} is not finite (NaN or ±Infinity); clean the input first`, { index });
  }
  if (status === STATUS_OUT_OF_RANGE || status === STATUS_RING_RANGE) {
    const index = elementOffset + failingIndex(k);
    throw new ShardwireError('E_RING_OVERFLOW', `${op}: element ${index} does not fit the ring after scaling; lower the exponent or clip the input`, { index });
  }
  throw new ShardwireError('E_KERNEL', `${op}: kernel returned status ${status} (a wrapper bug: arguments are validated before the call)`, { status });
}
