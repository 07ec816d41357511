import { test } from 'node:test';
import assert from 'node:assert/strict';
import { validateConfig, computeBitBudget, ceilScaled, DEFAULT_CONFIG } from '../../src/config.ts';
import { isShardwireError, type ErrorCode } from '../../src/errors.ts';

const base = { smpc: { shards: 3, exponent: 6 }, minClients: 3, maxClients: 10, clip: { norm: 'l2', bound: 1 } };

function expectCode(code: ErrorCode, input: unknown, field?: string): void {
  assert.throws(() => validateConfig(input), (e) => isShardwireError(e, code) && (field === undefined || e.details.field === field), `${JSON.stringify(input)} → ${code} ${field ?? ''}`);
}

test('the default maxClients is max(minClients, shards), so it never contradicts the shards', () => {
  const clip = { norm: 'l2', bound: 1 };
  assert.equal(validateConfig({ minClients: 2, smpc: { shards: 3 }, clip }).maxClients, 3);
  assert.equal(validateConfig({ minClients: 5, smpc: { shards: 3 }, clip }).maxClients, 5);
  assert.equal(validateConfig({ minClients: 4, smpc: { shards: 0 }, clip }).maxClients, 4);
  // an explicit maxClients below the shard count is still refused, naming both
  assert.throws(() => validateConfig({ minClients: 2, maxClients: 2, smpc: { shards: 3 }, clip }), /smpc\.shards.*maxClients \(2\)/);
  // without clip (and without dp) the message says what to add
  assert.throws(() => validateConfig({ minClients: 2, smpc: { shards: 3 } }), /"clip" is required without a dp section.*clip: \{ norm: 'l2', bound: 1 \}/);
});

test('validateConfig fills FeatureCloud defaults', () => {
  const c = validateConfig({ minClients: 2, clip: { norm: 'linf', bound: 5 } });
  assert.deepEqual(c.smpc, DEFAULT_CONFIG.smpc);
  assert.equal(c.maxClients, 2);
  assert.equal(c.ring, 'auto');
  assert.deepEqual(c.timeouts, DEFAULT_CONFIG.timeouts);
  assert.equal(validateConfig({ ...base, smpc: { ...base.smpc, serialize: 'json' } }).smpc.shards, 3);
});

test('validateConfig refuses every bad field with E_BAD_CONFIG naming it', () => {
  expectCode('E_BAD_CONFIG', null, 'config');
  expectCode('E_BAD_CONFIG', { ...base, minclients: 3 }, 'minclients');
  expectCode('E_BAD_CONFIG', { ...base, smpc: { shard: 3 } }, 'smpc.shard');
  expectCode('E_BAD_CONFIG', { ...base, smpc: { shards: 1 } }, 'smpc.shards');
  expectCode('E_BAD_CONFIG', { ...base, smpc: { shards: -1 } }, 'smpc.shards');
  expectCode('E_BAD_CONFIG', { ...base, smpc: { shards: 11 } }, 'smpc.shards');
  expectCode('E_BAD_CONFIG', { ...base, smpc: { exponent: 16 } }, 'smpc.exponent');
  expectCode('E_BAD_CONFIG', { ...base, smpc: { exponent: 2.5 } }, 'smpc.exponent');
  expectCode('E_BAD_CONFIG', { ...base, smpc: { operation: 'max' } }, 'smpc.operation');
  expectCode('E_BAD_CONFIG', { ...base, smpc: { serialize: 'pickle' } }, 'smpc.serialize');
  expectCode('E_BAD_CONFIG', { ...base, minClients: 1 }, 'minClients');
  expectCode('E_BAD_CONFIG', { ...base, minClients: '3' }, 'minClients');
  expectCode('E_BAD_CONFIG', { ...base, maxClients: 2 }, 'maxClients');
  expectCode('E_BAD_CONFIG', { ...base, ring: 48 }, 'ring');
  expectCode('E_BAD_CONFIG', { ...base, clip: undefined }, 'clip');
  expectCode('E_BAD_CONFIG', { ...base, clip: { norm: 'l2', bound: 0 } }, 'clip.bound');
  expectCode('E_BAD_CONFIG', { ...base, clip: { norm: 'l2', bound: NaN } }, 'clip.bound');
  expectCode('E_BAD_CONFIG', { ...base, clip: { norm: 'l4', bound: 1 } }, 'clip.norm');
  expectCode('E_BAD_CONFIG', { ...base, timeouts: { roundMs: 0 } }, 'timeouts.roundMs');
  expectCode('E_BAD_CONFIG', { ...base, allowUnprotected: 'yes' }, 'allowUnprotected');
  expectCode('E_UNSUPPORTED', { ...base, smpc: { operation: 'multiply' }, dp: { noisetype: 'laplace', epsilon: 1, clippingVal: 1 }, privacyBudget: { epsilon: 5, delta: 0 } }, 'dp');
  expectCode('E_BAD_CONFIG', { ...base, smpc: { operation: 'multiply' }, ring: 64 }, 'ring');
  expectCode('E_RING_OVERFLOW', { ...base, maxClients: 10_000, smpc: { exponent: 15 }, clip: { norm: 'l2', bound: 1e6 } });
  expectCode('E_RING_OVERFLOW', { ...base, ring: 32, smpc: { shards: 3, exponent: 9 }, clip: { norm: 'l2', bound: 10 } });
});

