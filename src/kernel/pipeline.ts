/**
 * @module kernel/pipeline
 * The one-pass client pipeline (docs/PROTOCOL.md §4): one call takes a real vector to the masked
 * partial a client uploads,
 *   out = narrow(clip(encode(x·w))) ‖ [encode(w)] + noise ± Σ PRG(seed)   over Z_2^32 / Z_2^64,
 * chunk by chunk through the arena, writing into a caller-provided output (reused across rounds,
 * so its pages are already mapped) or a fresh one. It gives exactly what the multi-call
 * composition encodeAndClip → (+ weight coordinate) → ringAdd(noise) → expandMasks gives for the
 * same rounding key (a property test compares them), without the intermediate vectors:
 * - L∞: one pass (encode, clamp and measure, narrow, noise, masks, store per chunk).
 * - L1/L2 need the whole vector's norm before scaling: pass 1 encodes and measures; pass 2
 *   encodes again from the same rounding bits, scales, measures again and finishes the chunk.
 *   The bits are not drawn twice: pass 1 parks each chunk's rounding bits in the part of `out`
 *   that pass 2 has not written yet (ring 32: where the chunk's result goes; ring 64: the upper
 *   half), which costs a copy instead of a second keystream. A vector of one step
 *   keeps its rounding bits in the arena between the passes.
 * The weighted mean's weight coordinate (element d = x.length) is w·S rounded with the rounding
 * bits at element d of the same rounding stream, unclipped.
 */
import { ShardwireError } from '../errors.ts';
import {
  OP_CLAMP,
  OP_MEASURE,
  OP_NONE,
  OP_SCALE,
  OUT_AFTER,
  OUT_COUNT,
  OUT_NORM_HI,
  OUT_NORM_LO,
  PARAM_BOUND,
  PARAM_MULT,
} from './abi.ts';
import type { Kernel } from './kernel.ts';
import { forEachChunk, loadRingChunk, storeRingChunk, STEP_ELEMS } from './chunks.ts';
import { clipMultiplier, combineMeasure, KIND_CODE, measureLimit, verifyClip, type ClipReport } from './clip.ts';
import {
  setWeight,
  throwEncodeError,
  validateClip,
  validateEncode,
  type ClipOptions,
  type EncodeOptions,
  type Validated,
} from './fixed-point.ts';
import { openPrg, type PrgCursor } from './keystream.ts';
import { amasks, openMasks, type MaskSet } from './masks.ts';
import { checkStatus, failingIndex, STATUS_OK, STATUS_RING_RANGE } from './status.ts';
import { allocRing, aringVector, wipeRing, type RealVector, type RingVector } from './vectors.ts';

/** Options of {@link encodeMasked}: those of encodeAndClip, plus noise, masks and an output. */
export interface MaskedEncodeOptions extends EncodeOptions {
  /** Norm clipping in real units, as encodeAndClip (the bound is scaled by weight and S). */
  readonly clip: ClipOptions;
  /**
   * Weighted mean: x is encoded as x·w (clip bound scaled by w) and w·S is appended as element d,
   * so the output has d + 1 elements. Absent: d elements.
   */
  readonly weight?: number;
  /** Noise in integer units over the same ring and output length, added after narrowing (wrapping). */
  readonly noise?: RingVector;
  /** PRG seeds (32 bytes each) of the masks. */
  readonly seeds: readonly Uint8Array[];
  /** +1 adds PRG(seeds[k]), −1 subtracts it; one per seed. */
  readonly signs: readonly number[];
  /** Where to write the result (ring and length as the output); reused across rounds. Default: a new vector. */
  readonly out?: RingVector;
}

/** Result of {@link encodeMasked}. */
export interface MaskedEncoding {
  /** The masked partial (`out` when one was given). */
  readonly vector: RingVector;
  /** What clipping did (exact norms in integer units; keep it local: it leaks about the input). */
  readonly clip: ClipReport;
}

/** The state one call threads through its chunks. */
interface Run {
  readonly k: Kernel;
  readonly v: Validated;
  readonly out: RingVector;
  readonly noise: RingVector | undefined;
  readonly masks: MaskSet;
  readonly bits: PrgCursor | undefined;
}

