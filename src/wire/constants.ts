/**
 * @module wire/constants
 * Numbers and names of the shardwire wire format (docs/RELAY.md), shared by the relay, the
 * client SDK and the coordinator SDK. Changing any of them is a new {@link PROTOCOL_VERSION}.
 */

/** Version byte of every frame; a peer speaking another version is refused with E_BAD_FRAME. */
export const PROTOCOL_VERSION = 1;

/** `u8 version | u8 kind | u32 headerLength` (big-endian), before the JSON header. */
export const FRAME_PREFIX_BYTES = 6;

/** Largest accepted header (UTF-8 JSON). Headers are a few hundred bytes; 4 KiB leaves room for memos. */
export const MAX_HEADER_BYTES = 4096;

/**
 * What a frame is, by its second byte.
 * - `control` (1): between a peer and the relay (challenge, auth, welcome, presence, error, ...);
 *   payload is UTF-8 JSON the relay reads.
 * - `message` (2): peer to peer (or broadcast) envelope; the payload is opaque to the relay
 *   (an AEAD ciphertext whose associated data is the header, docs/RELAY.md).
 */
export const FrameKind = { control: 1, message: 2 } as const;
/** A frame kind number. */
export type FrameKind = (typeof FrameKind)[keyof typeof FrameKind];
/** All valid frame kind numbers. */
export const FRAME_KINDS: readonly FrameKind[] = [FrameKind.control, FrameKind.message];

/** The relay's own party id: `from` of relay control frames, `to` of peer control frames. */
export const RELAY_ID = 'relay';
/** `to` value of a message broadcast to every other online member of the session. */
export const BROADCAST = '*';

/** Longest session id, party id or memo, in characters. */
export const MAX_ID_CHARS = 128;
/** Longest message `type`, in characters. */
export const MAX_TYPE_CHARS = 64;
/** Session ids, party ids and memos: printable, URL- and log-safe, no spaces (checked with this). */
export const ID_PATTERN = /^[A-Za-z0-9._:@-]{1,128}$/;
/** Message types: lower-case dotted names such as `round.recover` or `key-bundle`. */
export const TYPE_PATTERN = /^[a-z][a-z0-9._-]{0,63}$/;

/**
 * Types of `control` frames.
 * relay → peer: challenge, welcome, presence, error, shutdown, gap.
 * peer → relay: create (coordinator opens a session), join (member enters one), ack (inbox).
 */
export const ControlType = {
  challenge: 'challenge',
  create: 'create',
  join: 'join',
  welcome: 'welcome',
  presence: 'presence',
  error: 'error',
  shutdown: 'shutdown',
  /** peer → relay after welcome: the last inbox frame received (wire/inbox-control.ts). */
  ack: 'ack',
  /** relay → peer: inbox frames that are lost (wire/inbox-control.ts). */
  gap: 'gap',
} as const;
/** A control frame type. */
export type ControlType = (typeof ControlType)[keyof typeof ControlType];
/** Control types a peer may send to the relay. */
export const PEER_CONTROL_TYPES: readonly ControlType[] = [ControlType.create, ControlType.join, ControlType.ack];

/** Bytes of the relay's random challenge nonce. */
export const CHALLENGE_BYTES = 32;
/** Ed25519 public key and signature sizes (RFC 8032). */
export const ED25519_PUBLIC_KEY_BYTES = 32;
export const ED25519_SIGNATURE_BYTES = 64;