test('shards 1 and minClients 1 are allowed only with allowUnprotected', () => {
  const c = validateConfig({ ...base, smpc: { shards: 1 }, minClients: 1, allowUnprotected: true });
  assert.equal(c.smpc.shards, 1);
  assert.equal(c.minClients, 1);
});

test('computeBitBudget picks the smallest ring and reports headroom', () => {
  const small = computeBitBudget({ clients: 10, exponent: 3, elementBound: 1 });
  assert.equal(small.ring, 32);
  assert.equal(small.worstCaseSum, 10_000n);
  assert.equal(small.capacity, 2n ** 31n - 1n);
  assert.equal(small.headroomBits, 31 - 14);
  const withNoise = computeBitBudget({ clients: 10, exponent: 8, elementBound: 1, noiseTail: 10n ** 9n });
  assert.equal(withNoise.ring, 64);
  assert.equal(withNoise.worstCaseSum, 10n * (10n ** 8n + 10n ** 9n));
});

test('ceilScaled is exact where floating point is not', () => {
  assert.equal(ceilScaled(0.1, 1), 2n); // 0.1 is slightly above 1/10, so ⌈0.1·10⌉ = 2 exactly
  assert.equal(ceilScaled(0.5, 1), 5n);
  assert.equal(ceilScaled(1, 0), 1n);
  assert.equal(ceilScaled(0, 15), 0n);
  assert.equal(ceilScaled(2 ** 60, 2), 2n ** 60n * 100n);
  assert.equal(ceilScaled(5e-324, 0), 1n);
});

