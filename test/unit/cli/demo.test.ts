// `shardwire demo` through the CLI entry point, as a user runs it: JSON fields, exactness
// without DP, noise std with DP, a dropped client, bad flags → exit 2 with one line.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cliSpawn } from './_cli.ts';

/** Runs the CLI; kills its whole process group if it overruns, so no client process survives. */
function demo(...args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const started = performance.now();
  return new Promise((resolve) => {
    const child = cliSpawn(['demo', ...args]);
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => process.kill(-child.pid!, 'SIGKILL'), 30_000);
    child.on('close', (status) => {
      clearTimeout(timer);
      // the demo reaps its clients; this only matters if it was killed
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        /* the group is already gone */
      }
      const killed = status === null ? `\n[killed after ${((performance.now() - started) / 1000).toFixed(1)} s: the demo did not finish]` : '';
      resolve({ status, stdout, stderr: stderr + killed });
    });
  });
}

const FIELDS = ['clients', 'dim', 'contributors', 'max_abs_error', 'expected_noise_std', 'observed_noise_std', 'epsilon_spent', 'bytes_per_client', 'round_s'];

function parse(r: { status: number | null; stdout: string; stderr: string }): Record<string, number> {
  assert.equal(r.status, 0, r.stderr);
  const lines = r.stdout.trim().split('\n');
  assert.equal(lines.length, 1, 'one JSON object on stdout');
  const o = JSON.parse(lines[0]) as Record<string, number>;
  for (const f of FIELDS) assert.equal(typeof o[f], 'number', `field ${f}`);
  assert.equal(r.stderr, '', 'no progress bar with --json');
  return o;
}

test('demo --json without DP: exact aggregate, 4 bytes per element plus AEAD overhead', async () => {
  const o = parse(await demo('--clients', '3', '--dim', '1000', '--json'));
  assert.equal(o.clients, 3);
  assert.equal(o.dim, 1000);
  assert.equal(o.contributors, 3);
  assert.equal(o.max_abs_error, 0);
  assert.equal(o.expected_noise_std, 0);
  assert.equal(o.observed_noise_std, 0);
  assert.equal(o.epsilon_spent, 0);
  assert.ok(o.bytes_per_client >= 4000 && o.bytes_per_client < 4200, `bytes_per_client ${o.bytes_per_client}`);
  assert.ok(o.round_s > 0);
});

test('demo --json --dp gauss: observed noise std matches the expected; ε is spent', async () => {
  const dim = 4000;
  const o = parse(await demo('--clients', '3', '--dim', String(dim), '--dp', 'gauss', '--json'));
  assert.ok(o.expected_noise_std > 0);
  // sample std of `dim` Gaussian draws: relative sd ≈ 1/√(2·dim); 6 sd margin
  assert.ok(Math.abs(o.observed_noise_std / o.expected_noise_std - 1) < 6 / Math.sqrt(2 * dim), `observed ${o.observed_noise_std}, expected ${o.expected_noise_std}`);
  assert.ok(o.epsilon_spent > 0 && o.epsilon_spent <= 3);
});

test('demo --json --drop 1: the survivors\' aggregate is released exactly', async () => {
  const o = parse(await demo('--clients', '3', '--dim', '1000', '--drop', '1', '--json'));
  assert.equal(o.contributors, 2);
  assert.equal(o.dropped, 1);
  assert.equal(o.max_abs_error, 0);
});

test('demo: bad flags exit 2 with one line naming the flag', async () => {
  for (const [args, pattern] of [
    [['--clients', '1'], /--clients expected an integer in \[2, 200\], got "1"/],
    [['--dim', 'ten'], /--dim expected an integer.*"ten"/],
    [['--dp', 'fancy'], /--dp expected one of none, gauss, laplace/],
    [['--drop', '3', '--clients', '4'], /--drop/],
    [['--frobnicate'], /unknown flag --frobnicate/],
    [['--epsilon', '-1'], /--epsilon expected a number > 0, got -1/],
    [['--exponent', '15', '--clip', '1e6'], /E_RING_OVERFLOW/],
  ] as const) {
    const r = await demo(...args);
    assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, pattern);
    assert.match(r.stderr, /see `shardwire demo --help`\n$/);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.equal(r.stdout, '');
  }
});

test('demo --json --operation meanVariance | histogram | count: the statistic over all records equals the plain one exactly', async () => {
  for (const [operation, length] of [['meanVariance', 1 + 2 * 3], ['histogram', 3 * 12], ['count', 1]] as const) {
    const o = parse(await demo('--clients', '3', '--operation', operation, '--records', '20', ...(operation === 'count' ? [] : ['--dim', '3']), '--json'));
    assert.equal(o.operation as unknown, operation);
    assert.equal(o.records, 20);
    assert.equal(o.max_abs_error, 0, operation);
    const head = (o.per_round as unknown as { secure_head: number[] }[])[0].secure_head;
    if (operation !== 'histogram') assert.equal(head[0], 60, `${operation}: 3 clients × 20 records`);
    else assert.ok(o.bytes_per_client > 0 && length === 36);
  }
});

test('demo: statistics flags are checked before anything starts', async () => {
  for (const [args, pattern] of [
    [['--operation', 'median'], /--operation expected one of sum, mean, multiply, count, meanVariance, histogram/],
    [['--records', '5'], /--records applies to statistics/],
    [['--operation', 'count', '--dim', '3'], /--dim does not apply to --operation count/],
    [['--operation', 'meanVariance', '--dp', 'gauss'], /E_UNSUPPORTED.*meanVariance/],
  ] as const) {
    const r = await demo(...args);
    assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, pattern);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  }
});
