/**
 * @module secagg/reconstruct
 * The coordinator's sum of one round (DESIGN.md §4): Σ partials over the survivors U', plus the
 * dropout correction from survivors' revealed seeds — for each survivor a and dropped j:
 * + r_{a→j} when j ∈ H(a) (a subtracted it, j would have added it) and − r_{j→a} when
 * a ∈ H(j) (a added it, j would have subtracted it). Masks between survivors cancel by
 * themselves. Per-element work runs in the kernel.
 */
import { ShardwireError } from '../errors.ts';
import type { Kernel } from '../kernel/kernel.ts';
import type { RingVector } from '../kernel/vectors.ts';

/** Seeds revealed by survivors for their edges with dropped participants. */
export interface Recovery {
  /** Seeds of r_{a→j}, a survivor, j dropped, j ∈ H(a): added back. */
  readonly addBack: readonly Uint8Array[];
  /** Seeds of r_{j→a}, j dropped, a ∈ H(j): subtracted. */
  readonly subtract: readonly Uint8Array[];
}

/**
 * Σ partials + recovery correction over their common ring (new vector).
 * @throws {ShardwireError} E_TOO_FEW_CONTRIBUTORS for no partials; E_BAD_VECTOR for mixed rings/lengths.
 */
export function reconstructSum(k: Kernel, partials: readonly RingVector[], recovery: Recovery = { addBack: [], subtract: [] }): RingVector {
  if (partials.length === 0) throw new ShardwireError('E_TOO_FEW_CONTRIBUTORS', 'no partial arrived; nothing to reconstruct');
  const sum = k.ringSum(partials);
  const seeds = [...recovery.addBack, ...recovery.subtract];
  const signs = [...recovery.addBack.map(() => 1), ...recovery.subtract.map(() => -1)];
  return k.expandMasks(sum, seeds, signs);
}
