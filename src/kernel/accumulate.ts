/**
 * @module kernel/accumulate
 * The coordinator's sum without intermediate vectors: raw little-endian ring bytes (a freshly
 * opened partial, or one chunk of it) are added into an accumulator in place, at an element
 * offset, straight from the bytes (one memcpy into the arena, no typed copy, no allocation).
 * Several parts of the same range are added chunk-major, so each accumulator chunk is loaded
 * and stored once for all of them.
 */
import { ShardwireError } from '../errors.ts';
import { abytes, aint, describe } from '../guards.ts';
import type { Kernel } from './kernel.ts';
import { forEachChunk, loadRingChunk, storeRingChunk, STEP_ELEMS } from './chunks.ts';
import { checkStatus } from './status.ts';
import { aringVector, ringOf, type RingVector } from './vectors.ts';

/** Options of {@link accumulate}. */
export interface AccumulateOptions {
  /** Element of `acc` where the parts' element 0 goes (default 0). */
  readonly offset?: number;
  /** +1 (default) adds the parts, −1 subtracts them. */
  readonly sign?: 1 | -1;
}

/**
 * acc[offset + i] ← acc[offset + i] ± Σ_p part_p[i] over acc's ring, in place, where part_p[i] is
 * the little-endian ring element at bytes [w·i, w·i + w) of parts[p] (w = 4 or 8; two's
 * complement, as ringBytes/the wire carry them). Every part has the same length, a multiple of
 * w; the parts may sit at any byte offset. Returns acc.
 * @throws {ShardwireError} E_BAD_VECTOR for a non-ring accumulator; E_BAD_ARGUMENT for parts that
 *   are not Uint8Arrays of one length that is a multiple of w, an offset that is not an integer,
 *   a range past the end of acc, or a sign other than ±1.
 * @example
 * const sum = new Uint32Array(dim);                        // allocated once, reused every round
 * for (const opened of partials) kernel.accumulate(sum, opened);
 * kernel.accumulate(sum, openedChunk, { offset: 16384 });   // one chunk of a partial at element 16384
 */
export function accumulate(
  k: Kernel,
  acc: RingVector,
  parts: Uint8Array | readonly Uint8Array[],
  opts: AccumulateOptions = {},
): RingVector {
  aringVector(acc, 'acc');
  const list = parts instanceof Uint8Array ? [parts] : parts;
  if (!Array.isArray(list))
    throw new ShardwireError(
      'E_BAD_ARGUMENT',
      `"parts" expected a Uint8Array or an array of them, got ${describe(parts)}`,
      { field: 'parts' },
    );
  list.forEach((p, i) => abytes(p, `parts[${i}]`));
  const width = ringOf(acc) / 8;
  const byteLength = list.length === 0 ? 0 : list[0].length;
  if (byteLength % width !== 0 || list.some((p) => p.length !== byteLength)) {
    throw new ShardwireError(
      'E_BAD_ARGUMENT',
      `"parts" expected Uint8Arrays of one length, a multiple of ${width} bytes (ring ${width * 8}), ` +
        `got lengths ${list.map((p) => p.length).join(', ')}`,
      { field: 'parts', width },
    );
  }
  const length = byteLength / width;
  const offset = aint(opts.offset ?? 0, 'offset', 0, acc.length);
  if (offset + length > acc.length) {
    throw new ShardwireError(
      'E_BAD_ARGUMENT',
      `${length} elements from offset ${offset} pass the end of the ${acc.length}-element accumulator`,
      { offset, length, accLength: acc.length },
    );
  }
  const sign = opts.sign ?? 1;
  if (sign !== 1 && sign !== -1)
    throw new ShardwireError('E_BAD_ARGUMENT', `"sign" expected +1 or -1, got ${describe(sign)}`, { field: 'sign' });
  if (length === 0 || list.length === 0) return acc;
  const fn =
    width === 4 ? (sign === 1 ? k.raw.ringAddU32 : k.raw.ringSubU32) : sign === 1 ? k.raw.ringAddU64 : k.raw.ringSubU64;
  const { bytes } = k.views;
  const ioB = k.raw.ioBPtr();
  forEachChunk(
    k,
    length,
    (off, n) => {
      loadRingChunk(k, acc, offset + off, n, 'A');
      for (const p of list) {
        bytes.set(p.subarray(off * width, (off + n) * width), ioB);
        checkStatus(k, fn(n), 'accumulate');
      }
      storeRingChunk(k, acc, offset + off, n);
    },
    STEP_ELEMS,
  );
  return acc;
}
