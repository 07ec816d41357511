import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseBudget } from '../../../src/cli/controller.ts';
import { ShardwireError } from '../../../src/errors.ts';

const BIN = fileURLToPath(new URL('../../../bin/shardwire.mjs', import.meta.url));

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

test('`shardwire controller` prints its usage and refuses missing flags', () => {
  const help = spawnSync(process.execPath, [BIN, 'controller', '--help'], { encoding: 'utf8' });
  assert.equal(help.status, 0);
  assert.match(help.stdout, /--app <url>[\s\S]*--coordinator[\s\S]*--privacy-budget[\s\S]*--threat <mode>/);
  const missing = spawnSync(process.execPath, [BIN, 'controller', '--app', 'http://127.0.0.1:5000'], {
    encoding: 'utf8',
  });
  assert.equal(missing.status, 2);
  assert.match(missing.stderr, /--relay is required/);
});
