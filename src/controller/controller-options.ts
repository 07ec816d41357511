/**
 * @module controller/controller-options
 * The controller's options and their checks: the session id, this identity's place in the roster,
 * the coordinator flag against the roster, timeouts and the threat mode.
 */
import { ShardwireError } from '../errors.ts';
import type { Identity } from '../crypto/identity.ts';
import type { Kernel } from '../kernel/kernel.ts';
import { DEFAULT_CONFIG, type ThreatMode, type TimeoutConfig } from '../config.ts';
import type { SiteRole } from './routing.ts';
import type { Roster } from './roster-file.ts';
import type { ProgressSinks } from './progress.ts';

/** Options of {@link runController}. */
export interface ControllerOptions {
  /** The app's root URL, e.g. http://127.0.0.1:5000. */
  readonly appUrl: string;
  readonly relayUrl: string;
  /** The run's session id (every site the same); at most 120 characters of [A-Za-z0-9._:@-]. */
  readonly session: string;
  /** This site's long-term identity (its id must be in the roster). */
  readonly identity: Identity;
  readonly roster: Roster;
  /** Must be true exactly at the roster's coordinator (a guard against a mixed-up roster). */
  readonly coordinator: boolean;
  /** /api/status polling interval (FeatureCloud's pace: 100 ms). */
  readonly pollMs?: number;
  /** Deadline of one request to the app (default 30 s). */
  readonly appTimeoutMs?: number;
  /**
   * joinMs: waiting for the app, the sites and secure sessions; roundMs: for every site's data of a
   * round; shareMs, revealMs, paceMs: the secure rounds' phases (the SDK's meanings).
   */
  readonly timeouts?: Partial<TimeoutConfig>;
  /**
   * Who the secure rounds protect against, the same at every site (default 'malicious-coordinator':
   * double masking; 'honest-coordinator': single masking, for a coordinator trusted to follow the
   * protocol). A site refuses a proposal in another mode.
   */
  readonly threat?: ThreatMode;
  /** This site's privacy budget (and, at the coordinator, that of secure DP rounds); needed once an app uses DP. */
  readonly privacyBudget?: { readonly epsilon: number; readonly delta: number };
  readonly kernel?: Kernel;
  /** Serve GET /status on this host and port (0 = any free port); off when undefined. */
  readonly statusPort?: number;
  readonly statusHost?: string;
  /** JSON lines on `sinks.out` instead of a live line on `sinks.err`. */
  readonly json?: boolean;
  readonly sinks?: ProgressSinks;
  /** Called once the status server listens. */
  readonly onStatusUrl?: (url: string) => void;
}

const SESSION_PATTERN = /^[A-Za-z0-9._:@-]{1,120}$/;

/** What the run needs from its options, checked. */
export interface ResolvedControllerOptions {
  readonly role: SiteRole;
  readonly isCoordinator: boolean;
  readonly timeouts: TimeoutConfig;
  readonly threat: ThreatMode;
}

/**
 * Checks the options against the roster.
 * @throws {ShardwireError} E_BAD_ARGUMENT naming the session id, the identity missing from the
 *   roster, a coordinator flag that contradicts the roster, or an unknown threat mode.
 */
export function resolveControllerOptions(o: ControllerOptions): ResolvedControllerOptions {
  const { identity, roster } = o;
  if (typeof o.session !== 'string' || !SESSION_PATTERN.test(o.session)) {
    throw new ShardwireError(
      'E_BAD_ARGUMENT',
      `"session" expected 1-120 characters of [A-Za-z0-9._:@-], got ${JSON.stringify(o.session)}`,
      { field: 'session' },
    );
  }
  const me = roster.sites.find((s) => s.id === identity.id);
  if (!me || Buffer.compare(Buffer.from(me.publicKey), Buffer.from(identity.publicKey)) !== 0) {
    throw new ShardwireError(
      'E_BAD_ARGUMENT',
      `this identity (${identity.id}) is not a site of the roster; add its \`shardwire keygen --json\` line to ` +
        `roster.json`,
      { id: identity.id },
    );
  }
  const isCoordinator = roster.coordinator === identity.id;
  if (o.coordinator !== isCoordinator) {
    throw new ShardwireError(
      'E_BAD_ARGUMENT',
      isCoordinator
        ? `the roster names this site (${identity.id}) as coordinator; start it with --coordinator`
        : `--coordinator given, but the roster's coordinator is ${roster.coordinator}, ` +
          `not this site (${identity.id})`,
      { coordinator: roster.coordinator },
    );
  }
  const role = { id: identity.id, coordinatorId: roster.coordinator, clients: roster.sites.map((s) => s.id) };
  const timeouts: TimeoutConfig = {
    joinMs: o.timeouts?.joinMs ?? 120_000,
    shareMs: o.timeouts?.shareMs ?? DEFAULT_CONFIG.timeouts.shareMs,
    roundMs: o.timeouts?.roundMs ?? DEFAULT_CONFIG.timeouts.roundMs,
    revealMs: o.timeouts?.revealMs ?? DEFAULT_CONFIG.timeouts.revealMs,
    paceMs: o.timeouts?.paceMs ?? DEFAULT_CONFIG.timeouts.paceMs,
  };
  const threat = o.threat ?? DEFAULT_CONFIG.threat;
  if (threat !== 'malicious-coordinator' && threat !== 'honest-coordinator') {
    throw new ShardwireError(
      'E_BAD_ARGUMENT',
      `"threat" expected 'malicious-coordinator' or 'honest-coordinator', got ${JSON.stringify(o.threat)}`,
      { field: 'threat' },
    );
  }
  return { role, isCoordinator, timeouts, threat };
}
