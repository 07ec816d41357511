/**
 * @module secagg/participant-context
 * What a participant's round needs from the client that runs it, and what a contribution returns.
 */
import type { SessionConfig } from '../config.ts';
import type { Identity } from '../crypto/identity.ts';
import type { SessionKeyring } from '../crypto/session-keyring.ts';
import type { Sodium } from '../sodium.ts';
import type { Kernel } from '../kernel/kernel.ts';
import type { TensorRelease } from '../tensors/round-hooks.ts';

/**
 * Where a participant is in a round: the round opened; (double masking) it joined and learnt the
 * members, dealt its shares; it sent its partial; (double masking) it signed the survivor
 * statement; it was asked to reveal; the round ended (released, or aborted / left it out).
 */
export type ParticipantPhase = 'open' | 'joined' | 'shared' | 'sent' | 'signed' | 'recover' | 'done' | 'aborted';

/** What a participant's round needs from the client. */
export interface ParticipantContext {
  readonly identity: Identity;
  readonly sessionId: string;
  readonly configHash: string;
  readonly config: SessionConfig;
  readonly kernel: Kernel;
  readonly keyring: SessionKeyring;
  readonly sodium: Sodium;
  /** Seals `body` to the coordinator as a `type` message of round `memo` (binding `extraAad` too). */
  send(type: string, memo: string, body: Uint8Array, extraAad?: Uint8Array): Promise<void>;
  /** Largest payload the relay routes (from its welcome). */
  maxPayloadBytes(): number;
  /** Bytes the relay socket has not sent yet. */
  bufferedAmount(): number;
  /** The Ed25519 identity key of a round participant (from the pinned or announced roster). */
  identityKey(id: string): Uint8Array;
  progress(memo: string, phase: ParticipantPhase): void;
  /** Bytes sent through the channel so far (for the report). */
  bytesSent(): number;
  /** Called before the partial's first byte is sent (the privacy ledger records the round); a throw stops the round. */
  beforePartial?(memo: string): Promise<void>;
}

/**
 * What one contribution returned. With a broadcast aggregate it also carries what the round
 * released beyond the float vector (TensorRelease): the named tensors of a tensor round and the
 * saturation totals `clippedElements` / `clippedClients` (sessions without DP).
 */
export interface ContributionResult extends TensorRelease {
  readonly memo: string;
  /** The released aggregate, when the coordinator broadcasts it. */
  readonly aggregate?: Float64Array;
  /** Whose inputs the release sums. */
  readonly contributors: readonly string[];
  /** Bytes this participant sent in the round (every message, sealed). */
  readonly bytesSent: number;
  /** Bytes of its sealed partial alone (≈ dim × ring width / 8 plus AEAD overhead). */
  readonly partialBytes: number;
  /** Milliseconds of this participant's own work in the round (waiting for others excluded). */
  readonly computeMs: number;
  /** DP sessions: this round in the participant's own ledger, checked against the coordinator's signed report. */
  readonly privacy?: RoundLedger;
}

/** A DP round as the participant's own ledger counts it. */
export interface RoundLedger {
  /** ε of this round alone, and of every round this participant may have revealed anything for, at `delta`. */
  readonly epsilonRound: number;
  readonly epsilonTotal: number;
  /** The coordinator's cumulative ε from its signed report (≥ what this ledger confirmed). */
  readonly coordinatorEpsilonTotal: number;
  readonly delta: number;
  readonly budget: { readonly epsilon: number; readonly delta: number };
}
