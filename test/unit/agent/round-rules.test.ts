import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isShardwireError } from '../../../src/errors.ts';
import { validateConfig } from '../../../src/config.ts';
import type { RoundOptions, RoundResultWithReport } from '../../../src/coordinator/round.ts';
import { parseRoundRequest, runWithRules, type RoundHost } from '../../../src/agent/round-rules.ts';

function host(ready: () => string[], roster = ['a', 'b', 'c', 'd']): RoundHost & { calls: RoundOptions[] } {
  const calls: RoundOptions[] = [];
  return {
    calls,
    config: validateConfig({
      minClients: 2,
      maxClients: 4,
      clip: { norm: 'linf', bound: 1 },
      timeouts: { joinMs: 300, roundMs: 1000 },
    }),
    roster: new Map(roster.map((id) => [id, {}])),
    readyParticipants: ready,
    async runRound(o: RoundOptions): Promise<RoundResultWithReport> {
      calls.push(o);
      return { aggregate: new Float64Array(o.dim ?? 0), report: { memo: o.memo!, contributors: o.participants! } as never };
    },
  };
}

test('round requests: defaults and bounds of the closing rules', () => {
  const h = host(() => []);
  assert.deepEqual(parseRoundRequest({ dim: 5 }, h), { dim: 5, operation: 'sum', minClients: 2, waitMs: 300 });
  const r = parseRoundRequest(
    {
      dim: 5,
      operation: 'weightedMean',
      bufferSize: 3,
      minClients: 3,
      timeoutMs: 50,
      participants: ['a', 'b', 'c', 'a'],
    },
    h,
  );
  assert.deepEqual(r.participants, ['a', 'b', 'c']);
  assert.equal(r.bufferSize, 3);
  const bad: Record<string, unknown>[] = [
    { dim: 0 },
    { dim: 5, operation: 'max' },
    { dim: 5, minClients: 1 },
    { dim: 5, minClients: 5 },
    { dim: 5, bufferSize: 1 },
    { dim: 5, bufferSize: 5 },
    { dim: 5, participants: ['a', 'zz'] },
    { dim: 5, participants: 'a' },
    { dim: 5, memo: 'a b' },
    { dim: 5, broadcast: 'yes' },
    { dim: 5, timeoutMs: 0 },
    { dim: 5, buffer_size: 2 },
  ];
  for (const b of bad)
    assert.throws(
      () => parseRoundRequest(b, h),
      (e) => isShardwireError(e, 'E_BAD_ARGUMENT'),
      JSON.stringify(b),
    );
});

test('bufferSize, timeout and broadcast are passed to runRound; the report says which rules applied', async () => {
  const h = host(() => ['a', 'b', 'c']);
  const r = await runWithRules(
    h,
    'r-1',
    parseRoundRequest({ dim: 4, operation: 'mean', bufferSize: 2, timeoutMs: 70, broadcast: true }, h),
  );
  assert.equal(h.calls.length, 1);
  const call = h.calls[0] as RoundOptions & { bufferSize?: number };
  assert.deepEqual(
    { ...call },
    {
      dim: 4,
      operation: 'mean',
      memo: 'r-1',
      participants: ['a', 'b', 'c'],
      broadcast: true,
      timeoutMs: 70,
      bufferSize: 2,
    },
  );
  assert.deepEqual((r.report as unknown as { closing: unknown }).closing, {
    minClients: 2,
    timeoutMs: 70,
    bufferSize: 2,
    notReady: [],
  });
});

test('minClients: the round opens once enough participants are ready, and not before', async () => {
  let ready: string[] = ['a'];
  const h = host(() => ready);
  setTimeout(() => (ready = ['a', 'b', 'c']), 60);
  const t0 = performance.now();
  await runWithRules(h, 'r-2', parseRoundRequest({ dim: 1, minClients: 3, waitMs: 2000 }, h));
  assert.ok(performance.now() - t0 >= 50);
  assert.deepEqual(h.calls[0].participants, ['a', 'b', 'c']);
});

test('too few ready after waitMs: nothing is asked, E_TOO_FEW_CONTRIBUTORS', async () => {
  const h = host(() => ['a']);
  await assert.rejects(runWithRules(h, 'r-3', parseRoundRequest({ dim: 1, waitMs: 50 }, h)), (e) =>
    isShardwireError(e, 'E_TOO_FEW_CONTRIBUTORS'),
  );
  assert.equal(h.calls.length, 0);
});

test('listed participants not ready after waitMs are left out while minClients remain', async () => {
  const h = host(() => ['a', 'b']);
  const r = await runWithRules(h, 'r-4', parseRoundRequest({ dim: 1, participants: ['a', 'b', 'c'], waitMs: 50 }, h));
  assert.deepEqual(h.calls[0].participants, ['a', 'b']);
  assert.deepEqual((r.report as unknown as { closing: { notReady: string[] } }).closing.notReady, ['c']);
});

test('a closed session cancels a round that waits to open', async () => {
  const h = host(() => []);
  const stop = new AbortController();
  setTimeout(() => stop.abort(), 30);
  await assert.rejects(runWithRules(h, 'r-5', parseRoundRequest({ dim: 1, waitMs: 5000 }, h), stop.signal), (e) =>
    isShardwireError(e, 'E_ABORTED'),
  );
});
