/**
 * @module controller/run-report
 * What a controller counts while it runs — messages and bytes each way, secure rounds, the
 * privacy charged per memo — and the summary it prints at the end and serves at /status.
 */
import type { ThreatMode } from '../config.ts';
import type { AppStatus } from './app-status.ts';

/** The state of one site, as this controller knows it. */
export type SiteState = 'running' | 'finished' | 'failed' | 'gone';

/** One DP release of this site's data. */
export interface PrivacyEntry {
  readonly memo: string | null;
  /** 'local': noise added here, no SMPC; 'secure': noise added in the kernel before masking. */
  readonly kind: 'local' | 'secure';
  readonly epsilon: number;
  /** This site's total after this release (its accountant, at the budget's δ). */
  readonly epsilonTotal: number;
}

/** One secure round as the coordinator's site reported it. */
export interface RoundEntry {
  readonly memo: string | null;
  readonly roundMemo: string;
  readonly dim: number;
  readonly ms: number;
  /** ε of this release by the round's own accountant (DP rounds). */
  readonly epsilon?: number;
  readonly expectedNoiseStd?: number;
}

/** The summary of a run at one site. */
export interface ControllerSummary {
  readonly site: string;
  readonly role: 'coordinator' | 'participant';
  /** The threat mode of this site's secure rounds. */
  readonly threat: ThreatMode;
  readonly ok: boolean;
  readonly error?: { readonly code: string; readonly message: string };
  readonly seconds: number;
  readonly sites: Readonly<Record<string, SiteState>>;
  readonly app: { readonly message: string | null; readonly progress: number | null; readonly state: string | null };
  readonly sent: { readonly messages: number; readonly bytes: number };
  readonly received: { readonly messages: number; readonly bytes: number };
  readonly rounds: readonly RoundEntry[];
  readonly privacy: {
    readonly releases: readonly PrivacyEntry[];
    readonly epsilonTotal: number;
    readonly budget?: { readonly epsilon: number; readonly delta: number };
  };
}

/** Mutable counters behind {@link ControllerSummary}. */
export class RunReport {
  readonly started = performance.now();
  readonly sites = new Map<string, SiteState>();
  lastStatus: AppStatus | undefined;
  sentMessages = 0;
  sentBytes = 0;
  receivedMessages = 0;
  receivedBytes = 0;
  readonly rounds: RoundEntry[] = [];
  readonly privacy: PrivacyEntry[] = [];

  constructor(
    readonly site: string,
    readonly role: 'coordinator' | 'participant',
    readonly threat: ThreatMode,
    siteIds: readonly string[],
    readonly budget: { readonly epsilon: number; readonly delta: number } | undefined,
  ) {
    for (const id of siteIds) this.sites.set(id, 'running');
  }

  sent(bytes: number): void {
    this.sentMessages++;
    this.sentBytes += bytes;
  }

  received(bytes: number): void {
    this.receivedMessages++;
    this.receivedBytes += bytes;
  }

  /** True once every site finished. */
  allFinished(): boolean {
    return [...this.sites.values()].every((s) => s === 'finished');
  }

  /** The summary now (also the body of /status). */
  summary(error?: { code: string; message: string }): ControllerSummary {
    const s = this.lastStatus;
    return {
      site: this.site,
      role: this.role,
      threat: this.threat,
      ok: error === undefined && this.allFinished(),
      ...(error ? { error } : {}),
      seconds: Math.round(performance.now() - this.started) / 1000,
      sites: Object.fromEntries(this.sites),
      app: { message: s?.message ?? null, progress: s?.progress ?? null, state: s?.state ?? null },
      sent: { messages: this.sentMessages, bytes: this.sentBytes },
      received: { messages: this.receivedMessages, bytes: this.receivedBytes },
      rounds: [...this.rounds],
      privacy: {
        releases: [...this.privacy],
        epsilonTotal: this.privacy.length === 0 ? 0 : this.privacy[this.privacy.length - 1]!.epsilonTotal,
        ...(this.budget ? { budget: this.budget } : {}),
      },
    };
  }
}

/** The summary as a few lines of text (what the CLI prints without --json). */
export function formatSummary(s: ControllerSummary): string {
  const states = Object.values(s.sites);
  const finished = states.filter((x) => x === 'finished').length;
  const rounds = s.rounds.map((r) => `${r.memo ?? 'None'}: ${r.dim} values, ${r.ms} ms`).join('; ');
  const lines = [
    `${s.ok ? 'finished' : 'FAILED'}: site ${s.site} (${s.role}), ${finished}/${states.length} apps finished, ` +
      `${s.seconds} s`,
    `  data: sent ${s.sent.messages} pieces (${s.sent.bytes} bytes), received ${s.received.messages} ` +
      `(${s.received.bytes} bytes)`,
    `  secure rounds (${s.threat}): ${s.rounds.length}${s.rounds.length ? ` (${rounds})` : ''}`,
  ];
  if (s.privacy.releases.length > 0 || s.privacy.budget) {
    const per = s.privacy.releases
      .map((r) => `${r.memo ?? 'None'} ε=${r.epsilon.toPrecision(4)} (${r.kind})`)
      .join('; ');
    const budget = s.privacy.budget ? ` of ${s.privacy.budget.epsilon} at δ=${s.privacy.budget.delta}` : '';
    lines.push(`  privacy: ε spent ${s.privacy.epsilonTotal.toPrecision(4)}${budget}${per ? ` — ${per}` : ''}`);
  }
  if (s.error) lines.push(`  error: ${s.error.message}`);
  return `${lines.join('\n')}\n`;
}
