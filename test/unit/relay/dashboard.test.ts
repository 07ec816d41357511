// The relay dashboard: off unless enabled; read-only; counts only (no keys or peer ids); the
// snapshot follows the relay's traffic; rounds in flight come from routed headers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startRelay } from '../../../src/relay/index.ts';
import { RoundWatch, ROUND_IDLE_MS } from '../../../src/relay/round-watch.ts';
import { toBase64url } from '../../../src/wire/base64url.ts';
import { baseConfig, world } from '../../integration/sdk-harness.ts';

const http = (url: string) => url.replace(/^ws:/, 'http:');

test('the dashboard is off by default', async () => {
  const relay = await startRelay({ port: 0, logLevel: 'silent' });
  try {
    for (const p of ['dashboard', 'dashboard/data', 'dashboard/app.js'])
      assert.equal((await fetch(`${http(relay.url)}${p}`)).status, 404, p);
  } finally {
    await relay.close();
  }
});

test('enabled: page with a strict CSP, script, and a snapshot that follows a real round without secrets', async () => {
  const relay = await startRelay({ port: 0, logLevel: 'silent', dashboard: true });
  const w = await world(3, baseConfig({ minClients: 3 }), 'dash-1', relay);
  try {
    const page = await fetch(`${http(relay.url)}dashboard`);
    assert.equal(page.status, 200);
    assert.match(page.headers.get('content-security-policy') ?? '', /default-src 'none'; script-src 'self'/);
    assert.match(await page.text(), /<script src="\/dashboard\/app.js"><\/script>/);
    assert.equal(
      (await fetch(`${http(relay.url)}dashboard/app.js`)).headers.get('content-type'),
      'text/javascript; charset=utf-8',
    );
    assert.equal((await fetch(`${http(relay.url)}dashboard`, { method: 'POST' })).status, 405, 'read-only');

    const before = (await (await fetch(`${http(relay.url)}dashboard/data`)).json()) as Record<string, number>;
    const x = new Float64Array(1000).fill(0.5);
    const sent = w.clients.map((c) => c.aggregate(x));
    await w.coordinator.runRound({ dim: 1000 });
    await Promise.all(sent);
    const res = await fetch(`${http(relay.url)}dashboard/data`);
    const text = await res.text();
    const after = JSON.parse(text) as Record<string, unknown>;
    assert.equal(after.sessions, 1);
    assert.equal(after.peers, 4, '3 participants and the coordinator');
    assert.equal(after.status, 'ok');
    assert.ok((after.framesRouted as number) > before.framesRouted!);
    assert.ok((after.bytesRouted as number) > 3 * 4000, 'three partials of 1000 ring-32 elements at least');
    assert.equal(after.roundsInFlight, 0, 'round.result (sent to every participant, broadcast or not) ends the round');
    for (const secret of [...w.identities.map((i) => i.id), ...w.identities.map((i) => toBase64url(i.publicKey))]) {
      assert.ok(!text.includes(secret), 'no peer ids or keys in the snapshot');
    }
  } finally {
    await w.close();
    await relay.close();
  }
});

test('RoundWatch: a round is in flight from round.open until its result, abort, the next open, or idleness', () => {
  let now = 0;
  const r = new RoundWatch(() => now);
  r.observe({ session: 's', type: 'key-bundle' });
  assert.deepEqual(r.inFlight(), []);
  r.observe({ session: 's', type: 'round.open', memo: 'm1' });
  r.observe({ session: 't', type: 'round.open', memo: 'n1' });
  assert.deepEqual(
    r
      .inFlight()
      .map((x) => x.memo)
      .sort(),
    ['m1', 'n1'],
  );
  r.observe({ session: 's', type: 'round.result', memo: 'other' }); // another memo: ignored
  r.observe({ session: 's', type: 'round.result', memo: 'm1' });
  assert.deepEqual(
    r.inFlight().map((x) => x.memo),
    ['n1'],
  );
  r.observe({ session: 't', type: 'round.open', memo: 'n2' }); // one round at a time per session
  assert.deepEqual(
    r.inFlight().map((x) => x.memo),
    ['n2'],
  );
  now += ROUND_IDLE_MS - 1;
  r.observe({ session: 't', type: 'partial', memo: 'n2' }); // traffic keeps it alive
  now += ROUND_IDLE_MS - 1;
  assert.equal(r.inFlight().length, 1);
  now += 2;
  assert.deepEqual(r.inFlight(), []);
  r.observe({ session: 's', type: 'round.open', memo: 'm2' });
  r.observe({ session: 's', type: 'round.abort', memo: 'm2' });
  assert.deepEqual(r.inFlight(), []);
});
