/**
 * @module cli/keygen
 * `shardwire keygen [--out FILE] [--force] [--json]`: creates a long-term Ed25519 identity file
 * (mode 0600) and prints its public id and key (unpadded base64url, which
 * `shardwire relay --allow-coordinator` takes as is). The secret key is written to the file only.
 */
import { Identity, publicKeyToBase64url } from '../crypto/identity.ts';
import { saveIdentity } from '../crypto/identity-file.ts';
import { parseFlags, usageError } from './args.ts';

export const summary = 'create a long-term identity file (Ed25519) and print its public id and key';

/** Default identity file name, in the current directory. */
export const DEFAULT_IDENTITY_FILE = 'shardwire-identity.json';

export const usage = `usage: shardwire keygen [--out FILE] [--force] [--json]
  --out FILE   where to write the identity (default ./${DEFAULT_IDENTITY_FILE}); created with mode 0600
  --force      replace FILE if it exists (the old identity is lost)
  --json       print {"id","publicKey","file"} as one JSON line instead of text
The public key is unpadded base64url: pass it as is to \`shardwire relay --allow-coordinator\`.`;

export async function run(argv: string[]): Promise<number> {
  const { values } = parseFlags(argv, {
    out: { type: 'string' },
    force: { type: 'boolean' },
    json: { type: 'boolean' },
  });
  const file = (values.out as string | undefined) ?? DEFAULT_IDENTITY_FILE;
  if (file.length === 0) throw usageError('--out expected a file name, got ""', { flag: 'out' });
  const identity = await Identity.generate();
  try {
    await saveIdentity(identity, file, { force: values.force === true });
    const publicKey = publicKeyToBase64url(identity.publicKey);
    if (values.json === true) console.log(JSON.stringify({ id: identity.id, publicKey, file }));
    else console.log(`wrote ${file} (mode 600; keep it secret)\nid:         ${identity.id}\npublic key: ${publicKey}`);
    return 0;
  } finally {
    identity.zeroise();
  }
}
