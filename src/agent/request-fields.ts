/**
 * @module agent/request-fields
 * Validators for the fields of the agent's JSON requests. Unknown keys are refused (a typo must
 * not fall back to a default), public keys are the padded standard base64 that `shardwire keygen`
 * prints, and every message names the field, what was expected and what came.
 */
import { ShardwireError } from '../errors.ts';
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

const BASE64_32 = /^[A-Za-z0-9+/]{43}=$/;

/**
 * A 32-byte Ed25519 public key in padded standard base64 (what `shardwire keygen` prints).
 * @throws {ShardwireError} E_BAD_ARGUMENT
 * @example apublicKey('oRZEfg0F6iW/YsukJwQPNCekpQrre16onh2uD9tHfhQ=', 'coordinator.publicKey')
 */
export function apublicKey(v: unknown, title: string): Uint8Array {
  if (typeof v !== 'string' || !BASE64_32.test(v)) {
    throw new ShardwireError(
      'E_BAD_ARGUMENT',
      `"${title}" expected a 32-byte Ed25519 public key in base64 (44 characters, as \`shardwire keygen\` ` +
        `prints it), got ${describe(v)}`,
      { field: title },
    );
  }
  return new Uint8Array(Buffer.from(v, 'base64'));
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
