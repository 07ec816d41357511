import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ceilScaled, computeBitBudget, DEFAULT_CONFIG } from '../../../src/config.ts';
import {
  checkBudgetFor,
  checkProposed,
  dpSection,
  fittingExponent,
  requestKey,
  secureConfig,
  unclippedBound,
} from '../../../src/controller/session-config.ts';
import { ShardwireError } from '../../../src/errors.ts';

const SMPC = { operation: 'add', serialization: 'json', shards: 0, exponent: 8 } as const;
const GAUSS = { noisetype: 'gauss', epsilon: 1, delta: 1e-5, sensitivity: null, clippingVal: 2 } as const;
const RH = 'ab'.repeat(32);
const run = {
  sites: 3,
  timeouts: { ...DEFAULT_CONFIG.timeouts },
  threat: 'malicious-coordinator',
  rosterHash: RH,
  privacyBudget: { epsilon: 8, delta: 1e-4 },
} as const;
const site = { sites: 3, threat: 'malicious-coordinator', rosterHash: RH } as const;
const is = (code: string, re?: RegExp) => (e: unknown) =>
  e instanceof ShardwireError && e.code === code && (!re || re.test(e.message));

test('the SMPC-only bound never clips a value the kernel accepts, and fits the 64-bit ring', () => {
  for (let e = 0; e <= 15; e++) {
    const b = unclippedBound(e);
    // the kernel refuses |x·10^e| ≥ 2^53, so encoded values are ≤ 2^53 ≤ ⌊b·10^e⌋
    assert.ok(ceilScaled(b, e) > 2n ** 53n, `exponent ${e}`);
    assert.equal(computeBitBudget({ clients: 1023, exponent: e, elementBound: b, ring: 64 }).ring, 64);
  }
});

test('maps the app settings to a session config every site derives alike', () => {
  const c = secureConfig(SMPC, null, run);
  assert.deepEqual(c.smpc, { operation: 'add', shards: 0, exponent: 8 });
  assert.equal(c.minClients, 3);
  assert.equal(c.maxClients, 3);
  assert.deepEqual(c.clip, { norm: 'linf', bound: unclippedBound(8) });
  assert.equal(c.dp, undefined);
  assert.equal(c.threat, 'malicious-coordinator');
  assert.equal(c.rosterHash, RH);
  assert.equal(c.threshold, 3, 'every holder must help rebuild a secret');
  assert.equal(secureConfig(SMPC, null, { ...run, threat: 'honest-coordinator' }).threshold, undefined);
  const d = secureConfig({ ...SMPC, exponent: 6 }, GAUSS, run);
  assert.deepEqual(d.dp, {
    noisetype: 'gauss',
    epsilon: 1,
    delta: 1e-5,
    clippingVal: 2,
    mode: 'local',
    neighbouring: 'replace',
  });
  assert.deepEqual(d.privacyBudget, run.privacyBudget);
  // sensitivity without clippingVal: clip at sensitivity/2 so that Δ = 2·clip holds
  assert.deepEqual(dpSection({ ...GAUSS, clippingVal: null, sensitivity: 3 }), {
    noisetype: 'gauss',
    epsilon: 1,
    delta: 1e-5,
    clippingVal: 1.5,
    mode: 'local',
    neighbouring: 'replace',
    sensitivity: 3,
  });
  // FeatureCloud's default exponent 8 with Gaussian noise σ ≈ 15 (clippingVal 2): 1.5·10^9 units
  // pass the sampler's 2^28, so the round runs at the largest exponent that fits
  const e = fittingExponent(GAUSS, 8);
  assert.equal(e, 7);
  assert.equal((secureConfig(SMPC, GAUSS, run).smpc as { exponent: number }).exponent, e);
  assert.equal(
    (secureConfig(SMPC, { ...GAUSS, noisetype: 'laplace', delta: 0 }, run).smpc as { exponent: number }).exponent,
    8,
  );
  assert.equal(requestKey(SMPC, null), requestKey({ ...SMPC }, null));
  assert.notEqual(requestKey(SMPC, null), requestKey(SMPC, GAUSS));
});

test('multiply: the exact secure product without DP; with DP refused naming the alternative', () => {
  const config = secureConfig({ ...SMPC, operation: 'multiply' }, null, run);
  assert.equal((config.smpc as { operation: string }).operation, 'multiply');
  assert.throws(() => secureConfig({ ...SMPC, operation: 'multiply' }, GAUSS, run), is('E_UNSUPPORTED', /"add"/));
});

test('refuses what FeatureCloud allows but shardwire cannot do, naming the alternative', () => {
  assert.throws(() => secureConfig({ ...SMPC, shards: 1 }, null, run), is('E_BAD_CONFIG', /shards/));
  assert.throws(() => secureConfig({ ...SMPC, exponent: 16 }, null, run), is('E_BAD_CONFIG', /exponent/));
  assert.throws(
    () => secureConfig(SMPC, GAUSS, { ...run, privacyBudget: undefined }),
    is('E_BAD_DP_CONFIG', /--privacy-budget/),
  );
  assert.throws(() => dpSection({ ...GAUSS, clippingVal: null }), is('E_BAD_DP_CONFIG', /clippingVal/));
  assert.throws(() => checkBudgetFor(GAUSS, { epsilon: 8, delta: 0 }), is('E_BAD_DP_CONFIG', /δ > 0/));
  checkBudgetFor({ ...GAUSS, noisetype: 'laplace', delta: 0 }, { epsilon: 8, delta: 0 });
});

test("a site accepts the coordinator's proposal only when it is what its app asked for", () => {
  const smpc = { ...SMPC, exponent: 6 };
  const proposed = secureConfig(smpc, GAUSS, { ...run, timeouts: { ...run.timeouts, roundMs: 5000 } });
  assert.equal(checkProposed(proposed, smpc, GAUSS, site).timeouts.roundMs, 5000);
  const altered = (f: (c: Record<string, unknown>) => void) => {
    const c = structuredClone(proposed);
    f(c);
    return c;
  };
  const refused = (f: (c: Record<string, unknown>) => void, code = 'E_CONFIG_MISMATCH', re?: RegExp) =>
    assert.throws(() => checkProposed(altered(f), smpc, GAUSS, site), is(code, re));
  refused((c) => ((c.dp as Record<string, unknown>).epsilon = 100));
  refused((c) => (c.minClients = 2));
  refused((c) => ((c.smpc as Record<string, unknown>).shards = 2));
  refused((c) => (c.threshold = 2));
  assert.throws(() => checkProposed(proposed, smpc, null, site), is('E_CONFIG_MISMATCH'));
  // a weaker threat mode than this site asked for, or another roster, is refused
  refused((c) => (c.threat = 'honest-coordinator'), 'E_CONFIG_MISMATCH', /--threat/);
  refused((c) => (c.rosterHash = 'cd'.repeat(32)), 'E_ROSTER_MISMATCH');
  refused((c) => delete c.rosterHash, 'E_ROSTER_MISMATCH');
  const honest = secureConfig(smpc, null, { ...run, threat: 'honest-coordinator' });
  const accepted = checkProposed(honest, smpc, null, { ...site, threat: 'honest-coordinator' });
  assert.equal(accepted.threat, 'honest-coordinator');
});
