/**
 * @module relay/logger
 * JSON-lines logger with levels. Callers pass envelope metadata only (ids, sizes, codes): never
 * payload bytes, keys, signatures or nonces (docs/PROTOCOL.md §1, the relay sees envelopes only).
 */

/** Log levels, most severe first. `silent` logs nothing. */
export const LOG_LEVELS = ['silent', 'error', 'warn', 'info', 'debug'] as const;
/** A log level. */
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Structured logger; each call writes one JSON line `{ t, level, msg, ...fields }`. */
export interface Logger {
  error(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  debug(msg: string, fields?: Record<string, unknown>): void;
}

/** Creates a logger writing lines at or above `level` to `write` (default: stdout). */
export function createLogger(level: LogLevel = 'info', write: (line: string) => void = (l) => process.stdout.write(l)): Logger {
  const rank = LOG_LEVELS.indexOf(level);
  const emit = (lvl: Exclude<LogLevel, 'silent'>) => (msg: string, fields: Record<string, unknown> = {}) => {
    if (LOG_LEVELS.indexOf(lvl) > rank) return;
    try {
      write(JSON.stringify({ t: new Date().toISOString(), level: lvl, msg, ...fields }) + '\n');
    } catch {
      // A logger must never take the relay down (EPIPE on a closed stdout, a cyclic field).
    }
  };
  return { error: emit('error'), warn: emit('warn'), info: emit('info'), debug: emit('debug') };
}
