/**
 * @module client/privacy-ledger
 * A participant's own privacy ledger for one session (docs/DP.md "Client-side accounting"). Before
 * it contributes to a DP round the participant checks the coordinator's announced noise plan
 * (dp/noise-announcement.ts), that the coordinator's announced cumulative ε is not below what its
 * own ledger confirmed, and that its own ledger plus this round stays within the budget — then it
 * reserves the round in the ledger (written to the store before anything is sent). When the
 * partial goes out the entry becomes `sent`, before the first byte of it; the signed round report
 * that comes with `round.result` (dp/round-report.ts) is verified and compared with the entry.
 *
 * What counts against the budget: every round this participant may have revealed anything for —
 * `reserved` (a crash between reserving and sending leaves this), `sent`, `released`, `aborted`
 * and `dropped` after sending (the coordinator may hold the partial), `disputed`. Only rounds
 * withdrawn before the partial was sent are free. What is compared with the coordinator: the
 * `released` rounds (the coordinator charges only releases).
 *
 * The text is JSON with a keyed BLAKE2b-256 (`mac`) under a key derived from the participant's
 * Ed25519 secret key and the session (context `shardwire/client-ledger/v1`): readable, but any
 * change is E_STATE_TAMPERED; a ledger of another session, participant or config is E_BAD_STATE.
 */
import { ShardwireError } from '../errors.ts';
import { blake2b, canonicalJson } from '../crypto/hash.ts';
import type { Identity } from '../crypto/identity.ts';
import type { SessionConfig } from '../config.ts';
import { PrivacyAccountant, type PrivacySpent, type Release } from '../dp/accountant.ts';
import { noisePlan, releaseOf } from '../dp/noise-plan.ts';
import { checkAnnouncement, planHashOf, roundPlanHash, type NoiseAnnouncement } from '../dp/noise-announcement.ts';
import { roundNoise } from '../stats/noise.ts';
import { secureLength } from '../stats/operations.ts';
import { parseRoundReport, verifyRoundReport, type SignedRoundReport } from '../dp/round-report.ts';
import { customLedgerStore, fileLedgerStore, memoryLedgerStore, type LedgerStore, type ResolvedLedgerStore } from './ledger-store.ts';

/** Where a round stands in the ledger. */
export type LedgerState = 'reserved' | 'sent' | 'released' | 'aborted' | 'dropped' | 'disputed' | 'withdrawn';

/** One round in the ledger. */
export interface LedgerEntry {
  readonly memo: string;
  readonly state: LedgerState;
  /** The release the round counts as (contributors: minClients until the report names them). */
  readonly release: Release;
  /** ε of this round alone at the budget's δ. */
  readonly epsilon: number;
  /** The coordinator's announced cumulative ε before the round. */
  readonly coordinatorSpent: number;
  /** Hash of the round's noise plan (a statistic's differs from the session's: stats/noise.ts). */
  readonly plan: string;
  /** Last change (ISO time). */
  readonly at: string;
  /** The coordinator's signed report (released or disputed rounds). */
  readonly report?: SignedRoundReport;
  /** Error code (aborted, dropped, withdrawn) or what disagreed (disputed). */
  readonly reason?: string;
}

const FORMAT = 'shardwire-client-ledger';
const CONTEXT = 'shardwire/client-ledger/v1';
const FREE: ReadonlySet<LedgerState> = new Set(['withdrawn']);
const SLACK = 1e-9;
const utf8 = new TextEncoder();
const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');

/** What the ledger is opened with. */
export interface LedgerOptions {
  readonly store: ResolvedLedgerStore;
  readonly identity: Identity;
  readonly session: string;
  readonly configHash: string;
  readonly config: SessionConfig;
  /** The coordinator's id and Ed25519 key (round reports are signed with it). */
  readonly coordinator: { readonly id: string; readonly publicKey: Uint8Array };
}

/** A participant's privacy ledger of one DP session. Open with {@link PrivacyLedger.open}. */
export class PrivacyLedger {
  readonly #o: LedgerOptions;
  readonly #plan: string;
  #key: Uint8Array;
  #entries: LedgerEntry[] = [];
  #generation = 0;
  #chain: Promise<void> = Promise.resolve();

  private constructor(o: LedgerOptions, plan: string, key: Uint8Array) {
    this.#o = o;
    this.#plan = plan;
    this.#key = key;
  }

