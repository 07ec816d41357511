import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  describeShape,
  flatten,
  MAX_DEPTH,
  parseNumericJson,
  restoreJson,
  shapeKey,
  shapeSize,
  type Shape,
} from '../../../src/controller/nested-vector.ts';
import { ShardwireError } from '../../../src/errors.ts';

type Nested = number | Nested[];

const finite = fc.double({ noNaN: true, noDefaultInfinity: true }).map((x) => (Object.is(x, -0) ? 0 : x));
const nested: fc.Arbitrary<Nested> = fc.letrec<{ node: Nested }>((tie) => ({
  node: fc.oneof({ depthSize: 'small', withCrossShrink: true }, finite, fc.array(tie('node'), { maxLength: 5 })),
})).node;

test('flatten then restore gives the same JSON, numbers bit for bit', () => {
  fc.assert(
    fc.property(nested, (v) => {
      const text = JSON.stringify(v);
      const f = parseNumericJson(text);
      assert.equal(f.values.length, shapeSize(f.shape));
      assert.equal(f.key, shapeKey(f.shape));
      assert.equal(restoreJson(f.values, f.shape), text);
    }),
    { numRuns: 500 },
  );
});

test('equal keys exactly when the nesting is equal', () => {
  fc.assert(
    fc.property(nested, nested, (a, b) => {
      const strip = (v: Nested): unknown => (typeof v === 'number' ? 0 : v.map(strip));
      assert.equal(flatten(a).key === flatten(b).key, JSON.stringify(strip(a)) === JSON.stringify(strip(b)));
    }),
    { numRuns: 500 },
  );
});

test('mixed shapes [3×4, 5, scalar] flatten in document order and restore', () => {
  const x = [
    [1, 2, 3, 4],
    [5, 6, 7, 8],
    [9, 10, 11, 12],
  ];
  const f = flatten([x, [13, 14, 15, 16, 17], 18]);
  assert.deepEqual(
    Array.from(f.values),
    Array.from({ length: 18 }, (_, i) => i + 1),
  );
  assert.deepEqual(f.shape, [{ n: 3, of: { n: 4, of: null } }, { n: 5, of: null }, null]);
  assert.equal(describeShape(f.shape), '[3×4, 5, scalar]');
  assert.equal(
    restoreJson(new Float64Array(18).fill(0.5), f.shape),
    JSON.stringify([x.map((r) => r.map(() => 0.5)), [0.5, 0.5, 0.5, 0.5, 0.5], 0.5]),
  );
});

test('a scalar, empty lists and Python repr doubles round-trip exactly', () => {
  assert.deepEqual(flatten(3.25).shape, null);
  assert.equal(restoreJson(new Float64Array([7]), null), '7');
  const empty = parseNumericJson('[[], []]');
  assert.equal(empty.values.length, 0);
  assert.equal(restoreJson(empty.values, empty.shape), '[[],[]]');
  // what Python's json.dumps writes: shortest repr, exponents with two digits
  const f = parseNumericJson(
    '[0.1, 1e-07, 1.7976931348623157e+308, -2.2250738585072014e-308, 5e-324, 1.2345678901234568e+20]',
  );
  assert.deepEqual(
    Array.from(f.values),
    [0.1, 1e-7, 1.7976931348623157e308, -2.2250738585072014e-308, 5e-324, 123456789012345680000],
  );
});

function code(fn: () => unknown): { code: string; message: string } {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof ShardwireError, String(e));
    return { code: e.code, message: e.message };
  }
  assert.fail('did not throw');
}

test('non-numeric and non-finite elements are refused with their path', () => {
  assert.match(code(() => parseNumericJson('[1, [2, "x"]]')).message, /element \[1\]\[1\] is a string/);
  assert.match(code(() => parseNumericJson('[true]')).message, /\[0\] is a boolean/);
  assert.match(code(() => parseNumericJson('{"a": 1}')).message, /\(top level\) is an object/);
  assert.match(code(() => parseNumericJson('[1, null]')).message, /\[1\] is null;/);
  for (const token of ['NaN', 'Infinity', '-Infinity']) {
    const e = code(() => parseNumericJson(`[[1.0, 2.0], [3.0, ${token}]]`));
    assert.equal(e.code, 'E_BAD_VECTOR');
    assert.match(e.message, /element \[1\]\[1\] is null or a non-finite number/);
  }
  assert.match(code(() => parseNumericJson('[1e400]')).message, /\[0\] is Infinity/);
  assert.equal(code(() => parseNumericJson('[1, 2')).code, 'E_BAD_PAYLOAD');
  assert.equal(code(() => parseNumericJson('\x80\x04pickle')).code, 'E_BAD_PAYLOAD');
  const deep = '['.repeat(MAX_DEPTH + 1) + '1' + ']'.repeat(MAX_DEPTH + 1);
  assert.match(code(() => parseNumericJson(deep)).message, /deeper than 64/);
});

test('restore refuses a vector of the wrong length', () => {
  const shape: Shape = { n: 2, of: null };
  assert.equal(code(() => restoreJson(new Float64Array(3), shape)).code, 'E_BAD_VECTOR');
});
