/**
 * The certified BigInt bounds (src/dp/normal-bounds.ts) contain the 512-bit reference values
 * (test/reference/normal-bigint.ts: other series, other π formula) and are narrow.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { expBounds, piBounds, upperTailBounds, type Bounds } from '../../../src/dp/normal-bounds.ts';
import { exp, pi, ratioOf, upperTail } from '../../reference/normal-bigint.ts';

const W = 200, R = 512;
/** the reference at R bits contains-checked against bounds at W bits, with a width limit */
function contains(b: Bounds, ref: bigint, maxWidth: bigint, what: string): void {
  const scale = 1n << BigInt(R - W);
  assert.ok(b.lo * scale <= ref && ref <= b.hi * scale, `${what}: [${b.lo}, ${b.hi}] misses the reference`);
  assert.ok(b.hi - b.lo <= maxWidth, `${what}: width ${b.hi - b.lo}`);
}

test('π', () => contains(piBounds(W), pi(R), 16n, 'π'));

test('e^y for y from 0 to 800', () => {
  for (const y of [0, 1e-9, 0.3, 0.5, 1, 2.75, 10, 37.5, 123.456, 800]) {
    const r = ratioOf(y);
    const b = expBounds(r, W), ref = exp(r, R);
    const width = (b.hi >> BigInt(W)) + 64n; // a few units relative to the value
    contains(b, ref, width, `e^${y}`);
  }
});

test('Q(x) for x from −8 to 38, to 2^-100 relative', () => {
  for (const x of [-8, -1.5, -1e-3, 0, 1e-6, 0.25, 1, 2.5, 3, 7.3, 12, 20, 38]) {
    const r = ratioOf(x);
    const w = W + Math.ceil(0.75 * x * x);
    const b = upperTailBounds(r, w), ref = upperTail(r, R + Math.ceil(0.75 * x * x));
    const scale = 1n << BigInt(R - W);
    assert.ok(b.lo * scale <= ref && ref <= b.hi * scale, `Q(${x}) outside [lo, hi]`);
    const width = b.hi - b.lo;
    assert.ok(width << 100n <= b.hi, `Q(${x}): width 2^${width.toString(2).length}, not 2^-100 relative`);
  }
});
