/**
 * @module client/client
 * The participant SDK (Node and browsers: no Node-only import on this path). A client joins the
 * session, exchanges signed key bundles with the coordinator (and, when the config pins the
 * roster, receives and checks the roster), and runs each round it is asked to join through
 * secagg/participant-round.ts, which holds all of the round's rules.
 */
import { ShardwireError } from '../errors.ts';
import { aobject } from '../guards.ts';
import { Emitter } from '../emitter.ts';
import { validateConfig, type SessionConfig } from '../config.ts';
import { configHash, rosterHash } from '../crypto/hash.ts';
import { Identity, identityId } from '../crypto/identity.ts';
import { keyBundleFromJson, keyBundleToJson } from '../crypto/session-keys.ts';
import { getSodium, type Sodium } from '../sodium.ts';
import { Kernel } from '../kernel/kernel.ts';
import { arealVector, type RealVector } from '../kernel/vectors.ts';
import { fromBase64url } from '../wire/base64url.ts';
import type { Frame } from '../wire/frame.ts';
import { decodeBody, encodeBody, parseRoundOpen, parseSessionRoster, RoundType, SESSION_OPERATIONS, type RoundOpen } from '../session/round-messages.ts';
import { SealedChannel } from '../session/sealed-channel.ts';
import { ParticipantRound } from '../secagg/participant-round.ts';
import type { ContributionResult, ParticipantContext, ParticipantPhase } from '../secagg/participant-context.ts';
import { RoundWaiters, weightFor } from './round-waiters.ts';
import { checkContribution } from '../tensors/round-hooks.ts';
import { checkIntegers } from '../tensors/encode.ts';
import { atensorList, type Tensor } from '../tensors/spec.ts';
import { linkLost, linkTarget, type RelayTarget } from '../session/reconnect.ts';
import { ledgerFor, type LedgerSettings, type PrivacyLedger } from './privacy-ledger.ts';
import { admitPrivacy, confirmPrivacy } from './round-privacy.ts';
import { checkEdges, isStatistic } from '../stats/operations.ts';
import { checkRecordsFit, recordBatch, type RecordBatch, type RecordsInput } from '../stats/records.ts';
import { statisticFromFlat, type StatisticResult } from '../stats/decode.ts';
import type { OpenCheck } from './round-waiters.ts';

export type { ContributionResult } from '../secagg/participant-context.ts';

/** Options of {@link Client.join}. */
export interface ClientOptions extends RelayTarget, LedgerSettings {
  readonly session: string;
  /**
   * This participant's identity. The client keeps its own copy of the secret key for the session
   * (it signs the survivor statements of double masking) and wipes that copy on close(); the
   * caller may zeroise its own identity as soon as join() resolves.
   */
  readonly identity: Identity;
  /** The coordinator's id and Ed25519 public key (obtained out of band, like the config). */
  readonly coordinator: { readonly id: string; readonly publicKey: Uint8Array };
  /** The session configuration this participant agrees to; its hash must match the coordinator's. */
  readonly config: unknown;
  readonly kernel?: Kernel;
  /** How long to wait for the relay and the coordinator's key bundle (default: config join timeout). */
  readonly timeoutMs?: number;
}

/** Progress events. */
export interface ClientEvents {
  [key: string]: unknown;
  progress: { memo: string; phase: ParticipantPhase };
  /** A message that was refused (bad, replayed, from a non-member, breaking the protocol); it was ignored. */
  refused: { from: string; type: string; error: ShardwireError };
  /** Something the participant should know about its protection (e.g. no pinned roster). */
  warning: { message: string };
  /** The relay link dropped; attempt `attempt` goes to `url` after `delayMs` (with `reconnect`). */
  reconnecting: { attempt: number; delayMs: number; url: string };
  /** The link is back; `gap` when frames sent meanwhile were lost (a round in flight then failed with E_LINK_LOST). */
  resumed: { url: string; gap: boolean };
}

