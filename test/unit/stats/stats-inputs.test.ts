/**
 * Bad inputs of statistics rounds are typed: record shapes, round options, round.open fields
 * from the wire, and the DP sensitivities each statistic is calibrated for.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { recordBatch, checkRecordsFit } from '../../../src/stats/records.ts';
import { statisticOptions, parseStatisticOpen, secureLength } from '../../../src/stats/operations.ts';
import { parseRoundOpen, type RoundOpen } from '../../../src/session/round-messages.ts';
import { roundNoise } from '../../../src/stats/noise.ts';
import { validateConfig } from '../../../src/config.ts';
import { isShardwireError } from '../../../src/errors.ts';

const code = (c: string) => (e: unknown) => isShardwireError(e, c as never);

test('recordBatch: rows of one width, or { data, rows }; everything else typed', () => {
  assert.deepEqual(recordBatch([Float64Array.of(1, 2), Float32Array.of(3, 4)]).data, Float64Array.of(1, 2, 3, 4));
  assert.equal(recordBatch([]).rows, 0);
  assert.equal(recordBatch({ rows: 5 }).width, 0);
  assert.equal(recordBatch({ rows: 2, data: Float64Array.of(1, 2, 3, 4) }).width, 2);
  assert.throws(() => recordBatch([Float64Array.of(1), Float64Array.of(1, 2)]), code('E_BAD_VECTOR'));
  assert.throws(() => recordBatch([[1, 2]]), code('E_BAD_VECTOR'));
  assert.throws(() => recordBatch({ rows: 3, data: Float64Array.of(1, 2) }), code('E_BAD_VECTOR'));
  assert.throws(() => recordBatch({ rows: 0, data: Float64Array.of(1) }), code('E_BAD_VECTOR'));
  assert.throws(() => recordBatch({ rows: -1 }), code('E_BAD_ARGUMENT'));
  assert.throws(() => recordBatch({ rows: 1.5 }), code('E_BAD_ARGUMENT'));
  assert.throws(() => recordBatch({ rows: 1, data: [1] }), code('E_BAD_VECTOR'));
  assert.throws(() => recordBatch(Float64Array.of(1)), code('E_BAD_ARGUMENT'));
  assert.throws(() => recordBatch(null), code('E_BAD_ARGUMENT'));
});

test('statisticOptions: maxRecords required and bounded, edges only for histograms, dim rules, kernel limits', () => {
  assert.deepEqual(statisticOptions('count', 0, { maxRecords: 3 }), { maxRecords: 3 });
  assert.throws(() => statisticOptions('count', 0, {}), code('E_BAD_ARGUMENT'));
  assert.throws(() => statisticOptions('count', 0, { maxRecords: 0 }), code('E_BAD_ARGUMENT'));
  assert.throws(() => statisticOptions('count', 0, { maxRecords: 2 ** 41 }), code('E_BAD_ARGUMENT'));
  assert.throws(() => statisticOptions('count', 2, { maxRecords: 3 }), code('E_BAD_ARGUMENT'));
  assert.throws(() => statisticOptions('meanVariance', 0, { maxRecords: 3 }), code('E_BAD_ARGUMENT'));
  assert.throws(() => statisticOptions('meanVariance', 40_000, { maxRecords: 3 }), code('E_BAD_ARGUMENT'));
  assert.throws(() => statisticOptions('meanVariance', 1, { maxRecords: 3, edges: [1] }), code('E_BAD_ARGUMENT'));
  assert.throws(() => statisticOptions('histogram', 1, { maxRecords: 3 }), code('E_BAD_ARGUMENT'));
  assert.throws(() => statisticOptions('histogram', 1, { maxRecords: 3, edges: [2, 1] }), code('E_BAD_ARGUMENT'));
  assert.throws(() => statisticOptions('histogram', 1, { maxRecords: 3, edges: [Infinity] }), code('E_BAD_ARGUMENT'));
  assert.throws(() => statisticOptions('histogram', 100, { maxRecords: 3, edges: Array.from({ length: 1000 }, (_, i) => i) }), code('E_BAD_ARGUMENT'));
  assert.equal(secureLength('histogram', 3, [1, 2]), 9);
  assert.equal(secureLength('meanVariance', 3), 7);
  assert.equal(secureLength('weightedMean', 3), 4);
});

test('round.open from the wire: statistic fields validated (E_BAD_PAYLOAD), refused on vector rounds', () => {
  const base = { memo: 'm1', configHash: 'h', participants: [], roster: [], bundles: [], dim: 1, ring: 64, broadcast: false };
  assert.deepEqual(parseRoundOpen({ ...base, operation: 'histogram', maxRecords: 4, edges: [0, 1] }).edges, [0, 1]);
  assert.throws(() => parseRoundOpen({ ...base, operation: 'histogram', maxRecords: 4, edges: [1, 0] }), code('E_BAD_PAYLOAD'));
  assert.throws(() => parseRoundOpen({ ...base, operation: 'histogram', maxRecords: 4 }), code('E_BAD_PAYLOAD'));
  assert.throws(() => parseRoundOpen({ ...base, operation: 'meanVariance' }), code('E_BAD_PAYLOAD'));
  assert.throws(() => parseRoundOpen({ ...base, operation: 'count', maxRecords: 4 }), code('E_BAD_PAYLOAD')); // dim must be 0
  assert.throws(() => parseRoundOpen({ ...base, operation: 'sum', maxRecords: 4 }), code('E_BAD_PAYLOAD'));
  assert.throws(() => parseRoundOpen({ ...base, operation: 'median' }), code('E_BAD_PAYLOAD'));
  assert.deepEqual(parseStatisticOpen('round.open', { operation: 'sum' }), {});
});

test('checkRecordsFit: more records than maxRecords, another width, other pinned edges', () => {
  const open = { memo: 'm', operation: 'histogram', dim: 2, maxRecords: 2, edges: [0] } as unknown as RoundOpen;
  const two = recordBatch([Float64Array.of(1, 2), Float64Array.of(3, 4)]);
  checkRecordsFit(open, two);
  checkRecordsFit(open, two, [0]);
  assert.throws(() => checkRecordsFit(open, two, [1]), code('E_INCONSISTENT'));
  assert.throws(() => checkRecordsFit(open, recordBatch({ rows: 3, data: new Float64Array(6) })), code('E_BAD_ARGUMENT'));
  assert.throws(() => checkRecordsFit(open, recordBatch([Float64Array.of(1)])), code('E_BAD_VECTOR'));
  assert.throws(() => checkRecordsFit({ ...open, operation: 'sum' }, two), code('E_BAD_ARGUMENT'));
  checkRecordsFit({ ...open, operation: 'count', dim: 0 }, two); // a count reads no values
});

test('DP sensitivities per statistic (integer units), exactly as documented', () => {
  const cfg = (noisetype: 'gauss' | 'laplace', neighbouring: 'add-remove' | 'replace', extra: Record<string, unknown> = {}) => validateConfig({
    smpc: { exponent: 3 }, minClients: 2, maxWeight: 2,
    dp: { noisetype, epsilon: 1, delta: noisetype === 'gauss' ? 1e-5 : 0, clippingVal: 0.5, neighbouring, ...extra },
    privacyBudget: { epsilon: 10, delta: noisetype === 'gauss' ? 1e-4 : 0 },
  });
  const delta = (c: ReturnType<typeof cfg>, operation: string, dim = 1) => roundNoise(c, { operation, dim, edges: [0] })!.calibration.sensitivityInt;
  assert.equal(delta(cfg('gauss', 'add-remove'), 'count'), 1n);
  assert.equal(delta(cfg('laplace', 'add-remove'), 'count'), 1n);
  assert.throws(() => delta(cfg('gauss', 'replace'), 'count'), code('E_UNSUPPORTED'));
  assert.equal(delta(cfg('gauss', 'add-remove'), 'histogram', 4), 2n); // √4
  assert.equal(delta(cfg('gauss', 'add-remove'), 'histogram', 5), 3n); // ⌈√5⌉
  assert.equal(delta(cfg('gauss', 'replace'), 'histogram', 1), 2n); // ⌈√2⌉
  assert.equal(delta(cfg('laplace', 'replace'), 'histogram', 3), 6n);
  assert.throws(() => delta(cfg('gauss', 'add-remove'), 'meanVariance'), code('E_UNSUPPORTED'));
  // weightedMean: a = ⌊0.5·2·10^3⌋ = 1000, b = ⌈2·10^3⌉ = 2000
  assert.equal(delta(cfg('gauss', 'add-remove'), 'weightedMean'), 2237n); // ⌈√(1000² + 2000²)⌉ = ⌈2236.07⌉
  assert.equal(delta(cfg('gauss', 'replace'), 'weightedMean'), 2829n); // ⌈√(2000² + 2000²)⌉
  assert.equal(delta(cfg('laplace', 'replace'), 'weightedMean'), 4000n);
  assert.throws(() => delta(cfg('gauss', 'add-remove', { sensitivity: 1 }), 'weightedMean'), code('E_UNSUPPORTED'));
  const session = cfg('gauss', 'replace');
  assert.equal(roundNoise(session, { operation: 'sum', dim: 3 }), session.noise);
  assert.equal(roundNoise(validateConfig({ minClients: 2, clip: { norm: 'l2', bound: 1 } }), { operation: 'count', dim: 0 }), undefined);
});
