import { test } from 'node:test';
import assert from 'node:assert/strict';
import { atensorList, checkTensors, rangeOf, tensorSpecsToJson, validateTensorSpecs } from '../../../src/tensors/spec.ts';
import { floatBudget, openLayout, roundTensors } from '../../../src/tensors/round-hooks.ts';
import { parseRoundOpen } from '../../../src/session/round-messages.ts';
import { computeBitBudget } from '../../../src/config.ts';
import { parseTensorList } from '../../../src/cli/demo-tensors.ts';
import { ceilDouble, planInteger } from '../../../src/tensors/budget.ts';

const code = (c: string, field?: string) => (e: { code?: string; details?: { field?: string; tensor?: string } }) => e.code === c && (field === undefined || e.details?.field === field || e.details?.tensor === field);

test('tensor specs: bad names, dtypes, shapes and bounds are refused naming the field', () => {
  assert.throws(() => validateTensorSpecs('x'), code('E_BAD_ARGUMENT', 'tensors'));
  assert.throws(() => validateTensorSpecs([{ name: 'a', dtype: 'float32', shape: [1] }, { name: 'a', dtype: 'int32', shape: [1] }]), code('E_BAD_ARGUMENT', 'tensors[1].name'));
  assert.throws(() => validateTensorSpecs([{ name: 'has space', dtype: 'float32', shape: [] }]), code('E_BAD_ARGUMENT', 'tensors[0].name'));
  assert.throws(() => validateTensorSpecs([{ name: 'a', dtype: 'float16', shape: [] }]), code('E_BAD_ARGUMENT', 'tensors[0].dtype'));
  assert.throws(() => validateTensorSpecs([{ name: 'a', dtype: 'int32', shape: [-1] }]), code('E_BAD_ARGUMENT', 'tensors[0].shape'));
  assert.throws(() => validateTensorSpecs([{ name: 'a', dtype: 'int32', shape: [2 ** 16, 2 ** 16] }]), code('E_BAD_ARGUMENT', 'tensors[0].shape'));
  assert.throws(() => validateTensorSpecs([{ name: 'a', dtype: 'float64', shape: [1], bound: 1 }]), code('E_BAD_ARGUMENT', 'tensors[0].bound'));
  assert.throws(() => validateTensorSpecs([{ name: 'a', dtype: 'int64', shape: [1], bound: -1 }]), code('E_BAD_ARGUMENT', 'tensors[0].bound'));
  assert.throws(() => validateTensorSpecs([{ name: 'a', dtype: 'int64', shape: [1], extra: 1 }]), code('E_BAD_ARGUMENT', 'tensors[0].extra'));
  const [t] = validateTensorSpecs([{ name: 'a', dtype: 'int64', shape: [1], bound: '9223372036854775808' }]);
  assert.deepEqual(rangeOf(t!), [-(2n ** 63n), 2n ** 63n - 1n]);
  assert.deepEqual(rangeOf(validateTensorSpecs([{ name: 'u', dtype: 'uint8', shape: [], bound: 7 }])[0]!), [0n, 7n]);
  assert.deepEqual(tensorSpecsToJson(validateTensorSpecs([{ name: 'a', dtype: 'int32', shape: [2], bound: 5n }])), [{ name: 'a', dtype: 'int32', shape: [2], bound: '5' }]);
});

test('a client input is checked against the spec: name, dtype, shape, array type and length, naming the tensor', () => {
  const specs = validateTensorSpecs([{ name: 'w', dtype: 'float32', shape: [2] }, { name: 'n', dtype: 'int64', shape: [] }]);
  const ok = [{ name: 'w', dtype: 'float32', shape: [2], data: new Float32Array(2) }, { name: 'n', dtype: 'int64', shape: [], data: new BigInt64Array(1) }];
  assert.equal(checkTensors(specs, ok, 'm').length, 2);
  assert.throws(() => checkTensors(specs, ok.slice(0, 1), 'm'), code('E_BAD_VECTOR'));
  assert.throws(() => checkTensors(specs, [ok[1], ok[0]], 'm'), code('E_BAD_VECTOR', 'w'));
  assert.throws(() => checkTensors(specs, [{ ...ok[0], dtype: 'float64' }, ok[1]], 'm'), code('E_BAD_VECTOR', 'w'));
  assert.throws(() => checkTensors(specs, [{ ...ok[0], shape: [1, 2] }, ok[1]], 'm'), code('E_BAD_VECTOR', 'w'));
  assert.throws(() => checkTensors(specs, [{ ...ok[0], data: new Float64Array(2) }, ok[1]], 'm'), code('E_BAD_VECTOR', 'w'));
  assert.throws(() => checkTensors(specs, [ok[0], { ...ok[1], data: new BigInt64Array(2) }], 'm'), code('E_BAD_VECTOR', 'n'));
  assert.throws(() => atensorList([1, 2]), code('E_BAD_VECTOR'));
});

