/**
 * @module secagg/holder-graph
 * The shard holder graph of docs/PROTOCOL.md §4. The round's participants U are ordered by
 * BLAKE2b(memo ‖ id) (length-prefixed, so no two (memo, id) pairs collide); participant i's
 * holders H(i) are the next s−1 participants in that cyclic order (s = shards; 0 means one shard
 * per participant, i.e. every other participant holds one). Every party computes the same graph
 * from public data.
 */
import { ShardwireError } from '../errors.ts';
import { getSodium } from '../sodium.ts';

/** Who holds whose shards in one round. */
export interface HolderGraph {
  /** Participants in graph order. */
  readonly order: readonly string[];
  /** H(i): the participants that hold a shard of i (i subtracts r_{i→j} for each). */
  holdersOf(id: string): readonly string[];
  /** The participants l with i ∈ H(l) (i adds r_{l→i} for each). */
  heldBy(id: string): readonly string[];
  /**
   * N(i) = H(i) ∪ {l : i ∈ H(l)}, in graph order: the parties i masks with and, under double
   * masking, deals its shares to (k = |N(i)| holders).
   */
  neighbours(id: string): readonly string[];
  /** Shards per input actually used (≤ number of participants). */
  readonly shards: number;
}

const encoder = new TextEncoder();

function lengthPrefixed(parts: string[]): Uint8Array {
  const bytes = parts.map((p) => encoder.encode(p));
  const out = new Uint8Array(bytes.reduce((n, b) => n + 4 + b.length, 0));
  const view = new DataView(out.buffer);
  let off = 0;
  for (const b of bytes) {
    view.setUint32(off, b.length);
    out.set(b, off + 4);
    off += 4 + b.length;
  }
  return out;
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i] - b[i];
  return 0;
}

/**
 * Builds the holder graph of a round.
 * @param participants ids of the round's participants (distinct).
 * @param memo the round's memo.
 * @param shards the configured `smpc.shards` (0 = one per participant).
 * @throws {ShardwireError} E_BAD_ARGUMENT for duplicate ids or an empty list.
 * @example const g = await holderGraph(['a', 'b', 'c'], 'round-1', 2); g.holdersOf('a') // one id
 */
export async function holderGraph(participants: readonly string[], memo: string, shards: number): Promise<HolderGraph> {
  if (participants.length === 0) throw new ShardwireError('E_BAD_ARGUMENT', '"participants" expected at least one id');
  if (new Set(participants).size !== participants.length) throw new ShardwireError('E_BAD_ARGUMENT', '"participants" contains duplicate ids');
  const sodium = await getSodium();
  const keyed = participants.map((id) => ({ id, key: sodium.crypto_generichash(32, lengthPrefixed(['shardwire/holder-order/v1', memo, id]), null) }));
  keyed.sort((a, b) => compareBytes(a.key, b.key) || (a.id < b.id ? -1 : 1));
  const order = keyed.map((k) => k.id);
  const n = order.length;
  const s = shards === 0 ? n : Math.min(shards, n);
  const position = new Map(order.map((id, i) => [id, i]));
  const holders = new Map<string, string[]>();
  const held = new Map<string, string[]>(order.map((id) => [id, []]));
  for (let i = 0; i < n; i++) {
    const h: string[] = [];
    for (let step = 1; step < s; step++) h.push(order[(i + step) % n]);
    holders.set(order[i], h);
    for (const j of h) held.get(j)!.push(order[i]);
  }
  const lookup = (map: Map<string, string[]>, id: string) => {
    if (!position.has(id)) throw new ShardwireError('E_NOT_IN_SESSION', `"${id}" is not a participant of this round`, { id });
    return map.get(id)!;
  };
  const neighbourMap = new Map<string, string[]>();
  for (const id of order) {
    const set = new Set([...holders.get(id)!, ...held.get(id)!]);
    neighbourMap.set(id, order.filter((o) => set.has(o)));
  }
  return { order, shards: s, holdersOf: (id) => lookup(holders, id), heldBy: (id) => lookup(held, id), neighbours: (id) => lookup(neighbourMap, id) };
}

/**
 * The groups of `members` that are connected through neighbour edges between members, largest
 * first (ties: the group holding the earliest member in graph order first). The coordinator of a
 * masked round learns the sum of each group separately, so only one group may be released.
 */
export function connectedGroups(graph: HolderGraph, members: Iterable<string>): string[][] {
  const inSet = new Set(members);
  const seen = new Set<string>();
  const groups: string[][] = [];
  for (const start of graph.order) {
    if (!inSet.has(start) || seen.has(start)) continue;
    const group: string[] = [];
    const stack = [start];
    seen.add(start);
    while (stack.length > 0) {
      const id = stack.pop()!;
      group.push(id);
      for (const j of graph.neighbours(id)) if (inSet.has(j) && !seen.has(j)) (seen.add(j), stack.push(j));
    }
    groups.push(group);
  }
  return groups.sort((a, b) => b.length - a.length); // stable: equal sizes keep graph order
}
