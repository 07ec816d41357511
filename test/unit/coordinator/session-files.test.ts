// The coordinator's state file and audit log on their own: sealed round trip with a growing save
// counter and no temporary file left behind; owner-only permissions; the audit log takes ids and
// numbers, never byte arrays, and appends in call order.
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { Identity } from '../../../src/crypto/identity.ts';
import { ShardwireError } from '../../../src/errors.ts';
import { AuditLog } from '../../../src/coordinator/audit-log.ts';
import { SessionStore } from '../../../src/coordinator/session-store.ts';

test('SessionStore: sealed round trip, counter grows, atomic (no temp file left), 0600, other session refused', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sw-store-'));
  try {
    const who = await Identity.generate();
    const path = join(dir, 's.json');
    const store = await SessionStore.create(path, who, 'sess');
    assert.equal(await store.load(), undefined);
    await Promise.all([store.save({ n: 1 }), store.save({ n: 2 }), store.save({ n: 3, secret: 'k3y' })]);
    assert.deepEqual(readdirSync(dir), ['s.json']);
    assert.equal(statSync(path).mode & 0o777, 0o600);
    const text = readFileSync(path, 'utf8');
    assert.equal(JSON.parse(text).generation, 3);
    assert.ok(!text.includes('k3y'), 'the state is encrypted');
    const again = await SessionStore.create(path, who, 'sess');
    assert.deepEqual(await again.load(), { n: 3, secret: 'k3y' });
    await assert.rejects((await SessionStore.create(path, who, 'other')).load(), (e: ShardwireError) => e.code === 'E_BAD_STATE');
    await store.close();
    await assert.rejects(store.save({}), (e: ShardwireError) => e.code === 'E_BAD_STATE');
    await assert.rejects(SessionStore.create('', who, 'sess'), (e: ShardwireError) => e.code === 'E_BAD_ARGUMENT');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('AuditLog: JSON lines in call order, appended across opens; payload-like fields refused', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sw-audit-'));
  try {
    const path = join(dir, 'a.jsonl');
    const log = await AuditLog.open(path, 'sess');
    await Promise.all([log.append('session-created', { roster: 3 }), log.append('round-opened', { memo: 'r1', participants: ['a', 'b'] })]);
    await log.close();
    const log2 = await AuditLog.open(path, 'sess');
    await log2.append('released', { memo: 'r1', contributors: 2 });
    assert.throws(() => log2.append('released', { payload: new Uint8Array(4) as never }), (e: ShardwireError) => e.code === 'E_BAD_ARGUMENT');
    assert.throws(() => log2.append('vector' as never), (e: ShardwireError) => e.code === 'E_BAD_ARGUMENT');
    await log2.close();
    const lines = readFileSync(path, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    assert.deepEqual(lines.map((l) => l.event), ['session-created', 'round-opened', 'released']);
    assert.ok(lines.every((l) => l.session === 'sess' && !Number.isNaN(Date.parse(l.ts))));
    assert.deepEqual(lines[1].participants, ['a', 'b']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
