/**
 * @module coordinator/session-journal
 * What a coordinator writes down as its session changes, and when: the sealed state file
 * (session-store.ts) after every change that a restart must not forget — a participant's verified
 * bundle, a round opened (its memo is then used for good), ε charged (before anything is
 * released), a round released or aborted — and the audit log (audit-log.ts) line for each. Without
 * `statePath`/`auditLogPath` every call is a no-op.
 *
 * The state: roster, configHash, the coordinator's session key pair (participants accept one
 * bundle per party and session, so a restart keeps it), the participants' verified bundles, the
 * memos used, rounds opened and released, the round in flight, the accountant, and a ceiling for
 * the sequence numbers of the coordinator's frames (participants refuse a seq that does not grow:
 * a restarted coordinator starts above every seq its previous run could have used).
 */
import { ShardwireError } from '../errors.ts';
import type { Identity } from '../crypto/identity.ts';
import type { SessionKeyring } from '../crypto/session-keyring.ts';
import { keyBundleToJson, type KeyBundleJson } from '../crypto/session-keys.ts';
import type { PrivacyAccountant } from '../dp/accountant.ts';
import { toBase64url } from '../wire/base64url.ts';
import type { RosterMember } from '../session/round-messages.ts';
import { AuditLog, type AuditEvent, type AuditFields } from './audit-log.ts';
import { SessionStore } from './session-store.ts';

/** Frames a coordinator may send between two saves; a restart continues this far above the last save. */
export const SEQ_RESERVE = 2 ** 24;

/** The saved session (inside the sealed state file). */
export interface SavedSession {
  readonly v: 1;
  readonly session: string;
  readonly configHash: string;
  readonly roster: readonly RosterMember[];
  readonly keyring: { readonly bundle: KeyBundleJson; readonly secretKey: string };
  readonly bundles: Readonly<Record<string, KeyBundleJson>>;
  readonly memos: readonly string[];
  readonly rounds: number;
  readonly released: number;
  readonly inFlight?: { readonly memo: string; readonly participants: readonly string[] };
  readonly accountant?: string;
  readonly seqCeiling: number;
}

/** What the journal reads from its coordinator when it saves. */
export interface JournalHost {
  readonly configHash: string;
  readonly roster: ReadonlyMap<string, RosterMember>;
  readonly bundles: ReadonlyMap<string, KeyBundleJson>;
  readonly memos: ReadonlySet<string>;
  readonly released: number;
  readonly accountant: PrivacyAccountant | undefined;
  readonly channel: { readonly keyring: SessionKeyring; readonly link: { readonly nextSeq: number } };
}

export class SessionJournal {
  #host: JournalHost | undefined;
  #queued: Promise<void> | undefined;
  #last: Promise<void> = Promise.resolve();
  /** Rounds opened in this session (all runs). */
  rounds = 0;
  inFlight: SavedSession['inFlight'];

  private constructor(
    private readonly session: string,
    private readonly store: SessionStore | undefined,
    private readonly audit: AuditLog | undefined,
    private readonly onError: (e: ShardwireError) => void,
  ) {}

  /**
   * Opens the state file and the audit log named (either may be absent) and reads the saved state.
   * @throws {ShardwireError} E_STATE_TAMPERED / E_BAD_STATE from the state file.
   */
  static async open(o: { statePath?: string; auditLogPath?: string; identity: Identity; session: string; onError: (e: ShardwireError) => void }): Promise<{ journal: SessionJournal; saved: SavedSession | undefined }> {
    const store = o.statePath === undefined ? undefined : await SessionStore.create(o.statePath, o.identity, o.session);
    const saved = store ? ((await store.load()) as SavedSession | undefined) : undefined;
    if (saved !== undefined && (saved.v !== 1 || saved.session !== o.session || !Array.isArray(saved.memos) || typeof saved.seqCeiling !== 'number')) {
      throw new ShardwireError('E_BAD_STATE', `the session state ${o.statePath} authenticates but does not describe session ${JSON.stringify(o.session)} in this version`, { path: o.statePath });
    }
    const audit = o.auditLogPath === undefined ? undefined : await AuditLog.open(o.auditLogPath, o.session);
    const journal = new SessionJournal(o.session, store, audit, o.onError);
    if (saved) {
      journal.rounds = saved.rounds;
      journal.inFlight = saved.inFlight;
    }
    return { journal, saved };
  }

