/**
 * @module tensors/round-hooks
 * The thin joints between typed tensors and the round code: the layout of a `round.open` under a
 * session config (both sides derive the same one), the client's check of its input before the
 * round is taken, and the broadcast tail (the integer part of the sum, so clients decode integer
 * tensors and saturation totals exactly as the coordinator does).
 */
import { ShardwireError } from '../errors.ts';
import { aint, describe } from '../guards.ts';
import type { SessionConfig } from '../config.ts';
import { allocRing, type RealVector, type RingVector } from '../kernel/vectors.ts';
import { fromBase64url, toBase64url } from '../wire/base64url.ts';
import { roundLayout, type RoundLayout } from './layout.ts';
import { checkTensors, isFloat, numel, validateTensorSpecs, type Tensor, type TensorSpec } from './spec.ts';
import { aggregateTensors, decodeTail, type DecodedTail } from './decode.ts';
import type { AggregateTensor, TensorSpecJson } from './spec.ts';

/** The fields of a `round.open` that tensor rounds read (session/round-messages.ts RoundOpen has them all). */
export interface TensorRoundOpen {
  readonly memo: string;
  readonly ring: 32 | 64;
  readonly participants: readonly string[];
  readonly operation: string;
  readonly dim: number;
  readonly tensors?: readonly TensorSpecJson[];
}

/** The layout of a round as announced in `open`, under `config` (saturation counts without DP). */
export function openLayout(open: Omit<TensorRoundOpen, 'memo'>, config: Pick<SessionConfig, 'noise'>): RoundLayout {
  // only sum/mean/weightedMean rounds have the tail: a product's partial is field elements
  // (secagg/product.ts), a statistic's its own layout (stats/operations.ts)
  const product = !['sum', 'mean', 'weightedMean'].includes(open.operation);
  if (product && open.tensors) throw new ShardwireError('E_UNSUPPORTED', `typed tensors are not available in a ${open.operation} round`, { field: 'tensors' });
  return roundLayout({
    ring: open.ring,
    clients: open.participants.length,
    weighted: open.operation === 'weightedMean',
    saturation: config.noise === undefined && !product,
    dim: product ? 0 : open.dim,
    ...(open.tensors ? { tensors: validateTensorSpecs(open.tensors, 'tensors', 'E_BAD_PAYLOAD') } : {}),
    dp: config.noise !== undefined,
  });
}

/**
 * Checks a contribution against the open before the round is taken: a vector for a single-vector
 * round (its length), tensors for a tensor round (names, dtypes, shapes, array types); and the
 * layout itself, so a round that could wrap any tensor is refused before anything is sent.
 * @throws {ShardwireError} E_BAD_VECTOR naming the tensor; E_RING_OVERFLOW / E_UNSUPPORTED from the layout.
 */
export function checkContribution(open: TensorRoundOpen, config: Pick<SessionConfig, 'noise'>, input: RealVector | readonly Tensor[]): RoundLayout {
  if (open.tensors) {
    if (!Array.isArray(input)) {
      throw new ShardwireError('E_BAD_VECTOR', `round ${open.memo} expects typed tensors (${open.tensors.map((t) => t.name).join(', ')}), got ${describe(input)}; pass them as [{ name, dtype, shape, data }]`, { memo: open.memo });
    }
    checkTensors(validateTensorSpecs(open.tensors, 'tensors', 'E_BAD_PAYLOAD'), input, open.memo);
  } else if (Array.isArray(input)) {
    throw new ShardwireError('E_BAD_VECTOR', `round ${open.memo} expects one vector of ${open.dim} elements, got a list of tensors; the coordinator did not announce tensors`, { memo: open.memo });
  } else if ((input as RealVector).length !== open.dim) {
    throw new ShardwireError('E_BAD_VECTOR', `"vector" expected length ${open.dim} (round ${open.memo}), got length ${(input as RealVector).length}; the round stays open for a vector of that length`, { expected: open.dim, actual: (input as RealVector).length, memo: open.memo });
  }
  return openLayout(open, config);
}

