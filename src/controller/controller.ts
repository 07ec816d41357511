/**
 * @module controller/controller
 * A FeatureCloud-compatible controller: one per site, next to one unmodified FeatureCloud app.
 * It tells the app who it is (`POST /api/setup`), polls `/api/status` at FeatureCloud's pace,
 * fetches each data piece the app offers and routes it (controller/routing.ts): plain data sealed
 * end to end to other sites (controller/site-link.ts), DP data noised here first
 * (controller/local-noise.ts), SMPC data through a shardwire secure round
 * (controller/secure-contribution.ts, secure-coordination.ts) whose aggregate reaches the
 * coordinator's app in the app's own nesting. When every app reports `finished`, every
 * controller ends with a summary; when anything fails — an app, a site, the data — every
 * controller ends with a typed error, and no app is handed a wrong aggregate.
 */
import { ShardwireError } from '../errors.ts';
import { Identity } from '../crypto/identity.ts';
import { Kernel } from '../kernel/kernel.ts';
import { PrivacyAccountant } from '../dp/accountant.ts';
import type { ThreatMode, TimeoutConfig } from '../config.ts';
import { AppClient } from './app-client.ts';
import type { AppStatus } from './app-status.ts';
import { routeOf, type SiteRole } from './routing.ts';
import { resolveControllerOptions, type ControllerOptions } from './controller-options.ts';
import { SiteLink, failMessage, peerError, type SiteMessage } from './site-link.ts';
import { SecureContributor, type ReadyMeta, type SessionAnnouncement } from './secure-contribution.ts';
import { SecureCoordination, type SecureRound } from './secure-coordination.ts';

export type { ControllerOptions } from './controller-options.ts';
import { addLocalNoise } from './local-noise.ts';
import { parseNumericJson, restoreJson } from './nested-vector.ts';
import { ProgressReporter } from './progress.ts';
import { RunReport, formatSummary, type ControllerSummary } from './run-report.ts';
import { startStatusServer, type StatusServer } from './status-server.ts';


/**
 * Runs a controller until every site's app has finished (resolves with the summary) or the run
 * fails (rejects with a typed error, after telling every other site).
 * @throws {ShardwireError} E_BAD_ARGUMENT (options, roster, role); E_APP (the app crashed, broke
 *   the protocol or sent to an unknown site); E_TIMEOUT (app or sites silent); E_PEER_FAILED
 *   (another site failed or vanished); E_BAD_VECTOR (non-numeric, non-finite or mismatched SMPC
 *   data); E_UNSUPPORTED (multiply with DP); E_BAD_DP_CONFIG / E_BUDGET_EXHAUSTED; the SDK's round errors.
 * @example
 * const summary = await runController({ appUrl, relayUrl, session: 'study-7', identity, roster, coordinator: false })
 */
export async function runController(o: ControllerOptions): Promise<ControllerSummary> {
  const c = new ControllerRun(o);
  return c.run();
}

class ControllerRun {
  private readonly role: SiteRole;
  private readonly isCoordinator: boolean;
  private readonly timeouts: TimeoutConfig;
  private readonly threat: ThreatMode;
  private readonly app: AppClient;
  private readonly report: RunReport;
  private readonly progress: ProgressReporter;
  private readonly accountant: PrivacyAccountant | undefined;
  private link: SiteLink | undefined;
  private contributor: SecureContributor | undefined;
  private coordination: SecureCoordination | undefined;
  private ownClient: Identity | undefined;
  private kernel: Kernel | undefined;
  private statusServer: StatusServer | undefined;
  private appQueue: Promise<void> = Promise.resolve();
  private readonly tasks = new Set<Promise<unknown>>();
  private failure: ShardwireError | undefined;
  private settle!: () => void;
  private readonly settled = new Promise<void>((r) => (this.settle = r));
  private localReleases = 0;
  /** Messages and departures that arrive while start() is still wiring things up wait here. */
  private early: (() => void)[] | undefined = [];

