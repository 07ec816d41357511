/**
 * @module coordinator/round-privacy
 * The coordinator's half of client-side accounting (docs/DP.md "Client-side accounting"): the
 * noise plan and spend it announces in `round.open`, and the round report it signs with its
 * identity and sends with `round.result`, which every participant checks against its own ledger.
 */
import type { Identity } from '../crypto/identity.ts';
import type { SessionConfig } from '../config.ts';
import type { PrivacyAccountant } from '../dp/accountant.ts';
import { announceNoise, type NoiseAnnouncement } from '../dp/noise-announcement.ts';
import type { NoisePlan } from '../dp/noise-plan.ts';
import { signRoundReport, type SignedRoundReport } from '../dp/round-report.ts';

/** What the announcement and the report need from the coordinator. */
export interface PrivacyHost {
  readonly config: SessionConfig;
  readonly configHash: string;
  readonly accountant: PrivacyAccountant | undefined;
  readonly identity: Identity;
  readonly channel: { readonly keyring: { readonly sessionId: string } };
}

/** The `dp` field of the next `round.open` (DP sessions): the round's noise `plan` (stats/noise.ts), with the spend so far. */
export async function announcePrivacy(c: PrivacyHost, plan: NoisePlan | undefined): Promise<NoiseAnnouncement | undefined> {
  if (!plan || !c.accountant) return undefined;
  return announceNoise(c.config, plan, { epsilon: c.accountant.spent().epsilon, releases: c.accountant.releases.length });
}

/** The signed report of a release just charged to the accountant. */
export function reportPrivacy(c: PrivacyHost, a: NoiseAnnouncement, memo: string, contributors: readonly string[], dimension: number, charged: { epsilon: number; cumulative: { epsilon: number; delta: number } }): Promise<SignedRoundReport> {
  return signRoundReport(c.identity, {
    session: c.channel.keyring.sessionId, configHash: c.configHash, memo, contributors, release: c.accountant!.releases.length, dimension,
    epsilonRound: charged.epsilon, epsilonTotal: charged.cumulative.epsilon, delta: charged.cumulative.delta, plan: a.plan,
  });
}
