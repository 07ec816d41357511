/**
 * @module session/partial-stream
 * A partial on the wire as a stream of sealed chunks (docs/PROTOCOL.md §5 "Streamed partials").
 *
 * The plaintext (the raw little-endian ring elements, `totalBytes` long) is cut into chunks of
 * `chunkBytes` (the last one shorter); chunk i travels as its own `partial` message, sealed to
 * the coordinator with associated data = the frame header (session, sender, recipient, memo, seq)
 * ‖ {@link chunkAad}(i, total, totalBytes, chunkBytes). The coordinator computes that associated
 * data from what it expects next (it never reads an index from the wire), so a chunk dropped,
 * reordered, duplicated, spliced from another partial or another round fails to open; the
 * header's sequence number refuses duplicates and reordering before that.
 *
 * Flow control is by credit: the sender sends chunk i only once the coordinator has granted
 * chunks up to i (`partial.credit`, upTo exclusive). The coordinator grants no more than the
 * relay can queue towards it, so the relay never drops a chunk for backpressure; the sender also
 * waits while its own socket holds more than two chunks unsent.
 */
import { ShardwireError, type ErrorCode } from '../errors.ts';
import { parseMemo } from './round-messages.ts';

/** Header `type` of the coordinator's upload credit. */
export const PARTIAL_CREDIT = 'partial.credit';

/** Largest chunk payload (plaintext bytes) a sender uses, below every relay limit by default. */
export const MAX_CHUNK_BYTES = 1 << 20;

/**
 * Room left in a frame for what is not chunk plaintext: the frame header (≤ 1 KiB of canonical
 * JSON with ids of ≤ 128 characters) and the AEAD's nonce and tag.
 */
export const CHUNK_OVERHEAD = 2048;

const AAD_TAG = new TextEncoder().encode('shardwire/chunk1'); // 16 bytes

/**
 * The associated data a chunk adds to its frame header: a 16-byte tag, then index, total,
 * totalBytes (high and low 32 bits) and chunkBytes as big-endian u32.
 */
export function chunkAad(index: number, total: number, totalBytes: number, chunkBytes: number): Uint8Array {
  const out = new Uint8Array(AAD_TAG.length + 20);
  out.set(AAD_TAG);
  const v = new DataView(out.buffer, AAD_TAG.length);
  v.setUint32(0, index);
  v.setUint32(4, total);
  v.setUint32(8, Math.floor(totalBytes / 2 ** 32));
  v.setUint32(12, totalBytes >>> 0);
  v.setUint32(16, chunkBytes);
  return out;
}

/**
 * The chunk size for a relay that accepts payloads of `maxPayloadBytes`: ≤ 1 MiB, a multiple of
 * 8 (whole ring elements of either width) and small enough that a sealed chunk always fits.
 * @throws {ShardwireError} E_FRAME_TOO_LARGE when the relay's limit leaves no room for 8 bytes.
 */
export function chunkBytesFor(maxPayloadBytes: number): number {
  const room = Math.min(MAX_CHUNK_BYTES, maxPayloadBytes - CHUNK_OVERHEAD);
  const bytes = room - (room % 8);
  if (!(bytes >= 8)) {
    throw new ShardwireError('E_FRAME_TOO_LARGE', `the relay accepts payloads of ${maxPayloadBytes} bytes, too few for one chunk of a partial (${CHUNK_OVERHEAD + 8} needed)`, { maxPayloadBytes });
  }
  return bytes;
}

/** How many chunks a partial of `totalBytes` has (at least one, for an empty partial). */
export function chunkCount(totalBytes: number, chunkBytes: number): number {
  return Math.max(1, Math.ceil(totalBytes / chunkBytes));
}

/** A parsed `partial.credit`. */
export interface PartialCredit {
  readonly memo: string;
  /** Chunks [0, upTo) may be sent. */
  readonly upTo: number;
}

/** Validates a `partial.credit` body. */
export function parsePartialCredit(o: Record<string, unknown>): PartialCredit {
  const upTo = o.upTo;
  if (typeof upTo !== 'number' || !Number.isSafeInteger(upTo) || upTo < 1 || upTo > 2 ** 32) {
    throw new ShardwireError('E_BAD_PAYLOAD', `${PARTIAL_CREDIT}: "upTo" expected an integer in [1, 2^32]`);
  }
  return { memo: parseMemo(PARTIAL_CREDIT, o.memo), upTo };
}

