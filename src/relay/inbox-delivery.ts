/**
 * @module relay/inbox-delivery
 * Writes one member's inbox frames to its connection in number order, each exactly once:
 * - live frames arrive from the backplane with their number; the next expected one is written
 *   at once;
 * - after a (re)connection, a gap in the numbers, or while the socket is over its high-water
 *   mark, the connection *catches up* from the store instead (frames stay there, bounded by the
 *   inbox caps, not in relay memory), and live frames that arrive meanwhile wait in a small
 *   queue, then go through the same rule (already written → dropped; next → written; ahead →
 *   catch up again);
 * - frames the store no longer has are announced with a `gap` control frame, so the peer's count
 *   stays equal to the relay's.
 * Before, a slow receiver's frames were dropped with E_BACKPRESSURE; with an inbox they wait.
 */
import type { InboxStore } from './inbox.ts';

/** How many frames one catch-up read fetches. */
const READ_BATCH = 256;
/** Retry interval while the socket is over its high-water mark. */
const DRAIN_POLL_MS = 10;

/** The connection side that an InboxDelivery writes to. */
export interface DeliverySink {
  /** Writes a message frame. */
  send(frame: Uint8Array): void;
  /** Tells the peer that frames `from`..`to` are lost. */
  gap(from: number, to: number): void;
  /** False while the socket holds more than its high-water mark. */
  writable(): boolean;
  /** A store error: the connection should close (the peer resumes elsewhere or later). */
  fail(e: unknown): void;
}

/** Ordered, exactly-once delivery of one member's inbox to one connection. */
export class InboxDelivery {
  /** Number of the last frame written to the socket. */
  delivered = 0;
  private catchingUp = true;
  private queued: { seq: number; frame: Uint8Array }[] = [];
  private stopped = false;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly store: InboxStore,
    private readonly session: string,
    private readonly member: string,
    private readonly sink: DeliverySink,
  ) {}

  /** Starts after frame `after` (from the store's open()); until then live frames queue. */
  start(after: number): void {
    this.delivered = after;
    void this.catchUp();
  }

  /** A live frame from the backplane. */
  live(seq: number, frame: Uint8Array): void {
    if (this.stopped || seq <= this.delivered) return;
    if (this.catchingUp) {
      this.queued.push({ seq, frame });
      return;
    }
    if (seq === this.delivered + 1 && this.sink.writable()) {
      this.sink.send(frame);
      this.delivered = seq;
      return;
    }
    this.queued.push({ seq, frame });
    void this.catchUp();
  }

  /** The peer has every frame up to `seq`. */
  ack(seq: number): Promise<void> {
    return this.store.ack(this.session, this.member, Math.min(seq, this.delivered));
  }

  /** The connection closed: stop writing (the store keeps the rest for a resume). */
  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.queued = [];
  }

  private async catchUp(): Promise<void> {
    this.catchingUp = true;
    let readEmptyBefore = false;
    try {
      for (;;) {
        if (this.stopped) return;
        if (!this.sink.writable()) {
          // Wait for the socket to drain; frames stay in the store meanwhile.
          this.timer = setTimeout(() => void this.catchUp(), DRAIN_POLL_MS);
          return;
        }
        const entries = await this.store.read(this.session, this.member, this.delivered, READ_BATCH);
        if (this.stopped) return;
        for (const e of entries) {
          if (e.seq <= this.delivered) continue;
          if (e.seq > this.delivered + 1) this.sink.gap(this.delivered + 1, e.seq - 1);
          this.sink.send(e.frame);
          this.delivered = e.seq;
          if (!this.sink.writable()) break;
        }
        if (entries.length > 0 && this.sink.writable()) continue;
        if (entries.length > 0) continue; // not writable: the loop head waits for drain
        // Store drained: live frames that queued meanwhile either follow on or are already written.
        const queued = this.queued.sort((a, b) => a.seq - b.seq);
        this.queued = [];
        let i = 0;
        while (i < queued.length && queued[i]!.seq <= this.delivered) i++;
        if (i < queued.length && queued[i]!.seq > this.delivered + 1) {
          if (entries.length === 0 && readEmptyBefore) {
            // The store no longer has what lies between (caps): the peer must hear of the gap.
            this.sink.gap(this.delivered + 1, queued[i]!.seq - 1);
            this.delivered = queued[i]!.seq - 1;
          } else {
            // Appended after our read but before its live copy: the store has them; read again.
            this.queued = queued.slice(i);
            readEmptyBefore = entries.length === 0;
            continue;
          }
        }
        for (; i < queued.length; i++) {
          const q = queued[i]!;
          if (q.seq !== this.delivered + 1 || !this.sink.writable()) {
            this.queued = queued.slice(i);
            break;
          }
          this.sink.send(q.frame);
          this.delivered = q.seq;
        }
        if (this.queued.length > 0) continue;
        this.catchingUp = false;
        return;
      }
    } catch (e) {
      this.sink.fail(e);
    }
  }
}
