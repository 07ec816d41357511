/**
 * @module secagg/sharing
 * Dealing and holding the secrets of double masking (docs/PROTOCOL.md §5). Per round a participant
 * draws a self-mask seed b and a masking key pair, Shamir-shares b and the masking secret to its k
 * neighbours with threshold t, seals each neighbour's two shares and its masking public key to
 * that neighbour (XChaCha20-Poly1305 under the session's pairwise channel key, associated data
 * binding session, round, dealer and holder) and commits to every share and to b. The coordinator
 * only forwards the sealed boxes, so it can neither read a share nor swap the masking key a
 * neighbour derives its pairwise mask from; a holder opens its box, checks the shares against the
 * dealer's commitments and keeps them until the round ends.
 */
import { ShardwireError } from '../errors.ts';
import { concatBytes, encodeParts } from '../crypto/_encoding.ts';
import {
  generateMaskKeys, selfMaskCommitment, shareCommitment, ROUND_SECRET_BYTES, type ShareKind,
} from '../crypto/round-keys.ts';
import type { SessionKeyring } from '../crypto/session-keyring.ts';
import type { Sodium } from '../sodium.ts';
import type { HolderGraph } from './holder-graph.ts';
import { shareThreshold } from './recovery.ts';
import { shamirSplit } from './shamir.ts';
import type { DealtShare, RoundKeys } from '../session/masking-messages.ts';

/** The round a participant deals in. */
export interface DealContext {
  readonly sodium: Sodium;
  readonly keyring: SessionKeyring;
  readonly sessionId: string;
  readonly configHash: string;
  readonly memo: string;
  readonly graph: HolderGraph;
  /** Configured threshold (undefined: the default majority of the holders). */
  readonly threshold?: number;
}

/** A participant's secrets of one round and the `round.keys` message that shares them. */
export interface Dealt {
  readonly selfSeed: Uint8Array;
  readonly maskSecretKey: Uint8Array;
  readonly maskPublicKey: Uint8Array;
  readonly message: RoundKeys;
}

/** The associated data of a share box: who dealt it to whom in which round. */
function boxAad(sessionId: string, memo: string, dealer: string, holder: string): Uint8Array {
  return encodeParts('shardwire/share-box/v1', sessionId, memo, dealer, holder);
}

/**
 * Draws this round's self-mask seed and masking key pair, shares both to every neighbour and
 * builds `round.keys`. The caller wipes `selfSeed` and `maskSecretKey` once its
 * partial is built.
 * @throws {ShardwireError} E_NOT_IN_SESSION when a neighbour's session key is unknown.
 */
export async function dealRound(c: DealContext): Promise<Dealt> {
  const self = c.keyring.id;
  const holders = c.graph.neighbours(self);
  const t = shareThreshold(holders.length, c.threshold);
  const selfSeed = c.sodium.randombytes_buf(ROUND_SECRET_BYTES);
  const { publicKey, secretKey } = generateMaskKeys(c.sodium);
  const selfShares = shamirSplit(selfSeed, t, holders.length);
  const maskShares = shamirSplit(secretKey, t, holders.length);
  try {
    const shares: DealtShare[] = [];
    for (const [i, to] of holders.entries()) {
      const plain = concatBytes(selfShares[i], maskShares[i], publicKey);
      try {
        const box = await c.keyring.seal(to, plain, boxAad(c.sessionId, c.memo, self, to), { algorithm: 'xchacha20-poly1305' });
        shares.push({
          to,
          box,
          commitSelf: shareCommitment(c.sodium, c.sessionId, c.memo, 'self', self, to, selfShares[i]),
          commitMask: shareCommitment(c.sodium, c.sessionId, c.memo, 'mask', self, to, maskShares[i]),
        });
      } finally {
        plain.fill(0);
      }
    }
    const message: RoundKeys = { memo: c.memo, maskKey: publicKey, selfCommitment: selfMaskCommitment(c.sodium, c.sessionId, c.memo, self, selfSeed), shares };
    return { selfSeed, maskSecretKey: secretKey, maskPublicKey: publicKey, message };
  } catch (e) {
    selfSeed.fill(0);
    secretKey.fill(0);
    throw e;
  } finally {
    for (const s of [...selfShares, ...maskShares]) s.fill(0);
  }
}

/** A holder's two shares of one dealer's secrets, and the dealer's masking public key. */
export interface HeldShares {
  readonly self: Uint8Array;
  readonly mask: Uint8Array;
  readonly maskKey: Uint8Array;
}

/** The commitments a holder checks its box against. */
export interface BoxCommitments {
  readonly commitSelf: Uint8Array;
  readonly commitMask: Uint8Array;
}

/**
 * Opens the box `dealer` sealed to this holder and checks both shares against the dealer's
 * commitments.
 * @throws {ShardwireError} E_CRYPTO when the box does not open (altered, or sealed for another
 *   round or holder); E_BAD_SHARE naming the dealer when a share differs from its commitment.
 */
export async function openShareBox(sodium: Sodium, keyring: SessionKeyring, sessionId: string, memo: string, dealer: string, box: Uint8Array, expected: BoxCommitments): Promise<HeldShares> {
  const holder = keyring.id;
  const plain = await keyring.open(dealer, box, boxAad(sessionId, memo, dealer, holder));
  if (plain.length !== 3 * ROUND_SECRET_BYTES) {
    plain.fill(0);
    throw new ShardwireError('E_BAD_SHARE', `round ${memo}: the share box from ${dealer} holds ${plain.length} bytes, expected ${3 * ROUND_SECRET_BYTES}`, { sender: dealer, memo });
  }
  const held = { self: plain.slice(0, ROUND_SECRET_BYTES), mask: plain.slice(ROUND_SECRET_BYTES, 2 * ROUND_SECRET_BYTES), maskKey: plain.slice(2 * ROUND_SECRET_BYTES) };
  plain.fill(0);
  const check = (kind: ShareKind, share: Uint8Array, commitment: Uint8Array): void => {
    if (!sodium.memcmp(shareCommitment(sodium, sessionId, memo, kind, dealer, holder, share), commitment)) {
      held.self.fill(0);
      held.mask.fill(0);
      throw new ShardwireError('E_BAD_SHARE', `round ${memo}: the ${kind} share dealt by ${dealer} does not match its commitment; ${dealer} misbehaved`, { sender: dealer, memo, kind });
    }
  };
  check('self', held.self, expected.commitSelf);
  check('mask', held.mask, expected.commitMask);
  return held;
}
