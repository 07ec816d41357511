/**
 * @module secagg/partial
 * A client's partial of one round (docs/PROTOCOL.md §4):
 *   honest-coordinator:    partial_i = clip(encode(x_i)) + z_i − Σ_{j∈H(i)} r_{i→j} + Σ_{l: i∈H(l)} r_{l→i}
 *   malicious-coordinator: partial_i = clip(encode(x_i)) + z_i + PRG(b_i) + Σ_{j∈M(i)} ±PRG(s_ij)
 * all mod 2^b. The noise z_i is sampled by the caller before this is called (data-independent,
 * docs/DP.md); the masks are PRG(seed) streams with a sign each. All per-element work runs in the
 * kernel, in one pass.
 */
import type { Kernel } from '../kernel/kernel.ts';
import type { ClipOptions } from '../kernel/fixed-point.ts';
import type { ClipReport } from '../kernel/clip.ts';
import { wipeRing, type RealVector, type RingBits, type RingVector } from '../kernel/vectors.ts';
import { encodeTail, type IntData } from '../tensors/encode.ts';
import type { RoundLayout } from '../tensors/layout.ts';

/** What {@link buildPartial} needs besides the input. */
export interface PartialInputs {
  readonly exponent: number;
  readonly ring: RingBits;
  readonly clip: ClipOptions;
  /** Noise already sampled in integer units over the same ring, or undefined for no DP. */
  readonly noise?: RingVector;
  /** Mask seeds, each expanded with ChaCha20 and added (+1) or subtracted (−1). */
  readonly masks: { readonly seeds: readonly Uint8Array[]; readonly signs: readonly (1 | -1)[] };
  /**
   * Weighted mean: x is encoded as x·w (clip bound scaled by w) and w itself is appended as an
   * extra secure coordinate, so the weight never travels in the clear.
   */
  readonly weight?: number;
  /**
   * The round's layout when it has a tail (integer tensors, saturation counts): x fills the head,
   * `ints` the tensor entries of the tail, in order (tensors/encode.ts).
   */
  readonly tail?: { readonly layout: RoundLayout; readonly ints: readonly IntData[] };
}

/** The partial to upload and what clipping did (kept local: clip stats leak about the input). */
export interface Partial {
  readonly vector: RingVector;
  readonly clip: ClipReport;
}

/**
 * Builds the masked, clipped, noised partial of one input vector in one kernel pass
 * (kernel/pipeline.ts), into `out` when given (a vector reused across rounds) or a new vector.
 * @throws {ShardwireError} E_BAD_VECTOR / E_RING_OVERFLOW from encoding; E_BAD_VECTOR when the
 *   noise vector's or `out`'s ring or length differs.
 */
export function buildPartial(k: Kernel, x: RealVector, p: PartialInputs, out?: RingVector): Partial {
  const layout = p.tail?.layout;
  if (!layout || layout.length === layout.head) return headPartial(k, x, p, out);
  const whole = out ?? (p.ring === 32 ? new Uint32Array(layout.length) : new BigUint64Array(layout.length));
  try {
    const { clip } = headPartial(k, x, p, whole.subarray(0, layout.head) as RingVector);
    encodeTail(k, layout, p.tail!.ints, clip, whole, p.masks);
    return { vector: whole, clip };
  } catch (e) {
    wipeRing(whole);
    throw e;
  }
}

/** The pipeline's part: floats (and a weight) encoded, clipped, noised and masked from stream element 0. */
function headPartial(k: Kernel, x: RealVector, p: PartialInputs, out?: RingVector): Partial {
  const { vector, clip } = k.encodeMasked(x, {
    exponent: p.exponent, ring: p.ring, clip: p.clip, seeds: p.masks.seeds, signs: p.masks.signs,
    ...(p.weight === undefined ? {} : { weight: p.weight }), ...(p.noise === undefined ? {} : { noise: p.noise }), ...(out === undefined ? {} : { out }),
  });
  return { vector, clip };
}
