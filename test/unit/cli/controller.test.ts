import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseBudget } from '../../../src/cli/controller.ts';
import { ShardwireError } from '../../../src/errors.ts';
import { cli } from './_cli.ts';

test('--privacy-budget takes ε and an optional δ', () => {
  assert.deepEqual(parseBudget('8'), { epsilon: 8, delta: 0 });
  assert.deepEqual(parseBudget('2.5,1e-5'), { epsilon: 2.5, delta: 1e-5 });
  assert.equal(parseBudget(undefined), undefined);
  for (const bad of ['0', '-1', 'x', '8,1', '8,-1', '8,1e-5,3', 'Infinity']) {
    assert.throws(
      () => parseBudget(bad),
      (e: unknown) => e instanceof ShardwireError && e.code === 'E_BAD_ARGUMENT',
      bad,
    );
  }
});

test('`shardwire controller` prints its usage and refuses missing or malformed flags in one line (exit 2)', () => {
  const help = cli(['controller', '--help']);
  assert.equal(help.status, 0);
  assert.match(help.stdout, /--app <url>[\s\S]*--coordinator[\s\S]*--privacy-budget[\s\S]*--threat <mode>/);
  const cases: [string[], RegExp][] = [
    [['--app', 'http://x'], /^shardwire controller: --relay is required; see `shardwire controller --help`$/],
    [['--threat', 'paranoid'], /--threat expected one of malicious-coordinator, honest-coordinator, got "paranoid"/],
    [['--poll-ms', '-5'], /--poll-ms expected an integer in \[1, 86400000\], got "-5"/],
    [['--privacy-budget', '0'], /--privacy-budget expected <epsilon>\[,<delta>\]/],
  ];
  const required = ['--app', 'a', '--relay', 'r', '--session', 's', '--identity', 'i', '--roster', 'r'];
  for (const [args, message] of cases) {
    const r = cli(['controller', ...(args[0] === '--app' ? args : [...required, ...args])]);
    assert.equal(r.status, 2, r.stderr);
    assert.equal(r.stderr.trimEnd().split('\n').length, 1, r.stderr);
    assert.match(r.stderr.trimEnd(), message);
  }
  // a file that cannot be read is a runtime error (exit 1), also one line
  const missing = cli(['controller', ...required.slice(0, 8), '--roster', '/nonexistent/roster.json']);
  assert.equal(missing.status, 1, missing.stderr);
  const unreadable = /^shardwire controller: E_BAD_ARGUMENT: --roster: cannot read "[^"]+roster\.json" \(ENOENT\)$/;
  assert.match(missing.stderr.trimEnd(), unreadable);
});
