// Three unmodified-engine FeatureCloud apps asking for SMPC multiply: the coordinator's app
// receives the element-wise product of the three sites' nested data, exactly (zeros and signs
// included), in both threat modes.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { describeRun, relay, runSites } from './harness.ts';

after(async () => (await relay()).close());

for (const threat of ['malicious-coordinator', 'honest-coordinator'] as const) {
  test(`SMPC multiply of three FeatureCloud apps is the exact product (${threat})`, { timeout: 180_000 }, async () => {
    const flags = threat === 'malicious-coordinator' ? [] : ['--threat', threat];
    const r = await runSites({ app: 'product_app.py', flags: () => flags });
    for (const c of r.controllers) assert.equal(c.code, 0, describeRun(r));
    const outs = r.ids.map((id) => r.outputs.get(id)!) as unknown as { input: number[][]; product?: number[][] }[];
    const product = outs[0]!.product!;
    assert.equal(product.length, 2, describeRun(r));
    for (let i = 0; i < 2; i++) {
      for (let j = 0; j < 5; j++) {
        // inputs are k/8 at exponent 3: exact; the product of three is (Π k) / 512, exact in a double
        const want = outs.reduce((p, o) => p * o.input[i]![j]!, 1);
        assert.equal(product[i]![j], want === 0 ? 0 : want, `[${i}][${j}] ${describeRun(r)}`);
      }
    }
    assert.deepEqual(product[0]!.slice(0, 3), [0, 0, 0], 'a zero at any site makes the product exactly 0');
  });
}
