/**
 * @module crypto/identity-file
 * Node-only: saving and loading identity files (see identity.ts for the format). Kept apart so
 * that the browser client path never imports node:fs.
 *
 * Files are created with mode 0600 and replaced atomically (write a sibling, then rename), so a
 * crash never leaves a half-written key and `--force` never widens an existing file's mode.
 */
import { constants } from 'node:fs';
import { open, readFile, rename, stat, unlink } from 'node:fs/promises';
import { dirname, basename, join } from 'node:path';
import { ShardwireError } from '../errors.ts';
import { getSodium } from '../sodium.ts';
import { type Identity, parseIdentity, serialiseIdentity } from './identity.ts';

/** Mode of identity files: owner read/write only. */
export const IDENTITY_FILE_MODE = 0o600;

/** Options of {@link saveIdentity}. */
export interface SaveIdentityOptions {
  /** Replace an existing file (default false: refuse with E_BAD_ARGUMENT). */
  readonly force?: boolean;
}

function errno(e: unknown): string | undefined {
  return (e as NodeJS.ErrnoException | undefined)?.code;
}

/** What an errno means for an identity file, with the fix. */
function fileProblem(code: string | undefined, path: string, writing: boolean): string {
  switch (code) {
    case 'ENOENT':
      return writing
        ? `directory ${JSON.stringify(dirname(path))} does not exist; create it first (mkdir -p) or choose another path`
        : 'no such file; create one with `shardwire keygen --out FILE` or check the path';
    case 'EACCES':
    case 'EPERM':
      if (writing) return 'permission denied; choose a directory you can write to';
      return "permission denied; check the file's owner and mode";
    case 'EISDIR':
      return 'it is a directory; pass a file name';
    case 'ENOTDIR':
      return 'a part of the path is not a directory; check the path';
    default:
      return `${code ?? 'error'}`;
  }
}

/**
 * Writes `identity` to `path` with mode 0600.
 * @throws {ShardwireError} E_BAD_ARGUMENT when `path` exists and `force` is not set, or cannot
 *   be created (missing directory, no permission); E_BAD_STATE when the identity was zeroised.
 * @example await saveIdentity(await Identity.generate(), 'me.identity.json')
 */
export async function saveIdentity(identity: Identity, path: string, options: SaveIdentityOptions = {}): Promise<void> {
  const text = new TextEncoder().encode(await serialiseIdentity(identity));
  const sodium = await getSodium();
  const tmp = join(dirname(path), `.${basename(path)}.${sodium.to_hex(sodium.randombytes_buf(6))}.tmp`);
  try {
    // O_EXCL on the final path when not forcing: refuses atomically, even against a racing writer.
    const target = options.force === true ? tmp : path;
    let fh;
    try {
      fh = await open(target, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, IDENTITY_FILE_MODE);
    } catch (e) {
      if (errno(e) === 'EEXIST') {
        throw new ShardwireError('E_BAD_ARGUMENT', `identity file ${JSON.stringify(path)} already exists; pass --force (force: true) to replace it`, { path });
      }
      const problem = fileProblem(errno(e), path, true);
      throw new ShardwireError('E_BAD_ARGUMENT', `cannot create identity file ${JSON.stringify(path)}: ${problem}`, {
        path,
        errno: errno(e),
      });
    }
    try {
      await fh.writeFile(text);
      await fh.chmod(IDENTITY_FILE_MODE); // umask cannot widen it, but be explicit
      await fh.sync();
    } finally {
      await fh.close();
    }
    if (options.force === true) await rename(tmp, path);
  } catch (e) {
    if (options.force === true) await unlink(tmp).catch(() => undefined);
    throw e;
  } finally {
    text.fill(0);
  }
}

/** Options of {@link loadIdentity}. */
export interface LoadIdentityOptions {
  /** Accept a file readable by group or others (default false on POSIX, like OpenSSH). */
  readonly allowInsecureMode?: boolean;
}

/**
 * Reads and validates an identity file.
 * @throws {ShardwireError} E_BAD_ARGUMENT when the file is missing or unreadable;
 *   E_BAD_STATE when it is malformed, inconsistent, of another version, or group/world-accessible.
 */
export async function loadIdentity(path: string, options: LoadIdentityOptions = {}): Promise<Identity> {
  let bytes: Buffer;
  try {
    if (process.platform !== 'win32' && options.allowInsecureMode !== true) {
      const { mode } = await stat(path);
      if ((mode & 0o077) !== 0) {
        throw new ShardwireError('E_BAD_STATE', `identity file ${JSON.stringify(path)} is accessible by group or others (mode ${(mode & 0o777).toString(8)}); run chmod 600 on it`, { path, mode: mode & 0o777 });
      }
    }
    bytes = await readFile(path);
  } catch (e) {
    if (e instanceof ShardwireError) throw e;
    const problem = fileProblem(errno(e), path, false);
    throw new ShardwireError('E_BAD_ARGUMENT', `cannot read identity file ${JSON.stringify(path)}: ${problem}`, {
      path,
      errno: errno(e),
    });
  }
  try {
    return await parseIdentity(bytes.toString('utf8'));
  } finally {
    bytes.fill(0);
  }
}
