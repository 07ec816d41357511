/**
 * @module agent/token
 * The agent's bearer token: 32 random bytes from the platform CSPRNG (base64url), written to a
 * file only its owner can read (mode 0600, replaced atomically), and compared in constant time.
 * Whoever can read the file may drive the agent; nobody else can.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { constants } from 'node:fs';
import { mkdtemp, open, rename, rm, unlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';

/** Random bytes in a token (256 bits). */
export const TOKEN_BYTES = 32;
/** Mode of the token file: owner read/write only. */
export const TOKEN_FILE_MODE = 0o600;

/** A fresh token (base64url, 43 characters). */
export function newToken(): string {
  return randomBytes(TOKEN_BYTES).toString('base64url');
}

/**
 * Writes `token` to `path` with mode 0600: a sibling is created exclusively and renamed over
 * `path`, so a stale token file (from an agent that crashed) is replaced, a symlink at `path` is
 * replaced rather than followed, and a reader never sees a half-written file.
 * @throws Node's file-system errors (ENOENT for a missing directory, EACCES).
 * @example await writeTokenFile('/run/user/1000/shardwire/agent.token', newToken())
 */
export async function writeTokenFile(path: string, token: string): Promise<void> {
  const tmp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  const fh = await open(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, TOKEN_FILE_MODE);
  try {
    await fh.writeFile(`${token}\n`);
    await fh.chmod(TOKEN_FILE_MODE); // a umask cannot widen it, but be explicit
  } finally {
    await fh.close();
  }
  try {
    await rename(tmp, path);
  } catch (e) {
    await unlink(tmp).catch(() => undefined);
    throw e;
  }
}

/**
 * A token file in a fresh private directory (mode 0700) under the system temp dir, and a
 * function that removes both.
 * @example const { path, remove } = await privateTokenPath()
 */
export async function privateTokenPath(): Promise<{ path: string; remove(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'shardwire-agent-'));
  return { path: join(dir, 'agent.token'), remove: () => rm(dir, { recursive: true, force: true }) };
}

const BEARER = /^Bearer ([A-Za-z0-9_-]{1,256})$/;

/**
 * True when the Authorization header carries `token`. Both sides are hashed to 32 bytes first:
 * `timingSafeEqual` needs equal lengths, and the hash keeps the time independent of where a
 * wrong guess first differs and of its length.
 * @example tokenMatches(req.headers.authorization, token)
 */
export function tokenMatches(authorization: string | undefined, token: string): boolean {
  const m = BEARER.exec(authorization ?? '');
  const got = createHash('sha256')
    .update(m ? m[1] : '')
    .digest();
  const want = createHash('sha256').update(token).digest();
  return timingSafeEqual(got, want) && m !== null;
}
