/**
 * @module cli/system-errors
 * One-line explanations, with the fix, for the operating-system errors a user can cause from the
 * command line: a port in use, an address this machine does not have, a host that does not
 * resolve, a missing file or directory, a permission denied.
 */

interface SystemError {
  code?: string;
  syscall?: string;
  address?: string;
  port?: number;
  hostname?: string;
  path?: string;
}

/** The explanation of `e`, or undefined when it is not a system error we know. */
export function describeSystemError(e: unknown): string | undefined {
  if (typeof e !== 'object' || e === null) return undefined;
  const s = e as SystemError;
  const where = s.port !== undefined ? `${s.address ?? ''}:${s.port}` : (s.address ?? '');
  switch (s.code) {
    case 'EADDRINUSE':
      return `${where} is already in use; stop the process using it or choose another --port (0 picks a free one)`;
    case 'EADDRNOTAVAIL':
      return (
        `cannot listen on ${where}: this machine has no such address; ` +
        'pass --host 127.0.0.1, 0.0.0.0 or one of its addresses'
      );
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'EAI_FAIL':
      return `host ${JSON.stringify(s.hostname ?? '')} does not resolve; pass an IP address or a resolvable name`;
    case 'EACCES':
    case 'EPERM':
      if (s.syscall === 'listen' || s.syscall === 'bind') {
        return `not allowed to listen on ${where}; use a port above 1023 or run with the privilege to bind it`;
      }
      return `permission denied${s.path ? ` for ${JSON.stringify(s.path)}` : ''}; check the file's owner and mode`;
    case 'ENOENT':
      return `${s.path ? JSON.stringify(s.path) : 'a file'} does not exist; check the path`;
    case 'EISDIR':
      return `${s.path ? JSON.stringify(s.path) : 'the path'} is a directory; pass a file name`;
    default:
      return undefined;
  }
}
