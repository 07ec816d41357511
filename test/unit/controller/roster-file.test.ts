import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseRoster, sessionRosterHash } from '../../../src/controller/roster-file.ts';
import { rosterHash } from '../../../src/crypto/hash.ts';
import { Identity } from '../../../src/crypto/identity.ts';
import { toBase64url } from '../../../src/wire/base64url.ts';
import { ShardwireError } from '../../../src/errors.ts';

test('reads keygen lines (standard or url-safe base64) and checks ids against keys', async () => {
  const ids = await Promise.all([0, 1, 2].map(() => Identity.generate()));
  const sites = await Promise.all(
    ids.map(async (i, n) => ({
      id: i.id,
      publicKey: n === 1 ? toBase64url(i.publicKey) : Buffer.from(i.publicKey).toString('base64'),
      file: `site${n}.json`,
    })),
  );
  const r = await parseRoster({ coordinator: ids[1]!.id, sites });
  assert.equal(r.coordinator, ids[1]!.id);
  assert.deepEqual(
    r.sites.map((s) => s.id),
    ids.map((i) => i.id),
  );
  assert.deepEqual(r.sites[2]!.publicKey, ids[2]!.publicKey);
  const bad = async (v: unknown, re: RegExp) =>
    assert.rejects(
      parseRoster(v),
      (e: unknown) => e instanceof ShardwireError && e.code === 'E_BAD_ARGUMENT' && re.test(e.message),
    );
  await bad([], /expected an object/);
  await bad({ coordinator: ids[0]!.id, sites: sites.slice(0, 1) }, /2 to 1024/);
  await bad({ coordinator: 'nobody', sites }, /"coordinator"/);
  await bad({ coordinator: ids[0]!.id, sites: [sites[0], { ...sites[1], id: sites[2]!.id }] }, /its key's id is/);
  await bad({ coordinator: ids[0]!.id, sites: [sites[0], sites[0]] }, /twice/);
  await bad({ coordinator: ids[0]!.id, sites: [sites[0], { ...sites[1], publicKey: 'short' }] }, /32-byte/);
  await bad({ coordinator: ids[0]!.id, sites, extra: 1 }, /unknown field "extra"/);
  for (const i of ids) i.zeroise();
});

test("the session roster hash pins every site, the coordinator's by its announced client", async () => {
  const ids = await Promise.all([0, 1, 2].map(() => Identity.generate()));
  const own = await Identity.generate();
  const roster = await parseRoster({
    coordinator: ids[0]!.id,
    sites: ids.map((i) => ({ id: i.id, publicKey: toBase64url(i.publicKey) })),
  });
  const client = { id: own.id, publicKey: toBase64url(own.publicKey) };
  const h = await sessionRosterHash(roster, client);
  const members = [own, ids[1]!, ids[2]!].map((i) => ({ id: i.id, publicKey: i.publicKey }));
  assert.equal(h, await rosterHash(members));
  const refused = (c: unknown) =>
    assert.rejects(
      sessionRosterHash(roster, c as { id: string; publicKey: string }),
      (e: unknown) => e instanceof ShardwireError && e.code === 'E_ROSTER_MISMATCH',
    );
  await refused({ id: ids[1]!.id, publicKey: client.publicKey });
  await refused({ id: ids[1]!.id, publicKey: toBase64url(ids[1]!.publicKey) });
  await refused({ id: own.id, publicKey: 'short' });
  await refused(undefined);
  for (const i of [...ids, own]) i.zeroise();
});
