// `shardwire keygen` through the CLI entry point, as a user runs it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadIdentity } from '../../../src/crypto/identity-file.ts';
import { cli } from '../cli/_cli.ts';

const keygen = (...args: string[]) => cli(['keygen', ...args]);

test('keygen writes a 0600 identity file, prints id and public key but never the secret; refuses to overwrite', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'sw-keygen-'));
  try {
    const file = join(dir, 'id.json');
    const r = keygen('--out', file);
    assert.equal(r.status, 0, r.stderr);
    const saved = JSON.parse(await readFile(file, 'utf8')) as { id: string; publicKey: string; secretKey: string };
    if (process.platform !== 'win32') assert.equal((await stat(file)).mode & 0o777, 0o600);
    assert.ok(r.stdout.includes(saved.id));
    assert.ok(r.stdout.includes(saved.publicKey));
    assert.ok(!r.stdout.includes(saved.secretKey) && !r.stderr.includes(saved.secretKey));
    assert.equal((await loadIdentity(file)).id, saved.id);

    const again = keygen('--out', file);
    assert.equal(again.status, 1);
    assert.match(again.stderr, /E_BAD_ARGUMENT.*already exists.*--force/);
    assert.equal(JSON.parse(await readFile(file, 'utf8')).id, saved.id);

    const forced = keygen('--out', file, '--force', '--json');
    assert.equal(forced.status, 0, forced.stderr);
    const out = JSON.parse(forced.stdout) as { id: string; publicKey: string; file: string };
    assert.notEqual(out.id, saved.id);
    assert.equal(out.file, file);
    assert.equal((await loadIdentity(file)).id, out.id);
    assert.ok(!forced.stdout.includes('secretKey'));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('keygen --help and unknown flags', () => {
  const h = keygen('--help');
  assert.equal(h.status, 0);
  assert.match(h.stdout, /usage: shardwire keygen/);
  const bad = keygen('--nope');
  assert.equal(bad.status, 2);
});
