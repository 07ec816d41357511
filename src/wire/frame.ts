/**
 * @module wire/frame
 * The binary frame of docs/RELAY.md: `u8 version | u8 kind | u32 headerLength (big-endian) |
 * header (UTF-8 JSON) | payload`. One codec for relay, client and coordinator.
 */
import { ShardwireError } from '../errors.ts';
import { FRAME_PREFIX_BYTES, FrameKind, MAX_HEADER_BYTES, PROTOCOL_VERSION } from './constants.ts';
import { canonicalHeaderJson, validateHeader, type Header } from './header.ts';
import { scanCanonicalHeader } from './header-scan.ts';

/** A decoded frame. `headerBytes` and `payload` are views into the input (no copy). */
export interface Frame {
  readonly version: number;
  readonly kind: FrameKind;
  readonly header: Header;
  /** The header exactly as received: use it as AEAD associated data. */
  readonly headerBytes: Uint8Array;
  /** `headerBytes` as text. */
  readonly headerJson: string;
  readonly payload: Uint8Array;
  /** True when `headerBytes` are exactly the canonical encoding of `header` (header.ts). */
  readonly canonical: boolean;
}

const utf8 = new TextEncoder();
// fatal: invalid UTF-8 is an error, never silently replaced (U+FFFD would change the AD).
const utf8Strict = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const EMPTY = new Uint8Array(0);

function badFrame(message: string, details: Record<string, unknown> = {}): never {
  throw new ShardwireError('E_BAD_FRAME', message, details);
}

/**
 * Encodes a frame with the canonical header JSON.
 *
 * @throws {ShardwireError} E_BAD_FRAME if the header is invalid for `kind` or longer than
 *   {@link MAX_HEADER_BYTES}.
 * @example encodeFrame(FrameKind.message, { session: 's1', from: '', to: 'coord', type: 'partial', seq: 7 }, ciphertext)
 */
export function encodeFrame(kind: FrameKind, header: Header, payload: Uint8Array = EMPTY): Uint8Array {
  const h = validateHeader(header, kind);
  return encodeFrameUnchecked(kind, h, payload);
}

/** {@link encodeFrame} without header validation, for headers that came out of {@link decodeFrame}. */
export function encodeFrameUnchecked(kind: FrameKind, header: Header, payload: Uint8Array = EMPTY): Uint8Array {
  const json = utf8.encode(canonicalHeaderJson(header));
  if (json.length > MAX_HEADER_BYTES) badFrame(`header is ${json.length} bytes, the limit is ${MAX_HEADER_BYTES}`, { headerBytes: json.length, max: MAX_HEADER_BYTES });
  const out = new Uint8Array(FRAME_PREFIX_BYTES + json.length + payload.length);
  out[0] = PROTOCOL_VERSION;
  out[1] = kind;
  new DataView(out.buffer, out.byteOffset, 6).setUint32(2, json.length, false);
  out.set(json, FRAME_PREFIX_BYTES);
  out.set(payload, FRAME_PREFIX_BYTES + json.length);
  return out;
}

/**
 * Decodes and validates a frame. Never reads past `bytes`; every failure names what was wrong.
 *
 * @throws {ShardwireError} E_BAD_FRAME for a short frame, unknown version or kind, a header
 *   length past the frame or above {@link MAX_HEADER_BYTES}, invalid UTF-8 or JSON in the header,
 *   or a header field that fails {@link validateHeader}.
 */
export function decodeFrame(bytes: Uint8Array): Frame {
  if (!(bytes instanceof Uint8Array)) badFrame('expected a binary frame');
  if (bytes.length < FRAME_PREFIX_BYTES) badFrame(`frame is ${bytes.length} bytes, shorter than the ${FRAME_PREFIX_BYTES}-byte prefix`, { frameBytes: bytes.length });
  const version = bytes[0]!;
  if (version !== PROTOCOL_VERSION) badFrame(`unsupported protocol version ${version} (this side speaks ${PROTOCOL_VERSION})`, { version });
  const kind = bytes[1]! as FrameKind;
  if (kind !== FrameKind.control && kind !== FrameKind.message) badFrame(`unknown frame kind ${kind} (known: ${FrameKind.control}, ${FrameKind.message})`, { kind });
  // Big-endian u32 without a DataView per frame.
  const headerLength = ((bytes[2]! << 24) >>> 0) + ((bytes[3]! << 16) | (bytes[4]! << 8) | bytes[5]!);
  if (headerLength > MAX_HEADER_BYTES) badFrame(`header length ${headerLength} exceeds the limit of ${MAX_HEADER_BYTES} bytes`, { headerLength, max: MAX_HEADER_BYTES });
  if (headerLength > bytes.length - FRAME_PREFIX_BYTES) {
    badFrame(`header length ${headerLength} runs past the end of the ${bytes.length}-byte frame`, { headerLength, frameBytes: bytes.length });
  }
  const headerBytes = bytes.subarray(FRAME_PREFIX_BYTES, FRAME_PREFIX_BYTES + headerLength);
  let text: string;
  try {
    text = utf8Strict.decode(headerBytes);
  } catch {
    badFrame('header is not valid UTF-8');
  }
  const payload = bytes.subarray(FRAME_PREFIX_BYTES + headerLength);
  // Fast path: canonical headers (what every encoder writes) are validated by one scan.
  const scanned = scanCanonicalHeader(text, kind === FrameKind.control);
  if (scanned) return { version, kind, header: scanned, headerBytes, headerJson: text, payload, canonical: true };
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    badFrame('header is not valid JSON');
  }
  const header = validateHeader(raw, kind);
  return { version, kind, header, headerBytes, headerJson: text, payload, canonical: text === canonicalHeaderJson(header) };
}

/** True when the decoded frame's header is exactly the canonical encoding of its fields. */
export function isCanonicalHeader(frame: Pick<Frame, 'header' | 'headerJson'> & { readonly canonical?: boolean }): boolean {
  return frame.canonical ?? frame.headerJson === canonicalHeaderJson(frame.header);
}
