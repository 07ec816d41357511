/**
 * @module coordinator/coordinator
 * The coordinator SDK: creates the session on the relay with the roster and the validated
 * config, collects participants' signed key bundles, and runs rounds (coordinator/round.ts,
 * driving the state machine of secagg/coordinator-round.ts). What it can learn is bounded by the
 * protocol, not by its good will (docs/PROTOCOL.md §1): under the default threat model it only
 * ever holds double-masked partials and the secrets the survivors' consistent view allows.
 */
import { ShardwireError } from '../errors.ts';
import { abytes, aobject, describe } from '../guards.ts';
import { ID_PATTERN } from '../wire/constants.ts';
import { Emitter } from '../emitter.ts';
import { validateConfig, type SessionConfig } from '../config.ts';
import { configHash, rosterHash } from '../crypto/hash.ts';
import { Identity } from '../crypto/identity.ts';
import { keyBundleFromJson, keyBundleToJson, type KeyBundleJson } from '../crypto/session-keys.ts';
import { Kernel } from '../kernel/kernel.ts';
import { toBase64url, fromBase64url } from '../wire/base64url.ts';
import type { Frame } from '../wire/frame.ts';
import { decodeBody, encodeBody, RoundType, type RosterMember } from '../session/round-messages.ts';
import { SealedChannel } from '../session/sealed-channel.ts';
import type { CoordinatorPhase, CoordinatorRound } from '../secagg/coordinator-round.ts';
import { runRound, type RoundOptions, type RoundResultWithReport } from './round.ts';
import { runStatistic, type StatisticOptions, type StatisticRoundResult } from './statistic-round.ts';
import type { StatisticOperation } from '../stats/operations.ts';
import { PrivacyAccountant } from '../dp/accountant.ts';
import type { NoisePlan } from '../dp/noise-plan.ts';
import { linkLost, linkTarget, type RelayTarget } from '../session/reconnect.ts';
import { SessionJournal } from './session-journal.ts';
import { connectCoordinator, restoreKeyring } from './session-restore.ts';

/** Options of {@link Coordinator.start}. */
export interface CoordinatorOptions extends RelayTarget {
  /** Session id (printable, ≤ 128 characters of [A-Za-z0-9._:@-]). */
  readonly session: string;
  /** The coordinator's long-term identity. */
  readonly identity: Identity;
  /** Participants: id and Ed25519 public key (32 bytes). */
  readonly roster: readonly { readonly id: string; readonly publicKey: Uint8Array }[];
  /** Session configuration (validated with validateConfig). */
  readonly config: unknown;
  /** A loaded kernel to use (default: loads one). */
  readonly kernel?: Kernel;
  /** Largest vector length of this session (sizes the relay's payload limit). */
  readonly maxDim?: number;
  /**
   * A privacy accountant state saved earlier with `saveAccountant()` (DP sessions): restoring it
   * means a coordinator restart never resets the spent budget. A corrupted or mismatched state
   * is refused (E_BAD_STATE).
   */
  readonly accountantState?: string;
  /**
   * Keep the session state in this file (sealed to the coordinator's identity, written atomically
   * after every change): a coordinator restarted with the same identity, session, config, roster
   * and `statePath` resumes the session — used memos, released rounds, the accountant and the
   * participants' keys come back; the round that was in flight is aborted. A file that does not
   * authenticate is refused (E_STATE_TAMPERED).
   */
  readonly statePath?: string;
  /** Append the session's audit log (JSON lines, no payloads or secrets) to this file. */
  readonly auditLogPath?: string;
  /**
   * How long a participant that went offline counts as online still, in case it comes back (its
   * relay link reconnecting): default 2000 ms when `reconnect` is set, else 0.
   */
  readonly offlineGraceMs?: number;
}

