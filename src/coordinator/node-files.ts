/**
 * @module coordinator/node-files
 * The Node file-system modules the coordinator's state file and audit log use, looked up at run
 * time (`process.getBuiltinModule`, Node ≥ 20.16) rather than imported: the coordinator stays in
 * the browser bundle, where `statePath` / `auditLogPath` are refused with E_UNSUPPORTED (and the
 * client's `ledgerPath` likewise). Also the two file operations both state files need: read a file
 * that may not exist yet, and replace a file atomically.
 */
import { ShardwireError } from '../errors.ts';

type Fs = typeof import('node:fs/promises');
type Path = typeof import('node:path');

function builtin<T>(id: string, what: string): T {
  const get = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process?.getBuiltinModule;
  if (typeof get !== 'function') throw new ShardwireError('E_UNSUPPORTED', `${what} needs Node.js 20.16 or later (file system access); not available here`, { field: what });
  return get(id) as T;
}

/** node:fs/promises, or E_UNSUPPORTED outside Node. */
export function nodeFs(what: string): Fs {
  return builtin<Fs>('node:fs/promises', what);
}

/** node:path, or E_UNSUPPORTED outside Node. */
export function nodePath(what: string): Path {
  return builtin<Path>('node:path', what);
}

/**
 * Runs a file operation for the setting `field`; a system error (missing directory, permission
 * denied, disk full…) becomes E_BAD_ARGUMENT naming the setting, the path and the system's reason.
 */
export async function onFile<T>(field: string, path: string, op: () => Promise<T>): Promise<T> {
  try {
    return await op();
  } catch (e) {
    const code = (e as { code?: unknown }).code;
    if (e instanceof ShardwireError || typeof code !== 'string') throw e;
    throw new ShardwireError('E_BAD_ARGUMENT', `"${field}" ${path}: ${code} (${(e as Error).message.split(',')[0]}); check that the directory exists and is writable`, { field, code });
  }
}

/**
 * The text of `path`, or undefined when there is no such file (then its directory must be
 * writable, or the first save would fail later). `field` names the setting in errors.
 * @throws {ShardwireError} E_BAD_ARGUMENT for an unusable directory; E_BAD_STATE for a file that cannot be read.
 */
export async function readFileIfAny(field: string, path: string): Promise<string | undefined> {
  try {
    return await nodeFs(field).readFile(path, 'utf8');
  } catch (e) {
    if (e instanceof ShardwireError) throw e;
    if ((e as { code?: unknown }).code === 'ENOENT') {
      const dir = nodePath(field).dirname(path);
      await onFile(field, dir, () => nodeFs(field).access(dir, 2 /* W_OK */));
      return undefined;
    }
    throw new ShardwireError('E_BAD_STATE', `cannot read ${path} ("${field}"): ${(e as Error).message}`, { path, field });
  }
}

/**
 * Replaces `path` with `text` atomically: a temporary file (mode 0600), fsynced, renamed over the
 * old one, the directory fsynced — a crash leaves the old file or the new one, never a mix.
 */
export async function writeFileAtomic(field: string, path: string, text: string): Promise<void> {
  const fs = nodeFs(field);
  const tmp = `${path}.${process.pid}.tmp`;
  const fh = await onFile(field, tmp, () => fs.open(tmp, 'w', 0o600));
  try {
    await fh.writeFile(text);
    await fh.sync();
  } finally {
    await fh.close();
  }
  try {
    await fs.rename(tmp, path);
  } catch (e) {
    await fs.unlink(tmp).catch(() => undefined);
    throw e;
  }
  const dir = await fs.open(nodePath(field).dirname(path), 'r');
  try {
    await dir.sync();
  } finally {
    await dir.close();
  }
}