/** Codes that mean a partial did not reach the coordinator (while it is being sent). */
export const DELIVERY_CAUSES: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  'E_TIMEOUT', 'E_LINK_LOST', 'E_FRAME_TOO_LARGE', 'E_BACKPRESSURE', 'E_RATE_LIMITED', 'E_NOT_IN_SESSION', 'E_SESSION_EXPIRED', 'E_SHUTTING_DOWN',
]);

/** What a {@link PartialSender} needs from the participant's link. */
export interface ChunkLink {
  /** Seals `body` to the coordinator as a `partial` message of `memo`, binding `extraAad` too. */
  send(body: Uint8Array, extraAad: Uint8Array): Promise<void>;
  /** Bytes the socket has not sent yet. */
  bufferedAmount(): number;
}

/**
 * Sends one partial as credited chunks. {@link PartialSender.fail} (link closed, relay refusal,
 * round stopped) makes {@link PartialSender.run} reject with E_UNDELIVERED naming the cause.
 */
export class PartialSender {
  readonly total: number;
  /** Milliseconds {@link run} spent waiting for credit or for the socket to drain. */
  waitedMs = 0;
  #credit = 0;
  #wake: (() => void) | undefined;
  #failure: ShardwireError | undefined;

  constructor(
    readonly memo: string,
    readonly bytes: Uint8Array,
    readonly chunkBytes: number,
    private readonly link: ChunkLink,
  ) {
    this.total = chunkCount(bytes.length, chunkBytes);
  }

  /** The coordinator granted chunks [0, upTo). Credits never shrink. */
  credit(upTo: number): void {
    if (upTo > this.#credit) this.#credit = Math.min(upTo, this.total);
    this.#wake?.();
  }

  /**
   * Stops the upload. {@link run} rejects with E_UNDELIVERED naming `cause` when it is a delivery
   * failure (link closed, a relay refusal, no credit: {@link DELIVERY_CAUSES}), else with `cause`
   * itself (the round ended: E_DROPPED, the coordinator's abort, the caller's E_ABORTED).
   */
  fail(cause: ShardwireError): void {
    if (this.#failure) return;
    this.#failure = cause.code !== 'E_UNDELIVERED' && DELIVERY_CAUSES.has(cause.code) ? new ShardwireError('E_UNDELIVERED', `round ${this.memo}: the partial was not delivered: ${cause.message}`, { ...cause.details, memo: this.memo, cause: cause.code }) : cause;
    this.#wake?.();
  }

  /**
   * Sends every chunk as credit allows; resolves when the last one was handed to the socket.
   * @throws {ShardwireError} E_UNDELIVERED (details.cause: the relay's or link's code) after
   *   {@link fail}, or E_TIMEOUT when no credit arrives within `stallMs`.
   */
  async run(stallMs: number): Promise<void> {
    const drainAbove = 2 * this.chunkBytes;
    for (let i = 0; i < this.total; i++) {
      while (!this.#failure && (i >= this.#credit || this.link.bufferedAmount() > drainAbove)) {
        const waitingForCredit = i >= this.#credit;
        const t0 = performance.now();
        const woke = await new Promise<boolean>((resolve) => {
          const timer = setTimeout(() => resolve(false), waitingForCredit ? stallMs : 2);
          this.#wake = () => {
            clearTimeout(timer);
            resolve(true);
          };
        });
        this.#wake = undefined;
        this.waitedMs += performance.now() - t0;
        if (!woke && waitingForCredit && i >= this.#credit) {
          this.fail(new ShardwireError('E_TIMEOUT', `no upload credit for chunk ${i} of ${this.total} within ${stallMs} ms`));
        }
      }
      if (this.#failure) throw this.#failure;
      const start = i * this.chunkBytes;
      const body = this.bytes.subarray(start, Math.min(start + this.chunkBytes, this.bytes.length));
      try {
        await this.link.send(body, chunkAad(i, this.total, this.bytes.length, this.chunkBytes));
      } catch (e) {
        this.fail(e instanceof ShardwireError ? e : new ShardwireError('E_TIMEOUT', `sending chunk ${i} failed: ${String(e)}`));
      }
    }
    if (this.#failure) throw this.#failure;
  }
}
