/**
 * @module agent/request-fields
 * Validators for the fields of the agent's JSON requests. Unknown keys are refused (a typo must
 * not fall back to a default), public keys are the unpadded base64url that `shardwire keygen`
 * prints, and every message names the field, what was expected and what came.
 */
import { ShardwireError } from '../errors.ts';
import { fromBase64url } from '../wire/base64url.ts';
import { aint, describe } from '../guards.ts';

/** Refuses keys of `o` outside `known`. */
export function onlyKeys(o: Record<string, unknown>, title: string, known: readonly string[]): void {
  for (const k of Object.keys(o)) {
    if (!known.includes(k)) {
      throw new ShardwireError(
        'E_BAD_ARGUMENT',
        `"${title}" has an unknown field ${JSON.stringify(k.slice(0, 40))} (known: ${known.join(', ')})`,
        { field: k.slice(0, 40) },
      );
    }
  }
}

/** A non-empty string field. */
export function astring(v: unknown, title: string, max = 4096): string {
  if (typeof v !== 'string' || v.length === 0 || v.length > max) {
    throw new ShardwireError(
      'E_BAD_ARGUMENT',
      `"${title}" expected a non-empty string of at most ${max} characters, got ${describe(v)}`,
      { field: title },
    );
  }
  return v;
}

/** A ws:// or wss:// URL. */
export function arelayUrl(v: unknown, title = 'relayUrl'): string {
  const s = astring(v, title);
  if (!/^wss?:\/\/[^\s]+$/.test(s))
    throw new ShardwireError('E_BAD_ARGUMENT', `"${title}" expected a ws:// or wss:// URL, got ${describe(s)}`, {
      field: title,
    });
  return s;
}

/** An optional integer field in [min, max]. */
export function aoptInt(v: unknown, title: string, min: number, max: number): number | undefined {
  return v === undefined ? undefined : aint(v, title, min, max);
}

/**
 * A 32-byte Ed25519 public key in unpadded base64url (what `shardwire keygen` and `pubkey` print,
 * the one text form shardwire uses); standard base64 is refused with the converted text.
 * @throws {ShardwireError} E_BAD_ARGUMENT
 * @example apublicKey('oRZEfg0F6iW_YsukJwQPNCekpQrre16onh2uD9tHfhQ', 'coordinator.publicKey')
 */
export function apublicKey(v: unknown, title: string): Uint8Array {
  const bytes = typeof v === 'string' ? fromBase64url(v) : undefined;
  if (bytes !== undefined && bytes.length === 32) return bytes;
  const standard = typeof v === 'string' && /^[A-Za-z0-9+/]+={0,2}$/.test(v) && /[+/=]/.test(v);
  throw new ShardwireError(
    'E_BAD_ARGUMENT',
    standard
      ? `"${title}" expected unpadded base64url, got standard base64; use ` +
          `${JSON.stringify((v as string).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, ''))}`
      : `"${title}" expected a 32-byte Ed25519 public key in unpadded base64url (as \`shardwire keygen\` ` +
          `prints it), got ${describe(v)}`,
    { field: title },
  );
}

/** A plain object field. */
export function aobjectField(v: unknown, title: string): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) {
    throw new ShardwireError('E_BAD_ARGUMENT', `"${title}" expected a JSON object, got ${describe(v)}`, {
      field: title,
    });
  }
  return v as Record<string, unknown>;
}

/** A public identity `{ id, publicKey }`. */
export function apeer(v: unknown, title: string): { id: string; publicKey: Uint8Array } {
  const o = aobjectField(v, title);
  onlyKeys(o, title, ['id', 'publicKey']);
  return { id: astring(o.id, `${title}.id`, 128), publicKey: apublicKey(o.publicKey, `${title}.publicKey`) };
}
