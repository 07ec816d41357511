/**
 * The keystream worker thread (src/kernel/keystream-worker.ts) gives the bytes the calling
 * thread would make: masks and the pipeline agree with and without it, on both rings, at
 * offsets, with as many seeds as it carries and more; a call that fails half-way cancels the
 * worker's job and leaves no keystream in shared memory; a worker that is gone is taken over.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Kernel, allocRing, type RingBits, type RingVector } from '../../../src/kernel/index.ts';
import {
  MAX_WORKER_STREAMS,
  openWorkerStreams,
  pauseKeystreamWorkerForTests,
  workerStatsForTests,
  stopKeystreamWorker,
  workerSlotsZeroed,
} from '../../../src/kernel/keystream-worker.ts';
import { isShardwireError } from '../../../src/errors.ts';

const withWorker = await Kernel.load('simd');
const inline = await Kernel.load('simd', { keystreamWorker: false });

function equal(a: ArrayLike<number | bigint>, b: ArrayLike<number | bigint>): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

const seedsOf = (n: number, salt: number) =>
  Array.from({ length: n }, (_, i) => Uint8Array.from({ length: 32 }, (_, j) => (i * 31 + j * 7 + salt) & 255));

test('the worker runs here (node:crypto, worker_threads, 2+ CPUs) and can be switched off', async () => {
  assert.equal(withWorker.keystreamWorker, true);
  assert.equal(inline.keystreamWorker, false);
  assert.equal(
    (await Kernel.load('simd', { keystream: 'wasm' })).keystreamWorker,
    false,
    'the wasm source makes its own keystream',
  );
});

test('masks from the worker equal masks from the calling thread (both rings, offsets, 1..10 seeds)', () => {
  for (const ring of [32, 64] as const satisfies readonly RingBits[]) {
    for (const [count, length, offset] of [
      [1, 300_000, 0],
      [2, 300_000, 0],
      [4, 70_001, 5],
      [MAX_WORKER_STREAMS, 40_000, 17],
      [MAX_WORKER_STREAMS + 1, 40_000, 3],
      [MAX_WORKER_STREAMS + 2, 40_000, 3],
    ] as const) {
      const seeds = seedsOf(count, length);
      const signs = seeds.map((_, i) => (i % 3 ? 1 : -1));
      workerStatsForTests(true); // a slow start earlier must not switch the worker off here
      const x = inline.expandMasks(allocRing(ring, length), [seedsOf(1, 99)[0]], [1]);
      const a = withWorker.expandMasks(x.slice() as RingVector, seeds, signs, { offset });
      const b = inline.expandMasks(x.slice() as RingVector, seeds, signs, { offset });
      assert.ok(equal(a, b), `ring ${ring}, ${count} seeds, ${length} elements from ${offset}`);
    }
  }
  assert.ok(workerSlotsZeroed());
});

test('the pipeline with the worker equals the pipeline without it, call after call', () => {
  const x = Float64Array.from({ length: 200_003 }, (_, i) => Math.sin(i) * 0.01);
  const seeds = seedsOf(4, 1);
  for (const norm of ['l2', 'linf'] as const) {
    for (let round = 0; round < 3; round++) {
      workerStatsForTests(true);
      const opts = {
        exponent: 6,
        ring: 32 as const,
        clip: { norm, bound: 0.5 },
        seeds,
        signs: [1, -1, 1, -1],
        key: seedsOf(1, round)[0],
        weight: 0.5,
      };
      assert.ok(
        equal(withWorker.encodeMasked(x, opts).vector, inline.encodeMasked(x, opts).vector),
        `${norm} round ${round}`,
      );
    }
  }
  assert.ok(workerSlotsZeroed());
});

test('a call failing half-way cancels the worker job, leaves no keystream behind; the next call is right', () => {
  const x = Float64Array.from({ length: 300_000 }, (_, i) => Math.cos(i) * 0.01);
  x[250_000] = NaN;
  const seeds = seedsOf(4, 2);
  const opts = {
    exponent: 6,
    ring: 32 as const,
    clip: { norm: 'linf' as const, bound: 0.5 },
    seeds,
    signs: [1, 1, 1, 1],
  };
  assert.throws(
    () => withWorker.encodeMasked(x, opts),
    (e) => isShardwireError(e, 'E_BAD_VECTOR') && e.details.index === 250_000,
  );
  assert.ok(workerSlotsZeroed());
  x[250_000] = 0;
  const key = seedsOf(1, 7)[0];
  assert.ok(
    equal(withWorker.encodeMasked(x, { ...opts, key }).vector, inline.encodeMasked(x, { ...opts, key }).vector),
  );
});

test('a worker that is gone is taken over by the calling thread from where it stopped', async () => {
  const [seed] = seedsOf(1, 3);
  const want = inline.prgBytes(seed, 64, 3 << 20);
  workerStatsForTests(true);
  const streams = openWorkerStreams([seed], 64, 3 << 20);
  assert.ok(streams, 'the worker takes the job');
  const got = new Uint8Array(3 << 20);
  const before = workerStatsForTests().bytesFromWorker;
  await new Promise((r) => setTimeout(r, 200)); // time to fill its slots
  streams.read(0, got, 0, 100_000); // some bytes from the worker…
  assert.equal(workerStatsForTests().bytesFromWorker, before + 100_000, 'these came from the worker');
  await stopKeystreamWorker(); // …then it is gone
  streams.read(0, got, 100_000, (3 << 20) - 100_000);
  streams.close();
  assert.ok(equal(got, want));
  // the next calls start a fresh worker and are right too
  const x = allocRing(64, 200_000);
  const seeds = seedsOf(3, 4);
  assert.ok(
    equal(
      withWorker.expandMasks(x.slice() as RingVector, seeds, [1, 1, 1]),
      inline.expandMasks(x.slice() as RingVector, seeds, [1, 1, 1]),
    ),
  );
});

test('a worker that falls behind (no core of its own) has its streams taken over: same bytes, no waiting', async () => {
  const seeds = seedsOf(3, 5);
  const x = allocRing(32, 400_000);
  const want = inline.expandMasks(x.slice() as RingVector, seeds, [1, -1, 1]);
  pauseKeystreamWorkerForTests(1000); // the worker sleeps through the whole call
  workerStatsForTests(true);
  const takeOvers = workerStatsForTests().takeOvers;
  const t0 = performance.now();
  const got = withWorker.expandMasks(x.slice() as RingVector, seeds, [1, -1, 1]);
  assert.ok(performance.now() - t0 < 900, 'the call did not wait for the sleeping worker');
  assert.ok(equal(got, want));
  assert.equal(workerStatsForTests().takeOvers, takeOvers + 2, 'streams 2 and 3 were taken over');
  await new Promise((r) => setTimeout(r, 1100)); // the worker wakes, finds its job cancelled
  assert.ok(workerSlotsZeroed());
  assert.ok(equal(withWorker.expandMasks(x.slice() as RingVector, seeds, [1, -1, 1]), want), 'and works again');
});