  /**
   * Opens the ledger in `store` (a new, empty one when the store holds nothing).
   * @throws {ShardwireError} E_STATE_TAMPERED when the stored text does not authenticate;
   *   E_BAD_STATE when it is another session's, participant's or config's ledger, or malformed.
   */
  static async open(o: LedgerOptions): Promise<PrivacyLedger> {
    const plan = (await planHashOf(o.config))!;
    const key = await blake2b(utf8.encode(`${CONTEXT}\u0000${o.session}`), 32, o.identity.secretKey);
    const ledger = new PrivacyLedger(o, plan, key);
    const text = await o.store.load();
    if (text !== undefined) await ledger.#restore(text);
    return ledger;
  }

  /** Whether the ledger outlives this process, and where it is kept. */
  get persistent(): boolean {
    return this.#o.store.persistent;
  }
  get where(): string {
    return this.#o.store.where;
  }
  /** The session's noise plan hash. */
  get plan(): string {
    return this.#plan;
  }
  /** The rounds recorded (copies). */
  get entries(): readonly LedgerEntry[] {
    return this.#entries.map((e) => ({ ...e }));
  }
  get budget(): { readonly epsilon: number; readonly delta: number } {
    return this.#o.config.privacyBudget!;
  }

  #accountant(states?: ReadonlySet<LedgerState>): PrivacyAccountant {
    const c = this.#o.config;
    const entries = this.#entries.filter((e) => (states ? states.has(e.state) : !FREE.has(e.state)));
    return PrivacyAccountant.fromReleases({ sessionId: this.#o.session, budget: c.privacyBudget!, minHonest: c.minHonest }, entries.map((e) => e.release));
  }

  /** Everything this participant may have revealed (what its budget check counts). */
  spent(): PrivacySpent {
    return this.#accountant().spent();
  }

  /** The released rounds only (what the coordinator's cumulative ε must be at least). */
  confirmed(): PrivacySpent {
    return this.#accountant(new Set(['released'])).spent();
  }

  /**
   * Checks a round before anything is sent for it and reserves it: the announced plan, the
   * coordinator's announced spend against the confirmed rounds, and this ledger's budget.
   * @throws {ShardwireError} E_NOISE_PLAN_MISMATCH, E_LEDGER_MISMATCH, E_BUDGET_EXHAUSTED (nothing
   *   reserved); E_REPLAY for a memo already in the ledger; the store's error when the
   *   reservation cannot be written (the round is then counted but not contributed to).
   */
  async admit(open: { readonly memo: string; readonly participants: readonly string[]; readonly operation: string; readonly dim: number; readonly edges?: readonly number[]; readonly dp?: NoiseAnnouncement }): Promise<LedgerEntry> {
    const { memo } = open;
    const c = this.#o.config;
    // the round's plan for h (the config's noise is calibrated for its own h; another h is calibrated again)
    const planFor = (minHonest: number) => roundNoise({ noise: minHonest === c.minHonest ? c.noise : noisePlan(c.noise!.dp, c.smpc.exponent, minHonest), maxWeight: c.maxWeight, smpc: c.smpc, minHonest }, open);
    await checkAnnouncement(c, planFor, open.dp, open);
    const plan = planFor(c.minHonest)!;
    const planHash = await roundPlanHash(c, plan);
    const announced = open.dp!.spent;
    const confirmed = this.confirmed();
    if (announced.epsilon < confirmed.epsilon * (1 - SLACK) || announced.releases < confirmed.releases) {
      throw new ShardwireError('E_LEDGER_MISMATCH', `round ${memo}: the coordinator announces ε = ${announced.epsilon} spent over ${announced.releases} releases, below this participant's own ledger (ε = ${confirmed.epsilon} over ${confirmed.releases} released rounds); refusing to contribute`, { memo, reason: 'cumulative ε below this ledger', announced: announced.epsilon, own: confirmed.epsilon });
    }
    if (this.#entries.some((e) => e.memo === memo)) throw new ShardwireError('E_REPLAY', `round ${memo} is already in this participant's ledger; memos are never reused`, { memo });
    // from here to the push nothing awaits: two rounds admitted at once cannot both take the last of the budget
    const release = releaseOf(plan, this.#entries.length + 1, c.minClients, secureLength(open.operation, open.dim, open.edges));
    let epsilon: number;
    try {
      epsilon = this.#accountant().record(release).epsilon;
    } catch (e) {
      if (!(e instanceof ShardwireError) || e.code !== 'E_BUDGET_EXHAUSTED') throw e;
      throw new ShardwireError('E_BUDGET_EXHAUSTED', `round ${memo}: by this participant's own ledger the session would reach ε = ${e.details.epsilon} at δ = ${this.budget.delta}, over its budget ε = ${this.budget.epsilon}; refusing to contribute`, { memo, epsilon: e.details.epsilon, budget: this.budget.epsilon, spent: this.spent().epsilon });
    }
    const entry: LedgerEntry = { memo, state: 'reserved', release, epsilon, coordinatorSpent: announced.epsilon, plan: planHash, at: new Date().toISOString() };
    this.#entries.push(entry);
    await this.#save();
    return { ...entry };
  }

  /** The partial of `memo` is about to be sent: recorded (and durable) before its first byte. */
  async sent(memo: string): Promise<void> {
    this.#update(memo, { state: 'sent' });
    await this.#save();
  }

  /**
   * Checks the coordinator's signed report of `memo` (from `round.result`) against the entry.
   * @returns the released entry.
   * @throws {ShardwireError} E_LEDGER_MISMATCH (details.reason: missing or malformed report, bad
   *   signature, or which figure disagrees); the entry is then `disputed`, still counted.
   */
  async confirm(memo: string, raw: unknown, contributors: readonly string[]): Promise<LedgerEntry> {
    const entry = this.#find(memo);
    let report: SignedRoundReport | undefined;
    try {
      report = parseRoundReport(raw);
      const problem = await this.#disagreement(entry, report, contributors);
      if (problem) throw new ShardwireError('E_LEDGER_MISMATCH', `round ${memo}: the coordinator's round report disagrees with this participant's ledger: ${problem}`, { memo, reason: problem });
    } catch (e) {
      const err = e instanceof ShardwireError ? e : new ShardwireError('E_LEDGER_MISMATCH', String(e), { memo, reason: 'malformed report' });
      this.#update(memo, { state: 'disputed', reason: String(err.details.reason ?? err.message), ...(report ? { report } : {}) });
      await this.#save();
      throw err;
    }
    this.#update(memo, { state: 'released', report, release: { ...entry.release, contributors: contributors.length } });
    await this.#save();
    return { ...this.#find(memo) };
  }

  async #disagreement(entry: LedgerEntry, r: SignedRoundReport, contributors: readonly string[]): Promise<string | undefined> {
    const o = this.#o;
    if (r.coordinator !== o.coordinator.id || !(await verifyRoundReport(r, o.coordinator.publicKey))) return 'signature does not verify under the coordinator\'s key';
    if (r.session !== o.session || r.configHash !== o.configHash || r.memo !== entry.memo) return 'session, config or memo differs';
    if (r.plan !== entry.plan) return `noise plan ${r.plan.slice(0, 12)}… instead of ${entry.plan.slice(0, 12)}…`;
    const mine = [...contributors].sort();
    if (r.contributors.length !== mine.length || r.contributors.some((id, i) => id !== mine[i])) return 'contributors differ from round.result';
    if (r.dimension !== entry.release.dimension) return `dimension ${r.dimension} instead of ${entry.release.dimension}`;
    if (r.delta !== this.budget.delta) return `δ ${r.delta} instead of ${this.budget.delta}`;
    const release = { ...entry.release, contributors: contributors.length };
    const others = this.#entries.filter((e) => e.memo !== entry.memo && e.state === 'released');
    const acc = PrivacyAccountant.fromReleases({ sessionId: o.session, budget: this.budget, minHonest: o.config.minHonest }, [...others.map((e) => e.release), release]);
    const epsilonRound = acc.cost(release).epsilon;
    if (Math.abs(r.epsilonRound - epsilonRound) > SLACK * epsilonRound) return `ε of the round ${r.epsilonRound} instead of ${epsilonRound}`;
    const own = acc.spent();
    if (r.epsilonTotal < own.epsilon * (1 - SLACK) || r.release < own.releases) return `cumulative ε ${r.epsilonTotal} over ${r.release} releases, below this ledger's ${own.epsilon} over ${own.releases}`;
    return undefined;
  }

  /**
   * The round `memo` ended without a release for this participant (`code`): withdrawn (free) if
   * nothing was sent, else kept as aborted / dropped. Never throws (the round's own error matters).
   */
  async settle(memo: string, code: string): Promise<void> {
    const e = this.#entries.find((x) => x.memo === memo);
    if (!e || e.state === 'disputed' || e.state === 'released') return;
    this.#update(memo, e.state === 'reserved' ? { state: 'withdrawn', reason: code } : { state: code === 'E_DROPPED' ? 'dropped' : 'aborted', reason: code });
    await this.#save().catch(() => undefined);
  }

  #find(memo: string): LedgerEntry {
    const e = this.#entries.find((x) => x.memo === memo);
    if (!e) throw new ShardwireError('E_BAD_STATE', `round ${memo} is not in this participant's ledger`, { memo });
    return e;
  }

  #update(memo: string, change: Partial<LedgerEntry>): void {
    const i = this.#entries.indexOf(this.#find(memo));
    this.#entries[i] = { ...this.#entries[i], ...change, at: new Date().toISOString() };
  }

  #body(generation: number): Record<string, unknown> {
    const o = this.#o;
    return {
      format: FORMAT, v: 1, session: o.session, participant: o.identity.id, coordinator: o.coordinator.id, configHash: o.configHash, plan: this.#plan,
      budget: { ...this.budget }, generation, entries: this.#entries.map((e) => JSON.parse(JSON.stringify(e)) as unknown),
    };
  }

