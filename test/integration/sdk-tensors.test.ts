// Typed tensors and saturation counts through a real relay: names, dtypes, shapes back, integer
// sums exact (int64 extremes included), saturation totals equal a plain count, refusals typed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { baseConfig, world } from './sdk-harness.ts';
import type { Tensor } from '../../src/tensors/spec.ts';

const I64_MIN = -(2n ** 63n);
const I64_MAX = 2n ** 63n - 1n;

function tensorsOf(i: number): Tensor[] {
  return [
    { name: 'w', dtype: 'float32', shape: [2, 3], data: Float32Array.from([1, 2, 3, 4, 5, 6].map((v) => v * (i + 1) / 8)) },
    { name: 'steps', dtype: 'int64', shape: [3], data: BigInt64Array.from([I64_MAX, I64_MIN, BigInt(i)]) },
    { name: 'empty', dtype: 'float64', shape: [0, 4], data: new Float64Array(0) },
    { name: 'counts', dtype: 'int32', shape: [2], data: Int32Array.from([-(2 ** 31), 2 ** 31 - 1]) },
    { name: 'mask', dtype: 'bool', shape: [2], data: Uint8Array.from([1, i % 2]) },
    { name: 'b', dtype: 'float64', shape: [], data: Float64Array.of(100) },
  ];
}

const SPEC = tensorsOf(0).map(({ name, dtype, shape }) => ({ name, dtype, shape }));

for (const [threat, ring] of [['malicious-coordinator', 'auto'], ['honest-coordinator', 32], ['malicious-coordinator', 64]] as const) {
  test(`tensor round (${threat}, ring ${ring}): exact integers, float sums, saturation counts, broadcast`, async () => {
    const n = 3;
    const w = await world(n, baseConfig({ threat, ring, clip: { norm: 'linf', bound: 10 } }));
    try {
      const [{ aggregate, tensors, report }, results] = await Promise.all([
        w.coordinator.runRound({ tensors: SPEC, broadcast: true }),
        Promise.all(w.clients.map((c, i) => c.aggregate(tensorsOf(i)))),
      ]);
      assert.equal(report.dim, 7);
      assert.ok(tensors);
      assert.deepEqual(tensors.map((t) => [t.name, t.dtype, t.shape]), SPEC.map((t) => [t.name, t.dtype, t.shape]));
      const by = new Map(tensors.map((t) => [t.name, t.data]));
      assert.deepEqual(by.get('steps'), [3n * I64_MAX, 3n * I64_MIN, 0n + 1n + 2n]);
      assert.deepEqual([...(by.get('counts') as Float64Array)], [3 * -(2 ** 31), 3 * (2 ** 31 - 1)]);
      assert.deepEqual([...(by.get('mask') as Float64Array)], [3, 1]);
      const ws = [...(by.get('w') as Float64Array)];
      [1, 2, 3, 4, 5, 6].forEach((v, j) => assert.ok(Math.abs(ws[j] - (v * 6) / 8) < 1e-5, `w[${j}]`));
      // the scalar 100 is clamped to 10 by every client: 3 elements changed, 3 clients clipped
      assert.ok(Math.abs((by.get('b') as Float64Array)[0] - 30) < 1e-5);
      assert.equal((by.get('empty') as Float64Array).length, 0);
      assert.equal(report.clippedElements, 3);
      assert.equal(report.clippedClients, 3);
      assert.equal(aggregate.length, 7);
      for (const r of results) {
        assert.equal(r.clippedElements, 3);
        assert.deepEqual(r.tensors!.map((t) => t.name), SPEC.map((t) => t.name));
        assert.deepEqual(r.tensors!.find((t) => t.name === 'steps')!.data, [3n * I64_MAX, 3n * I64_MIN, 3n]);
      }
    } finally {
      await w.close();
    }
  });
}

