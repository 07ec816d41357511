/**
 * @module tensors/layout
 * Where every value of a round sits in the one ring vector that is masked, summed and unmasked
 * (mask stream offsets are element positions, so both sides must agree exactly). The coordinator
 * and every client derive it from `round.open` and the session config alone:
 *
 *   [ float coordinates (float tensors concatenated, or the single vector) | weight? |
 *     integer tensors, limb-major | clippedElements limbs | clippedClients limbs ]
 *
 * The float part is what the fused pipeline encodes, clips, noises and masks (kernel/pipeline.ts);
 * the tail holds exact integers (tensors/encode.ts). Saturation counts are collected in sessions
 * without DP (docs/DP.md "Saturation counts").
 */
import { ShardwireError } from '../errors.ts';
import type { RingBits } from '../kernel/vectors.ts';
import { planInteger, type IntegerPlan } from './budget.ts';
import { isFloat, numel, rangeOf, type Dtype, type TensorSpec } from './spec.ts';

/** Source element type of a tail entry (kernel/tensor-abi.ts SRC_*). */
export type IntSource = 'i64' | 'i32' | 'u8';

/** One integer tensor or saturation count in the tail. */
export interface TailEntry {
  readonly name: string;
  /** A tensor, or one of the two saturation counts. */
  readonly kind: 'tensor' | 'clippedElements' | 'clippedClients';
  readonly dtype: Dtype;
  readonly source: IntSource;
  /** Allowed values [lo, hi]. */
  readonly lo: bigint;
  readonly hi: bigint;
  readonly numel: number;
  readonly plan: IntegerPlan;
  /** Element offset of limb 0 in the whole vector; limb j starts at offset + j·numel. */
  readonly offset: number;
}

/** A float tensor's place in the float part. */
export interface FloatEntry {
  readonly name: string;
  readonly dtype: Dtype;
  readonly shape: readonly number[];
  readonly offset: number;
  readonly numel: number;
}

/** The layout of one round. */
export interface RoundLayout {
  readonly ring: RingBits;
  /** The tensor spec (absent: a single float vector of `dim` elements). */
  readonly tensors?: readonly TensorSpec[];
  readonly floats: readonly FloatEntry[];
  /** Float coordinates (the round's `dim`). */
  readonly dim: number;
  /** dim + 1 with a weighted mean's weight coordinate, else dim: the pipeline's part. */
  readonly head: number;
  readonly tail: readonly TailEntry[];
  readonly saturation: boolean;
  /** Elements of the whole ring vector. */
  readonly length: number;
}

const SOURCE: Record<Exclude<Dtype, 'float32' | 'float64'>, IntSource> = { int32: 'i32', int64: 'i64', uint8: 'u8', bool: 'u8' };

/** What the layout is derived from (all in `round.open` and the config). */
export interface LayoutInput {
  readonly ring: RingBits;
  readonly clients: number;
  readonly weighted: boolean;
  /** Whether saturation counts are collected (sessions without DP). */
  readonly saturation: boolean;
  readonly dim: number;
  readonly tensors?: readonly TensorSpec[];
  /** DP session: integer tensors are refused (docs/DP.md). */
  readonly dp: boolean;
}

/**
 * The round's layout, with every integer coordinate's limbs certified for `clients` sums.
 * @throws {ShardwireError} E_BAD_ARGUMENT when `dim` contradicts the tensors' float elements;
 *   E_UNSUPPORTED for integer tensors in a DP session; E_RING_OVERFLOW naming a tensor that could wrap.
 */
export function roundLayout(o: LayoutInput): RoundLayout {
  const floats: FloatEntry[] = [];
  let dim = o.dim;
  if (o.tensors) {
    let off = 0;
    for (const t of o.tensors) {
      if (!isFloat(t.dtype)) continue;
      floats.push({ name: t.name, dtype: t.dtype, shape: t.shape, offset: off, numel: numel(t.shape) });
      off += numel(t.shape);
    }
    if (off !== dim) throw new ShardwireError('E_BAD_ARGUMENT', `"dim" is ${dim}, but the float tensors hold ${off} elements`, { field: 'dim', expected: off });
    dim = off;
  }
  const head = dim + (o.weighted ? 1 : 0);
  const tail: TailEntry[] = [];
  let at = head;
  const add = (name: string, kind: TailEntry['kind'], dtype: Dtype, source: IntSource, lo: bigint, hi: bigint, n: number) => {
    const plan = planInteger(name, lo, hi, o.clients, o.ring);
    tail.push({ name, kind, dtype, source, lo, hi, numel: n, plan, offset: at });
    at += n * plan.limbs.length;
  };
  for (const t of o.tensors ?? []) {
    if (isFloat(t.dtype)) continue;
    if (o.dp) throw new ShardwireError('E_UNSUPPORTED', `tensor "${t.name}" is ${t.dtype}: integer tensors are summed exactly, without noise, so DP sessions refuse them (docs/DP.md); send it as a float tensor or use a session without dp`, { tensor: t.name });
    const [lo, hi] = rangeOf(t);
    add(t.name, 'tensor', t.dtype, SOURCE[t.dtype as keyof typeof SOURCE], lo, hi, numel(t.shape));
  }
  if (o.saturation) {
    add('clippedElements', 'clippedElements', 'int64', 'i64', 0n, BigInt(dim), 1);
    add('clippedClients', 'clippedClients', 'int64', 'i64', 0n, 1n, 1);
  }
  return { ring: o.ring, ...(o.tensors ? { tensors: o.tensors } : {}), floats, dim, head, tail, saturation: o.saturation, length: at };
}