  constructor(private readonly o: ControllerOptions) {
    const { identity } = o;
    ({ role: this.role, isCoordinator: this.isCoordinator, timeouts: this.timeouts, threat: this.threat } = resolveControllerOptions(o));
    this.app = new AppClient(o.appUrl, o.appTimeoutMs ?? 30_000);
    this.accountant = o.privacyBudget
      ? new PrivacyAccountant({ sessionId: o.session, budget: o.privacyBudget, minHonest: 1 })
      : undefined;
    this.report = new RunReport(
      identity.id,
      this.isCoordinator ? 'coordinator' : 'participant',
      this.threat,
      this.role.clients,
      o.privacyBudget,
    );
    const label = `${identity.id.slice(0, 8)}${this.isCoordinator ? '*' : ''}`;
    this.progress = new ProgressReporter(
      o.json === true,
      o.sinks ?? { out: process.stdout, err: process.stderr },
      identity.id,
      label,
    );
  }

  async run(): Promise<ControllerSummary> {
    try {
      await this.start();
      for (const handle of this.early!) handle();
      this.early = undefined;
      void this.pump().catch((e: unknown) => this.fail(asError(e)));
      await this.settled;
    } catch (e) {
      this.fail(asError(e));
    }
    await this.teardown();
    const error = this.failure ? { code: this.failure.code, message: this.failure.message } : undefined;
    const summary = this.report.summary(error);
    this.progress.summary(summary as unknown as Record<string, unknown>, formatSummary(summary));
    if (this.failure) throw this.failure;
    return summary;
  }

  private async start(): Promise<void> {
    const o = this.o;
    if (o.statusPort !== undefined) {
      this.statusServer = await startStatusServer(o.statusHost ?? '127.0.0.1', o.statusPort, () =>
        this.report.summary(this.failure ? { code: this.failure.code, message: this.failure.message } : undefined),
      );
      o.onStatusUrl?.(this.statusServer.url);
      this.progress.event({ event: 'listening', status: this.statusServer.url });
    }
    const kernel = (this.kernel = o.kernel ?? (await Kernel.load()));
    await this.app.waitUntilUp(this.timeouts.joinMs, o.pollMs ?? 100);
    this.progress.event({ event: 'app-up', app: this.app.baseUrl });
    this.link = await SiteLink.open({
      relayUrl: o.relayUrl,
      session: o.session,
      identity: o.identity,
      roster: o.roster,
      timeoutMs: this.timeouts.joinMs,
      handlers: {
        // departures wait with the messages, in arrival order: a site's fc.fail comes before the
        // departure of a site that left because of it
        message: (m) => this.whenStarted(() => this.onMessage(m)),
        gone: (id, reason) => this.whenStarted(() => this.onGone(id, reason)),
        fault: (e) => this.fail(e),
      },
    });
    this.progress.event({ event: 'sites-ready', sites: this.role.clients.length });
    const coordinatorKey = o.roster.sites.find((s) => s.id === o.roster.coordinator)!.publicKey;
    this.ownClient = this.isCoordinator ? await Identity.generate() : undefined;
    const clientIdentity = this.ownClient ?? o.identity;
    this.contributor = new SecureContributor({
      kernel,
      relayUrl: o.relayUrl,
      clientIdentity,
      coordinator: { id: o.roster.coordinator, publicKey: coordinatorKey },
      roster: o.roster,
      timeouts: this.timeouts,
      threat: this.threat,
      accountant: this.accountant,
      privacyBudget: o.privacyBudget,
      sendReady: (r) => this.sendReady(r),
    });
    if (this.isCoordinator) {
      const link = this.link;
      this.coordination = new SecureCoordination({
        kernel,
        relayUrl: o.relayUrl,
        session: o.session,
        identity: o.identity,
        roster: o.roster,
        ownClient: { id: clientIdentity.id, publicKey: clientIdentity.publicKey },
        timeouts: this.timeouts,
        threat: this.threat,
        privacyBudget: o.privacyBudget,
        maxDim: Math.floor((link.maxPayloadBytes - 4096) / 8) - 1,
        announce: async (a) => {
          this.contributor!.onAnnouncement(a);
          await link.sendAll('fc.session', a as unknown as Record<string, unknown>);
        },
        deliver: (memo, json) => this.deliverToApp(o.identity.id, memo, new TextEncoder().encode(json)),
        roundDone: (r) => this.onRound(r),
        fail: (e) => this.fail(e),
      });
    }
    await this.app.setup({
      id: o.identity.id,
      coordinator: this.isCoordinator,
      clients: this.role.clients,
      coordinatorID: o.roster.coordinator,
    });
  }

