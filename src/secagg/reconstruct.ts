/**
 * @module secagg/reconstruct
 * The coordinator's sum of one round (docs/PROTOCOL.md §4, §6–§7): Σ partials over the
 * survivors, plus the corrections rebuilt by secagg/unmask.ts — PRG streams each added or
 * subtracted once (a dropped party's edges with survivors in both modes; every survivor's
 * self-mask under double masking). Masks between survivors cancel by themselves. Per-element work
 * runs in the kernel.
 */
import { ShardwireError } from '../errors.ts';
import type { Kernel } from '../kernel/kernel.ts';
import type { RingVector } from '../kernel/vectors.ts';

/** PRG seeds to expand over the sum, each with its sign. */
export interface Recovery {
  readonly seeds: readonly Uint8Array[];
  readonly signs: readonly (1 | -1)[];
}

/**
 * Σ partials + corrections over their common ring (new vector).
 * @throws {ShardwireError} E_TOO_FEW_CONTRIBUTORS for no partials; E_BAD_VECTOR for mixed rings/lengths.
 */
export function reconstructSum(k: Kernel, partials: readonly RingVector[], recovery: Recovery = { seeds: [], signs: [] }): RingVector {
  if (partials.length === 0) throw new ShardwireError('E_TOO_FEW_CONTRIBUTORS', 'no partial arrived; nothing to reconstruct');
  const sum = k.ringSum(partials);
  return recovery.seeds.length === 0 ? sum : k.expandMasks(sum, recovery.seeds, recovery.signs);
}
