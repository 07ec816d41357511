/**
 * @module controller/roster-file
 * The run's roster: every site's id and Ed25519 public key, and which site coordinates — the
 * same file at every site, obtained out of band (like the keys themselves):
 *
 * ```json
 * { "coordinator": "<id>", "sites": [{ "id": "<id>", "publicKey": "<base64>" }, …] }
 * ```
 * Entries are what `shardwire keygen --json` prints (`file` is ignored). Each id must be the id of
 * its key, so a roster cannot pair a name with someone else's key. The order of `sites` is the
 * client list the apps see.
 */
import { ShardwireError } from '../errors.ts';
import { describe } from '../guards.ts';
import { identityId } from '../crypto/identity.ts';
import { rosterHash } from '../crypto/hash.ts';
import { fromBase64url } from '../wire/base64url.ts';

/** One site of the run. */
export interface RosterSite {
  readonly id: string;
  readonly publicKey: Uint8Array;
}

/** A validated roster. */
export interface Roster {
  readonly coordinator: string;
  readonly sites: readonly RosterSite[];
}

const MAX_SITES = 1024;

function bad(message: string, field: string): never {
  throw new ShardwireError('E_BAD_ARGUMENT', `roster: ${message}`, { field });
}

function decodeKey(text: unknown, field: string): Uint8Array {
  if (typeof text !== 'string' || !/^[A-Za-z0-9+/_-]{43}=?$/.test(text))
    bad(`"${field}" expected a 32-byte Ed25519 key in base64, got ${describe(text)}`, field);
  return new Uint8Array(Buffer.from(text as string, 'base64'));
}

/**
 * Validates a parsed roster.
 * @throws {ShardwireError} E_BAD_ARGUMENT naming the field: not an object, fewer than two sites,
 *   a malformed or duplicate entry, an id that is not the id of its key, an unknown coordinator.
 * @example await parseRoster(JSON.parse(await readFile('roster.json', 'utf8')))
 */
export async function parseRoster(v: unknown): Promise<Roster> {
  if (typeof v !== 'object' || v === null || Array.isArray(v))
    bad(`expected an object { coordinator, sites }, got ${describe(v)}`, '(file)');
  const o = v as Record<string, unknown>;
  for (const k of Object.keys(o))
    if (k !== 'coordinator' && k !== 'sites') bad(`unknown field "${k}" (known: coordinator, sites)`, k);
  if (!Array.isArray(o.sites) || o.sites.length < 2 || o.sites.length > MAX_SITES)
    bad(`"sites" expected a list of 2 to ${MAX_SITES} entries, got ${describe(o.sites)}`, 'sites');
  const sites: RosterSite[] = [];
  for (const [i, e] of (o.sites as unknown[]).entries()) {
    if (typeof e !== 'object' || e === null || Array.isArray(e))
      bad(`"sites[${i}]" expected { id, publicKey }, got ${describe(e)}`, `sites[${i}]`);
    const entry = e as Record<string, unknown>;
    for (const k of Object.keys(entry))
      if (!['id', 'publicKey', 'file'].includes(k))
        bad(`"sites[${i}].${k}" is not a roster field (known: id, publicKey)`, `sites[${i}].${k}`);
    const publicKey = decodeKey(entry.publicKey, `sites[${i}].publicKey`);
    const id = await identityId(publicKey);
    if (entry.id !== id)
      bad(
        `"sites[${i}].id" is ${describe(entry.id)}, but its key's id is ${id}; take both from \`shardwire keygen ` +
          `--json\``,
        `sites[${i}].id`,
      );
    if (sites.some((s) => s.id === id)) bad(`site ${id} is listed twice`, `sites[${i}]`);
    sites.push({ id, publicKey });
  }
  if (typeof o.coordinator !== 'string' || !sites.some((s) => s.id === o.coordinator)) {
    bad(`"coordinator" expected the id of one of the sites, got ${describe(o.coordinator)}`, 'coordinator');
  }
  return { coordinator: o.coordinator as string, sites };
}

/**
 * The rosterHash that pins the members of the run's secure-aggregation sessions: every site of
 * the roster, the coordinator's site by the run-local identity its own contributions use (one
 * identity cannot be a session's coordinator and a member). `client.publicKey` is base64url, as
 * the coordinator's site announces it; its id must be the id of that key.
 * @throws {ShardwireError} E_ROSTER_MISMATCH when the announced client is malformed or not its key's id.
 * @example await sessionRosterHash(roster, { id, publicKey: toBase64url(key) })
 */
export async function sessionRosterHash(
  roster: Roster,
  client: { readonly id: unknown; readonly publicKey: unknown },
): Promise<string> {
  const key = typeof client?.publicKey === 'string' ? fromBase64url(client.publicKey) : undefined;
  if (!key || key.length !== 32 || typeof client.id !== 'string' || (await identityId(key)) !== client.id) {
    throw new ShardwireError(
      'E_ROSTER_MISMATCH',
      "the coordinator's site announced a client identity whose id is not the id of its key",
      {},
    );
  }
  if (roster.sites.some((s) => s.id === client.id)) {
    throw new ShardwireError(
      'E_ROSTER_MISMATCH',
      "the coordinator's site announced a site of the roster as its own client",
      {},
    );
  }
  const own = { id: client.id as string, publicKey: key };
  return rosterHash(roster.sites.map((s) => (s.id === roster.coordinator ? own : s)));
}
