import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { ERROR_CATALOGUE } from '../../../src/errors.ts';
// @ts-expect-error -- a plain .mjs script without type declarations
import { className, renderPythonCodes } from '../../../scripts/python-error-codes.mjs';

test('python/shardwire/_error_codes.py is generated from the current catalogue (npm run python:errors)', () => {
  const file = readFileSync(new URL('../../../python/shardwire/_error_codes.py', import.meta.url), 'utf8');
  assert.equal(file, renderPythonCodes(ERROR_CATALOGUE), 'stale: run `npm run python:errors`');
  for (const code of Object.keys(ERROR_CATALOGUE)) assert.match(file, new RegExp(`class ${className(code)}\\(`));
});

test('Python class names: CamelCase + Error, never shadowing a builtin', () => {
  assert.equal(className('E_TOO_FEW_CONTRIBUTORS'), 'TooFewContributorsError');
  assert.equal(className('E_BAD_DP_CONFIG'), 'BadDpConfigError');
  assert.equal(className('E_TIMEOUT'), 'ShardwireTimeoutError');
});