test('single-vector round reports saturation counts (L2: whole vectors scaled)', async () => {
  const w = await world(3, baseConfig({ clip: { norm: 'l2', bound: 1 } }));
  try {
    const xs = [Float64Array.from([3, 4, 0]), Float64Array.from([0.1, 0.2, 0]), Float64Array.from([0, 0, 5])];
    const [{ report }, results] = await Promise.all([w.coordinator.runRound({ dim: 3, broadcast: true }), Promise.all(w.clients.map((c, i) => c.aggregate(xs[i])))]);
    assert.equal(report.clippedClients, 2);
    assert.equal(report.clippedElements, 3); // 3,4 scaled; 5 scaled; zeros unchanged
    assert.equal(results[0].clippedClients, 2);
  } finally {
    await w.close();
  }
});

test('a client refuses tensors that do not match the announced spec, naming the tensor; the round stays open', async () => {
  const w = await world(3, baseConfig());
  try {
    await assert.rejects(w.coordinator.runRound({ tensors: [{ name: 'x', dtype: 'float32', shape: [1], bound: 3 }] }), { code: 'E_BAD_ARGUMENT' });
    const round = w.coordinator.runRound({ tensors: SPEC });
    const wrong = tensorsOf(0).map((t) => (t.name === 'counts' ? { ...t, data: Float64Array.from([1, 2]) } : t));
    await assert.rejects(w.clients[0].aggregate(wrong as Tensor[]), (e: { code: string; details: { tensor?: string } }) => e.code === 'E_BAD_VECTOR' && e.details.tensor === 'counts');
    await assert.rejects(w.clients[0].aggregate(new Float64Array(7)), { code: 'E_BAD_VECTOR' });
    const big = tensorsOf(0).map((t) => (t.name === 'mask' ? { ...t, data: Uint8Array.from([2, 0]) } : t));
    // a value outside an integer tensor's bound is refused before the round is taken, in the kernel
    await assert.rejects(w.clients[0].aggregate(big as Tensor[]), (e: { code: string; details: { tensor?: string; index?: number } }) => e.code === 'E_BAD_VECTOR' && e.details.tensor === 'mask' && e.details.index === 0);
    // so the corrected call still contributes: every client is in the release
    const [{ tensors, report }] = await Promise.all([round, ...w.clients.map((c, i) => c.aggregate(tensorsOf(i)))]);
    assert.equal(report.contributors.length, 3);
    assert.deepEqual(tensors!.find((t) => t.name === 'steps')!.data, [3n * I64_MAX, 3n * I64_MIN, 3n]);
  } finally {
    await w.close();
  }
});

test('DP sessions: float tensors get the session noise, integer tensors are refused before anyone is asked, no saturation counts', async () => {
  const { clip: _omit, ...base } = baseConfig();
  const w = await world(3, ({ ...base, dp: { noisetype: 'gauss', epsilon: 1, delta: 1e-5, clippingVal: 1, mode: 'local' }, privacyBudget: { epsilon: 10, delta: 1e-4 } }));
  void _omit;
  try {
    await assert.rejects(w.coordinator.runRound({ tensors: SPEC }), (e: { code: string; details: { tensor?: string } }) => e.code === 'E_UNSUPPORTED' && e.details.tensor === 'steps');
    const floats = [{ name: 'a', dtype: 'float32' as const, shape: [2] }, { name: 'b', dtype: 'float64' as const, shape: [1] }];
    const input = (i: number): Tensor[] => [{ ...floats[0], data: Float32Array.of(0.25, i / 8) }, { ...floats[1], data: Float64Array.of(0.125) }];
    const [{ tensors, report }] = await Promise.all([w.coordinator.runRound({ tensors: floats }), ...w.clients.map((c, i) => c.aggregate(input(i)))]);
    assert.ok(report.dp && report.dp.epsilonRound > 0);
    assert.equal(report.clippedElements, undefined);
    assert.equal(report.clippedClients, undefined);
    assert.deepEqual(tensors!.map((t) => [t.name, t.dtype, t.shape, t.data.length]), [['a', 'float32', [2], 2], ['b', 'float64', [1], 1]]);
  } finally {
    await w.close();
  }
});
