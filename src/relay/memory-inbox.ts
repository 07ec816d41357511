/**
 * @module relay/memory-inbox
 * In-process {@link InboxStore} for the memory backplane: one array per member, capped by count,
 * bytes and age; an inbox without a connected member expires `windowMs` after its last use.
 */
import { randomBytes } from 'node:crypto';
import { toBase64url } from '../wire/base64url.ts';
import type { InboxRequest } from '../wire/join-body.ts';
import type { InboxEntry, InboxLimits, InboxStart, InboxStore } from './inbox.ts';

interface Kept extends InboxEntry {
  readonly at: number;
}

interface Box {
  readonly epoch: string;
  readonly limits: InboxLimits;
  last: number;
  bytes: number;
  entries: Kept[];
  usedAt: number;
}

/** Inboxes of one memory backplane. */
export class MemoryInbox implements InboxStore {
  /** session → member → inbox. */
  private readonly boxes = new Map<string, Map<string, Box>>();

  constructor(private readonly now: () => number = Date.now) {}

  /** The live inbox of a member, or undefined (expired inboxes are removed here). */
  private box(session: string, member: string): Box | undefined {
    const m = this.boxes.get(session);
    const b = m?.get(member);
    if (b && this.now() - b.usedAt > b.limits.windowMs) {
      m!.delete(member);
      if (m!.size === 0) this.boxes.delete(session);
      return undefined;
    }
    return b;
  }

  private trim(b: Box): void {
    const oldest = this.now() - b.limits.windowMs;
    let drop = 0;
    while (drop < b.entries.length) {
      const e = b.entries[drop]!;
      const over = b.entries.length - drop > b.limits.maxFrames || b.bytes > b.limits.maxBytes || e.at < oldest;
      if (!over) break;
      b.bytes -= e.frame.length;
      drop++;
    }
    if (drop > 0) b.entries = b.entries.slice(drop);
  }

  async open(session: string, member: string, request: InboxRequest, limits: InboxLimits): Promise<InboxStart> {
    const b = this.box(session, member);
    if (b && request.epoch === b.epoch && request.after! <= b.last) {
      await this.ack(session, member, request.after!);
      b.usedAt = this.now();
      this.trim(b);
      const first = b.entries[0]?.seq ?? b.last + 1;
      return { epoch: b.epoch, after: Math.max(request.after!, first - 1), gap: first - 1 > request.after! };
    }
    const epoch = toBase64url(randomBytes(16));
    let m = this.boxes.get(session);
    if (!m) this.boxes.set(session, (m = new Map()));
    m.set(member, { epoch, limits, last: 0, bytes: 0, entries: [], usedAt: this.now() });
    return { epoch, after: 0, gap: request.epoch !== undefined };
  }

  /** Appends a frame for a member that has an inbox; its number, or undefined (no inbox). */
  append(session: string, member: string, frame: Uint8Array): number | undefined {
    const b = this.box(session, member);
    if (!b) return undefined;
    const seq = ++b.last;
    b.entries.push({ seq, frame, at: this.now() });
    b.bytes += frame.length;
    b.usedAt = this.now();
    this.trim(b);
    return seq;
  }

  async read(session: string, member: string, after: number, max: number): Promise<InboxEntry[]> {
    const b = this.box(session, member);
    if (!b) return [];
    this.trim(b);
    const out: InboxEntry[] = [];
    for (const e of b.entries) {
      if (e.seq <= after) continue;
      out.push(e);
      if (out.length >= max) break;
    }
    return out;
  }

  async ack(session: string, member: string, upto: number): Promise<void> {
    const b = this.box(session, member);
    if (!b) return;
    let drop = 0;
    while (drop < b.entries.length && b.entries[drop]!.seq <= upto) b.bytes -= b.entries[drop++]!.frame.length;
    if (drop > 0) b.entries = b.entries.slice(drop);
  }

  async touch(session: string, member: string): Promise<void> {
    const b = this.box(session, member);
    if (b) b.usedAt = this.now();
  }

  /** Members of `session` with a live inbox. */
  members(session: string): string[] {
    return [...(this.boxes.get(session)?.keys() ?? [])].filter((m) => this.box(session, m) !== undefined);
  }

  /** Drops every inbox of a session. */
  deleteSession(session: string): void {
    this.boxes.delete(session);
  }

  clear(): void {
    this.boxes.clear();
  }
}
