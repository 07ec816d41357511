/**
 * @module tensors/encode
 * A client's side of typed tensors: the float part handed to the fused pipeline (the float
 * tensors concatenated), and the tail — integer tensors and saturation counts — encoded exactly
 * by the kernel (assembly/int-limbs.ts: range check, limb, ring word), masked with the same
 * seeds at their stream offsets (the head's masks cover [0, head), the tail's [head, length):
 * every element is masked exactly once) and stored into the partial.
 */
import { ShardwireError } from '../errors.ts';
import type { Kernel } from '../kernel/kernel.ts';
import type { ClipReport } from '../kernel/clip.ts';
import { forEachChunk, storeRingChunk, STEP_ELEMS } from '../kernel/chunks.ts';
import { openMasks } from '../kernel/masks.ts';
import { checkStatus, failingIndex, STATUS_OK, STATUS_OUT_OF_RANGE } from '../kernel/status.ts';
import { PARAM_INT_HI, PARAM_INT_LO, SRC_I32, SRC_I64, SRC_U8 } from '../kernel/tensor-abi.ts';
import type { RealVector, RingVector } from '../kernel/vectors.ts';
import type { RoundLayout, TailEntry } from './layout.ts';
import type { Tensor } from './spec.ts';

/** Integer data of one tail entry. */
export type IntData = Int32Array | BigInt64Array | Uint8Array;

/** A client's tensors split into the pipeline's float vector and the tail's integer arrays. */
export interface SplitTensors {
  readonly floats: RealVector;
  /** One array per tensor entry of the tail, in tail order. */
  readonly ints: readonly IntData[];
}

const SRC_CODE = { i64: SRC_I64, i32: SRC_I32, u8: SRC_U8 } as const;
const SRC_WIDTH = { i64: 8, i32: 4, u8: 1 } as const;

/** The concatenation buffer of the last split, kept (zeroed) for the next round of the same size. */
let spare: RealVector | undefined;

/**
 * Splits checked tensors (tensors/spec.ts checkTensors) by the layout: one float tensor is passed
 * as is; several are copied into one vector (typed-array `set`, a memcpy or a widening copy),
 * reused across rounds like the ring pool's vectors (a fresh 4 MB array per client and round
 * costs garbage collection). Call {@link releaseSplit} when the partial is built: it zeroes the
 * copy (it holds the client's input) and keeps it for the next round.
 */
export function splitTensors(layout: RoundLayout, tensors: readonly Tensor[]): SplitTensors {
  const floatData = tensors.filter((t) => t.dtype === 'float32' || t.dtype === 'float64').map((t) => t.data as RealVector);
  let floats: RealVector;
  if (floatData.length === 1) floats = floatData[0];
  else {
    const narrow = floatData.every((d) => d instanceof Float32Array);
    const reuse = spare && spare.length === layout.dim && spare instanceof Float32Array === narrow ? spare : undefined;
    spare = undefined;
    floats = reuse ?? (narrow ? new Float32Array(layout.dim) : new Float64Array(layout.dim));
    layout.floats.forEach((f, i) => floats.set(floatData[i], f.offset));
  }
  const ints = tensors.filter((t) => t.dtype !== 'float32' && t.dtype !== 'float64').map((t) => t.data as IntData);
  return { floats, ints };
}

/** Zeroes a split's concatenated floats (when it made a copy) and keeps the array for the next split. */
export function releaseSplit(split: SplitTensors, tensors: readonly Tensor[]): void {
  if (tensors.some((t) => t.data === split.floats)) return; // the caller's own array, not a copy
  split.floats.fill(0);
  spare = split.floats;
}

/** The saturation counts of one client, from what its clipping did. */
export function saturationOf(clip: ClipReport): { clippedElements: bigint; clippedClient: bigint } {
  return { clippedElements: BigInt(clip.changed), clippedClient: clip.clipped ? 1n : 0n };
}

/**
 * Encodes the tail into `out[head, length)`: each entry's limbs through the kernel's exact
 * integer encode, masked from stream element `head` on with the partial's seeds.
 * @throws {ShardwireError} E_BAD_VECTOR naming the tensor and element outside its bound.
 */
