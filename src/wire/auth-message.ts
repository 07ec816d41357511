/**
 * @module wire/auth-message
 * What a peer signs to authenticate to the relay. Binding the signature to the relay's fresh
 * nonce stops replay on another connection; binding it to session, id and action stops reuse in
 * another session or role; for `create` the digest of the signed body binds roster and limits,
 * so nobody can open a session in the coordinator's name with another roster.
 *
 * Layout: `"shardwire/relay-auth/v1" ‖ 0x00 ‖ u8 len ‖ action ‖ u8 len ‖ session ‖ u8 len ‖ id ‖
 * nonce (32) ‖ BLAKE2b-256(body) (32; zeros for join)`.
 */
import { getSodium } from '../sodium.ts';
import { ShardwireError } from '../errors.ts';
import { CHALLENGE_BYTES } from './constants.ts';
import { createBodyBytes, type CreateBody } from './control.ts';

/** Domain-separation prefix of relay authentication signatures. */
export const AUTH_CONTEXT = 'shardwire/relay-auth/v1';
/** Bytes of the body digest in the signed message. */
export const AUTH_DIGEST_BYTES = 32;

const utf8 = new TextEncoder();

/** BLAKE2b-256 of the signed part of a `create` body. */
export async function createBodyDigest(body: Omit<CreateBody, 'signature'>): Promise<Uint8Array> {
  const s = await getSodium();
  return s.crypto_generichash(AUTH_DIGEST_BYTES, createBodyBytes(body), null);
}

/**
 * Builds the bytes a peer signs (and the relay verifies) for `create` or `join`.
 *
 * @throws {ShardwireError} E_BAD_ARGUMENT if the nonce or digest has the wrong size or an id is
 *   longer than 255 bytes.
 * @example const msg = authMessage('join', 's1', 'alice', nonce); const sig = await sign(msg, sk)
 */
export function authMessage(action: 'create' | 'join', session: string, id: string, nonce: Uint8Array, bodyDigest: Uint8Array = new Uint8Array(AUTH_DIGEST_BYTES)): Uint8Array {
  if (nonce.length !== CHALLENGE_BYTES) throw new ShardwireError('E_BAD_ARGUMENT', `"nonce" expected ${CHALLENGE_BYTES} bytes, got ${nonce.length}`, { field: 'nonce' });
  if (bodyDigest.length !== AUTH_DIGEST_BYTES) throw new ShardwireError('E_BAD_ARGUMENT', `"bodyDigest" expected ${AUTH_DIGEST_BYTES} bytes, got ${bodyDigest.length}`, { field: 'bodyDigest' });
  const parts: Uint8Array[] = [utf8.encode(AUTH_CONTEXT), new Uint8Array([0])];
  for (const [title, s] of [['action', action], ['session', session], ['id', id]] as const) {
    const b = utf8.encode(s);
    if (b.length > 255) throw new ShardwireError('E_BAD_ARGUMENT', `"${title}" is ${b.length} bytes, at most 255 fit the auth message`, { field: title });
    parts.push(new Uint8Array([b.length]), b);
  }
  parts.push(nonce, bodyDigest);
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}
