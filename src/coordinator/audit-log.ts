/**
 * @module coordinator/audit-log
 * The coordinator's append-only audit log: one JSON object a line (`ts`, `session`, `event` and a
 * few ids, memos and numbers), written in call order and synced to disk. Events: session-created,
 * session-resumed, member-joined, member-ready, member-left, round-opened, contributors, dropped,
 * recovery, epsilon-charged, released, aborted. What goes in is ids, memos, counts and ε figures:
 * never a payload, a vector, a key or a share (the writer refuses byte arrays outright).
 */
import type { FileHandle } from 'node:fs/promises';
import { ShardwireError } from '../errors.ts';
import { nodeFs, onFile } from './node-files.ts';

/** Event names the log accepts. */
export const AUDIT_EVENTS = ['session-created', 'session-resumed', 'member-joined', 'member-ready', 'member-left', 'round-opened', 'contributors', 'dropped', 'recovery', 'epsilon-charged', 'released', 'aborted'] as const;
export type AuditEvent = (typeof AUDIT_EVENTS)[number];
/** What an event may carry: strings, numbers, booleans and lists of strings. */
export type AuditFields = Record<string, string | number | boolean | readonly string[] | undefined>;

export class AuditLog {
  #chain: Promise<void> = Promise.resolve();
  #closed = false;

  private constructor(
    readonly path: string,
    private readonly fh: FileHandle,
    private readonly session: string,
  ) {}

  /** Opens (creating or appending to) the log at `path`. */
  static async open(path: string, session: string): Promise<AuditLog> {
    if (typeof path !== 'string' || path.length === 0) throw new ShardwireError('E_BAD_ARGUMENT', '"auditLogPath" expected a file path', { field: 'auditLogPath' });
    const fs = nodeFs('auditLogPath');
    return new AuditLog(path, await onFile('auditLogPath', path, () => fs.open(path, 'a', 0o600)), session);
  }

  /** Appends one event; resolves once it is on disk. */
  append(event: AuditEvent, fields: AuditFields = {}): Promise<void> {
    if (!AUDIT_EVENTS.includes(event)) throw new ShardwireError('E_BAD_ARGUMENT', `unknown audit event ${JSON.stringify(event)}`);
    for (const [k, v] of Object.entries(fields)) {
      const ok = v === undefined || typeof v === 'string' || typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v)) || (Array.isArray(v) && v.every((x) => typeof x === 'string'));
      if (!ok) throw new ShardwireError('E_BAD_ARGUMENT', `audit field ${k} must be a string, number, boolean or list of strings (no payloads)`);
    }
    const line = `${JSON.stringify({ ts: new Date().toISOString(), session: this.session, event, ...fields })}\n`;
    const run = this.#chain.then(async () => {
      if (this.#closed) return;
      await this.fh.appendFile(line);
      await this.fh.datasync();
    });
    this.#chain = run.catch(() => undefined);
    return run;
  }

  /** Waits for pending lines and closes the file. */
  async close(): Promise<void> {
    await this.#chain;
    if (this.#closed) return;
    this.#closed = true;
    await this.fh.close();
  }
}