/**
 * Encodes, clips, weights, noises and masks x in one kernel-level call (see the module comment),
 * with results identical to encodeAndClip → (+ weight coordinate) → ringAdd(noise) → expandMasks.
 * @throws {ShardwireError} as encodeAndClip (E_BAD_VECTOR, E_RING_OVERFLOW, E_BAD_ARGUMENT) and
 *   expandMasks (E_BAD_ARGUMENT for seeds/signs); E_BAD_VECTOR when `noise` or `out` is not a
 *   vector of the ring and output length; E_BAD_ARGUMENT when `out` shares x's or the noise's
 *   memory (pass 1 parks rounding bits in it). On any
 *   error `out` is zeroed (it may hold part of an encoding).
 * @example
 * const { vector } = kernel.encodeMasked(x, { exponent: 6, ring: 32, clip: { norm: 'l2', bound: 1 },
 *   seeds: [...outgoing, ...incoming], signs: [...outgoing.map(() => -1), ...incoming.map(() => 1)], out });
 */
export function encodeMasked(k: Kernel, x: RealVector, opts: MaskedEncodeOptions): MaskedEncoding {
  const v = validateEncode(x, opts);
  const { norm, bound } = validateClip(v, opts.clip);
  amasks(opts.seeds, opts.signs);
  const weighted = opts.weight !== undefined;
  const total = v.x.length + (weighted ? 1 : 0);
  const noise = opts.noise === undefined ? undefined : aringVector(opts.noise, 'noise', total, v.ring);
  const out = opts.out === undefined ? allocRing(v.ring, total) : aringVector(opts.out, 'out', total, v.ring);
  if (out.buffer === v.x.buffer || out.buffer === noise?.buffer) {
    throw new ShardwireError(
      'E_BAD_ARGUMENT',
      `"out" shares its memory with "${out.buffer === v.x.buffer ? 'x' : 'noise'}"; pass a separate output vector`,
      { field: 'out' },
    );
  }
  const width = v.ring === 32 ? 4 : 8;
  const { bytes, keyOffset } = k.views;
  setWeight(k, v.weight);
  let run: Run | undefined;
  let ok = false;
  try {
    const bits = v.mode === 0 ? openPrg(k, v.key, 0, keyOffset) : undefined;
    run = { k, v, out, noise, masks: openMasks(k, opts.seeds, opts.signs, width, 0, total), bits };
    const clip = norm === 'linf' ? linfPass(run, bound) : twoPasses(run, norm, bound);
    if (weighted) weightCoordinate(run);
    ok = true;
    return { vector: out, clip };
  } finally {
    run?.bits?.close();
    run?.masks.close();
    setWeight(k, 1);
    const ioA = k.raw.ioAPtr();
    const ioB = k.raw.ioBPtr();
    bytes.fill(0, ioA, ioA + 8 * STEP_ELEMS); // the last chunk's encoding and noise
    bytes.fill(0, ioB, ioB + 8 * STEP_ELEMS);
    if (!ok) wipeRing(out);
  }
}

/**
 * IO_A ← the fused pass over x[off, off+n) (assembly/fused.ts): encode with the rounding bits in
 * IO_B, then `op` with norm `kind`, narrowed to u32 for ring 32. Throws the encode's errors.
 */
function fused(r: Run, off: number, n: number, op: number, kind: number, label?: (i: number) => string): void {
  const { k, v } = r;
  const status = k.raw.encodeFusedI64(n, v.exponent, v.mode, op, kind, v.ring === 32 ? 1 : 0);
  if (status === STATUS_OK) return;
  if (status === STATUS_RING_RANGE) {
    const index = off + failingIndex(k);
    throw new ShardwireError(
      'E_RING_OVERFLOW',
      `${(label ?? ((i) => `"x[${i}]" = ${v.x[i]}`))(index)} encodes outside the 32-bit ring's signed range ` +
        '[−2^31, 2^31); use ring 64, a lower exponent or clipping',
      { index },
    );
  }
  if (label) {
    throw new ShardwireError(
      'E_RING_OVERFLOW',
      `${label(off)} times 10^${v.exponent} cannot be encoded (not below 2^53); lower the exponent`,
      { index: off },
    );
  }
  throwEncodeError(k, v, status, off);
}