/** Progress events. */
export interface CoordinatorEvents {
  [key: string]: unknown;
  /** A participant's verified key bundle arrived. */
  ready: { id: string; ready: number; roster: number };
  /** Round progress: phase and partials received so far. */
  progress: { memo: string; phase: CoordinatorPhase; received: number; expected: number };
  /** A message that was refused (bad, replayed, from a non-member); it was ignored. */
  refused: { from: string; type: string; error: ShardwireError };
  /** A participant went offline (heartbeat loss or disconnect). */
  offline: { id: string; reason: string };
  /** The coordinator's relay link dropped; attempt `attempt` goes to `url` after `delayMs`. */
  reconnecting: { attempt: number; delayMs: number; url: string };
  /** The link is back; `gap` when frames sent to the coordinator meanwhile were lost (the round in flight failed). */
  resumed: { url: string; gap: boolean };
}

/** A running coordinator. Create with {@link Coordinator.start}; {@link Coordinator.close} when done. */
export class Coordinator extends Emitter<CoordinatorEvents> {
  readonly config: SessionConfig;
  readonly configHash: string;
  readonly kernel: Kernel;
  /** @internal */
  readonly channel: SealedChannel;
  /** @internal roster by id. */
  readonly roster: ReadonlyMap<string, RosterMember>;
  /** @internal verified bundles by participant id. */
  readonly bundles = new Map<string, KeyBundleJson>();
  /** @internal ids currently connected to the relay. */
  readonly online = new Set<string>();
  /** @internal memos used in this session (never reused). */
  readonly memos = new Set<string>();
  /** @internal the round in progress, if any. */
  current: CoordinatorRound | undefined;
  /** The session's noise plan (DP sessions). */
  readonly noise: NoisePlan | undefined;
  /** The session's privacy accountant (DP sessions): ask it what more rounds would cost. */
  readonly accountant: PrivacyAccountant | undefined;
  /** @internal rounds released so far. */
  released = 0;
  /** Set when this coordinator resumed a saved session: rounds opened and released before, and the round in flight it aborted. */
  resumedFrom: { readonly rounds: number; readonly released: number; readonly aborted?: string } | undefined;
  /** @internal the coordinator's identity (signs DP round reports). */
  identity!: Identity;
  /** @internal persistence and audit log (no-ops without statePath / auditLogPath). */
  journal!: SessionJournal;
  /** @internal set once the relay link is gone for good: rounds and waits reject with it. */
  lostError: ShardwireError | undefined;
  private queue: Promise<void> = Promise.resolve();
  private readonly offlineTimers = new Map<string, ReturnType<typeof setTimeout>>();

  private constructor(config: SessionConfig, hash: string, kernel: Kernel, channel: SealedChannel, roster: Map<string, RosterMember>, accountant: PrivacyAccountant | undefined) {
    super();
    this.noise = config.noise;
    this.accountant = accountant;
    this.released = accountant?.releases.length ?? 0;
    this.config = config;
    this.configHash = hash;
    this.kernel = kernel;
    this.channel = channel;
    this.roster = roster;
  }

