// RoundWaiters: a call's check refuses an open without taking it, so the round stays open for a
// corrected call (a wrong-length vector must not cost the participant the round).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RoundWaiters } from '../../../src/client/round-waiters.ts';
import { ShardwireError } from '../../../src/errors.ts';
import type { RoundOpen } from '../../../src/session/round-messages.ts';

const open = (memo: string, dim: number): RoundOpen => ({
  memo, configHash: 'h', participants: ['a'], roster: [], bundles: [], operation: 'sum', dim, ring: 32, broadcast: false,
});
const lengthIs = (n: number) => (o: RoundOpen) => {
  if (o.dim !== n) throw new ShardwireError('E_BAD_VECTOR', `expected length ${o.dim}, got ${n}`);
};

test('an open waiting for a call: a refused check fails at once and leaves the open for the next call', async () => {
  const w = new RoundWaiters();
  w.push(open('r-1', 4), 1);
  await assert.rejects(w.next(undefined, 1000, undefined, lengthIs(5)), (e: ShardwireError) => e.code === 'E_BAD_VECTOR');
  assert.ok(w.has('r-1'));
  const got = await w.next(undefined, 1000, undefined, lengthIs(4));
  assert.equal(got.open.memo, 'r-1');
  assert.equal(got.openedAt, 1);
  assert.equal(w.has('r-1'), false);
});

test('a call waiting for an open: a refused check rejects the call and keeps the open; another call takes it', async () => {
  const w = new RoundWaiters();
  const wrong = w.next(undefined, 1000, undefined, lengthIs(3));
  const right = w.next(undefined, 1000, undefined, lengthIs(4));
  w.push(open('r-2', 4), 2);
  await assert.rejects(wrong, (e: ShardwireError) => e.code === 'E_BAD_VECTOR');
  assert.equal((await right).open.memo, 'r-2');
  assert.equal(w.has('r-2'), false);

  const alone = w.next('r-3', 1000, undefined, lengthIs(9));
  w.push(open('r-3', 4), 3);
  await assert.rejects(alone, (e: ShardwireError) => e.code === 'E_BAD_VECTOR');
  assert.ok(w.has('r-3'), 'the refused open stays waiting');
  assert.equal((await w.next('r-3', 1000, undefined, lengthIs(4))).open.memo, 'r-3');
});

test('without a check the first open is taken; a timeout still applies', async () => {
  const w = new RoundWaiters();
  w.push(open('r-4', 1), 4);
  assert.equal((await w.next(undefined, 1000)).open.memo, 'r-4');
  await assert.rejects(w.next(undefined, 10), (e: ShardwireError) => e.code === 'E_TIMEOUT');
});
