/**
 * @module cli/pubkey
 * `shardwire pubkey [--identity FILE] [--json]`: prints the id and public key (unpadded base64url)
 * of an existing identity file, e.g. to hand a coordinator's key to the relay operator for
 * `--allow-coordinator`. Reads the secret key only to check the file, and wipes it at once.
 */
import { publicKeyToBase64url } from '../crypto/identity.ts';
import { loadIdentity } from '../crypto/identity-file.ts';
import { parseFlags, usageError } from './args.ts';
import { DEFAULT_IDENTITY_FILE } from './keygen.ts';

export const summary = 'print the id and public key of an identity file';

export const usage = `usage: shardwire pubkey [--identity FILE] [--json | --key]
  --identity FILE   the identity file (default ./${DEFAULT_IDENTITY_FILE})
  --json            print {"id","publicKey"} as one JSON line instead of text
  --key             print the public key alone (for scripts: relay --allow-coordinator "$(…)")`;

export async function run(argv: string[]): Promise<number> {
  const { values } = parseFlags(argv, {
    identity: { type: 'string' },
    json: { type: 'boolean' },
    key: { type: 'boolean' },
  });
  if (values.json === true && values.key === true) throw usageError('--json and --key exclude each other; pass one');
  const identity = await loadIdentity((values.identity as string | undefined) ?? DEFAULT_IDENTITY_FILE);
  const out = { id: identity.id, publicKey: publicKeyToBase64url(identity.publicKey) };
  identity.zeroise();
  if (values.key === true) console.log(out.publicKey);
  else console.log(values.json === true ? JSON.stringify(out) : `id:         ${out.id}\npublic key: ${out.publicKey}`);
  return 0;
}
