/**
 * @module coordinator/session-restore
 * A restarted coordinator takes its session back from the saved state (session-journal.ts):
 * the state must be of this config and roster; the session key pair and the participants'
 * bundles come back (each bundle verified again); the relay session is created again or, when it
 * outlived the crash, rejoined as its creator. The round that was in flight is aborted by the
 * caller (docs/ARCHITECTURE.md: a restart aborts, it never completes a round).
 */
import { ShardwireError } from '../errors.ts';
import type { Identity } from '../crypto/identity.ts';
import { SessionKeyring } from '../crypto/session-keyring.ts';
import { keyBundleFromJson } from '../crypto/session-keys.ts';
import { fromBase64url } from '../wire/base64url.ts';
import type { RosterMember } from '../session/round-messages.ts';
import { SealedChannel, type ChannelOptions } from '../session/sealed-channel.ts';
import type { SavedSession } from './session-journal.ts';

/**
 * Checks that `saved` belongs to this config and roster and rebuilds the keyring with every
 * participant's verified bundle.
 * @throws {ShardwireError} E_BAD_STATE (another config or roster), E_CRYPTO (a saved key or
 *   bundle that does not verify).
 */
export async function restoreKeyring(saved: SavedSession, identity: Identity, hash: string, roster: ReadonlyMap<string, RosterMember>): Promise<SessionKeyring> {
  if (saved.configHash !== hash) throw new ShardwireError('E_BAD_STATE', `the saved session runs under config ${saved.configHash.slice(0, 12)}…, not ${hash.slice(0, 12)}…; a session keeps its config (start a new session for a new one)`, {});
  const same = saved.roster.length === roster.size && saved.roster.every((m) => roster.get(m.id)?.publicKey === m.publicKey);
  if (!same) throw new ShardwireError('E_BAD_STATE', 'the saved session has another roster; a session keeps its roster (start a new session for a new one)', {});
  const secretKey = fromBase64url(saved.keyring.secretKey);
  if (!secretKey || secretKey.length !== 32) throw new ShardwireError('E_BAD_STATE', 'the saved session key is malformed', {});
  const keyring = await SessionKeyring._restore({ id: identity.id, publicKey: identity.publicKey }, await keyBundleFromJson(saved.keyring.bundle), secretKey);
  if (keyring.sessionId !== saved.session || keyring.configHash !== hash) {
    keyring.destroy();
    throw new ShardwireError('E_BAD_STATE', 'the saved session key was signed for another session or config', {});
  }
  try {
    for (const [id, bundle] of Object.entries(saved.bundles)) {
      const member = roster.get(id);
      if (!member) throw new ShardwireError('E_BAD_STATE', `the saved bundles name ${id}, who is not in the roster`, { id });
      await keyring.addPeer({ id, publicKey: fromBase64url(member.publicKey)! }, await keyBundleFromJson(bundle));
    }
  } catch (e) {
    keyring.destroy();
    throw e;
  }
  return keyring;
}

/**
 * Connects the coordinator's channel: creates the session, or — restarting with saved state —
 * rejoins it as its creator when the relay still has it.
 */
export async function connectCoordinator(o: ChannelOptions & { create: NonNullable<ChannelOptions['create']> }, resuming: boolean): Promise<SealedChannel> {
  try {
    return await SealedChannel.open(o);
  } catch (e) {
    if (!resuming || !(e instanceof ShardwireError) || e.code !== 'E_SESSION_EXISTS') throw e;
  }
  const { create: _create, ...join } = o;
  return SealedChannel.open({ ...join, coordinator: o.identity.id });
}
