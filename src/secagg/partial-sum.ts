/**
 * @module secagg/partial-sum
 * The coordinator's side of streamed partials (docs/PROTOCOL.md §5): who may upload, how much,
 * and the running sum the uploads are added into as they complete.
 *
 * Memory is one sum vector plus one staging vector per partial in flight, not one vector per
 * participant: a participant uploads only after it is granted credit, and at most
 * {@link PartialCollector.inFlight} partials stream at once (more when they are small). Each
 * chunk is opened by the caller with the associated data {@link PartialCollector.chunkAad}
 * gives, copied into that sender's staging vector at its place, and only a partial whose every
 * chunk arrived and authenticated in order is added (`kernel.accumulate`) into the sum. A stream
 * that breaks — a chunk that does not open, of the wrong size, a sender gone offline, no chunk
 * for `stallMs` — is dropped with its staging vector: nothing of it ever reached the sum, so the
 * sender is simply treated as dropped by the round's recovery. (A chunk added to the sum as it
 * arrives could not be taken out again: the coordinator cannot rebuild a partial's masked bytes.)
 *
 * The released sum must come from one connected group of the holder graph (secagg/consistency.ts).
 * A completed partial joins the sum only when it has a neighbour already in it (or the sum is
 * empty); one without is kept staged ("parked") until a neighbour joins, and left out at the end
 * if none does. Grants go first to senders adjacent to the sum, so parking is rare.
 */
import { ShardwireError } from '../errors.ts';
import type { Kernel } from '../kernel/kernel.ts';
import { giveRing, takeRing } from '../kernel/ring-pool.ts';
import type { RingBits, RingVector } from '../kernel/vectors.ts';
import { ringBytes } from '../session/partial-payload.ts';
import { CHUNK_OVERHEAD, chunkAad, chunkCount, MAX_CHUNK_BYTES } from '../session/partial-stream.ts';
import type { HolderGraph } from './holder-graph.ts';

/** Staging bytes the collector aims to stay under with several partials in flight. */
export const STAGING_BUDGET_BYTES = 64 << 20;
/** Most partials streaming at once (small partials: every participant at once). */
export const MAX_IN_FLIGHT = 1024;

/** What the collector needs from the round. */
export interface CollectorHost {
  readonly kernel: Kernel;
  /** Sends a `partial.credit` granting chunks [0, upTo) to `to`. */
  grant(to: string, upTo: number): void;
  /** A stream broke: the sender is dropped from the round (the error names the cause). */
  broken(from: string, e: ShardwireError): void;
  /** Combines a completed partial into the running result (default: the kernel's ring sum). */
  fold?(acc: RingVector, partial: RingVector): void;
  /**
   * Checks a completed partial before it is kept (a product's field elements must be below p);
   * a partial it throws for is dropped like a broken stream, and nothing of it reaches the result.
   */
  check?(partial: RingVector): void;
}

/** The shape of the round's partials and the limits of the collection. */
export interface CollectorPlan {
  readonly memo: string;
  readonly length: number;
  readonly ring: RingBits;
  readonly graph: HolderGraph;
  /** Bytes the relay may queue towards the coordinator: granted, unreceived chunks stay below it. */
  readonly queueBytes: number;
  /** A stream with no chunk for this long is dropped. */
  readonly stallMs: number;
}

interface Stream {
  readonly chunkBytes: number;
  readonly total: number;
  next: number;
  granted: number;
  staging: RingVector | undefined;
  timer: ReturnType<typeof setTimeout> | undefined;
  slowTimer: ReturnType<typeof setTimeout> | undefined;
  /** No chunk for SLOW_MS: it no longer counts against inFlight (another stream may start). */
  slow: boolean;
}

/** A stream without a chunk for this long makes room for one more (up to 2 × inFlight staged). */
export const SLOW_MS = 1000;

export class PartialCollector {
  readonly totalBytes: number;
  /** Partials streaming at once. */
  readonly inFlight: number;
  readonly #host: CollectorHost;
  readonly #plan: CollectorPlan;
  readonly #ready: string[] = [];
  readonly #streams = new Map<string, Stream>();
  readonly #parked = new Map<string, RingVector>();
  readonly #summed = new Set<string>();
  readonly #broken = new Set<string>();
  #sum: RingVector | undefined;
  #closed = false;
  /** Frame bytes granted and not received yet, over every stream. */
  #outstanding = 0;

  constructor(host: CollectorHost, plan: CollectorPlan) {
    this.#host = host;
    this.#plan = plan;
    this.totalBytes = plan.length * (plan.ring / 8);
    this.inFlight = Math.max(1, Math.min(MAX_IN_FLIGHT, Math.floor(STAGING_BUDGET_BYTES / Math.max(1, this.totalBytes))));
  }