/** IO_A ← x[off, off+n) as f64, IO_B ← its rounding bits (drawn now, or copied back from `parked`). */
function loadChunk(r: Run, off: number, n: number, parked?: Uint8Array): void {
  r.k.views.f64A.set(r.v.x.subarray(off, off + n));
  if (parked) r.k.views.bytes.set(parked, r.k.raw.ioBPtr());
  else r.bits?.intoB(4 * n);
}

/** IO_A holds elements [off, off+n) as ring words: add noise and masks, store into out. */
function finish(r: Run, off: number, n: number): void {
  const { k } = r;
  if (r.noise) {
    loadRingChunk(k, r.noise, off, n, 'B');
    checkStatus(k, r.v.ring === 32 ? k.raw.ringAddU32(n) : k.raw.ringAddU64(n), 'noise add');
  }
  r.masks.applyToA(n);
  storeRingChunk(k, r.out, off, n);
}

/** The 128-bit measure the fused pass left in OUT_NORM_LO/HI. */
function measured(k: Kernel): bigint {
  return (k.views.params[OUT_NORM_HI] << 64n) | k.views.params[OUT_NORM_LO];
}

/** L∞: each chunk is encoded, clamped, measured before and after, narrowed and finished in one pass. */
function linfPass(r: Run, bound: bigint): ClipReport {
  const { params } = r.k.views;
  params[PARAM_BOUND] = bound;
  let before = 0n;
  let after = 0n;
  let changed = 0;
  forEachChunk(
    r.k,
    r.v.x.length,
    (off, n) => {
      loadChunk(r, off, n);
      fused(r, off, n, OP_CLAMP, KIND_CODE.linf);
      before = combineMeasure('linf', before, params[OUT_NORM_LO]);
      after = combineMeasure('linf', after, params[OUT_AFTER]);
      changed += Number(params[OUT_COUNT]);
      finish(r, off, n);
    },
    STEP_ELEMS,
  );
  verifyClip('linf', bound, after);
  return { norm: 'linf', bound, before, after, clipped: before > bound, changed };
}

/** L1/L2: pass 1 encodes and measures; pass 2 encodes again from the same bits, scales, measures, finishes. */
function twoPasses(r: Run, norm: 'l1' | 'l2', bound: bigint): ClipReport {
  const { k, v, out } = r;
  const d = v.x.length;
  const kind = KIND_CODE[norm];
  // one step: IO_B still holds the bits in pass 2; else they are parked in out (see the module comment)
  const park = d <= STEP_ELEMS || !r.bits ? undefined : new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
  const base = v.ring === 32 ? 0 : 4 * out.length; // ring 64: the upper half, which pass 2 reaches last
  const ioB = k.raw.ioBPtr();
  let before = 0n;
  forEachChunk(
    k,
    d,
    (off, n) => {
      loadChunk(r, off, n);
      park?.set(k.views.bytes.subarray(ioB, ioB + 4 * n), base + 4 * off);
      fused(r, off, n, OP_MEASURE, kind);
      before = combineMeasure(norm, before, measured(k));
    },
    STEP_ELEMS,
  );
  const clipped = before > measureLimit(norm, bound);
  if (clipped) k.views.params[PARAM_MULT] = clipMultiplier(norm, before, bound);
  let after = clipped ? 0n : before;
  let changed = 0;
  forEachChunk(
    k,
    d,
    (off, n) => {
      k.views.f64A.set(v.x.subarray(off, off + n));
      if (park) k.views.bytes.set(park.subarray(base + 4 * off, base + 4 * (off + n)), ioB);
      fused(r, off, n, clipped ? OP_SCALE : OP_NONE, kind);
      if (clipped) {
        after = combineMeasure(norm, after, measured(k)); // verify, don't trust
        changed += Number(k.views.params[OUT_COUNT]);
      }
      finish(r, off, n);
    },
    STEP_ELEMS,
  );
  verifyClip(norm, bound, after);
  return { norm, bound, before, after, clipped, changed };
}

/** Element d of a weighted mean: w·S rounded with the rounding bits of element d, not clipped. */
function weightCoordinate(r: Run): void {
  const { k, v } = r;
  const d = v.x.length;
  k.views.f64A[0] = v.weight;
  setWeight(k, 1);
  r.bits?.intoB(4); // the cursor stands at byte 4d: both clip paths drew the x elements' bits once
  fused(r, d, 1, OP_NONE, 0, () => `"weight" = ${v.weight}`);
  finish(r, d, 1);
}
