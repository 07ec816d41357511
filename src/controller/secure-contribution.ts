/**
 * @module controller/secure-contribution
 * A site's half of an SMPC data piece: flatten the app's JSON, tell the coordinator's site the
 * shape and settings (a sealed `fc.ready`), join the secure-aggregation session the coordinator
 * proposes for those settings — after checking the proposal is what this site's app asked for —
 * and contribute through the SDK's `Client.aggregate`, keyed by a round memo every site derives
 * the same way from the app's memo.
 *
 * Apps may reuse a memo in a loop (the engine consumes data per memo), while a shardwire memo is
 * never reused in a session, so the k-th SMPC piece with app memo M is round `M.k` (or a hash of
 * M when M has characters a frame header does not allow).
 */
import { ShardwireError } from '../errors.ts';
import { Client } from '../client/client.ts';
import type { Identity } from '../crypto/identity.ts';
import { blake2b } from '../crypto/hash.ts';
import type { Kernel } from '../kernel/kernel.ts';
import type { PrivacyAccountant } from '../dp/accountant.ts';
import { noisePlan, releaseOf } from '../dp/noise-plan.ts';
import type { ThreatMode, TimeoutConfig } from '../config.ts';
import { sessionRosterHash, type Roster } from './roster-file.ts';
import type { AppDp, AppSmpc } from './app-status.ts';
import { parseNumericJson } from './nested-vector.ts';
import { integerLeaves, leafTensors } from './integer-leaves.ts';
import { checkBudgetFor, checkProposed, requestKey, secureConfig } from './session-config.ts';

/** What a site tells the coordinator's site about one SMPC piece (`fc.ready`). */
export interface ReadyMeta {
  readonly roundMemo: string;
  readonly memo: string | null;
  readonly key: string;
  readonly smpc: AppSmpc;
  readonly dp: AppDp | null;
  readonly shape: unknown;
  readonly shapeKey: string;
  readonly dim: number;
  /** Runs [start, length] of integer leaves, summed exactly (sessions without DP; controller/integer-leaves.ts). */
  readonly ints?: readonly (readonly [number, number])[];
}

/** The coordinator's proposal of a secure-aggregation session for one set of settings (`fc.session`). */
export interface SessionAnnouncement {
  readonly key: string;
  readonly session: string;
  readonly config: Record<string, unknown>;
  /** The coordinator's site's own Client (id, base64url key): a member of the pinned roster. */
  readonly client: { readonly id: string; readonly publicKey: string };
}

/** What a site needs to contribute. */
export interface ContributorContext {
  readonly kernel: Kernel;
  readonly relayUrl: string;
  /** The identity this site's Client uses (the coordinator's site uses a run-local one). */
  readonly clientIdentity: Identity;
  readonly coordinator: { readonly id: string; readonly publicKey: Uint8Array };
  readonly roster: Roster;
  readonly timeouts: TimeoutConfig;
  readonly threat: ThreatMode;
  /** This site's accountant (DP runs): every release of its data is charged here too. */
  readonly accountant: PrivacyAccountant | undefined;
  readonly privacyBudget: { readonly epsilon: number; readonly delta: number } | undefined;
  sendReady(r: ReadyMeta): Promise<void>;
}

/** The outcome of one contribution, for the report. */
export interface Contribution {
  readonly roundMemo: string;
  readonly dim: number;
  /** ε charged to this site's accountant (DP only). */
  readonly epsilon?: number;
  readonly epsilonTotal?: number;
}

const HEADER_SAFE = /^[A-Za-z0-9._:@-]{1,100}$/;

/** The round memo of the `occurrence`-th SMPC piece with app memo `memo`. */
export async function roundMemoOf(memo: string | null, occurrence: number): Promise<string> {
  const m = memo ?? 'None';
  if (HEADER_SAFE.test(m)) return `${m}.${occurrence}`;
  const h = await blake2b(new TextEncoder().encode(m), 16);
  return `m-${Buffer.from(h).toString('hex')}.${occurrence}`;
}

/** The site side of SMPC data pieces. */
export class SecureContributor {
  private readonly announcements = new Map<string, SessionAnnouncement>();
  private readonly announcementWaiters = new Map<string, ((a: SessionAnnouncement) => void)[]>();
  private readonly clients = new Map<string, Promise<Client>>();
  private readonly occurrences = new Map<string, number>();
  private releases = 0;
  private closed = false;

  constructor(private readonly ctx: ContributorContext) {}

  /** Records the coordinator's proposal for one set of settings (checked when it is used). */
  onAnnouncement(a: SessionAnnouncement): void {
    if (
      typeof a.key !== 'string' ||
      typeof a.session !== 'string' ||
      typeof a.config !== 'object' ||
      a.config === null
    ) {
      throw new ShardwireError('E_BAD_PAYLOAD', 'fc.session from the coordinator lacks key, session or config');
    }
    if (this.announcements.has(a.key))
      throw new ShardwireError(
        'E_REPLAY',
        `the coordinator proposed a second session for the same settings (${a.session})`,
      );
    this.announcements.set(a.key, a);
    for (const w of this.announcementWaiters.get(a.key) ?? []) w(a);
    this.announcementWaiters.delete(a.key);
  }

