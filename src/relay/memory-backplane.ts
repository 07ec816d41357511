/**
 * @module relay/memory-backplane
 * In-process {@link Backplane}: one relay node, routing by map lookup. Events are delivered
 * synchronously inside `publish`, which keeps per-sender order and costs no extra copy.
 */
import type { Backplane, BackplaneEvent, BackplaneHandler, SessionRecord, Unsubscribe } from './backplane.ts';
import { MemoryInbox } from './memory-inbox.ts';
import { sessionName } from './session-key.ts';
import { RELAY_ID } from '../wire/constants.ts';

/** The embedded default backplane. Also what `backplaneConformance` is first checked against. */
export class MemoryBackplane implements Backplane {
  private readonly sessions = new Map<string, SessionRecord>();
  /** name → keys of the sessions of that name (session-key.ts). */
  private readonly byName = new Map<string, Set<string>>();
  private readonly subscribers = new Map<string, Map<string, BackplaneHandler>>();
  /** Offline inboxes of this process (memory-inbox.ts). */
  readonly inbox = new MemoryInbox();
  /** Handler exceptions are swallowed (a backplane must not crash the publisher) but counted. */
  handlerErrors = 0;

  async createSession(record: SessionRecord): Promise<boolean> {
    if (this.sessions.has(record.id)) return false;
    this.sessions.set(record.id, record);
    const name = sessionName(record.id);
    let keys = this.byName.get(name);
    if (!keys) this.byName.set(name, (keys = new Set()));
    keys.add(record.id);
    return true;
  }

  async sessionsNamed(name: string): Promise<SessionRecord[]> {
    return [...(this.byName.get(name) ?? [])].map((k) => this.sessions.get(k)!);
  }

  async getSession(id: string): Promise<SessionRecord | undefined> {
    return this.sessions.get(id);
  }

  async deleteSession(id: string): Promise<void> {
    this.inbox.deleteSession(id);
    if (!this.sessions.delete(id)) return;
    const name = sessionName(id);
    const keys = this.byName.get(name);
    keys?.delete(id);
    if (keys?.size === 0) this.byName.delete(name);
  }

  async subscribe(session: string, member: string, handler: BackplaneHandler): Promise<Unsubscribe> {
    let members = this.subscribers.get(session);
    if (!members) this.subscribers.set(session, (members = new Map()));
    // Re-insert so that online() lists members in subscription order.
    members.delete(member);
    members.set(member, handler);
    return async () => {
      const m = this.subscribers.get(session);
      if (m?.get(member) !== handler) return;
      m.delete(member);
      if (m.size === 0) this.subscribers.delete(session);
    };
  }

  async online(session: string): Promise<string[]> {
    return [...(this.subscribers.get(session)?.keys() ?? [])];
  }

  /** Delivers synchronously, so per-sender order is the call order. */
  publish(event: BackplaneEvent): number {
    const members = this.subscribers.get(event.session);
    const inboxed = event.type === 'frame' && event.from !== RELAY_ID;
    if (event.to !== '*') {
      if (event.to === event.exclude) return 0;
      const seq = event.type === 'frame' && inboxed ? this.inbox.append(event.session, event.to, event.frame) : undefined;
      const h = members?.get(event.to);
      if (h) this.call(h, seq === undefined ? event : { ...(event as Extract<BackplaneEvent, { type: 'frame' }>), seq });
      return h || seq !== undefined ? 1 : 0;
    }
    let n = 0;
    const withInbox = new Set(inboxed ? this.inbox.members(event.session) : []);
    withInbox.delete(event.exclude ?? '');
    for (const m of withInbox) {
      const seq = this.inbox.append(event.session, m, (event as { frame: Uint8Array }).frame)!;
      const h = members?.get(m);
      if (h) this.call(h, { ...event, to: m, seq } as BackplaneEvent);
      n++;
    }
    // Copy first: a handler may unsubscribe (close) while we iterate.
    for (const [id, h] of [...(members ?? [])]) {
      if (id === event.exclude || withInbox.has(id)) continue;
      this.call(h, event);
      n++;
    }
    return n;
  }

  private call(h: BackplaneHandler, event: BackplaneEvent): void {
    try {
      h(event);
    } catch {
      this.handlerErrors++;
    }
  }

  async close(): Promise<void> {
    this.subscribers.clear();
    this.sessions.clear();
    this.byName.clear();
    this.inbox.clear();
  }
}
