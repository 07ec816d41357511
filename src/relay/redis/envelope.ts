/**
 * @module relay/redis/envelope
 * Binary form of a {@link BackplaneEvent} on a Redis channel: `u8 type (1 frame, 2 close) |
 * u8 len + to | u8 len + exclude | u8 len + from-or-code | u8 len + seq (decimal, may be empty) |
 * body` where body is the frame bytes or the close message (UTF-8). The inbox scripts fill in
 * the seq part inside Redis (scripts.ts `with_seq`), which is why it sits after a fixed head.
 * Ids are ASCII of at most 128 characters (ID_PATTERN). A message
 * that does not decode is dropped and counted by the backplane, never thrown at a handler.
 */
import type { ErrorCode } from '../../errors.ts';
import type { BackplaneEvent } from '../backplane.ts';

const FRAME = 1;
const CLOSE = 2;
/** Several envelopes for one channel (scripts.ts UNICAST): u32 count, then u32 length + envelope each. */
const BATCH = 3;
const utf8 = new TextEncoder();
const text = new TextDecoder();

function ascii(s: string): Uint8Array {
  const b = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) b[i] = s.charCodeAt(i) & 0x7f;
  return b;
}

/** Bytes before the seq part of an envelope (see scripts.ts `with_seq`). */
export function envelopeHeadLength(e: BackplaneEvent): number {
  return 4 + e.to.length + (e.exclude ?? '').length + (e.type === 'frame' ? e.from : e.code).length;
}

/** Encodes an event (without its session: the channel names it), with an empty seq part. */
export function encodeEnvelope(e: BackplaneEvent): Buffer {
  const to = ascii(e.to);
  const exclude = ascii(e.exclude ?? '');
  const third = ascii(e.type === 'frame' ? e.from : e.code);
  const body = e.type === 'frame' ? e.frame : utf8.encode(e.message);
  const out = Buffer.allocUnsafe(5 + to.length + exclude.length + third.length + body.length);
  let o = 0;
  out[o++] = e.type === 'frame' ? FRAME : CLOSE;
  for (const part of [to, exclude, third]) {
    out[o++] = part.length;
    out.set(part, o);
    o += part.length;
  }
  out[o++] = 0; // seq: empty
  out.set(body, o);
  return out;
}

/** Decodes an envelope of session `session`; undefined when malformed. */
export function decodeEnvelope(session: string, b: Buffer): BackplaneEvent | undefined {
  if (b.length < 5 || (b[0] !== FRAME && b[0] !== CLOSE)) return undefined;
  let o = 1;
  const parts: string[] = [];
  for (let i = 0; i < 4; i++) {
    if (o >= b.length) return undefined; // a length byte past the end: truncated
    const n = b[o++]!;
    if (o + n > b.length) return undefined;
    parts.push(b.toString('latin1', o, o + n));
    o += n;
  }
  const [to, exclude, third, seqText] = parts as [string, string, string, string];
  const ex = exclude === '' ? {} : { exclude };
  const seq = seqText === '' ? undefined : Number(seqText);
  if (seq !== undefined && !Number.isSafeInteger(seq)) return undefined;
  if (b[0] === FRAME)
    return {
      type: 'frame',
      session,
      to,
      ...ex,
      from: third,
      frame: b.subarray(o),
      ...(seq === undefined ? {} : { seq }),
    };
  return { type: 'close', session, to, ...ex, code: third as ErrorCode, message: text.decode(b.subarray(o)) };
}

/** Decodes one envelope or a batch of them; undefined when anything is malformed. */
export function decodeEnvelopes(session: string, b: Buffer): BackplaneEvent[] | undefined {
  if (b[0] !== BATCH) {
    const e = decodeEnvelope(session, b);
    return e && [e];
  }
  if (b.length < 5) return undefined;
  const count = b.readUInt32BE(1);
  const out: BackplaneEvent[] = [];
  let o = 5;
  for (let i = 0; i < count; i++) {
    if (o + 4 > b.length) return undefined;
    const n = b.readUInt32BE(o);
    o += 4;
    if (o + n > b.length) return undefined;
    const e = decodeEnvelope(session, b.subarray(o, o + n));
    if (!e) return undefined;
    out.push(e);
    o += n;
  }
  return o === b.length ? out : undefined;
}
