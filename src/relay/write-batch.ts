/**
 * @module relay/write-batch
 * Coalesces the frames the relay writes to one socket during one event-loop turn into a single
 * `writev`. A peer's TCP segment often carries many small frames; forwarding each with its own
 * system call made `writev` the largest cost of the 256-byte relay benchmark (≈ 25 % of the relay
 * process, measured with --cpu-prof). The first write of a turn corks the socket and the batch
 * uncorks every corked socket on `process.nextTick`, i.e. right after the handler that read the
 * segment returns: no timer and no added latency beyond the rest of that segment.
 *
 * `ws` keeps its net.Socket in the undocumented `_socket` field (ws 8); when it is missing the
 * batch does nothing and frames are written one by one as before (test/unit/relay/write-batch.test.ts
 * fails if that happens with the installed ws, so a ws upgrade cannot lose this silently).
 */
import type WebSocket from 'ws';

interface Corkable {
  cork(): void;
  uncork(): void;
}

/** The socket under a `ws` WebSocket, if this ws version exposes it. */
export function socketOf(ws: WebSocket): Corkable | undefined {
  const s = (ws as unknown as { _socket?: Partial<Corkable> | null })._socket;
  return s && typeof s.cork === 'function' && typeof s.uncork === 'function' ? (s as Corkable) : undefined;
}

/**
 * One per relay: the sockets corked in this turn. A caller remembers the {@link WriteBatch.turn}
 * in which it last held its socket, so holding costs one comparison per frame after the first.
 *
 * @example if (conn.turn !== batch.turn && batch.hold(ws)) conn.turn = batch.turn; ws.send(frame)
 */
export class WriteBatch {
  /** Increases at every flush; a socket held in an earlier turn is no longer corked. */
  turn = 0;
  private readonly corked: Corkable[] = [];
  private readonly flushBound = () => this.flush();

  /** Corks `ws`'s socket until the end of this turn; false when ws does not expose it. */
  hold(ws: WebSocket): boolean {
    const s = socketOf(ws);
    if (!s) return false;
    s.cork();
    if (this.corked.push(s) === 1) process.nextTick(this.flushBound);
    return true;
  }

  /** Uncorks every socket held in this turn. */
  flush(): void {
    this.turn++;
    const list = this.corked.splice(0);
    for (const s of list) s.uncork();
  }
}