  /**
   * Validates the config, creates the session on the relay and starts listening for bundles.
   * @throws {ShardwireError} E_BAD_CONFIG / E_RING_OVERFLOW for the config; the relay's code
   *   (E_SESSION_EXISTS, E_AUTH, ...) or E_TIMEOUT when the session cannot be created.
   * @example const c = await Coordinator.start({ relayUrl, session: 'study-7', identity, roster, config })
   */
  static async start(o: CoordinatorOptions): Promise<Coordinator> {
    aobject(o, 'options');
    const config = validateConfig(o.config);
    const hash = await configHash(config);
    if (!Array.isArray(o.roster) || o.roster.length === 0) throw new ShardwireError('E_BAD_ARGUMENT', '"roster" expected at least one participant');
    const roster = new Map<string, RosterMember>();
    for (const [i, r] of o.roster.entries()) {
      aobject(r, `roster[${i}]`);
      if (typeof r.id !== 'string' || !ID_PATTERN.test(r.id)) throw new ShardwireError('E_BAD_ARGUMENT', `"roster[${i}].id" expected 1-128 characters of [A-Za-z0-9._:@-], got ${describe(r.id)}`);
      abytes(r.publicKey, `roster[${i}].publicKey`, 32);
      if (roster.has(r.id)) throw new ShardwireError('E_BAD_ARGUMENT', `"roster" lists ${r.id} twice`);
      roster.set(r.id, { id: r.id, publicKey: toBase64url(r.publicKey) });
    }
    if (config.rosterHash !== undefined && (await rosterHash(o.roster)) !== config.rosterHash) {
      throw new ShardwireError('E_ROSTER_MISMATCH', `the roster of ${o.roster.length} members does not hash to the config's rosterHash; participants would refuse it`, {});
    }
    const kernel = o.kernel ?? (await Kernel.load());
    const target = linkTarget(o);
    let journalError: ((e: ShardwireError) => void) | undefined;
    const { journal, saved } = await SessionJournal.open({ ...(o.statePath === undefined ? {} : { statePath: o.statePath }), ...(o.auditLogPath === undefined ? {} : { auditLogPath: o.auditLogPath }), identity: o.identity, session: o.session, onError: (e) => journalError?.(e) });
    let accountant: PrivacyAccountant | undefined;
    if (config.dp !== undefined) {
      const state = saved?.accountant ?? o.accountantState;
      accountant = state === undefined
        ? new PrivacyAccountant({ sessionId: o.session, budget: config.privacyBudget!, minHonest: config.minHonest })
        : await PrivacyAccountant.restore(state, { sessionId: o.session });
    }
    const keyring = saved ? await restoreKeyring(saved, o.identity, hash, roster) : undefined;
    const maxDim = o.maxDim ?? 1 << 20;
    const channel = await connectCoordinator({
      ...target, session: o.session, identity: o.identity, configHash: hash, create: { roster: [...roster.values()], limits: { vectorLength: maxDim + 1 } },
      ...(keyring ? { keyring } : {}), ...(saved ? { firstSeq: saved.seqCeiling } : {}),
    }, saved !== undefined);
    const link = channel.link;
    const c = new Coordinator(config, hash, kernel, channel, roster, accountant);
    c.identity = await Identity.fromSecretKey(o.identity.secretKey); // its own copy (callers may wipe theirs), wiped on close()
    c.journal = journal;
    journalError = (e) => c.emit('refused', { from: 'coordinator', type: 'audit', error: e });
    if (saved) {
      for (const [id, b] of Object.entries(saved.bundles)) c.bundles.set(id, b);
      for (const m of saved.memos) c.memos.add(m);
      c.released = saved.released;
    }
    journal.attach(c);
    for (const id of link.welcome.online) if (roster.has(id)) c.online.add(id);
    const graceMs = o.offlineGraceMs ?? (target.reconnect ? 2000 : 0);
    link.on({
      message: (f) => c.enqueue(f),
      presence: (p) => {
        if (!roster.has(p.id)) return;
        void journal.note(p.status === 'online' ? 'member-joined' : 'member-left', { id: p.id, reason: p.reason });
        if (p.status === 'online') {
          clearTimeout(c.offlineTimers.get(p.id));
          c.offlineTimers.delete(p.id);
          c.online.add(p.id);
        } else if (graceMs > 0 && !c.offlineTimers.has(p.id)) {
          c.offlineTimers.set(p.id, setTimeout(() => (c.offlineTimers.delete(p.id), c.goneOffline(p.id, p.reason)), graceMs));
        } else c.goneOffline(p.id, p.reason);
      },
      error: (e) => c.emit('refused', { from: 'relay', type: 'error', error: e }),
      reconnecting: (e) => c.emit('reconnecting', { attempt: e.attempt, delayMs: e.delayMs, url: e.url }),
      resumed: (e) => {
        const now = new Set(e.welcome.online.filter((id) => roster.has(id)));
        for (const id of [...c.online]) if (!now.has(id)) c.goneOffline(id, 'absent after reconnecting');
        for (const id of now) c.online.add(id);
        if (e.gap) c.current?.fail(new ShardwireError('E_LINK_LOST', `frames sent to the coordinator while its link was down were lost (${e.url})`, { gap: true }));
        c.emit('resumed', { url: e.url, gap: e.gap });
      },
      lost: (e) => {
        c.lostError ??= linkLost(e, 'coordinator');
        c.current?.fail(c.lostError);
      },
      close: () => {
        c.lostError ??= new ShardwireError('E_LINK_LOST', 'the relay connection closed');
        c.current?.fail(c.lostError);
      },
    });
    if (saved) await c.resume(saved.inFlight);
    else await journal.note('session-created', { roster: roster.size, configHash: hash, threat: config.threat });
    await journal.save();
    return c;
  }

