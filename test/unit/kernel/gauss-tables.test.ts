/**
 * The discrete Gaussian's thresholds (assembly/gauss-tables.ts) are what the BigInt computation
 * in test/reference/gauss-tables.ts gives, and have the shape the kernel's fast path relies on.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { gaussTablesSource, gaussThresholds, GK_BITS, GK_COUNT } from '../../reference/gauss-tables.ts';

test('assembly/gauss-tables.ts is the generated table (regenerate it, never edit it)', () => {
  const committed = readFileSync(new URL('../../../assembly/gauss-tables.ts', import.meta.url), 'utf8');
  assert.equal(committed, gaussTablesSource());
});

test('thresholds T_m = P(K ≥ m) decrease, agree with floating point, and end at T_22 < 2^-320', () => {
  const t = gaussThresholds();
  assert.equal(t.length, GK_COUNT);
  const z = Array.from({ length: 40 }, (_, i) => Math.exp(-(i * i) / 2)).reduce((a, b) => a + b, 0);
  for (let m = 1; m <= GK_COUNT; m++) {
    const tail = Array.from({ length: 40 - m }, (_, i) => Math.exp(-((m + i) ** 2) / 2)).reduce((a, b) => a + b, 0);
    const exact = Number(t[m - 1]) / 2 ** GK_BITS;
    assert.ok(Math.abs(exact - tail / z) <= 1e-12 * (tail / z) + 2 ** -GK_BITS, `T_${m}`);
    if (m > 1) assert.ok(t[m - 1] < t[m - 2], `T_${m} < T_${m - 1}`);
  }
  assert.ok(t[GK_COUNT - 2] > 0n, 'T_21 ≥ 2^-320');
  assert.equal(t[GK_COUNT - 1], 0n, 'T_22 < 2^-320');
});

test('the fast path of gaussK: the first words of T_1 … T_6 are non-zero, those of T_7 … are zero', () => {
  const first = gaussThresholds().map((x) => x >> BigInt(GK_BITS - 32));
  first.forEach((w, i) => assert.equal(w > 0n, i < 6, `first word of T_${i + 1}`));
});