  /** Runs `handle` now, or once start() is done (in arrival order with the others). */
  private whenStarted(handle: () => void): void {
    if (this.early) this.early.push(handle);
    else handle();
  }

  /** Polls the app and routes what it offers until it finishes or the run fails. */
  private async pump(): Promise<void> {
    const pollMs = this.o.pollMs ?? 100;
    while (!this.failure) {
      const s = await this.app.status();
      this.onStatus(s);
      if (s.finished) return this.finishLocal(s);
      if (!s.available) {
        await new Promise((r) => setTimeout(r, pollMs));
        continue;
      }
      const data = await this.app.fetchData();
      if (this.failure) return;
      await this.route(s, data);
    }
  }

  private onStatus(s: AppStatus): void {
    const last = this.report.lastStatus;
    this.report.lastStatus = s;
    if (last && last.message === s.message && last.progress === s.progress && last.state === s.state) return;
    this.progress.event({ event: 'status', message: s.message, progress: s.progress, state: s.state });
  }

  private async route(s: AppStatus, data: Uint8Array): Promise<void> {
    const r = routeOf(s, this.role);
    if (r.kind === 'smpc') {
      this.progress.event({ event: 'smpc', memo: r.memo, bytes: data.length, dp: r.dp?.noisetype });
      this.track(
        this.contributor!.contribute(data, r.memo, r.smpc, r.dp).then((c) => {
          if (c.epsilon !== undefined)
            this.report.privacy.push({
              memo: r.memo,
              kind: 'secure',
              epsilon: c.epsilon,
              epsilonTotal: c.epsilonTotal!,
            });
        }),
      );
      return;
    }
    let payload = data;
    if (r.dp) {
      const flat = parseNumericJson(Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('utf8'));
      const rel = addLocalNoise(this.kernel!, this.accountant, flat.values, r.dp, ++this.localReleases);
      this.report.privacy.push({ memo: r.memo, kind: 'local', epsilon: rel.epsilon, epsilonTotal: rel.epsilonTotal });
      payload = new TextEncoder().encode(restoreJson(rel.values, flat.shape));
      this.progress.event({
        event: 'dp',
        memo: r.memo,
        noisetype: r.dp.noisetype,
        epsilon: rel.epsilon,
        epsilonTotal: rel.epsilonTotal,
        noiseStd: rel.noiseStd,
      });
    }
    for (const to of r.to) {
      this.progress.event({ event: 'send', memo: r.memo, to, bytes: payload.length, kind: r.dp ? 'dp' : 'plain' });
      if (to === this.role.id) this.track(this.deliverToApp(to, r.memo, payload));
      else {
        await this.link!.sendData(to, { memo: r.memo, kind: r.dp ? 'dp' : 'plain' }, payload, this.timeouts.roundMs);
        this.report.sent(payload.length);
      }
    }
  }

  private async sendReady(r: ReadyMeta): Promise<void> {
    if (this.isCoordinator) return this.coordination!.onReady(this.role.id, r);
    await this.link!.send(this.role.coordinatorId, 'fc.ready', r as unknown as Record<string, unknown>);
  }

  /** Hands a data piece to this site's app, one at a time, in arrival order. */
  private deliverToApp(from: string, memo: string | null, payload: Uint8Array): Promise<void> {
    const next = this.appQueue.then(async () => {
      if (this.failure) return;
      await this.app.postData(from, memo, payload);
      this.progress.event({ event: 'delivered', from, memo, bytes: payload.length });
    });
    this.appQueue = next.catch(() => undefined);
    return next;
  }