export function encodeTail(
  k: Kernel,
  layout: RoundLayout,
  ints: readonly IntData[],
  clip: ClipReport,
  out: RingVector,
  masks: { readonly seeds: readonly Uint8Array[]; readonly signs: readonly number[] },
): void {
  if (layout.tail.length === 0) return;
  const width = layout.ring === 32 ? 4 : 8;
  const sat = saturationOf(clip);
  const set = openMasks(k, masks.seeds, masks.signs, width, layout.head, layout.length - layout.head);
  const { bytes, params } = k.views;
  const ioB = k.raw.ioBPtr();
  let t = 0;
  try {
    for (const e of layout.tail) {
      const data = e.kind === 'tensor' ? ints[t++] : BigInt64Array.of(e.kind === 'clippedElements' ? sat.clippedElements : sat.clippedClient);
      const src = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
      const w = SRC_WIDTH[e.source];
      params[PARAM_INT_LO] = BigInt.asUintN(64, e.lo);
      params[PARAM_INT_HI] = BigInt.asUintN(64, e.hi);
      e.plan.limbs.forEach((limb, j) => {
        forEachChunk(k, e.numel, (off, n) => {
          bytes.set(src.subarray(off * w, (off + n) * w), ioB);
          const status = k.raw.intLimbsToRing(n, SRC_CODE[e.source], limb.shift, limb.bits, limb.top ? 1 : 0, layout.ring === 32 ? 1 : 0);
          if (status === STATUS_OUT_OF_RANGE) outOfRange(e, off + failingIndex(k), data);
          if (status !== STATUS_OK) checkStatus(k, status, `tensor "${e.name}"`, off);
          set.applyToA(n);
          storeRingChunk(k, out, e.offset + j * e.numel + off, n);
        }, STEP_ELEMS);
      });
    }
  } finally {
    set.close();
    bytes.fill(0, ioB, ioB + 8 * STEP_ELEMS);
  }
}

/**
 * Checks every integer tensor's values against its bound in the kernel, without encoding: run
 * before a client takes the round, so an out-of-bound value refuses the call and leaves the
 * round open for a corrected one (the encode checks again).
 * @throws {ShardwireError} E_BAD_VECTOR naming the tensor and element.
 */
export function checkIntegers(k: Kernel, layout: RoundLayout, tensors: readonly Tensor[]): void {
  const ints = tensors.filter((t) => t.dtype !== 'float32' && t.dtype !== 'float64').map((t) => t.data as IntData);
  const { bytes, params } = k.views;
  const ioA = k.raw.ioAPtr();
  const ioB = k.raw.ioBPtr();
  let t = 0;
  try {
    for (const e of layout.tail) {
      if (e.kind !== 'tensor') continue;
      const data = ints[t++];
      const src = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
      const w = SRC_WIDTH[e.source];
      params[PARAM_INT_LO] = BigInt.asUintN(64, e.lo);
      params[PARAM_INT_HI] = BigInt.asUintN(64, e.hi);
      forEachChunk(k, e.numel, (off, n) => {
        bytes.set(src.subarray(off * w, (off + n) * w), ioB);
        const status = k.raw.intLimbsToRing(n, SRC_CODE[e.source], 0, 64, 1, 0);
        if (status === STATUS_OUT_OF_RANGE) outOfRange(e, off + failingIndex(k), data);
        if (status !== STATUS_OK) checkStatus(k, status, `tensor "${e.name}"`, off);
      });
    }
  } finally {
    bytes.fill(0, ioA, ioA + 8 * k.chunkElems);
    bytes.fill(0, ioB, ioB + 8 * k.chunkElems);
  }
}

function outOfRange(e: TailEntry, index: number, data: IntData): never {
  throw new ShardwireError(
    'E_BAD_VECTOR',
    `tensor "${e.name}" (${e.dtype}): element ${index} = ${String(data[index])} is outside the round's bound [${e.lo}, ${e.hi}]; integer tensors are summed exactly, never clipped`,
    { tensor: e.name, index, lo: String(e.lo), hi: String(e.hi) },
  );
}