  async #mac(body: Record<string, unknown>): Promise<string> {
    return hex(await blake2b(utf8.encode(canonicalJson(body)), 32, this.#key));
  }

  /** Writes the ledger (after every earlier write). */
  #save(): Promise<void> {
    const run = this.#chain.then(async () => {
      if (this.#key.length === 0) throw new ShardwireError('E_BAD_STATE', 'the privacy ledger was closed');
      const body = this.#body(this.#generation + 1);
      await this.#o.store.save(`${JSON.stringify({ ...body, mac: await this.#mac(body) }, null, 1)}\n`);
      this.#generation++;
    });
    this.#chain = run.catch(() => undefined);
    return run;
  }

  async #restore(text: string): Promise<void> {
    const where = this.#o.store.where;
    const tampered = (msg: string): never => {
      throw new ShardwireError('E_STATE_TAMPERED', `privacy ledger ${where}: ${msg}; restore a good copy (starting the ledger over would forget the privacy already spent)`, { where });
    };
    const other = (msg: string): never => {
      throw new ShardwireError('E_BAD_STATE', `privacy ledger ${where}: ${msg}`, { where });
    };
    let file: Record<string, unknown>;
    try {
      file = JSON.parse(text) as Record<string, unknown>;
    } catch {
      return tampered('not valid JSON (truncated or altered)');
    }
    if (typeof file !== 'object' || file === null || Array.isArray(file) || file.format !== FORMAT || file.v !== 1) other('not a version-1 privacy ledger');
    const o = this.#o;
    if (file.session !== o.session || file.participant !== o.identity.id) other(`holds the ledger of session ${JSON.stringify(file.session)} of participant ${String(file.participant)}, not of ${JSON.stringify(o.session)} of ${o.identity.id}: use one ledger file per session`);
    const { mac, ...body } = file;
    let expected: string;
    try {
      expected = await this.#mac(body);
    } catch {
      return tampered('its content has no canonical JSON form');
    }
    if (mac !== expected) tampered('the integrity code does not match under this participant\'s identity (the ledger was altered or written by another identity)');
    if (body.configHash !== o.configHash || body.plan !== this.#plan) other('was kept under another session config or noise plan');
    if (!Array.isArray(body.entries) || !Number.isSafeInteger(body.generation)) other('malformed entries');
    const states: readonly string[] = ['reserved', 'sent', 'released', 'aborted', 'dropped', 'disputed', 'withdrawn'];
    for (const e of body.entries as Record<string, unknown>[]) if (typeof e?.memo !== 'string' || !states.includes(e.state as string) || typeof e.epsilon !== 'number') other('malformed entry');
    this.#entries = body.entries as LedgerEntry[];
    try {
      this.spent();
    } catch (e) {
      other(`invalid entries (${(e as Error).message})`);
    }
    this.#generation = body.generation as number;
  }

  /** Waits for pending writes and wipes the integrity key. */
  async close(): Promise<void> {
    await this.#chain;
    this.#key.fill(0);
    this.#key = new Uint8Array(0);
  }
}