  /** True when a state file is kept. */
  get persistent(): boolean {
    return this.store !== undefined;
  }

  /** Starts saving from `host` (the coordinator, once connected). */
  attach(host: JournalHost): void {
    this.#host = host;
  }

  /**
   * Writes the state (after a change a restart must see); resolves once a write that started after
   * this call is on disk. Calls made while a write waits for its turn share it (a burst of joins
   * costs a few writes, not one per participant).
   */
  save(): Promise<void> {
    if (!this.store || !this.#host) return Promise.resolve();
    if (this.#queued) return this.#queued;
    const run = this.#last.then(() => {
      this.#queued = undefined; // changes from here on need the next write
      return this.#write(this.store!, this.#host!);
    });
    this.#queued = run;
    this.#last = run.catch(() => undefined);
    return run;
  }

  async #write(store: SessionStore, h: JournalHost): Promise<void> {
    const secret = h.channel.keyring._exportSecretKey();
    const state: SavedSession = {
      v: 1, session: this.session, configHash: h.configHash, roster: [...h.roster.values()],
      keyring: { bundle: await keyBundleToJson(h.channel.keyring.bundle), secretKey: toBase64url(secret) },
      bundles: Object.fromEntries(h.bundles), memos: [...h.memos], rounds: this.rounds, released: h.released,
      ...(this.inFlight ? { inFlight: this.inFlight } : {}),
      ...(h.accountant ? { accountant: await h.accountant.serialize() } : {}),
      seqCeiling: h.channel.link.nextSeq + SEQ_RESERVE,
    };
    secret.fill(0);
    await store.save(state);
  }

  /** Appends an audit line; a failure to write is reported through `onError`, not thrown. */
  note(event: AuditEvent, fields: AuditFields = {}): Promise<void> {
    if (!this.audit) return Promise.resolve();
    return this.audit.append(event, fields).catch((e: unknown) => this.onError(new ShardwireError('E_BAD_STATE', `audit log ${this.audit!.path}: ${String(e)}`)));
  }

  /** A participant's bundle verified: saved, so a restart does not ask again. */
  async ready(id: string): Promise<void> {
    await this.save();
    await this.note('member-ready', { id });
  }

  /** A round is about to be opened: its memo is used from now on, even across a crash. */
  async opened(memo: string, participants: readonly string[], operation: string, dim: number): Promise<void> {
    this.rounds++;
    this.inFlight = { memo, participants: [...participants] };
    await this.save();
    await this.note('round-opened', { memo, round: this.rounds, operation, dim, participants: [...participants] });
  }

  /** ε was charged for `memo`: saved before the aggregate is decoded or sent anywhere. */
  async charged(memo: string, epsilonRound: number, epsilonTotal: number, delta: number): Promise<void> {
    await this.save();
    await this.note('epsilon-charged', { memo, epsilonRound, epsilonTotal, delta });
  }

  /** The round ended with a release. */
  async released(memo: string, contributors: readonly string[], dropped: readonly string[], misbehaving: readonly string[]): Promise<void> {
    this.inFlight = undefined;
    await this.save();
    await this.note('contributors', { memo, contributors: [...contributors] });
    if (dropped.length > 0 || misbehaving.length > 0) {
      await this.note('dropped', { memo, dropped: [...dropped], misbehaving: [...misbehaving] });
      await this.note('recovery', { memo, recovered: dropped.length + misbehaving.length, survivors: contributors.length });
    }
    await this.note('released', { memo, contributors: contributors.length });
  }

  /** The round ended without a release. */
  async aborted(memo: string, code: string, reason: string): Promise<void> {
    this.inFlight = undefined;
    await this.save();
    await this.note('aborted', { memo, code, reason });
  }

  /** Flushes and closes the files (the store's key is wiped). */
  async close(): Promise<void> {
    await this.#last;
    await this.store?.close();
    await this.audit?.close();
  }
}