/** A session participant. Create with {@link Client.join}; {@link Client.close} when done. */
export class Client extends Emitter<ClientEvents> {
  readonly id: string;
  readonly config: SessionConfig;
  readonly #identity: Identity;
  readonly #kernel: Kernel;
  readonly #sodium: Sodium;
  readonly #channel: SealedChannel;
  readonly #coordinatorId: string;
  /** Identity keys: the pinned roster (when the config has rosterHash), else per round from round.open. */
  readonly #rosterKeys = new Map<string, Uint8Array>();
  #pinned = false;
  #queue: Promise<void> = Promise.resolve();
  readonly #waiters = new RoundWaiters();
  readonly #rounds = new Map<string, ParticipantRound>();
  #closedError: ShardwireError | undefined;
  readonly #ledger: PrivacyLedger | undefined;

  private constructor(identity: Identity, config: SessionConfig, kernel: Kernel, sodium: Sodium, channel: SealedChannel, coordinatorId: string, ledger: PrivacyLedger | undefined) {
    super();
    this.#ledger = ledger;
    this.id = identity.id;
    this.#identity = identity;
    this.config = config;
    this.#kernel = kernel;
    this.#sodium = sodium;
    this.#channel = channel;
    this.#coordinatorId = coordinatorId;
  }

  /**
   * Joins the session and completes the key exchange with the coordinator (and, when the config
   * pins the roster, checks the roster the coordinator sends against `rosterHash`).
   * @throws {ShardwireError} E_BAD_CONFIG for a bad config; the relay's code (E_AUTH,
   *   E_NOT_IN_SESSION, ...); E_CRYPTO / E_CONFIG_MISMATCH when the coordinator's bundle does not
   *   verify or was signed for another configuration; E_ROSTER_MISMATCH; E_TIMEOUT.
   * @example const client = await Client.join({ relayUrl, session: 'study-7', identity, coordinator, config })
   */
  static async join(o: ClientOptions): Promise<Client> {
    aobject(o, 'options');
    aobject(o.coordinator, 'coordinator');
    if (!(o.identity instanceof Identity)) throw new ShardwireError('E_BAD_ARGUMENT', '"identity" expected an Identity (Identity.generate() or loadIdentity())');
    const config = validateConfig(o.config);
    const hash = await configHash(config);
    const kernel = o.kernel ?? (await Kernel.load());
    const timeoutMs = o.timeoutMs ?? config.timeouts.joinMs;
    const target = linkTarget(o);
    const identity = await Identity.fromSecretKey(o.identity.secretKey); // our own copy, wiped on close()
    let channel: SealedChannel;
    let ledger: PrivacyLedger | undefined;
    try {
      ledger = await ledgerFor(o, { identity, session: o.session, configHash: hash, config, coordinator: o.coordinator }); // DP sessions: E_STATE_TAMPERED / E_BAD_STATE
      channel = await SealedChannel.open({ ...target, session: o.session, identity, configHash: hash, timeoutMs, coordinator: o.coordinator.id });
    } catch (e) {
      await ledger?.close();
      identity.zeroise();
      throw e;
    }
    const client = new Client(identity, config, kernel, await getSodium(), channel, o.coordinator.id, ledger);
    const ready = client.#handshake(o.coordinator.publicKey, timeoutMs);
    client.#channel.sendPublic(o.coordinator.id, RoundType.keyBundle, encodeBody(await keyBundleToJson(channel.keyring.bundle)));
    try {
      await ready;
    } catch (e) {
      client.close();
      throw e;
    }
    if (config.threat === 'malicious-coordinator' && !client.#pinned) {
      // a timer, not a microtask: the caller's await resumes first and can listen
      setTimeout(() => client.emit('warning', { message: 'the config has no rosterHash: the coordinator could add identities of its own to a round; pin the roster to close this' }));
    }
    if (ledger && !ledger.persistent) {
      setTimeout(() => client.emit('warning', { message: 'this DP session keeps the privacy ledger in memory: it starts at zero again if this process restarts; give ledgerPath (Node) or ledgerStore to keep it' }));
    }
    return client;
  }

