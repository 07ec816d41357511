/**
 * @module tensors/decode
 * The released side of typed tensors: the tail of the survivors' ring sum back into exact integer
 * tensors and the saturation totals, and the float aggregate cut back into named tensors. Limb
 * sums are read as signed ring words and recombined with bigint (Σ_j sum_j · 2^shift_j): per
 * element, but only over integer tensors, which the budget keeps exact; the float part is
 * decoded by the kernel as before.
 */
import type { RingVector } from '../kernel/vectors.ts';
import { recombine } from './budget.ts';
import type { RoundLayout, TailEntry } from './layout.ts';
import type { AggregateTensor } from './spec.ts';

/** What the tail of a sum decodes to. */
export interface DecodedTail {
  /** Integer tensors by name: Float64Array (int32, uint8, bool) or bigint[] (int64), exact sums. */
  readonly ints: ReadonlyMap<string, Float64Array | bigint[]>;
  /** Σ over contributors of the float elements their clipping changed (sessions without DP). */
  readonly clippedElements?: number;
  /** Contributors whose float input was outside the clip bound (scaled for L1/L2, clamped for L∞). */
  readonly clippedClients?: number;
}

/** Signed view of a ring slice. */
function signed(v: RingVector, start: number, n: number): Int32Array | BigInt64Array {
  return v instanceof Uint32Array ? new Int32Array(v.buffer, v.byteOffset + 4 * start, n) : new BigInt64Array(v.buffer, v.byteOffset + 8 * start, n);
}

function decodeEntry(e: TailEntry, sum: RingVector): Float64Array | bigint[] {
  const limbs = e.plan.limbs.map((_, j) => signed(sum, e.offset + j * e.numel, e.numel));
  const wide = e.dtype === 'int64';
  if (limbs.length === 1) {
    const only = limbs[0];
    if (wide) return only instanceof BigInt64Array ? Array.from(only) : Array.from(only, (x) => BigInt(x));
    return only instanceof Int32Array ? Float64Array.from(only) : Float64Array.from(only, (x) => Number(x));
  }
  const out = wide ? new Array<bigint>(e.numel) : new Float64Array(e.numel);
  const parts = new Array<bigint>(limbs.length);
  for (let i = 0; i < e.numel; i++) {
    for (let j = 0; j < limbs.length; j++) parts[j] = BigInt(limbs[j][i]);
    const total = recombine(e.plan.limbs, parts);
    out[i] = (wide ? total : Number(total)) as never;
  }
  return out;
}

/** Decodes the tail of the survivors' sum (the whole ring vector of the layout's length). */
export function decodeTail(layout: RoundLayout, sum: RingVector): DecodedTail {
  const ints = new Map<string, Float64Array | bigint[]>();
  let clippedElements: number | undefined;
  let clippedClients: number | undefined;
  for (const e of layout.tail) {
    const v = decodeEntry(e, sum);
    if (e.kind === 'tensor') ints.set(e.name, v);
    else if (e.kind === 'clippedElements') clippedElements = Number(v[0]);
    else clippedClients = Number(v[0]);
  }
  return { ints, ...(clippedElements === undefined ? {} : { clippedElements }), ...(clippedClients === undefined ? {} : { clippedClients }) };
}

/**
 * The aggregate as named tensors in spec order: float tensors as views into the decoded float
 * aggregate, integer tensors from the decoded tail.
 */
export function aggregateTensors(layout: RoundLayout, floats: Float64Array, tail: DecodedTail): AggregateTensor[] {
  const at = new Map(layout.floats.map((f) => [f.name, f]));
  return (layout.tensors ?? []).map((t) => {
    const f = at.get(t.name);
    const data = f ? floats.subarray(f.offset, f.offset + f.numel) : tail.ints.get(t.name)!;
    return { name: t.name, dtype: t.dtype, shape: t.shape, data };
  });
}