test('round options: dim with tensors must match their float elements; a multiply round takes no tensors', () => {
  assert.deepEqual(roundTensors(undefined, 3), { dim: 3 });
  assert.equal(roundTensors([{ name: 'a', dtype: 'float32', shape: [2, 3] }, { name: 'b', dtype: 'int32', shape: [4] }], undefined).dim, 6);
  assert.throws(() => roundTensors([{ name: 'a', dtype: 'float32', shape: [2] }], 3), code('E_BAD_ARGUMENT', 'dim'));
  const open = { ring: 32 as const, participants: ['a', 'b'], operation: 'multiply' as const, dim: 1, tensors: [{ name: 'a', dtype: 'float32' as const, shape: [1] }] };
  assert.throws(() => openLayout(open, {}), code('E_UNSUPPORTED'));
  assert.equal(openLayout({ ...open, tensors: undefined }, {}).tail.length, 0); // no saturation tail in a product
  assert.throws(() => openLayout({ ...open, operation: 'histogram' }, {}), code('E_UNSUPPORTED'));
});

test('the float budget names the float tensors when the session clip could wrap', () => {
  const specs = validateTensorSpecs([{ name: 'conv', dtype: 'float32', shape: [1] }, { name: 'n', dtype: 'int64', shape: [] }]);
  assert.throws(() => floatBudget(specs, () => computeBitBudget({ clients: 10, exponent: 15, elementBound: 1e6, ring: 32 })), (e: { code: string; message: string; details: { tensor: string } }) => e.code === 'E_RING_OVERFLOW' && e.details.tensor === 'conv' && /conv/.test(e.message) && /would fit/.test(e.message));
});

test('round.open with a malformed tensor spec is E_BAD_PAYLOAD', () => {
  const base = { memo: 'm', configHash: 'h', participants: ['a'], roster: [], bundles: [], operation: 'sum', dim: 1, ring: 32, broadcast: false };
  assert.throws(() => parseRoundOpen({ ...base, tensors: [{ name: 'a', dtype: 'nope', shape: [1] }] }), code('E_BAD_PAYLOAD'));
  assert.equal(parseRoundOpen({ ...base, tensors: [{ name: 'a', dtype: 'float64', shape: [1] }] }).tensors!.length, 1);
});

test('limb plans: direct when the n-fold sum fits, ring/2-bit limbs otherwise; ceilDouble never rounds down', () => {
  assert.equal(planInteger('c', 0n, 1000n, 10, 32).limbs.length, 1);
  assert.deepEqual(planInteger('x', -(2n ** 63n), 2n ** 63n - 1n, 10, 64).limbs.map((l) => [l.shift, l.top]), [[0, false], [32, true]]);
  assert.equal(planInteger('x', -(2n ** 63n), 2n ** 63n - 1n, 10_000, 32).limbs.length, 4);
  for (const m of [2n ** 53n + 1n, 2n ** 63n - 1n, 12345678901234567n]) assert.ok(BigInt(ceilDouble(m)) >= m);
});

test('demo --tensors list: dtypes, scalars; bad entries are usage errors', () => {
  assert.deepEqual(parseTensorList('3x4,i64:scalar,bool:2').map((s) => [s.dtype, s.shape]), [['float32', [3, 4]], ['int64', []], ['bool', [2]]]);
  assert.throws(() => parseTensorList('3y4'), code('E_BAD_ARGUMENT'));
  assert.throws(() => parseTensorList('i32:4'), code('E_BAD_ARGUMENT'));
});