  /** Resolves once the coordinator's bundle (and, with rosterHash, the roster) verified. */
  #handshake(coordinatorKey: Uint8Array, timeoutMs: number): Promise<void> {
    let ok!: () => void, bad!: (e: ShardwireError) => void;
    const done = new Promise<void>((a, b) => ((ok = a), (bad = b)));
    const timer = setTimeout(() => bad(new ShardwireError('E_TIMEOUT', `the coordinator's key bundle${this.config.rosterHash ? ' and roster' : ''} did not arrive within ${timeoutMs} ms; is the coordinator running?`)), timeoutMs);
    done.finally(() => clearTimeout(timer)).catch(() => undefined);
    let bundle: Promise<void> | undefined;
    const needRoster = this.config.rosterHash !== undefined;
    // messages behind the handshake (a round.open can follow it in the same tick) wait for it
    this.#queue = done.catch(() => undefined);
    this.#channel.link.on({
      message: (f) => {
        const { from, type } = f.header;
        if (from === this.#coordinatorId && type === RoundType.keyBundle && !bundle) {
          bundle = this.#acceptBundle(f, coordinatorKey);
          return void bundle.then(() => !needRoster && ok(), bad);
        }
        // the sealed roster opens only once the coordinator's key is in the keyring
        if (from === this.#coordinatorId && type === RoundType.roster && needRoster && !this.#pinned && bundle) return void bundle.then(() => this.#acceptRoster(f)).then(ok, bad);
        this.#enqueue(f);
      },
      error: (e) => {
        for (const round of this.#rounds.values()) round.onRelayError(e); // a refused chunk stops that upload
        this.emit('refused', { from: 'relay', type: 'error', error: e });
      },
      reconnecting: (e) => this.emit('reconnecting', { attempt: e.attempt, delayMs: e.delayMs, url: e.url }),
      resumed: (e) => {
        // frames to us were lost: a round in flight cannot end exactly, so it fails now, not at its timer
        if (e.gap) this.#failInFlight(new ShardwireError('E_LINK_LOST', `frames sent to this participant while its link was down were lost (${e.url})`, { gap: true }));
        this.emit('resumed', { url: e.url, gap: e.gap });
      },
      lost: (e) => this.#fail(linkLost(e, 'client')),
      close: () => this.#fail(new ShardwireError('E_LINK_LOST', 'the relay connection closed')),
    });
    return done;
  }

  async #acceptBundle(f: Frame, publicKey: Uint8Array): Promise<void> {
    this.#channel.checkSeq(f.header);
    const bundle = await keyBundleFromJson(decodeBody(RoundType.keyBundle, f.payload));
    await this.#channel.keyring.addPeer({ id: this.#coordinatorId, publicKey }, bundle); // E_CONFIG_MISMATCH when hashes differ
  }

  async #acceptRoster(f: Frame): Promise<void> {
    const { roster } = parseSessionRoster(decodeBody(RoundType.roster, await this.#channel.open(f)));
    const entries = roster.map((m) => ({ id: m.id, publicKey: fromBase64url(m.publicKey)! }));
    if ((await rosterHash(entries)) !== this.config.rosterHash) {
      throw new ShardwireError('E_ROSTER_MISMATCH', `the coordinator's roster of ${entries.length} members does not hash to the config's rosterHash; refusing the session`, {});
    }
    for (const e of entries) {
      if ((await identityId(e.publicKey)) !== e.id) throw new ShardwireError('E_ROSTER_MISMATCH', `roster entry ${e.id} is not the id of its key`, { id: e.id });
      this.#rosterKeys.set(e.id, e.publicKey);
    }
    if (!this.#rosterKeys.has(this.id)) throw new ShardwireError('E_ROSTER_MISMATCH', 'the pinned roster does not list this participant', {});
    this.#pinned = true;
  }

  #enqueue(frame: Frame): void {
    this.#queue = this.#queue.then(() => this.#handle(frame)).catch((e) => {
      this.emit('refused', { from: frame.header.from, type: frame.header.type, error: e instanceof ShardwireError ? e : new ShardwireError('E_BAD_PAYLOAD', String(e)) });
    });
  }

  async #handle(frame: Frame): Promise<void> {
    const { from, type, memo } = frame.header;
    if (from !== this.#coordinatorId) throw new ShardwireError('E_NOT_IN_SESSION', `${type} from ${from}: participants only take round messages from the coordinator`);
    const body = decodeBody(type, await this.#channel.open(frame));
    if (body.memo !== memo) throw new ShardwireError('E_REPLAY', `${type}: body memo ${String(body.memo)} differs from header memo ${memo}`);
    if (type === RoundType.open) return this.#onOpen(parseRoundOpen(body));
    const round = this.#rounds.get(memo ?? '');
    if (round) return round.onMessage(type, body);
    // aborted, or closed without this client (bufferSize), before it contributed: the open is stale
    if ((type === RoundType.abort || type === RoundType.result) && this.#waiters.drop(memo ?? '')) return;
    throw new ShardwireError('E_REPLAY', `${type} for memo ${memo}, a round this client did not contribute to`);
  }

  #onOpen(open: RoundOpen): void {
    if (open.configHash !== this.#channel.keyring.configHash) {
      throw new ShardwireError('E_CONFIG_MISMATCH', `round ${open.memo} runs under config ${open.configHash.slice(0, 12)}…, this participant agreed to ${this.#channel.keyring.configHash.slice(0, 12)}…; refusing to contribute`, { memo: open.memo });
    }
    if (this.#rounds.has(open.memo) || this.#waiters.has(open.memo)) throw new ShardwireError('E_REPLAY', `round ${open.memo} was already opened; memos are never reused`);
    if (!open.participants.includes(this.id)) throw new ShardwireError('E_NOT_IN_SESSION', `round ${open.memo} does not list this participant`);
    const allowed: readonly string[] = SESSION_OPERATIONS[this.config.smpc.operation];
    if (!allowed.includes(open.operation)) throw new ShardwireError('E_CONFIG_MISMATCH', `round ${open.memo} asks for operation "${open.operation}", but this session's smpc.operation "${this.config.smpc.operation}" runs only ${allowed.join(', ')}; refusing to contribute`, { memo: open.memo, operation: open.operation });
    this.emit('progress', { memo: open.memo, phase: 'open' });
    this.#waiters.push(open, performance.now());
  }

  /** Checks the round's roster (pinned, or id = hash of key) and adds every participant's session key. */
  async #admit(open: RoundOpen): Promise<void> {
    const keyring = this.#channel.keyring;
    for (const [i, pid] of open.participants.entries()) {
      const member = open.roster[i];
      const publicKey = fromBase64url(typeof member?.publicKey === 'string' ? member.publicKey : '');
      if (!member || member.id !== pid || !publicKey) throw new ShardwireError('E_CRYPTO', `round ${open.memo}: roster entry ${i} does not describe participant ${pid}`);
      if (this.#pinned) {
        const pinned = this.#rosterKeys.get(pid);
        if (!pinned || !this.#sodium.memcmp(pinned, publicKey)) throw new ShardwireError('E_ROSTER_MISMATCH', `round ${open.memo}: participant ${pid} is not in the pinned roster (or has another key); refusing to contribute`, { memo: open.memo, id: pid });
      } else {
        if ((await identityId(publicKey)) !== pid) throw new ShardwireError('E_CRYPTO', `round ${open.memo}: roster entry for ${pid} does not match its id`);
        this.#rosterKeys.set(pid, publicKey);
      }
      if (pid !== this.id && !keyring.hasPeer(pid)) await keyring.addPeer({ id: pid, publicKey }, await keyBundleFromJson(open.bundles[i]));
    }
  }

  /**
   * Contributes `vector` to the next round the coordinator opens (or the one with `memo`) and
   * resolves when the round is done — with the aggregate if the coordinator broadcasts it, and
   * always with the list of contributors. In DP sessions the noise is sampled before the vector
   * is read. For a weightedMean round pass `weight` (e.g. the local sample count, ≤ maxWeight).
   * A call refused for its length or weight does not take the round: a corrected call can still
   * contribute to it.
   * @throws {ShardwireError} E_BAD_VECTOR (type, length ≠ the round's dim, NaN/∞), E_RING_OVERFLOW,
   *   E_DROPPED (the release leaves this input out), E_INCONSISTENT / E_BAD_SHARE / E_CRYPTO /
   *   E_ROSTER_MISMATCH (the coordinator or a neighbour broke the protocol), E_TIMEOUT,
   *   E_ABORTED, or the coordinator's code when it aborts (e.g. E_TOO_FEW_CONTRIBUTORS).
   * A round whose coordinator announced typed tensors takes a list of `{ name, dtype, shape, data }`
   * instead (docs/PROTOCOL.md "Typed tensors"), checked against the announced spec before the
   * round is taken; the result then carries `tensors` (broadcast rounds).
   * @example const { aggregate } = await client.aggregate(new Float64Array(weights))
   */
  async aggregate(vector: RealVector | readonly Tensor[], options: { memo?: string; weight?: number; timeoutMs?: number; signal?: AbortSignal } = {}): Promise<ContributionResult> {
    if (Array.isArray(vector)) atensorList(vector);
    else arealVector(vector, 'vector');
    aobject(options, 'options');
    if (this.#closedError) throw this.#closedError;
    // length and weight are checked before the open is taken: a refused call leaves the round open for a retry
    const fits = (open: RoundOpen) => {
      if (isStatistic(open.operation)) throw new ShardwireError('E_BAD_ARGUMENT', `round ${open.memo} computes a ${open.operation} of records; use contributeRecords()`, { memo: open.memo, operation: open.operation });
      const layout = checkContribution(open, this.config, vector); // length or tensor spec, and the per-tensor bit budget
      if (Array.isArray(vector)) checkIntegers(this.#kernel, layout, vector); // integer bounds, in the kernel
      weightFor(open, options.weight, this.config.maxWeight);
    };
    return (await this.#contribute(vector, options, fits, (open) => weightFor(open, options.weight, this.config.maxWeight))).result;
  }

  /**
   * Contributes this participant's records to the next statistics round the coordinator opens (or
   * the one with `memo`): count, meanVariance or histogram (Coordinator.runStatistic). Only the
   * local sufficient statistics leave the client (masked: n, Σx, Σx² per column, or bucket
   * counts), so the release is over all records of all contributors. Resolves with the round's
   * result, and the statistic when the coordinator broadcasts it. `edges` pins the histogram
   * edges this client agrees to: a round over other edges is refused. A call refused for its
   * records (more than the round's maxRecords, another width, other edges) does not take the round.
   * @throws {ShardwireError} E_BAD_ARGUMENT / E_BAD_VECTOR for the records (shape, count, NaN/±∞),
   *   E_INCONSISTENT for other edges than pinned, E_RING_OVERFLOW, E_UNSUPPORTED (a statistic DP
   *   cannot calibrate), and every error of {@link aggregate}.
   * @example await client.contributeRecords([Float64Array.of(1.5, 2), Float64Array.of(0.5, 4)])
   * @example await client.contributeRecords({ rows: 42 }) // a count
   */
  async contributeRecords(records: RecordsInput, options: { memo?: string; timeoutMs?: number; signal?: AbortSignal; edges?: readonly number[] } = {}): Promise<ContributionResult & { readonly statistic?: StatisticResult }> {
    aobject(options, 'options');
    if (this.#closedError) throw this.#closedError;
    const batch = recordBatch(records);
    const pinned = options.edges === undefined ? undefined : checkEdges(options.edges);
    const { result, open } = await this.#contribute(batch, options, (open) => checkRecordsFit(open, batch, pinned));
    if (!result.aggregate || !isStatistic(open.operation)) return result;
    return { ...result, statistic: statisticFromFlat(open.operation, result.aggregate, open.dim, open.edges) };
  }

  /** Takes the next fitting round and runs it with `input`. */
  async #contribute(input: RealVector | RecordBatch | readonly Tensor[], options: { memo?: string; timeoutMs?: number; signal?: AbortSignal }, fits: OpenCheck, weightOf: (open: RoundOpen) => number | undefined = () => undefined): Promise<{ result: ContributionResult; open: RoundOpen }> {
    const t = this.config.timeouts;
    const { open, openedAt } = await this.#waiters.next(options.memo, options.timeoutMs ?? t.roundMs, options.signal, fits);
    const weight = weightOf(open);
    await admitPrivacy(this.#ledger, this.config, open); // DP: plan, spend and budget checked, round reserved; else nothing is sent
    let round: ParticipantRound | undefined;
    const onAbort = () => round?.fail(new ShardwireError('E_ABORTED', `stopped round ${open.memo}: aborted by the caller`));
    try {
      await this.#admit(open);
      round = new ParticipantRound(this.#context(), open, openedAt);
      this.#rounds.set(open.memo, round);
      options.signal?.addEventListener('abort', onAbort, { once: true });
      const result = await round.contribute(input, weight, options.timeoutMs ?? t.shareMs + t.roundMs + 2 * t.revealMs);
      return { result: await confirmPrivacy(this.#ledger, open.memo, round.report, result), open }; // E_LEDGER_MISMATCH
    } catch (e) {
      await this.#ledger?.settle(open.memo, e instanceof ShardwireError ? e.code : 'E_ABORTED');
      throw e;
    } finally {
      options.signal?.removeEventListener('abort', onAbort);
      this.#rounds.delete(open.memo);
    }
  }

  #context(): ParticipantContext {
    const channel = this.#channel;
    return {
      identity: this.#identity, sessionId: channel.keyring.sessionId, configHash: channel.keyring.configHash, config: this.config,
      kernel: this.#kernel, keyring: channel.keyring, sodium: this.#sodium,
      send: (type, memo, body, extraAad) => channel.send(this.#coordinatorId, type, memo, body, extraAad),
      maxPayloadBytes: () => channel.link.welcome.limits.maxPayloadBytes,
      bufferedAmount: () => channel.link.bufferedAmount,
      identityKey: (id) => {
        const key = this.#rosterKeys.get(id);
        if (!key) throw new ShardwireError('E_ROSTER_MISMATCH', `${id} is not a known participant of this session`, { id });
        return key;
      },
      progress: (memo, phase) => this.emit('progress', { memo, phase }),
      bytesSent: () => channel.bytesSent,
      ...(this.#ledger ? { beforePartial: (memo: string) => this.#ledger!.sent(memo) } : {}),
    };
  }

  #fail(e: ShardwireError): void {
    this.#closedError ??= e;
    this.#failInFlight(this.#closedError);
  }

  /** Ends every pending aggregate() with `e` (the client stays usable). */
  #failInFlight(e: ShardwireError): void {
    for (const round of this.#rounds.values()) round.fail(e);
    this.#waiters.fail(e);
  }

  /**
   * DP sessions: this participant's own privacy ledger (entries, spent(), confirmed(), where it is
   * kept); undefined without DP.
   */
  get ledger(): PrivacyLedger | undefined {
    return this.#ledger;
  }

  /** Test hook: the relay link, to capture or inject frames in adversarial tests. Never use in application code. */
  _linkForTests(): SealedChannel['link'] {
    return this.#channel.link;
  }

  /** Leaves the session: closes the relay connection and wipes the session keys. */
  close(): void {
    this.#fail(new ShardwireError('E_ABORTED', 'the client was closed'));
    this.#channel.link.close();
    if (!this.#channel.keyring.destroyed) this.#channel.keyring.destroy();
    this.#identity.zeroise();
    void this.#ledger?.close(); // pending writes finish, then its key is wiped
  }
}