  private onMessage(m: SiteMessage): void {
    const meta = m.meta;
    const fromCoordinator = m.from === this.role.coordinatorId;
    switch (m.type) {
      case 'fc.data':
        this.report.received(m.payload.length);
        this.track(this.deliverToApp(m.from, typeof meta.memo === 'string' ? meta.memo : null, m.payload));
        return;
      case 'fc.ready':
        if (!this.coordination)
          throw new ShardwireError('E_BAD_PAYLOAD', `fc.ready from ${m.from}, but this site does not coordinate`);
        return this.coordination.onReady(m.from, meta as unknown as ReadyMeta);
      case 'fc.session':
        if (!fromCoordinator)
          throw new ShardwireError('E_BAD_PAYLOAD', `fc.session from ${m.from}, who does not coordinate`);
        return this.contributor!.onAnnouncement(meta as unknown as SessionAnnouncement);
      case 'fc.round':
        if (!fromCoordinator)
          throw new ShardwireError('E_BAD_PAYLOAD', `fc.round from ${m.from}, who does not coordinate`);
        this.report.rounds.push(meta as unknown as SecureRound & { ms: number });
        return;
      case 'fc.finished':
        this.report.sites.set(m.from, 'finished');
        this.progress.event({ event: 'site-finished', peer: m.from });
        return this.checkDone();
      case 'fc.fail':
        this.report.sites.set(m.from, 'failed');
        if (typeof meta.origin === 'string' && this.report.sites.has(meta.origin))
          this.report.sites.set(meta.origin, 'failed');
        return this.fail(peerError(m.from, meta));
      default:
        throw new ShardwireError('E_BAD_PAYLOAD', `unknown message ${m.type} from ${m.from}`);
    }
  }

  private onRound(r: SecureRound): void {
    const dp = r.report?.dp;
    const entry = {
      memo: r.memo,
      roundMemo: r.roundMemo,
      dim: r.dim,
      ms: Math.round(r.ms),
      ...(dp ? { epsilon: dp.epsilonRound, expectedNoiseStd: dp.expectedNoiseStd } : {}),
    };
    this.report.rounds.push(entry);
    this.progress.event({ event: 'round', ...entry, contributors: r.report?.contributors.length });
    void this.link!.sendAll('fc.round', entry);
  }

  private onGone(id: string, reason: string): void {
    const state = this.report.sites.get(id);
    if (state === undefined || state === 'finished' || state === 'failed') return;
    this.report.sites.set(id, 'gone');
    this.fail(
      new ShardwireError(
        'E_PEER_FAILED',
        `site ${id} disconnected (${reason}) before its app finished; the run cannot complete without it`,
        { site: id, reason },
      ),
    );
  }

  private async finishLocal(s: AppStatus): Promise<void> {
    if (s.state === 'error') {
      throw new ShardwireError(
        'E_APP',
        `the app stopped with an error (${s.message ?? 'no message'}); see the app's log`,
        { message: s.message },
      );
    }
    // everything this app handed over must have left before the other sites hear it finished
    while (this.tasks.size > 0) await Promise.allSettled([...this.tasks]);
    await this.appQueue;
    if (this.failure) return;
    this.report.sites.set(this.role.id, 'finished');
    this.progress.event({ event: 'app-finished' });
    await this.link!.sendAll('fc.finished', {});
    this.checkDone();
  }

  private checkDone(): void {
    if (this.report.allFinished()) this.settle();
  }

  private track(p: Promise<unknown>): void {
    const t: Promise<unknown> = p.catch((e: unknown) => this.fail(asError(e))).finally(() => this.tasks.delete(t));
    this.tasks.add(t);
  }

  /**
   * Records the first failure, tells the other sites (a peer's failure is forwarded with its
   * origin: a third site may hear of it from here first, or see this site leave) and ends the run.
   */
  private fail(e: ShardwireError): void {
    if (this.failure) return;
    this.failure = e;
    this.coordination?.stop();
    this.progress.close();
    this.progress.event({ event: 'error', code: e.code, message: e.message });
    const meta = failMessage(e);
    const told = this.link ? this.link.sendAll('fc.fail', meta, meta.origin) : Promise.resolve();
    void told.finally(() => this.settle());
  }

  private async teardown(): Promise<void> {
    this.contributor?.close();
    await this.coordination?.close();
    this.link?.close();
    this.ownClient?.zeroise();
    await this.statusServer?.close();
  }
}

function asError(e: unknown): ShardwireError {
  return e instanceof ShardwireError
    ? e
    : new ShardwireError('E_BAD_STATE', `internal error: ${(e as Error)?.stack ?? String(e)}`);
}
