/**
 * @module wire/index
 * The shardwire wire format (docs/RELAY.md): frame codec, header, control bodies, auth message.
 */
export * from './constants.ts';
export * from './header.ts';
export * from './frame.ts';
export * from './control.ts';
export * from './auth-message.ts';
export { toBase64url, fromBase64url } from './base64url.ts';
export * from './join-body.ts';
export * from './inbox-control.ts';
