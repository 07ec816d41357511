/**
 * @module coordinator/node-files
 * The Node file-system modules the coordinator's state file and audit log use, looked up at run
 * time (`process.getBuiltinModule`, Node ≥ 20.16) rather than imported: the coordinator stays in
 * the browser bundle, where `statePath` / `auditLogPath` are refused with E_UNSUPPORTED.
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
