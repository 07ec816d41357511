import { test } from 'node:test';
import assert from 'node:assert/strict';
import { integerLeaves, leafAggregate, leafSpec, leafTensors } from '../../../src/controller/integer-leaves.ts';
import { parseNumericJson, restoreJson } from '../../../src/controller/nested-vector.ts';

test('integer leaves: runs in document order, exact values, floats left alone', () => {
  const text = '[[1, 2.0, 3], [4e0, -5, 9223372036854775807], 0.5]';
  const flat = parseNumericJson(text);
  const leaves = integerLeaves(text, flat.values.length)!;
  assert.deepEqual(leaves.runs, [[0, 1], [2, 1], [4, 2]]);
  assert.deepEqual([...leaves.values], [1n, 3n, -5n, 2n ** 63n - 1n]);
  const spec = leafSpec(leaves.runs, flat.values.length);
  assert.deepEqual(spec.map((s) => [s.dtype, s.shape[0]]), [['int64', 1], ['float64', 1], ['int64', 1], ['float64', 1], ['int64', 2], ['float64', 1]]);
  const tensors = leafTensors(flat.values, leaves);
  assert.deepEqual(tensors.map((t) => t.data.length), [1, 1, 1, 1, 2, 1]);
  assert.equal(integerLeaves('[1.5, 2e3]', 2), undefined);
});

test('integer leaves outside int64 are refused by position; the exact sums are written back as digits', () => {
  assert.throws(() => integerLeaves('[1, 9223372036854775808]', 2), (e: { code: string; details: { index: number } }) => e.code === 'E_BAD_VECTOR' && e.details.index === 1);
  const text = '[[1, 0.25], 7]';
  const flat = parseNumericJson(text);
  const spec = leafSpec(integerLeaves(text, flat.values.length)!.runs, flat.values.length);
  const agg = leafAggregate([{ name: spec[0].name, dtype: 'int64', shape: [1], data: [3n * 2n ** 62n] }, { name: spec[1].name, dtype: 'float64', shape: [1], data: Float64Array.of(0.75) }, { name: spec[2].name, dtype: 'int64', shape: [1], data: [21n] }], 3);
  assert.equal(agg.exact(restoreJson(agg.values, flat.shape)), `[[${3n * 2n ** 62n},0.75],21]`);
});