  /** A participant is offline for good (after the grace period). */
  private goneOffline(id: string, reason: string): void {
    if (!this.online.delete(id)) return;
    this.emit('offline', { id, reason });
    this.current?.onOffline();
  }

  /** After a restart: the round in flight is aborted explicitly (its participants are told). */
  private async resume(inFlight: { readonly memo: string; readonly participants: readonly string[] } | undefined): Promise<void> {
    await this.journal.note('session-resumed', { rounds: this.journal.rounds, released: this.released, ...(inFlight ? { inFlight: inFlight.memo } : {}) });
    if (inFlight) {
      const reason = `the coordinator restarted during round ${inFlight.memo}; nothing of it was released`;
      const body = encodeBody({ memo: inFlight.memo, code: 'E_ABORTED', message: reason });
      await Promise.allSettled(inFlight.participants.filter((p) => this.online.has(p) && this.bundles.has(p)).map((p) => this.channel.send(p, RoundType.abort, inFlight.memo, body)));
      await this.journal.aborted(inFlight.memo, 'E_ABORTED', 'coordinator restarted');
    }
    this.resumedFrom = { rounds: this.journal.rounds, released: this.released, ...(inFlight ? { aborted: inFlight.memo } : {}) };
  }

  private enqueue(frame: Frame): void {
    // one message at a time, in arrival order: replay checks and round state stay consistent
    this.queue = this.queue.then(() => this.handle(frame)).catch((e) => {
      this.emit('refused', { from: frame.header.from, type: frame.header.type, error: e instanceof ShardwireError ? e : new ShardwireError('E_BAD_PAYLOAD', String(e)) });
    });
  }

  private async handle(frame: Frame): Promise<void> {
    const { from, type } = frame.header;
    const member = this.roster.get(from);
    if (!member) throw new ShardwireError('E_NOT_IN_SESSION', `message from ${from}, who is not in the roster`);
    if (type === RoundType.keyBundle) return this.acceptBundle(member, frame);
    // decide from the header alone, before decrypting: a late, duplicate or unasked partial is never opened
    const round = this.current;
    const fits = () => round !== undefined && this.current === round && frame.header.memo === round.memo && round.accepts(from, type);
    if (!fits()) throw new ShardwireError('E_REPLAY', `${type} from ${from} for memo ${frame.header.memo} does not fit ${round ? `phase ${round.phase} of round ${round.memo}` : 'any running round'}; refused unopened`, { from, type });
    const t0 = performance.now();
    try {
      const body = await this.channel.open(frame, round!.extraAad(from, type)).catch((e: unknown) => {
        if (e instanceof ShardwireError) round!.onRefused(from, type, e); // a broken partial stream is dropped
        throw e;
      });
      if (!fits()) {
        body.fill(0);
        throw new ShardwireError('E_REPLAY', `${type} from ${from} arrived after round ${round!.memo} left that phase; wiped`, { from, type });
      }
      await round!.onMessage(from, type, body);
    } finally {
      round!.addWork(performance.now() - t0);
    }
  }

  private async acceptBundle(member: RosterMember, frame: Frame): Promise<void> {
    this.channel.checkSeq(frame.header);
    // our bundle is public: send it first, so a participant under another config learns it
    // (E_CONFIG_MISMATCH on its side) instead of waiting for a reply that never comes
    this.channel.sendPublic(member.id, RoundType.keyBundle, encodeBody(await keyBundleToJson(this.channel.keyring.bundle)));
    const bundle = await keyBundleFromJson(decodeBody(RoundType.keyBundle, frame.payload));
    const publicKey = fromBase64url(member.publicKey)!;
    await this.channel.keyring.addPeer({ id: member.id, publicKey }, bundle); // E_CRYPTO / E_CONFIG_MISMATCH
    this.bundles.set(member.id, await keyBundleToJson(bundle));
    if (this.config.rosterHash !== undefined) await this.channel.send(member.id, RoundType.roster, undefined, encodeBody({ roster: [...this.roster.values()] }));
    await this.journal.ready(member.id);
    this.emit('ready', { id: member.id, ready: this.bundles.size, roster: this.roster.size });
  }