test('a dp section derives the clip, requires a privacy budget and widens the bit budget by the noise tail', () => {
  const dp = { noisetype: 'gauss', epsilon: 1, delta: 1e-5, clippingVal: 2 };
  const c = validateConfig({ smpc: { shards: 2, exponent: 4 }, minClients: 3, dp, privacyBudget: { epsilon: 10, delta: 1e-4 } });
  assert.deepEqual(c.clip, { norm: 'l2', bound: 2 });
  assert.equal(c.minHonest, 3);
  assert.deepEqual(c.privacyBudget, { epsilon: 10, delta: 1e-4 });
  const l = validateConfig({ smpc: { shards: 2, exponent: 4 }, minClients: 2, dp: { noisetype: 'laplace', epsilon: 1, delta: 0, clippingVal: 1 }, privacyBudget: { epsilon: 5, delta: 0 } });
  assert.deepEqual(l.clip, { norm: 'l1', bound: 1 });
  expectCode('E_BAD_DP_CONFIG', { smpc: { shards: 2, exponent: 4 }, minClients: 2, dp }, 'privacyBudget');
  expectCode('E_BAD_DP_CONFIG', { smpc: { shards: 2, exponent: 4 }, minClients: 2, dp, privacyBudget: { epsilon: 0, delta: 0 } }, 'privacyBudget.epsilon');
  expectCode('E_BAD_DP_CONFIG', { smpc: { shards: 2, exponent: 4 }, minClients: 2, dp, clip: { norm: 'linf', bound: 1 }, privacyBudget: { epsilon: 1, delta: 1e-6 } }, 'clip');
  expectCode('E_BAD_DP_CONFIG', { smpc: { shards: 2, exponent: 4 }, minClients: 2, dp, clip: { norm: 'l2', bound: 3 }, privacyBudget: { epsilon: 1, delta: 1e-6 } }, 'clip');
  expectCode('E_BAD_DP_CONFIG', { smpc: { shards: 2, exponent: 4 }, minClients: 2, dp: { ...dp, noisetype: 'laplace', delta: 0, mode: 'distributed' }, privacyBudget: { epsilon: 1, delta: 0 } });
  expectCode('E_BAD_CONFIG', { ...base, privacyBudget: { epsilon: 1, delta: 0 } }, 'privacyBudget');
  expectCode('E_BAD_CONFIG', { ...base, minHonest: 4 }, 'minHonest');
  // the noise tail (20σ per client) can push a config that fits ring 32 without noise into 64 or out
  assert.throws(() => validateConfig({ smpc: { shards: 2, exponent: 6 }, minClients: 2, maxClients: 10_000, ring: 32, dp, privacyBudget: { epsilon: 10, delta: 1e-4 } }), (e) => isShardwireError(e, 'E_RING_OVERFLOW'));
});

test('typos inside sections are refused too, not defaulted', () => {
  expectCode('E_BAD_CONFIG', { ...base, timeouts: { roundMS: 5000 } }, 'timeouts.roundMS');
  expectCode('E_BAD_CONFIG', { ...base, clip: { norm: 'l2', bound: 1, bounds: 2 } }, 'clip.bounds');
  expectCode('E_BAD_CONFIG', { ...base, timeouts: { paceMs: -1 } }, 'timeouts.paceMs');
  assert.equal(validateConfig({ ...base, timeouts: { paceMs: 250 } }).timeouts.paceMs, 250);
});

test('threat, threshold and rosterHash: defaults, validation, and a noise plan derived once (not hashed)', async () => {
  const c = validateConfig(base);
  assert.equal(c.threat, 'malicious-coordinator');
  assert.equal(c.threshold, undefined);
  assert.equal(validateConfig({ ...base, threat: 'honest-coordinator' }).threat, 'honest-coordinator');
  assert.equal(validateConfig({ ...base, threshold: 4 }).threshold, 4);
  expectCode('E_BAD_CONFIG', { ...base, threat: 'paranoid' }, 'threat');
  expectCode('E_BAD_CONFIG', { ...base, threshold: 0 }, 'threshold');
  expectCode('E_BAD_CONFIG', { ...base, threshold: 2.5 }, 'threshold');
  expectCode('E_BAD_CONFIG', { ...base, threat: 'honest-coordinator', threshold: 3 }, 'threshold');
  expectCode('E_BAD_CONFIG', { ...base, rosterHash: 'abc' }, 'rosterHash');
  expectCode('E_BAD_CONFIG', { ...base, timeouts: { shareMs: 0 } }, 'timeouts.shareMs');
  const pin = 'ab'.repeat(32);
  assert.equal(validateConfig({ ...base, rosterHash: pin }).rosterHash, pin);
  const dp = validateConfig({ ...base, clip: undefined, dp: { noisetype: 'gauss', epsilon: 1, delta: 1e-5, clippingVal: 1 }, privacyBudget: { epsilon: 10, delta: 1e-4 } });
  assert.ok(dp.noise && dp.noise.tail > 0n, 'the noise plan is derived with the config');
  assert.ok(!Object.keys(dp).includes('noise'), 'and is not a setting: not enumerable');
  const { configHash } = await import('../../src/crypto/hash.ts');
  assert.match(await configHash(dp), /^[0-9a-f]{64}$/, 'so the validated config still hashes');
});