  private announcement(key: string): Promise<SessionAnnouncement> {
    const known = this.announcements.get(key);
    if (known) return Promise.resolve(known);
    const ms = this.ctx.timeouts.joinMs;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(
            new ShardwireError(
              'E_TIMEOUT',
              `the coordinator proposed no secure-aggregation session within ${ms} ms`,
              {},
            ),
          ),
        ms,
      );
      const list = this.announcementWaiters.get(key) ?? [];
      list.push((a) => (clearTimeout(timer), resolve(a)));
      this.announcementWaiters.set(key, list);
    });
  }

  private client(key: string, smpc: AppSmpc, dp: AppDp | null): Promise<Client> {
    let c = this.clients.get(key);
    if (!c) {
      c = this.announcement(key).then(async (a) => {
        const { roster, threat } = this.ctx;
        const rosterHash = await sessionRosterHash(roster, a.client);
        // E_ROSTER_MISMATCH / E_CONFIG_MISMATCH
        const config = checkProposed(a.config, smpc, dp, { sites: roster.sites.length, threat, rosterHash });
        if (this.closed) throw new ShardwireError('E_ABORTED', 'the controller is closing');
        return Client.join({
          relayUrl: this.ctx.relayUrl,
          session: a.session,
          identity: this.ctx.clientIdentity,
          coordinator: this.ctx.coordinator,
          config,
          kernel: this.ctx.kernel,
        });
      });
      this.clients.set(key, c);
    }
    return c;
  }

  /**
   * Contributes one SMPC data piece (the app's JSON bytes): validates it, announces it to the
   * coordinator's site, joins the session for its settings and sends the masked partial.
   * @throws {ShardwireError} E_BAD_VECTOR / E_BAD_PAYLOAD (data), E_UNSUPPORTED / E_BAD_CONFIG /
   *   E_BAD_DP_CONFIG (settings), E_BUDGET_EXHAUSTED, E_CONFIG_MISMATCH, E_TIMEOUT, and the SDK's
   *   round errors.
   */
  async contribute(data: Uint8Array, memo: string | null, smpc: AppSmpc, dp: AppDp | null): Promise<Contribution> {
    const text = Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('utf8');
    const flat = parseNumericJson(text);
    const leaves = dp === null && smpc.operation === 'add' ? integerLeaves(text, flat.values.length) : undefined; // integers stay integers (sums without DP)
    // refuse settings this site would refuse anyway before bothering anyone (multiply, shards, DP)
    if (dp !== null) checkBudgetFor(dp, this.ctx.accountant?.budget);
    secureConfig(smpc, dp, {
      sites: this.ctx.roster.sites.length,
      timeouts: this.ctx.timeouts,
      threat: this.ctx.threat,
      ...(this.ctx.privacyBudget ? { privacyBudget: this.ctx.privacyBudget } : {}),
    });
    const occurrenceKey = memo ?? '\u0000none';
    const occurrence = (this.occurrences.get(occurrenceKey) ?? 0) + 1;
    this.occurrences.set(occurrenceKey, occurrence);
    const roundMemo = await roundMemoOf(memo, occurrence);
    const key = requestKey(smpc, dp);
    await this.ctx.sendReady({
      roundMemo,
      memo,
      key,
      smpc,
      dp,
      shape: flat.shape,
      shapeKey: flat.key,
      dim: flat.values.length,
      ...(leaves ? { ints: leaves.runs } : {}),
    });
    // nothing to protect: the coordinator restores the empty shape
    if (flat.values.length === 0) return { roundMemo, dim: 0 };
    const client = await this.client(key, smpc, dp);
    let charged: { epsilon: number; epsilonTotal: number } | undefined;
    if (dp !== null) {
      // this site's own accountant covers every release of its data, secure or not (local noise)
      const plan = noisePlan(client.config.dp, client.config.smpc.exponent, client.config.minHonest);
      const cost = this.ctx.accountant!.record(releaseOf(plan, ++this.releases, 1, flat.values.length));
      charged = { epsilon: cost.epsilon, epsilonTotal: cost.cumulative.epsilon };
    }
    await client.aggregate(leaves ? leafTensors(flat.values, leaves) : flat.values, { memo: roundMemo, timeoutMs: this.ctx.timeouts.roundMs });
    return { roundMemo, dim: flat.values.length, ...(charged ?? {}) };
  }

  /**
   * Leaves every secure-aggregation session (wipes their keys). A join still in progress is not
   * waited for — its coordinator may be gone, and the SDK's join only gives up after joinMs —
   * but its Client is closed the moment it resolves.
   */
  close(): void {
    this.closed = true;
    for (const c of this.clients.values()) void c.then((client) => client.close(), () => undefined);
  }
}
