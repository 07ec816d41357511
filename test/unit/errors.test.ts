import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { ShardwireError, ERROR_CATALOGUE, isShardwireError } from '../../src/errors.ts';

test('ShardwireError carries code, hint, frozen details and the close code of relay errors', () => {
  const e = new ShardwireError('E_BAD_FRAME', 'header length 9 past the frame', { at: 6 });
  assert.ok(e instanceof Error);
  assert.equal(e.name, 'ShardwireError');
  assert.equal(e.code, 'E_BAD_FRAME');
  assert.match(e.message, /^E_BAD_FRAME: /);
  assert.equal(e.closeCode, 1002);
  assert.equal(e.hint, ERROR_CATALOGUE.E_BAD_FRAME.hint);
  assert.ok(Object.isFrozen(e.details));
  assert.ok(isShardwireError(e, 'E_BAD_FRAME'));
  assert.ok(!isShardwireError(e, 'E_AUTH'));
  assert.ok(!isShardwireError(new Error('x')));
});

test('every catalogue code has a hint and appears in the README error table', () => {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  for (const [code, spec] of Object.entries(ERROR_CATALOGUE)) {
    assert.ok(spec.hint.length > 10, `${code} hint`);
    assert.ok(readme.includes(`\`${code}\``), `README lacks ${code}`);
    const close = (spec as { closeCode?: number }).closeCode;
    if (close !== undefined) assert.ok([1001, 1002, 1007, 1008, 1009, 1011].includes(close), `${code} close code ${close}`);
  }
});
