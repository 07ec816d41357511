/**
 * @module secagg/recovery
 * What is revealed to recover a round, written once and used by both sides: the participant
 * computes what it reveals with these functions and the coordinator checks a reveal against the
 * same functions (docs/PROTOCOL.md §6–§7).
 *
 * - honest-coordinator mode: a survivor reveals the seeds of its own edges with dropped parties;
 * - malicious-coordinator mode: a survivor reveals, for each neighbour that dealt it shares, the
 *   self-mask share when that neighbour survived and the masking-key share when it dropped —
 *   never both for one neighbour.
 */
import type { ShareKind } from '../crypto/round-keys.ts';
import type { HolderGraph } from './holder-graph.ts';

/** One directed edge of the holder graph: r_{from→to}. */
export interface Edge {
  readonly from: string;
  readonly to: string;
}

/**
 * Honest-coordinator mode: the edges of `survivor` with dropped parties — (survivor → j) for
 * j ∈ H(survivor) dropped (the coordinator adds r back) and (l → survivor) for l dropped with
 * survivor ∈ H(l) (the coordinator subtracts r).
 */
export function edgesWithDropped(graph: HolderGraph, survivor: string, dropped: ReadonlySet<string>): Edge[] {
  const edges: Edge[] = [];
  for (const j of graph.holdersOf(survivor)) if (dropped.has(j)) edges.push({ from: survivor, to: j });
  for (const l of graph.heldBy(survivor)) if (dropped.has(l)) edges.push({ from: l, to: survivor });
  return edges;
}

/** Honest-coordinator mode: every edge of `id` (its masks), outgoing first. */
export function edgesOf(graph: HolderGraph, id: string): Edge[] {
  return [...graph.holdersOf(id).map((to) => ({ from: id, to })), ...graph.heldBy(id).map((from) => ({ from, to: id }))];
}

/**
 * Shares needed to rebuild a secret of a party with `k` holders: the configured threshold, but
 * never more than k and never k/2 or fewer — at or below half, a lying coordinator could collect
 * self-mask shares from one half of the holders and masking-key shares from the other half.
 */
export function shareThreshold(k: number, configured?: number): number {
  const majority = Math.floor(k / 2) + 1;
  return Math.max(majority, Math.min(configured ?? majority, k));
}

/** The x-coordinate of `holder`'s shares of `dealer`'s secrets: its 1-based place in N(dealer). */
export function shareX(graph: HolderGraph, dealer: string, holder: string): number {
  const x = graph.neighbours(dealer).indexOf(holder) + 1;
  if (x === 0) throw new Error(`${holder} is not a neighbour of ${dealer}`);
  return x;
}

/** The sign with which `id` adds its pairwise mask with `peer` (malicious-coordinator mode). */
export function pairSign(id: string, peer: string): 1 | -1 {
  return id < peer ? 1 : -1;
}

/** A share a holder is asked for. */
export interface ShareRequest {
  readonly dealer: string;
  readonly kind: ShareKind;
}

/**
 * Malicious-coordinator mode: the shares `holder` reveals under a statement — for each sharing
 * neighbour, 'self' (its self-mask seed share) if it survived, else 'mask' (its masking-key share).
 */
export function sharesToReveal(graph: HolderGraph, holder: string, sharers: ReadonlySet<string>, survivors: ReadonlySet<string>): ShareRequest[] {
  return graph.neighbours(holder).filter((d) => sharers.has(d)).map((dealer) => ({ dealer, kind: survivors.has(dealer) ? 'self' : 'mask' }));
}

/**
 * Malicious-coordinator mode: the sharers whose secrets can be rebuilt — each keeps at least its
 * threshold of holders among the others. Removing one party can cost another its holders, so
 * this repeats until nothing changes.
 */
export function viableSharers(graph: HolderGraph, sharers: Iterable<string>, configured?: number): Set<string> {
  const alive = new Set(sharers);
  for (let changed = true; changed;) {
    changed = false;
    for (const id of [...alive]) {
      const k = graph.neighbours(id).length;
      if (graph.neighbours(id).filter((j) => alive.has(j)).length < shareThreshold(k, configured)) {
        alive.delete(id);
        changed = true;
      }
    }
  }
  return alive;
}
