import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { newToken, privateTokenPath, tokenMatches, writeTokenFile } from '../../../src/agent/token.ts';

test('tokens are 32 random bytes in base64url, never repeated', () => {
  const a = newToken();
  assert.match(a, /^[A-Za-z0-9_-]{43}$/);
  assert.notEqual(a, newToken());
});

test('the token file is mode 0600, replaces a stale file and a symlink without following it', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'sw-token-'));
  try {
    const path = join(dir, 'agent.token');
    await writeFile(path, 'stale\n', { mode: 0o644 });
    const decoy = join(dir, 'decoy');
    await writeFile(decoy, 'keep\n');
    await writeTokenFile(path, 'first');
    assert.equal((await stat(path)).mode & 0o777, 0o600);
    assert.equal(await readFile(path, 'utf8'), 'first\n');
    await rm(path);
    await symlink(decoy, path);
    await writeTokenFile(path, 'second');
    assert.equal(await readFile(decoy, 'utf8'), 'keep\n', 'the symlink target was not written');
    assert.equal(await readFile(path, 'utf8'), 'second\n');
    assert.equal((await stat(path)).mode & 0o777, 0o600);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('the default token path is in a fresh 0700 directory that remove() deletes', async () => {
  const { path, remove } = await privateTokenPath();
  await writeTokenFile(path, newToken());
  const dir = join(path, '..');
  assert.equal((await stat(dir)).mode & 0o777, 0o700);
  await remove();
  await assert.rejects(stat(dir));
});

test('tokenMatches accepts exactly "Bearer <token>"', () => {
  const t = newToken();
  assert.equal(tokenMatches(`Bearer ${t}`, t), true);
  for (const bad of [
    undefined,
    '',
    t,
    `bearer ${t}`,
    `Bearer ${t} `,
    `Bearer ${t}x`,
    `Bearer ${t.slice(1)}`,
    'Bearer ',
    `Basic ${t}`,
  ]) {
    assert.equal(tokenMatches(bad, t), false, String(bad));
  }
  // an empty token never matches an empty or malformed header
  assert.equal(tokenMatches('Bearer', ''), false);
});
