import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseRoster } from '../../../src/controller/roster-file.ts';
import { Identity, publicKeyToBase64 } from '../../../src/crypto/identity.ts';
import { toBase64url } from '../../../src/wire/base64url.ts';
import { ShardwireError } from '../../../src/errors.ts';

test('reads keygen lines (standard or url-safe base64) and checks ids against keys', async () => {
  const ids = await Promise.all([0, 1, 2].map(() => Identity.generate()));
  const sites = await Promise.all(
    ids.map(async (i, n) => ({
      id: i.id,
      publicKey: n === 1 ? toBase64url(i.publicKey) : await publicKeyToBase64(i.publicKey),
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
