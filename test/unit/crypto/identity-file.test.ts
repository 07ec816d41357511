import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmod, mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Identity } from '../../../src/crypto/identity.ts';
import { loadIdentity, saveIdentity } from '../../../src/crypto/identity-file.ts';
import { rejectsWith } from './_helpers.ts';

const posix = process.platform !== 'win32';

test('save (mode 0600) / load round trip; refuses to overwrite unless forced', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'sw-id-'));
  try {
    const file = join(dir, 'me.json');
    const me = await Identity.generate();
    await saveIdentity(me, file);
    if (posix) assert.equal((await stat(file)).mode & 0o777, 0o600);
    const back = await loadIdentity(file);
    assert.equal(back.id, me.id);
    assert.deepEqual(back.secretKey, me.secretKey);

    const other = await Identity.generate();
    await rejectsWith(() => saveIdentity(other, file), 'E_BAD_ARGUMENT');
    assert.equal((await loadIdentity(file)).id, me.id);
    if (posix) await chmod(file, 0o644);
    await saveIdentity(other, file, { force: true });
    if (posix) assert.equal((await stat(file)).mode & 0o777, 0o600);
    assert.equal((await loadIdentity(file)).id, other.id);
    assert.deepEqual(await readdir(dir), ['me.json']); // no temp files left behind
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('load refuses missing, malformed and (POSIX) group/world-readable files', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'sw-id-'));
  try {
    await rejectsWith(() => loadIdentity(join(dir, 'missing.json')), 'E_BAD_ARGUMENT');
    const bad = join(dir, 'bad.json');
    await writeFile(bad, '{"type":"shardwire-identity","version":1}', { mode: 0o600 });
    await rejectsWith(() => loadIdentity(bad), 'E_BAD_STATE');
    if (posix) {
      const file = join(dir, 'open.json');
      await saveIdentity(await Identity.generate(), file);
      await chmod(file, 0o644);
      await rejectsWith(() => loadIdentity(file), 'E_BAD_STATE');
      assert.ok((await loadIdentity(file, { allowInsecureMode: true })).usable);
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
