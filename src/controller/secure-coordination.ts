/**
 * @module controller/secure-coordination
 * The coordinator's site's half of SMPC data pieces: collect every site's `fc.ready` for a round
 * memo, check that all sites sent the same shape with the same settings, open a secure-aggregation
 * session per distinct settings (proposed to every site with `fc.session`), run the round through
 * the SDK's `Coordinator.runRound`, and hand the aggregate, back in the app's exact nesting, to
 * the coordinator's app. Rounds run one at a time, in the order their last `fc.ready` arrived.
 *
 * The coordinator's own data goes through a Client like every other site's; that Client has a
 * run-local identity, because one identity cannot be both the session's coordinator and one of
 * its members on the relay.
 */
import { ShardwireError } from '../errors.ts';
import { Coordinator } from '../coordinator/coordinator.ts';
import type { RoundReport } from '../coordinator/round.ts';
import type { Identity } from '../crypto/identity.ts';
import type { Kernel } from '../kernel/kernel.ts';
import type { ThreatMode, TimeoutConfig } from '../config.ts';
import { toBase64url } from '../wire/base64url.ts';
import { sessionRosterHash, type Roster } from './roster-file.ts';
import { describeShape, restoreJson, type Shape } from './nested-vector.ts';
import { secureConfig } from './session-config.ts';
import type { ReadyMeta, SessionAnnouncement } from './secure-contribution.ts';

/** One finished secure round, for the report. */
export interface SecureRound {
  readonly memo: string | null;
  readonly roundMemo: string;
  readonly dim: number;
  readonly ms: number;
  readonly report?: RoundReport;
}

/** What the coordinator's site needs. */
export interface CoordinationContext {
  readonly kernel: Kernel;
  readonly relayUrl: string;
  /** The run's session id; secure-aggregation sessions are `<session>:sa<n>`. */
  readonly session: string;
  readonly identity: Identity;
  readonly roster: Roster;
  /** The public half of the coordinator's site's own Client identity. */
  readonly ownClient: { readonly id: string; readonly publicKey: Uint8Array };
  readonly timeouts: TimeoutConfig;
  readonly threat: ThreatMode;
  readonly privacyBudget: { readonly epsilon: number; readonly delta: number } | undefined;
  /** Largest vector one partial can carry through the relay. */
  readonly maxDim: number;
  announce(a: SessionAnnouncement): Promise<void>;
  /** Hands the aggregate (JSON text) to the coordinator's app. */
  deliver(memo: string | null, json: string): Promise<void>;
  roundDone(r: SecureRound): void;
  fail(e: ShardwireError): void;
}

interface Pending {
  readonly readies: Map<string, ReadyMeta>;
  readonly timer: ReturnType<typeof setTimeout>;
}

/** The coordinator's site's side of SMPC data pieces. */
export class SecureCoordination {
  private readonly pending = new Map<string, Pending>();
  private readonly done = new Set<string>();
  private readonly sessions = new Map<string, Promise<Coordinator>>();
  private queue: Promise<void> = Promise.resolve();
  private readonly abort = new AbortController();

  constructor(private readonly ctx: CoordinationContext) {}

  /** A site's `fc.ready` (or this site's own). */
  onReady(from: string, r: ReadyMeta): void {
    if (
      typeof r.roundMemo !== 'string' ||
      typeof r.key !== 'string' ||
      typeof r.shapeKey !== 'string' ||
      !Number.isSafeInteger(r.dim) ||
      r.dim < 0
    ) {
      throw new ShardwireError('E_BAD_PAYLOAD', `fc.ready from ${from} lacks roundMemo, key, shapeKey or dim`);
    }
    if (this.done.has(r.roundMemo))
      throw new ShardwireError('E_REPLAY', `fc.ready from ${from} for round ${r.roundMemo}, which already ran`);
    let p = this.pending.get(r.roundMemo);
    if (!p) {
      const ms = this.ctx.timeouts.roundMs;
      const timer = setTimeout(() => this.timedOut(r.roundMemo, ms), ms);
      this.pending.set(r.roundMemo, (p = { readies: new Map(), timer }));
      // open the session for these settings as soon as they are first seen, so that sites join
      // while the others are still computing
      if (r.dim > 0) this.session(r).catch((e: unknown) => this.ctx.fail(asError(e)));
    }
    if (p.readies.has(from))
      throw new ShardwireError('E_REPLAY', `site ${from} sent its data for round ${r.roundMemo} twice`);
    p.readies.set(from, r);
    if (p.readies.size < this.ctx.roster.sites.length) return;
    clearTimeout(p.timer);
    this.pending.delete(r.roundMemo);
    this.done.add(r.roundMemo);
    const readies = [...p.readies.entries()];
    this.queue = this.queue.then(() => this.run(readies)).catch((e: unknown) => this.ctx.fail(asError(e)));
  }

