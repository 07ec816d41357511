/**
 * Regenerates test/vectors/noise-cks20.json from the kernel (run by hand, only with a reason:
 * the vectors pin the samplers' exact outputs):
 *   node --import tsx test/reference/noise-kat-generate.ts > test/vectors/noise-cks20.json
 * The known-answer test also checks every case against the BigInt reference (noise-cks20.ts).
 */
import { Kernel } from '../../src/kernel/kernel.ts';
import { drawSamples, type SamplerKind } from '../../src/kernel/noise.ts';

/** The cases: sampler, A, B (assembly/noise-abi.ts meanings). */
export const KAT_CASES: ReadonlyArray<readonly [SamplerKind, bigint, bigint]> = [
  ['uniform', 7n, 0n], ['uniform', 5n, 0n], ['uniform', 2n ** 20n + 1n, 0n], ['uniform', 2n ** 40n + 1n, 0n], ['bernoulli', 1n, 3n], ['bernExp', 1n, 3n], ['bernExp', 5n, 2n],
  ['geometric', 3n, 2n], ['geometric', 1000n, 1n],
  ['dlaplace', 1n, 2n], ['dlaplace', 1n, 1n], ['dlaplace', 10n, 1n], ['dlaplace', 7n, 3n], ['dlaplace', 1000n, 1n], ['dlaplace', 2n ** 20n, 1n],
  ['dgauss', 1n, 0n], ['dgauss', 2n, 0n], ['dgauss', 10n, 0n], ['dgauss', 1000n, 0n], ['dgauss', 2n ** 20n, 0n], ['dgauss', 2n ** 28n, 0n],
];
/** Key bytes 0x00..0x1f. */
export const KAT_KEY = Uint8Array.from({ length: 32 }, (_, i) => i);
export const KAT_COUNT = 1000;

if (process.argv[1]?.endsWith('noise-kat-generate.ts')) {
  const k = await Kernel.load('simd');
  const cases = KAT_CASES.map(([sampler, a, b]) => {
    const { samples, position } = drawSamples(k, sampler, KAT_COUNT, a, b, KAT_KEY);
    return { sampler, a: String(a), b: String(b), endPosition: String(position), samples: Array.from(samples, Number) };
  });
  const doc = {
    description: 'First 1000 outputs of each kernel sampler under key 00 01 .. 1f, nonce "shardw-noise", stream position 0 (CKS20 samplers; see assembly/noise-abi.ts for A, B).',
    key: Buffer.from(KAT_KEY).toString('hex'),
    cases,
  };
  process.stdout.write(JSON.stringify(doc) + '\n');
}