  /** Partials complete and authenticated (in the sum or parked). */
  get completed(): number {
    return this.#summed.size + this.#parked.size;
  }

  /** Whether `id` is done with the collection: completed, or its stream broke. */
  settled(id: string): boolean {
    return this.#summed.has(id) || this.#parked.has(id) || this.#broken.has(id);
  }

  /**
   * A sender announced its partial (after its `partial.begin` verified) with this chunk size.
   * @throws {ShardwireError} E_BAD_PAYLOAD for a chunk size that is not a multiple of 8 in
   *   [8, 1 MiB].
   */
  begin(from: string, chunkBytes: number): void {
    if (!Number.isSafeInteger(chunkBytes) || chunkBytes < 8 || chunkBytes > MAX_CHUNK_BYTES || chunkBytes % 8 !== 0) {
      throw new ShardwireError('E_BAD_PAYLOAD', `round ${this.#plan.memo}: ${from} announced chunks of ${chunkBytes} bytes; expected a multiple of 8 in [8, ${MAX_CHUNK_BYTES}]`, { from });
    }
    this.#streams.set(from, { chunkBytes, total: chunkCount(this.totalBytes, chunkBytes), next: 0, granted: 0, staging: undefined, timer: undefined, slowTimer: undefined, slow: false });
    this.#ready.push(from);
    this.#pump();
  }

  /** Whether a `partial` frame from `from` may be opened now (granted and not complete). */
  accepts(from: string): boolean {
    const s = this.#streams.get(from);
    return !this.#closed && s !== undefined && s.staging !== undefined && s.next < s.granted;
  }

  /** The associated data of `from`'s next chunk (undefined when none is expected). */
  chunkAad(from: string): Uint8Array | undefined {
    const s = this.#streams.get(from);
    if (!s || !this.accepts(from)) return undefined;
    return chunkAad(s.next, s.total, this.totalBytes, s.chunkBytes);
  }

  /**
   * The next chunk of `from`, opened. Copies it into place; completes the partial after its last
   * chunk.
   */
  onChunk(from: string, plain: Uint8Array): void {
    const s = this.#streams.get(from)!;
    {
      const start = s.next * s.chunkBytes;
      const expected = Math.min(s.chunkBytes, this.totalBytes - start);
      if (plain.length !== expected) {
        return this.fail(from, new ShardwireError('E_BAD_VECTOR', `round ${this.#plan.memo}: chunk ${s.next} of ${from}'s partial has ${plain.length} bytes, expected ${expected}; its partial is dropped`, { from, chunk: s.next }));
      }
      ringBytes(s.staging!).set(plain, start); // masked bytes: `plain` needs no wiping
    }
    s.next++;
    this.#outstanding -= s.chunkBytes + CHUNK_OVERHEAD;
    if (s.next === s.total) return this.#complete(from, s);
    this.#arm(from, s);
    this.#refill();
  }

  /** `from`'s stream broke (a chunk that did not open, the sender went offline): drop it. */
  fail(from: string, e: ShardwireError): void {
    const s = this.#streams.get(from);
    if (!s || this.settled(from)) return;
    this.#release(s);
    this.#streams.delete(from);
    this.#broken.add(from);
    const i = this.#ready.indexOf(from);
    if (i >= 0) this.#ready.splice(i, 1);
    this.#host.broken(from, e);
    this.#pump();
  }

  /** A participant went offline: a stream in progress is dropped. */
  onOffline(id: string): void {
    const s = this.#streams.get(id);
    if (s && !this.settled(id)) this.fail(id, new ShardwireError('E_UNDELIVERED', `round ${this.#plan.memo}: ${id} went offline after ${s.next} of ${s.total} chunks; its partial is dropped`, { from: id, cause: 'E_TIMEOUT' }));
  }