  private timedOut(roundMemo: string, ms: number): void {
    const p = this.pending.get(roundMemo);
    if (!p) return;
    const missing = this.ctx.roster.sites.map((s) => s.id).filter((id) => !p.readies.has(id));
    this.ctx.fail(
      new ShardwireError(
        'E_TIMEOUT',
        `round ${roundMemo}: sites ${missing.join(', ')} sent no SMPC data within ${ms} ms of the first site; did ` +
          `their apps take another path?`,
        { roundMemo, missing },
      ),
    );
  }

  /** Checks that every site sent the same settings and shape. */
  private agree(readies: [string, ReadyMeta][]): ReadyMeta {
    const [firstSite, first] = readies[0]!;
    for (const [site, r] of readies) {
      if (r.key !== first.key) {
        throw new ShardwireError(
          'E_CONFIG_MISMATCH',
          `round ${first.roundMemo}: site ${site} asked for SMPC/DP settings ${r.key} but site ${firstSite} for ` +
            `${first.key}; every app must configure_smpc/configure_dp alike`,
          { roundMemo: first.roundMemo },
        );
      }
    }
    if (readies.some(([, r]) => r.shapeKey !== first.shapeKey)) {
      const shapes = readies
        .map(([s, r]) => `${s}: ${describeShape(r.shape as Shape, 60)} (${r.dim} values)`)
        .join('; ');
      throw new ShardwireError(
        'E_BAD_VECTOR',
        `round ${first.roundMemo} (memo ${JSON.stringify(first.memo)}): sites sent data of different shapes — ` +
          `${shapes}; SMPC adds element by element, so every site must send the same shape`,
        { roundMemo: first.roundMemo },
      );
    }
    if (first.dim > this.ctx.maxDim) {
      throw new ShardwireError(
        'E_BAD_VECTOR',
        `round ${first.roundMemo}: ${first.dim} values exceed the ${this.ctx.maxDim} one partial can carry through ` +
          `this relay; raise the relay's --max-payload or send smaller pieces`,
        { dim: first.dim, maxDim: this.ctx.maxDim },
      );
    }
    return first;
  }

  private session(r: ReadyMeta): Promise<Coordinator> {
    let s = this.sessions.get(r.key);
    if (!s) {
      const id = `${this.ctx.session}:sa${this.sessions.size + 1}`;
      s = this.open(id, r);
      this.sessions.set(r.key, s);
    }
    return s;
  }

  private async open(session: string, r: ReadyMeta): Promise<Coordinator> {
    const { roster, identity, ownClient } = this.ctx;
    const client = { id: ownClient.id, publicKey: toBase64url(ownClient.publicKey) };
    const config = secureConfig(r.smpc, r.dp, {
      sites: roster.sites.length,
      timeouts: this.ctx.timeouts,
      threat: this.ctx.threat,
      rosterHash: await sessionRosterHash(roster, client),
      ...(this.ctx.privacyBudget ? { privacyBudget: this.ctx.privacyBudget } : {}),
    });
    const members = roster.sites.map((s) => (s.id === identity.id ? ownClient : s));
    const c = await Coordinator.start({
      relayUrl: this.ctx.relayUrl,
      session,
      identity,
      roster: members,
      config,
      kernel: this.ctx.kernel,
      maxDim: this.ctx.maxDim,
    });
    await this.ctx.announce({ key: r.key, session, config, client });
    return c;
  }

  private async run(readies: [string, ReadyMeta][]): Promise<void> {
    const r = this.agree(readies);
    const t0 = performance.now();
    if (r.dim === 0) {
      await this.ctx.deliver(r.memo, restoreJson(new Float64Array(0), r.shape as Shape));
      return this.ctx.roundDone({ memo: r.memo, roundMemo: r.roundMemo, dim: 0, ms: performance.now() - t0 });
    }
    const c = await this.session(r);
    const participants = this.ctx.roster.sites.map((s) =>
      s.id === this.ctx.identity.id ? this.ctx.ownClient.id : s.id,
    );
    await c.waitForParticipants(participants.length, this.ctx.timeouts.joinMs);
    const { aggregate, report } = await c.runRound({
      dim: r.dim,
      operation: c.config.smpc.operation === 'multiply' ? 'multiply' : 'sum',
      memo: r.roundMemo,
      participants,
      timeoutMs: this.ctx.timeouts.roundMs,
      signal: this.abort.signal,
    });
    // all sites must have contributed (minClients = sites), so this is the sum (product) the apps expect
    await this.ctx.deliver(r.memo, restoreJson(aggregate, r.shape as Shape));
    this.ctx.roundDone({ memo: r.memo, roundMemo: r.roundMemo, dim: r.dim, ms: performance.now() - t0, report });
  }

  /** Aborts the running round (its participants hear round.abort) and stops waiting. */
  stop(): void {
    this.abort.abort();
    for (const p of this.pending.values()) clearTimeout(p.timer);
    this.pending.clear();
  }

  /** Closes every secure-aggregation session. */
  async close(): Promise<void> {
    this.stop();
    for (const s of this.sessions.values()) (await s.catch(() => undefined))?.close();
  }
}

function asError(e: unknown): ShardwireError {
  return e instanceof ShardwireError
    ? e
    : new ShardwireError('E_BAD_STATE', `internal error: ${(e as Error)?.message ?? String(e)}`);
}
