/**
 * @module client/round-privacy
 * The client's two hooks around a round for its privacy ledger (client/privacy-ledger.ts): before
 * anything is sent, check the round's noise announcement (and, in DP sessions, the coordinator's
 * spend and this participant's budget, reserving the round); after the result, check the
 * coordinator's signed round report and report the round as the ledger counts it.
 */
import type { SessionConfig } from '../config.ts';
import { checkAnnouncement } from '../dp/noise-announcement.ts';
import type { RoundOpen } from '../session/round-messages.ts';
import type { ContributionResult } from '../secagg/participant-context.ts';
import type { PrivacyLedger } from './privacy-ledger.ts';

/**
 * Admits `open` for privacy: DP sessions go through the ledger (checks and reservation); other
 * sessions only refuse a round.open that announces noise.
 * @throws {ShardwireError} E_NOISE_PLAN_MISMATCH, E_LEDGER_MISMATCH, E_BUDGET_EXHAUSTED (nothing is sent).
 */
export async function admitPrivacy(ledger: PrivacyLedger | undefined, config: SessionConfig, open: RoundOpen): Promise<void> {
  if (ledger) await ledger.admit(open);
  else await checkAnnouncement(config, () => undefined, open.dp, open);
}

/**
 * Checks the coordinator's report of a released round against the ledger and adds the ledger's
 * figures to the result (unchanged without DP).
 * @throws {ShardwireError} E_LEDGER_MISMATCH (the round is recorded as disputed).
 */
export async function confirmPrivacy(ledger: PrivacyLedger | undefined, memo: string, report: unknown, result: ContributionResult): Promise<ContributionResult> {
  if (!ledger) return result;
  const entry = await ledger.confirm(memo, report, result.contributors);
  return {
    ...result,
    privacy: { epsilonRound: entry.epsilon, epsilonTotal: ledger.spent().epsilon, coordinatorEpsilonTotal: entry.report!.epsilonTotal, delta: ledger.budget.delta, budget: ledger.budget },
  };
}
