/**
 * @module dp/round-report
 * The coordinator's signed account of one DP release, sent with `round.result` (field `report`):
 * memo, contributors, the release's ε, the session's cumulative ε and δ, the noise plan hash.
 * Signed with the coordinator's Ed25519 identity key over
 * `lp("shardwire/round-report/v1") ‖ lp(canonical JSON of the fields)`, so a participant can check
 * it against its own ledger and keep it as evidence (it verifies for anyone with the coordinator's key).
 */
import { ShardwireError } from '../errors.ts';
import { canonicalJson } from '../crypto/hash.ts';
import { encodeParts } from '../crypto/_encoding.ts';
import { verify } from '../crypto/signature.ts';
import type { Identity } from '../crypto/identity.ts';
import { describe } from '../guards.ts';
import { fromBase64url, toBase64url } from '../wire/base64url.ts';

/** What the coordinator signs about one release. */
export interface RoundReportFields {
  readonly v: 1;
  readonly session: string;
  readonly configHash: string;
  readonly memo: string;
  /** Contributors, sorted. */
  readonly contributors: readonly string[];
  /** The coordinator's count of releases, this one included. */
  readonly release: number;
  readonly dimension: number;
  readonly epsilonRound: number;
  readonly epsilonTotal: number;
  readonly delta: number;
  /** Noise plan hash (dp/noise-announcement.ts). */
  readonly plan: string;
}

/** A report with the coordinator's id and signature (base64url). */
export interface SignedRoundReport extends RoundReportFields {
  readonly coordinator: string;
  readonly signature: string;
}

function reportBytes(f: RoundReportFields): Uint8Array {
  const { v, session, configHash, memo, contributors, release, dimension, epsilonRound, epsilonTotal, delta, plan } = f;
  return encodeParts('shardwire/round-report/v1', canonicalJson({ v, session, configHash, memo, contributors: [...contributors].sort(), release, dimension, epsilonRound, epsilonTotal, delta, plan }));
}

/** Signs a round report with the coordinator's identity. */
export async function signRoundReport(identity: Identity, f: Omit<RoundReportFields, 'v'>): Promise<SignedRoundReport> {
  const fields: RoundReportFields = { ...f, v: 1, contributors: [...f.contributors].sort() };
  return { ...fields, coordinator: identity.id, signature: toBase64url(await identity.sign(reportBytes(fields))) };
}

const bad = (msg: string): never => {
  throw new ShardwireError('E_LEDGER_MISMATCH', `round report: ${msg}`, { reason: 'malformed report' });
};

/**
 * Validates a report's shape (E_LEDGER_MISMATCH with reason "malformed report" otherwise: a DP
 * result without a well-formed report cannot be checked against the ledger).
 */
export function parseRoundReport(v: unknown): SignedRoundReport {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return bad(`expected an object, got ${describe(v)}`);
  const o = v as Record<string, unknown>;
  for (const k of ['session', 'configHash', 'memo', 'plan', 'coordinator', 'signature']) if (typeof o[k] !== 'string') bad(`"${k}" expected a string`);
  if (o.v !== 1) bad(`version ${describe(o.v)}, expected 1`);
  if (!Array.isArray(o.contributors) || o.contributors.some((c) => typeof c !== 'string')) bad('"contributors" expected a list of ids');
  for (const k of ['release', 'dimension']) if (!Number.isSafeInteger(o[k]) || (o[k] as number) < 0) bad(`"${k}" expected an integer ≥ 0`);
  for (const k of ['epsilonRound', 'epsilonTotal', 'delta']) if (typeof o[k] !== 'number' || !Number.isFinite(o[k]) || (o[k] as number) < 0) bad(`"${k}" expected a finite number ≥ 0`);
  return o as unknown as SignedRoundReport;
}

/** True when the report's signature verifies under the coordinator's Ed25519 key. */
export async function verifyRoundReport(r: SignedRoundReport, publicKey: Uint8Array): Promise<boolean> {
  const sig = fromBase64url(r.signature);
  if (sig === undefined || sig.length !== 64) return false;
  return verify(sig, reportBytes(r), publicKey);
}