/** The ledger settings of {@link Client.join}. */
export interface LedgerSettings {
  /** Node: keep the ledger in this file (one file per session; created if missing). */
  readonly ledgerPath?: string;
  /** Keep the ledger in the application's own storage (browsers). */
  readonly ledgerStore?: LedgerStore;
}

/**
 * The ledger a client keeps for its session: none without DP; else in `ledgerPath`, in
 * `ledgerStore`, or in memory (`persistent` false: a restart starts it at zero; the client warns).
 * @throws {ShardwireError} E_BAD_ARGUMENT for bad settings (both given, wrong types); the
 *   ledger's E_STATE_TAMPERED / E_BAD_STATE.
 */
export async function ledgerFor(s: LedgerSettings, base: Omit<LedgerOptions, 'store'>): Promise<PrivacyLedger | undefined> {
  if (s.ledgerPath !== undefined && s.ledgerStore !== undefined) throw new ShardwireError('E_BAD_ARGUMENT', 'give "ledgerPath" or "ledgerStore", not both', { field: 'ledgerPath' });
  const store = s.ledgerPath !== undefined ? fileLedgerStore(s.ledgerPath) : s.ledgerStore !== undefined ? customLedgerStore(s.ledgerStore) : memoryLedgerStore();
  return base.config.noise ? PrivacyLedger.open({ ...base, store }) : undefined;
}