  /** Participants whose key bundles are verified and who are online now. */
  readyParticipants(): string[] {
    return [...this.bundles.keys()].filter((id) => this.online.has(id));
  }

  /**
   * Resolves once at least `count` participants are ready (default: the whole roster).
   * @throws {ShardwireError} E_TIMEOUT after `timeoutMs` (default: the config's join timeout).
   */
  async waitForParticipants(count = this.roster.size, timeoutMs = this.config.timeouts.joinMs): Promise<string[]> {
    const end = Date.now() + timeoutMs;
    while (this.readyParticipants().length < count) {
      if (this.lostError) throw this.lostError;
      if (Date.now() > end) throw new ShardwireError('E_TIMEOUT', `only ${this.readyParticipants().length} of ${count} participants joined within ${timeoutMs} ms`, { ready: this.readyParticipants() });
      await new Promise((r) => setTimeout(r, 20));
    }
    return this.readyParticipants();
  }

  /**
   * Runs one secure-aggregation round and returns the released aggregate with its report.
   * @throws {ShardwireError} E_TOO_FEW_CONTRIBUTORS (nothing released), E_TIMEOUT, E_ABORTED,
   *   E_BAD_VECTOR / E_BAD_ARGUMENT for bad options, E_BAD_STATE when a round is already running.
   * @example const { aggregate, report } = await c.runRound({ dim: 1000, operation: 'mean' })
   */
  async runRound(options: RoundOptions): Promise<RoundResultWithReport> {
    if (this.lostError) throw this.lostError;
    if (this.current) throw new ShardwireError('E_BAD_STATE', `round ${this.current.memo} is still running; rounds of one session run one at a time`);
    return runRound(this, options);
  }

  /**
   * Runs one statistics round (count, meanVariance, histogram) over the participants' records
   * (Client.contributeRecords) and returns the released statistic with the round's report.
   * @throws {ShardwireError} as {@link runRound}; E_BAD_ARGUMENT for a missing maxRecords or bad
   *   edges; E_RING_OVERFLOW naming the largest maxRecords that fits; E_UNSUPPORTED for a statistic
   *   DP cannot calibrate (docs/DP.md).
   * @example const { statistic } = await c.runStatistic({ operation: 'meanVariance', dim: 3, maxRecords: 10_000 })
   */
  async runStatistic<O extends StatisticOperation>(options: StatisticOptions<O>): Promise<StatisticRoundResult<O>> {
    return runStatistic((o) => this.runRound(o), options);
  }

  /**
   * The privacy accountant's state as JSON with an integrity hash, to restore with
   * `accountantState` after a restart. Undefined for sessions without DP.
   */
  async saveAccountant(): Promise<string | undefined> {
    return this.accountant?.serialize();
  }

  /** @internal emits an event (for round.ts). */
  notify<K extends keyof CoordinatorEvents>(event: K, payload: CoordinatorEvents[K]): void {
    this.emit(event, payload);
  }

  /** @internal the Ed25519 identity key of a roster member. */
  identityKey(id: string): Uint8Array {
    const member = this.roster.get(id);
    if (!member) throw new ShardwireError('E_NOT_IN_SESSION', `${id} is not in the roster`, { id });
    return fromBase64url(member.publicKey)!;
  }

  /**
   * Closes the relay connection and wipes the session keys; resolves once the state file and
   * audit log are flushed and closed (await it before starting this session again in-process).
   */
  close(): Promise<void> {
    this.current?.fail(new ShardwireError('E_ABORTED', 'the coordinator was closed'));
    for (const t of this.offlineTimers.values()) clearTimeout(t);
    this.offlineTimers.clear();
    this.channel.link.close();
    this.identity.zeroise();
    if (!this.journal.persistent) {
      this.channel.keyring.destroy();
      return this.journal.close();
    }
    // a save in progress finishes before the keys are wiped (it reads the session key)
    return this.journal.close().finally(() => this.channel.keyring.destroy());
  }

}