/** base64url of the tail of a sum (broadcast in `round.result`), or undefined without a tail. */
export function tailToBase64(layout: RoundLayout, sum: RingVector): string | undefined {
  if (layout.length === layout.head) return undefined;
  const tail = sum.subarray(layout.head);
  return toBase64url(new Uint8Array(tail.buffer, tail.byteOffset, tail.byteLength));
}

/** A sum of the layout's length rebuilt from a broadcast tail (the head left zero). */
export function tailSum(layout: RoundLayout, tail: string): RingVector {
  const bytes = fromBase64url(tail);
  const width = layout.ring === 32 ? 4 : 8;
  if (bytes === undefined || bytes.length !== (layout.length - layout.head) * width) {
    throw new ShardwireError('E_BAD_PAYLOAD', `round.result: "tail" expected ${(layout.length - layout.head) * width} bytes of base64url`, { type: 'round.result' });
  }
  const sum = allocRing(layout.ring, layout.length);
  new Uint8Array(sum.buffer, sum.byteOffset + layout.head * width, bytes.length).set(bytes);
  return sum;
}

/** What a round released beyond the float aggregate. */
export interface TensorRelease {
  /** The aggregate as named tensors (tensor rounds). */
  readonly tensors?: AggregateTensor[];
  /** Saturation totals (sessions without DP). */
  readonly clippedElements?: number;
  readonly clippedClients?: number;
}

/** The release of a round's tail next to its decoded float aggregate. */
export function releaseOf(layout: RoundLayout, floats: Float64Array, sum: RingVector): TensorRelease {
  const tail: DecodedTail = decodeTail(layout, sum);
  return {
    ...(layout.tensors ? { tensors: aggregateTensors(layout, floats, tail) } : {}),
    ...(tail.clippedElements === undefined ? {} : { clippedElements: tail.clippedElements, clippedClients: tail.clippedClients }),
  };
}

/** The coordinator's view of a round's tensors: the validated spec, the float `dim` it implies. */
export interface RoundTensors {
  readonly specs?: readonly TensorSpec[];
  readonly dim: number;
}

/**
 * Validates `RoundOptions.tensors` and `dim` together: with tensors, `dim` may be omitted (it is
 * their float elements) and must match when given.
 * @throws {ShardwireError} E_BAD_ARGUMENT naming the tensor or field.
 */
export function roundTensors(tensors: unknown, dim: unknown): RoundTensors {
  if (tensors === undefined) return { dim: aint(dim, 'dim', 0, 2 ** 31) };
  const specs = validateTensorSpecs(tensors);
  const floats = specs.filter((t) => isFloat(t.dtype)).reduce((a, t) => a + numel(t.shape), 0);
  if (dim !== undefined && dim !== floats) throw new ShardwireError('E_BAD_ARGUMENT', `"dim" is ${describe(dim)}, but the float tensors hold ${floats} elements; omit dim with tensors`, { field: 'dim', expected: floats });
  return { specs, dim: floats };
}

/**
 * Runs the session's float bit budget (`check`) for a tensor round, naming the float tensors in
 * the E_RING_OVERFLOW it may throw (they share the session's clip and exponent).
 */
export function floatBudget<T>(specs: readonly TensorSpec[] | undefined, check: () => T): T {
  try {
    return check();
  } catch (e) {
    const floats = (specs ?? []).filter((t) => isFloat(t.dtype)).map((t) => `"${t.name}"`);
    if (!(e instanceof ShardwireError) || e.code !== 'E_RING_OVERFLOW' || floats.length === 0) throw e;
    throw new ShardwireError('E_RING_OVERFLOW', `float tensor${floats.length > 1 ? 's' : ''} ${floats.slice(0, 5).join(', ')}${floats.length > 5 ? ` and ${floats.length - 5} more` : ''} (session clip bound): ${e.message}`, { ...e.details, tensor: floats[0].slice(1, -1) });
  }
}
