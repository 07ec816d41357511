import { test } from 'node:test';
import assert from 'node:assert/strict';
import { failMessage, peerError } from '../../../src/controller/site-link.ts';
import { ShardwireError } from '../../../src/errors.ts';

test("a site's own failure is told as it is; a peer's is forwarded with its origin", () => {
  const own = new ShardwireError('E_TIMEOUT', 'the app did not answer');
  assert.deepEqual(failMessage(own), { code: 'E_TIMEOUT', message: 'E_TIMEOUT: the app did not answer' });
  // site B hears from site C, then forwards to site A: A names C, the origin, and B as the reporter
  const atB = peerError('site-c', failMessage(own));
  assert.equal(atB.code, 'E_PEER_FAILED');
  assert.equal(atB.details.site, 'site-c');
  assert.match(atB.message, /^E_PEER_FAILED: site site-c failed with E_TIMEOUT: E_TIMEOUT: the app did not answer$/);
  const forwarded = failMessage(atB);
  assert.deepEqual(forwarded, { code: 'E_TIMEOUT', message: 'E_TIMEOUT: the app did not answer', origin: 'site-c' });
  const atA = peerError('site-b', forwarded);
  assert.equal(atA.details.site, 'site-c');
  assert.equal(atA.details.code, 'E_TIMEOUT');
  assert.match(atA.message, /site site-c failed with E_TIMEOUT \(reported by site site-b\): E_TIMEOUT: the app/);
  // a departure seen first at B is forwarded the same way, naming the site that left
  const gone = new ShardwireError('E_PEER_FAILED', 'site site-c disconnected (left)', { site: 'site-c' });
  assert.equal(failMessage(gone).origin, 'site-c');
  assert.match(peerError('site-b', failMessage(gone)).message, /site site-c failed .*site-c disconnected/);
  // a malformed fc.fail still gives a typed error naming the sender
  assert.match(peerError('site-b', {}).message, /site site-b failed with E_APP/);
});
