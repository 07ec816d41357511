/**
 * @module cli/key-flag
 * Public keys on the command line: unpadded base64url (RFC 4648 §5), the one encoding shardwire
 * uses in JSON and on the command line. Text in the standard alphabet is refused with a message
 * that shows how to convert it, not silently accepted, so one key has exactly one text form.
 */
import { fromBase64url } from '../wire/base64url.ts';
import { usageError } from './args.ts';

/** Ed25519 public key bytes. */
const KEY_BYTES = 32;

/**
 * Decodes the value of `--<flag>` as a 32-byte Ed25519 public key.
 * @throws {ShardwireError} E_BAD_ARGUMENT (usage) naming the flag and the expected encoding.
 * @example publicKeyFlag('0OZ…', 'allow-coordinator')
 */
export function publicKeyFlag(text: string, flag: string): Uint8Array {
  const bytes = fromBase64url(text);
  if (bytes !== undefined && bytes.length === KEY_BYTES) return bytes;
  const shown = JSON.stringify(text.length > 60 ? `${text.slice(0, 60)}…` : text);
  if (/^[A-Za-z0-9+/]+={0,2}$/.test(text) && /[+/=]/.test(text)) {
    const converted = text.replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
    throw usageError(
      `--${flag} expected unpadded base64url (RFC 4648 §5), got standard base64 ${shown}; use ${converted}`,
      { flag },
    );
  }
  const what = bytes === undefined ? 'not base64url' : `${bytes.length} bytes`;
  throw usageError(
    `--${flag} expected a 32-byte Ed25519 public key in unpadded base64url (as \`shardwire keygen\` prints it), ` +
      `got ${shown} (${what})`,
    { flag },
  );
}
