/**
 * @module agent/participant-session
 * One session the agent has joined as a participant: the SDK Client plus what the HTTP API
 * reports about it (rounds opened, contributions, refused messages). The identity is read from
 * its file (which must be mode 0600) and wiped once the key exchange is done.
 */
import { ShardwireError } from '../errors.ts';
import { Client, type ContributionResult } from '../client/client.ts';
import { checkIdOfKey } from '../crypto/identity.ts';
import { loadIdentity } from '../crypto/identity-file.ts';
import type { Kernel } from '../kernel/kernel.ts';
import type { RealVector } from '../kernel/vectors.ts';
import { aobjectField, aoptInt, apeer, arelayUrl, astring, onlyKeys } from './request-fields.ts';

/** The body of `POST /v1/participants`. */
export interface JoinRequest {
  readonly relayUrl: string;
  readonly session: string;
  readonly identityFile: string;
  readonly coordinator: { readonly id: string; readonly publicKey: Uint8Array };
  readonly config: Record<string, unknown>;
  readonly timeoutMs?: number;
  /** DP sessions: the file of this participant's privacy ledger (one per session). */
  readonly ledgerPath?: string;
}

/**
 * Validates a join request body.
 * @throws {ShardwireError} E_BAD_ARGUMENT naming the field.
 * @example parseJoinRequest({ relayUrl, session, identityFile, coordinator: { id, publicKey }, config })
 */
export function parseJoinRequest(o: Record<string, unknown>): JoinRequest {
  onlyKeys(o, 'join', ['relayUrl', 'session', 'identityFile', 'coordinator', 'config', 'timeoutMs', 'ledgerPath']);
  return {
    relayUrl: arelayUrl(o.relayUrl),
    session: astring(o.session, 'session', 128),
    identityFile: astring(o.identityFile, 'identityFile'),
    coordinator: apeer(o.coordinator, 'coordinator'),
    config: aobjectField(o.config, 'config'),
    ...(o.timeoutMs === undefined ? {} : { timeoutMs: aoptInt(o.timeoutMs, 'timeoutMs', 1, 86_400_000) }),
    ...(o.ledgerPath === undefined ? {} : { ledgerPath: astring(o.ledgerPath, 'ledgerPath') }),
  };
}

/** Options of one contribution. */
export interface ContributeOptions {
  readonly weight?: number;
  readonly memo?: string;
  readonly timeoutMs?: number;
}

/** A joined session. Create with {@link ParticipantSession.join}. */
export class ParticipantSession {
  readonly handle: string;
  readonly id: string;
  readonly session: string;
  private readonly client: Client;
  private state: 'joined' | 'left' = 'joined';
  private opened = 0;
  private contributions = 0;
  private inFlight = 0;
  private refused = 0;
  private lastError: { code: string; message: string } | undefined;
  private readonly warnings: string[] = [];

  private constructor(handle: string, session: string, client: Client) {
    this.handle = handle;
    this.id = client.id;
    this.session = session;
    this.client = client;
    client.on('progress', (p) => {
      if (p.phase === 'open') this.opened++;
    });
    // the SDK emits this one right after join, before a listener can be attached here
    if (client.config.threat === 'malicious-coordinator' && client.config.rosterHash === undefined) {
      this.warnings.push('the config has no rosterHash: the coordinator could add identities of its own to a round; pin the roster to close this');
    }
    client.on('warning', (w) => {
      if (!this.warnings.includes(w.message)) this.warnings.push(w.message);
    });
    client.on('refused', (r) => {
      this.refused++;
      this.lastError = { code: r.error.code, message: r.error.message };
    });
  }

  /**
   * Loads the identity file, joins the session and completes the key exchange.
   * @throws {ShardwireError} E_BAD_ARGUMENT (unreadable file, coordinator id not matching its key),
   *   E_BAD_STATE (identity file malformed or group/world-readable), E_BAD_CONFIG, and the
   *   SDK's join errors (E_AUTH, E_NOT_IN_SESSION, E_CONFIG_MISMATCH, E_TIMEOUT).
   * @example const p = await ParticipantSession.join('p-1', parseJoinRequest(body), kernel)
   */
  static async join(handle: string, r: JoinRequest, kernel: Kernel): Promise<ParticipantSession> {
    await checkIdOfKey(r.coordinator, 'coordinator', "the coordinator's keygen output");
    const identity = await loadIdentity(r.identityFile);
    try {
      const client = await Client.join({
        relayUrl: r.relayUrl,
        session: r.session,
        identity,
        kernel,
        coordinator: r.coordinator,
        config: r.config,
        ...(r.timeoutMs === undefined ? {} : { timeoutMs: r.timeoutMs }),
        ...(r.ledgerPath === undefined ? {} : { ledgerPath: r.ledgerPath }),
      });
      return new ParticipantSession(handle, r.session, client);
    } finally {
      identity.zeroise();
    }
  }

  /**
   * Contributes `vector` to the next round (or the round `memo`) and resolves as the SDK's
   * `client.aggregate` does.
   * @throws {ShardwireError} E_BAD_STATE after leave; the SDK's errors (E_BAD_VECTOR for a length
   *   other than the round's dim, E_BAD_ARGUMENT for a weight, E_TIMEOUT, E_ABORTED, ...).
   * @example await p.contribute(new Float32Array(1000), { weight: 12 })
   */
  async contribute(vector: RealVector, o: ContributeOptions): Promise<ContributionResult> {
    if (this.state !== 'joined')
      throw new ShardwireError(
        'E_BAD_STATE',
        `participant ${this.handle} has left session ${this.session}; join again to contribute`,
        { handle: this.handle },
      );
    this.inFlight++;
    try {
      const r = await this.client.aggregate(vector, {
        ...(o.weight === undefined ? {} : { weight: o.weight }),
        ...(o.memo === undefined ? {} : { memo: o.memo }),
        ...(o.timeoutMs === undefined ? {} : { timeoutMs: o.timeoutMs }),
      });
      this.contributions++;
      return r;
    } catch (e) {
      if (e instanceof ShardwireError) this.lastError = { code: e.code, message: e.message };
      throw e;
    } finally {
      this.inFlight--;
    }
  }

  /** What `GET /v1/participants/{handle}` reports. */
  status(): Record<string, unknown> {
    return {
      handle: this.handle,
      role: 'participant',
      id: this.id,
      session: this.session,
      state: this.state,
      roundsOpened: this.opened,
      contributions: this.contributions,
      inFlight: this.inFlight,
      refused: this.refused,
      warnings: [...this.warnings],
      ...(this.client.ledger ? { ledger: { where: this.client.ledger.where, persistent: this.client.ledger.persistent, rounds: this.client.ledger.entries.length, epsilon: this.client.ledger.spent().epsilon, confirmedEpsilon: this.client.ledger.confirmed().epsilon } } : {}),
      ...(this.lastError ? { lastError: this.lastError } : {}),
    };
  }

  /** Leaves the session: closes the relay connection and wipes the session keys. Idempotent. */
  leave(): void {
    if (this.state === 'left') return;
    this.state = 'left';
    this.client.close();
  }
}
