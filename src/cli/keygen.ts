/**
 * @module cli/keygen
 * `shardwire keygen [--out FILE] [--force] [--json]`: creates a long-term Ed25519 identity file
 * (mode 0600) and prints its public id and key. The secret key is written to the file only.
 */
import { parseArgs } from 'node:util';
import { ShardwireError } from '../errors.ts';
import { Identity, publicKeyToBase64 } from '../crypto/identity.ts';
import { saveIdentity } from '../crypto/identity-file.ts';

export const summary = 'create a long-term identity file (Ed25519) and print its public id and key';

/** Default identity file name, in the current directory. */
export const DEFAULT_IDENTITY_FILE = 'shardwire-identity.json';

const USAGE = `usage: shardwire keygen [--out FILE] [--force] [--json]
  --out FILE   where to write the identity (default ./${DEFAULT_IDENTITY_FILE}); created with mode 0600
  --force      replace FILE if it exists (the old identity is lost)
  --json       print {"id","publicKey","file"} as one JSON line instead of text`;

export async function run(argv: string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: { out: { type: 'string' }, force: { type: 'boolean' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
      strict: true,
      allowPositionals: false,
    }));
  } catch (e) {
    console.error(`shardwire keygen: ${(e as Error).message}\n${USAGE}`);
    return 2;
  }
  if (values.help === true) {
    console.log(USAGE);
    return 0;
  }
  const file = values.out ?? DEFAULT_IDENTITY_FILE;
  if (file.length === 0) throw new ShardwireError('E_BAD_ARGUMENT', '"--out" expected a file name, got an empty string', { field: 'out' });
  const identity = await Identity.generate();
  try {
    await saveIdentity(identity, file, { force: values.force === true });
    const publicKey = await publicKeyToBase64(identity.publicKey);
    if (values.json === true) console.log(JSON.stringify({ id: identity.id, publicKey, file }));
    else console.log(`wrote ${file} (mode 600; keep it secret)\nid:         ${identity.id}\npublic key: ${publicKey}`);
    return 0;
  } finally {
    identity.zeroise();
  }
}
