/**
 * The math of double masking without a network (n ≤ 30, shards and threshold varied, random
 * dropouts at every phase): partials built with self-masks and pairwise masks, reveals chosen by
 * secagg/recovery.ts, corrections rebuilt and verified by secagg/unmask.ts. Law: the corrected
 * sum is the exact sum of the survivors' encodings whenever every needed secret has enough good
 * shares, and a typed error otherwise — never a wrong sum. The model below is simpler than the
 * protocol: it only decides who did what, and checks the one equation.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Kernel } from '../../src/kernel/kernel.ts';
import type { RingVector } from '../../src/kernel/vectors.ts';
import { getSodium } from '../../src/sodium.ts';
import { generateMaskKeys, pairMaskSeed, selfMaskCommitment, shareCommitment } from '../../src/crypto/round-keys.ts';
import { connectedGroups, holderGraph } from '../../src/secagg/holder-graph.ts';
import { pairSign, shareThreshold, sharesToReveal, viableSharers } from '../../src/secagg/recovery.ts';
import { shamirSplit } from '../../src/secagg/shamir.ts';
import { buildPartial } from '../../src/secagg/partial.ts';
import { reconstructSum } from '../../src/secagg/reconstruct.ts';
import { maskedCorrections } from '../../src/secagg/unmask.ts';
import { isShardwireError } from '../../src/errors.ts';
import type { RevealedShare, RoundKeys } from '../../src/session/masking-messages.ts';

/** How far a party got: 0 absent, 1 joined, 2 shared, 3 sent its partial, 4 stayed to reveal. */
type Reach = 0 | 1 | 2 | 3 | 4;

test('double masking: exact survivor sum or a typed failure, over random dropout schedules (n ≤ 30)', async () => {
  const k = await Kernel.load();
  const sodium = await getSodium();
  await fc.assert(
    fc.asyncProperty(
      fc.integer({ min: 2, max: 30 }).chain((n) => fc.record({
        n: fc.constant(n),
        shards: fc.constantFrom(0, 2, 3, 4, 6),
        threshold: fc.option(fc.integer({ min: 1, max: 12 }), { nil: undefined }),
        reach: fc.array(fc.constantFrom<Reach>(4, 4, 4, 4, 0, 1, 2, 3), { minLength: n, maxLength: n }),
        ring: fc.constantFrom(32 as const, 64 as const),
      })),
      async ({ n, shards, threshold, reach, ring }) => {
        const session = 's', memo = 'm', dim = 7;
        const ids = Array.from({ length: n }, (_, i) => `p${String(i).padStart(2, '0')}`);
        const members = ids.filter((_, i) => reach[i] >= 1);
        fc.pre(members.length >= 2);
        const g = await holderGraph(members, memo, shards);
        const at = (id: string) => reach[ids.indexOf(id)];
        // every member deals (the model lets those below 'shared' deal too; only sharers count)
        const secrets = new Map(members.map((id) => [id, { b: sodium.randombytes_buf(32), ...generateMaskKeys(sodium) }]));
        const dealt = new Map<string, { self: Uint8Array[]; mask: Uint8Array[] }>();
        const keys = new Map<string, RoundKeys>();
        for (const id of members) {
          const holders = g.neighbours(id);
          const t = shareThreshold(holders.length, threshold);
          const s = secrets.get(id)!;
          const self = shamirSplit(s.b, t, holders.length), mask = shamirSplit(s.secretKey, t, holders.length);
          dealt.set(id, { self, mask });
          keys.set(id, {
            memo, maskKey: s.publicKey, selfCommitment: selfMaskCommitment(sodium, session, memo, id, s.b),
            shares: holders.map((h, i) => ({ to: h, box: new Uint8Array(0), commitSelf: shareCommitment(sodium, session, memo, 'self', id, h, self[i]), commitMask: shareCommitment(sodium, session, memo, 'mask', id, h, mask[i]) })),
          });
        }
        const sharers = viableSharers(g, members.filter((id) => at(id) >= 2), threshold);
        const inputs = new Map(members.map((id, i) => [id, Float64Array.from({ length: dim }, (_, e) => ((i * 37 + e * 11) % 201 - 100) / 1000)]));
        const partials = new Map<string, RingVector>();
        const masked = new Map<string, string[]>();
        for (const id of [...sharers].filter((s) => at(s) >= 3)) {
          const s = secrets.get(id)!;
          const peers = g.neighbours(id).filter((j) => sharers.has(j));
          masked.set(id, peers);
          const seeds = [s.b.slice(), ...peers.map((j) => pairMaskSeed(sodium, session, memo, s.secretKey, s.publicKey, secrets.get(j)!.publicKey))];
          const signs = [1, ...peers.map((j) => pairSign(id, j))] as (1 | -1)[];
          partials.set(id, buildPartial(k, inputs.get(id)!, { exponent: 3, ring, clip: { norm: 'linf', bound: 1 }, masks: { seeds, signs } }).vector);
        }
        const survivors = connectedGroups(g, partials.keys())[0] ?? [];
        fc.pre(survivors.length > 0);
        const survivorSet = new Set(survivors);
        const reveals = new Map<string, RevealedShare[]>();
        for (const h of [...sharers].filter((s) => at(s) >= 4)) {
          reveals.set(h, sharesToReveal(g, h, sharers, survivorSet).map(({ dealer, kind }) => {
            const i = g.neighbours(dealer).indexOf(h);
            return { dealer, kind, share: dealt.get(dealer)![kind][i] };
          }));
        }
        let corrections;
        try {
          corrections = maskedCorrections({ sodium, sessionId: session, memo, graph: g, ...(threshold === undefined ? {} : { threshold }), sharers, survivors: survivorSet, keys, masked, reveals });
        } catch (e) {
          assert.ok(isShardwireError(e, 'E_TOO_FEW_CONTRIBUTORS'), String(e));
          // the failure must be real: some needed secret lacks threshold-many revealing holders
          const short = (dealer: string) => g.neighbours(dealer).filter((h) => reveals.has(h)).length < shareThreshold(g.neighbours(dealer).length, threshold);
          const needsMask = [...sharers].filter((d) => !survivorSet.has(d) && survivors.some((s) => masked.get(s)!.includes(d)));
          assert.ok(survivors.some(short) || needsMask.some(short), 'failed although every secret had enough holders');
          return;
        }
        const sum = reconstructSum(k, survivors.map((id) => partials.get(id)!), corrections);
        const expected = k.ringSum(survivors.map((id) => k.encode(inputs.get(id)!, { exponent: 3, ring, rounding: 'half-even' })));
        assert.deepEqual(sum, expected);
      },
    ),
    { numRuns: 120 },
  );
});