  /**
   * Ends the collection: in-flight and parked partials are wiped. Returns the sum (owned by the
   * caller from now on: give it back with giveRing) and whose partials it holds, in graph order.
   * @throws {ShardwireError} E_TOO_FEW_CONTRIBUTORS when nothing was summed.
   */
  finish(): { sum: RingVector; members: string[]; leftOut: string[] } {
    this.#closed = true;
    const leftOut = this.#plan.graph.order.filter((p) => this.#parked.has(p));
    this.dispose(false);
    const sum = this.#sum;
    this.#sum = undefined;
    if (!sum) throw new ShardwireError('E_TOO_FEW_CONTRIBUTORS', `round ${this.#plan.memo}: no partial arrived; nothing to reconstruct`, { memo: this.#plan.memo });
    return { sum, members: this.#plan.graph.order.filter((p) => this.#summed.has(p)), leftOut };
  }

  /** Wipes and gives back every staging vector (and the sum unless `keepSum`). Idempotent. */
  dispose(dropSum = true): void {
    this.#closed = true;
    for (const s of this.#streams.values()) this.#release(s);
    for (const v of this.#parked.values()) giveRing(v, false);
    this.#parked.clear();
    if (dropSum && this.#sum) {
      giveRing(this.#sum);
      this.#sum = undefined;
    }
  }

  /**
   * Grants chunks to the streams in flight, oldest first, while the granted and not yet received
   * frames fit in queueBytes (at least one chunk per stream, so a tiny limit still progresses).
   */
  #refill(): void {
    for (const [id, s] of this.#streams) {
      if (s.staging === undefined || s.granted >= s.total) continue;
      const frame = s.chunkBytes + CHUNK_OVERHEAD;
      let upTo = s.granted;
      while (upTo < s.total && (this.#outstanding + frame <= this.#plan.queueBytes || upTo === s.next)) {
        upTo++;
        this.#outstanding += frame;
      }
      if (upTo === s.granted) continue;
      s.granted = upTo;
      this.#host.grant(id, upTo);
    }
  }

  #arm(from: string, s: Stream): void {
    clearTimeout(s.timer);
    clearTimeout(s.slowTimer);
    s.slow = false;
    s.slowTimer = setTimeout(() => {
      s.slow = true;
      this.#pump();
    }, SLOW_MS);
    s.timer = setTimeout(() => {
      this.fail(from, new ShardwireError('E_TIMEOUT', `round ${this.#plan.memo}: no chunk of ${from}'s partial for ${this.#plan.stallMs} ms after ${s.next} of ${s.total}; its partial is dropped`, { from }));
    }, this.#plan.stallMs);
  }

  #release(s: Stream): void {
    clearTimeout(s.timer);
    clearTimeout(s.slowTimer);
    s.timer = s.slowTimer = undefined;
    this.#outstanding -= (s.granted - s.next) * (s.chunkBytes + CHUNK_OVERHEAD);
    s.granted = s.next;
    if (s.staging) giveRing(s.staging, false); // masked bytes: nothing to wipe
    s.staging = undefined;
  }

  /**
   * Starts streams while fewer than inFlight make progress (a slow one stops counting, up to
   * 2 × inFlight staged), senders adjacent to the sum first.
   */
  #pump(): void {
    if (this.#closed) return;
    const staged = [...this.#streams.values()].filter((s) => s.staging !== undefined);
    let running = staged.filter((s) => !s.slow).length;
    let total = staged.length;
    while (running < this.inFlight && total < 2 * this.inFlight && this.#ready.length > 0) {
      const near = this.#ready.findIndex((id) => this.#adjacent(id));
      const [id] = this.#ready.splice(near >= 0 ? near : 0, 1);
      const s = this.#streams.get(id)!;
      s.staging = takeRing(this.#plan.ring, this.#plan.length);
      this.#arm(id, s);
      running++;
      total++;
    }
    this.#refill();
  }

  #adjacent(id: string): boolean {
    if (this.#summed.size === 0) return true;
    return this.#plan.graph.neighbours(id).some((j) => this.#summed.has(j));
  }

  #complete(from: string, s: Stream): void {
    clearTimeout(s.timer);
    clearTimeout(s.slowTimer);
    const staged = s.staging!;
    if (this.#host.check) {
      try {
        this.#host.check(staged);
      } catch (e) {
        return this.fail(from, e instanceof ShardwireError ? e : new ShardwireError('E_BAD_VECTOR', String(e), { from }));
      }
    }
    s.staging = undefined;
    this.#parked.set(from, staged);
    // fold every parked partial that now touches the sum (a fold may connect more)
    for (let again = true; again; ) {
      again = false;
      for (const [id, v] of this.#parked) {
        if (!this.#adjacent(id)) continue;
        this.#fold(id, v);
        again = true;
      }
    }
    this.#pump();
  }

  #fold(id: string, v: RingVector): void {
    this.#parked.delete(id);
    if (!this.#sum) {
      this.#sum = v; // the first partial becomes the sum: no add, no extra vector
    } else {
      if (this.#host.fold) this.#host.fold(this.#sum, v);
      else this.#host.kernel.accumulate(this.#sum, ringBytes(v));
      giveRing(v, false);
    }
    this.#summed.add(id);
  }
}
