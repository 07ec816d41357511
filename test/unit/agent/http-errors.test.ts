import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ERROR_CATALOGUE, ShardwireError, type ErrorCode } from '../../../src/errors.ts';
import { asShardwireError, errorBody, statusOf } from '../../../src/agent/http-errors.ts';

test('every code has an HTTP status of its class', () => {
  const expected: Partial<Record<ErrorCode, number>> = {
    E_BAD_ARGUMENT: 400,
    E_BAD_VECTOR: 400,
    E_BAD_CONFIG: 400,
    E_BAD_TOKEN: 401,
    E_NOT_FOUND: 404,
    E_BODY_TOO_LARGE: 413,
    E_BAD_STATE: 409,
    E_TOO_FEW_CONTRIBUTORS: 409,
    E_TIMEOUT: 504,
    E_INTERNAL: 500,
    E_NOT_IN_SESSION: 502,
    E_DROPPED: 409,
    E_ROSTER_MISMATCH: 409,
    E_INCONSISTENT: 502,
    E_BAD_SHARE: 502,
  };
  for (const [code, status] of Object.entries(expected)) assert.equal(statusOf(code as ErrorCode), status, code);
  for (const code of Object.keys(ERROR_CATALOGUE) as ErrorCode[])
    assert.ok(statusOf(code) >= 400 && statusOf(code) < 600, code);
});

test('an error body has code, message, hint and details; a bug becomes E_INTERNAL without its message', () => {
  const e = new ShardwireError('E_BAD_VECTOR', 'x', { field: 'shape' });
  assert.deepEqual(errorBody(e), {
    code: 'E_BAD_VECTOR',
    message: 'E_BAD_VECTOR: x',
    hint: e.hint,
    details: { field: 'shape' },
  });
  const seen: unknown[] = [];
  const bug = asShardwireError(new TypeError('secret 0xdeadbeef'), (x) => seen.push(x));
  assert.equal(bug.code, 'E_INTERNAL');
  assert.doesNotMatch(bug.message, /deadbeef/);
  assert.equal(seen.length, 1);
  assert.equal(
    asShardwireError(e, () => assert.fail('not a bug')),
    e,
  );
});
