// Three unmodified-engine FeatureCloud apps, three controllers: secure sums of mixed shapes
// ([3×4, 5, scalar]), a mean over several automatic memos, a memo reused in a loop, a plain
// pickle gather and broadcast and participant-to-participant messages — every aggregate checked
// exactly against a plain computation, in both threat modes.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { describeRun, relay, runSites, type RunResult } from './harness.ts';

after(async () => (await relay()).close());

type Nested = number | Nested[];

/** x·256 as an exact bigint (every input is k/256). */
function k256(x: number): bigint {
  const v = x * 256;
  assert.ok(Number.isInteger(v), `${x} is not a multiple of 1/256`);
  return BigInt(v);
}

/** Element-wise exact sum of nested values, as doubles (exact: the sums are multiples of 1/256 below 2^53/256). */
function exactSum(values: Nested[]): Nested {
  const first = values[0]!;
  if (typeof first === 'number') {
    const total = values.reduce((s: bigint, v) => s + k256(v as number), 0n);
    return Number(total) / 256;
  }
  return first.map((_, i) => exactSum(values.map((v) => (v as Nested[])[i]!)));
}

for (const threat of ['malicious-coordinator', 'honest-coordinator'] as const) {
  test(
    `secure sums and means of three FeatureCloud apps equal the plain computation exactly (${threat})`,
    { timeout: 180_000 },
    async () => {
      // the default mode without the flag, the other one named at every site
      const flags = threat === 'malicious-coordinator' ? [] : ['--threat', threat];
      checkRun(await runSites({ app: 'secure_sum_app.py', flags: () => flags }), threat);
    },
  );
}

function checkRun(r: RunResult, threat: string): void {
  for (const c of r.controllers) assert.equal(c.code, 0, describeRun(r));
  assert.equal(r.outputs.size, 3, describeRun(r));
  const outs = r.ids.map((id) => r.outputs.get(id)!) as unknown as {
    inputs: { mixed: Nested[]; rounds: number[][]; weights: Nested[]; plain: unknown };
    results: { mixed: Nested[]; means: number[][]; weights: Nested[]; gathered: unknown[] };
    ring: {
      sent: { from: string; array: number[]; text: string };
      received: { from: string; array: number[]; text: string };
    };
  }[];
  const coordinator = outs[0]!;
  // mixed shapes [3×4, 5, scalar] keep their nesting and sum exactly
  assert.deepEqual(coordinator.results.mixed, exactSum(outs.map((o) => o.inputs.mixed as Nested)));
  assert.equal((coordinator.results.mixed[0] as Nested[]).length, 3);
  assert.equal(typeof coordinator.results.mixed[2], 'number');
  // means over automatic memos GATHERROUND1..3: (exact sum) / 3, the same double the app computes
  for (let round = 0; round < 3; round++) {
    const sum = exactSum(outs.map((o) => o.inputs.rounds[round]!)) as number[];
    assert.deepEqual(
      coordinator.results.means[round],
      sum.map((s) => s / 3),
      `round ${round + 1}`,
    );
  }
  // the memo 'weights' used twice: two separate rounds, in order
  for (let round = 0; round < 2; round++) {
    assert.deepEqual(
      coordinator.results.weights[round],
      exactSum(outs.map((o) => o.inputs.weights[round] as Nested)),
      `weights round ${round + 1}`,
    );
  }
  // plain pickle data from every site (the coordinator's own included) reached gather_data intact
  assert.deepEqual(
    coordinator.results.gathered,
    outs.map((o) => o.inputs.plain),
  );
  // the coordinator's pickle broadcast reached every participant intact
  for (const o of outs.slice(1)) assert.deepEqual(o.results, coordinator.results);
  // send_data_to_participant around the ring: each site got what its predecessor sent
  for (const [i, o] of outs.entries())
    assert.deepEqual(o.ring.received, outs[(i + outs.length - 1) % outs.length]!.ring.sent);
  // every controller ended with a summary that lists the rounds
  for (const c of r.controllers) {
    const summary = c.events.find((e) => e.event === 'summary') as { ok: boolean; threat: string; rounds: unknown[] };
    assert.equal(summary.ok, true);
    assert.equal(summary.threat, threat);
    assert.equal(summary.rounds.length, 6);
  }
}
