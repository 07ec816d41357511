// Bad input and faults: every controller must end with a clear typed error (exit 1) within the
// configured timeouts — never hang — and no coordinator app may be handed an aggregate of bad data.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { describeRun, errorOf, relay, runSites, type FakeApp, type RunResult } from './harness.ts';

after(async () => (await relay()).close());

const IDLE = JSON.stringify({
  available: false,
  finished: false,
  message: 'initial',
  progress: null,
  state: 'running',
  destination: null,
  smpc: null,
  dp: null,
  memo: null,
});

/** A stand-in app that speaks the protocol until setup, then answers garbage or nothing. */
function brokenApp(after: 'garbage' | 'silent'): FakeApp {
  let setUp = false;
  return (method, path, _body, res) => {
    if (method === 'POST' && path === '/api/setup') return void ((setUp = true), res.end(''));
    if (path !== '/api/status') return void ((res.statusCode = 404), res.end());
    if (!setUp) return void res.end(IDLE);
    if (after === 'garbage') return void res.end('<html>Internal proxy error</html>');
    // silent: keep the request open forever
  };
}

/** Asserts the faulty site failed with `code` and every other site with E_PEER_FAILED naming it. */
function expectFailure(r: RunResult, faulty: number, code: string, message: RegExp): void {
  const why = describeRun(r);
  for (const c of r.controllers) {
    assert.equal(c.code, 1, `site ${c.index} exit code\n${why}`);
    const e = errorOf(c);
    assert.ok(e, `site ${c.index} reported no error event\n${why}`);
    // nothing left behind keeps a failed controller alive (such as a secure-session join whose
    // coordinator left: the SDK gives up only after joinMs, 30 s here)
    const lingered = c.exitedAt - Date.parse(String((e as { time?: string }).time));
    assert.ok(lingered < 10_000, `site ${c.index} exited ${lingered} ms after its error\n${why}`);
    if (c.index === faulty) {
      assert.equal(e.code, code, why);
      assert.match(e.message, message, why);
    } else {
      assert.equal(e.code, 'E_PEER_FAILED', why);
      assert.ok(e.message.includes(r.ids[faulty]!), `site ${c.index} does not name the faulty site\n${why}`);
    }
  }
  assert.ok(r.ms < 60_000, `the run took ${r.ms} ms`);
}

/** The coordinator's app was never handed an SMPC aggregate for `memo`. */
function noAggregate(r: RunResult, memo: string): void {
  assert.ok(
    !r.controllers[0]!.events.some((e) => e.event === 'delivered' && e.memo === memo),
    `an aggregate for ${memo} reached the coordinator's app`,
  );
}

test(
  'SMPC data that is not numeric: E_BAD_VECTOR at that site, E_PEER_FAILED elsewhere',
  { timeout: 120_000 },
  async () => {
    const r = await runSites({ app: 'fault_app.py', env: { FC_FAULT: 'nonnumeric' } });
    expectFailure(r, 1, 'E_BAD_VECTOR', /\[1\] is a string/);
    noAggregate(r, 'first');
  },
);

test('a non-finite value (Python writes NaN): E_BAD_VECTOR naming the element', { timeout: 120_000 }, async () => {
  const r = await runSites({ app: 'fault_app.py', env: { FC_FAULT: 'nonfinite' } });
  expectFailure(r, 1, 'E_BAD_VECTOR', /\[1\] is null or a non-finite number/);
  noAggregate(r, 'first');
});

test(
  'mismatched shapes across sites: the coordinator refuses the round, nothing is delivered',
  { timeout: 120_000 },
  async () => {
    const r = await runSites({ app: 'fault_app.py', env: { FC_FAULT: 'shapes' } });
    expectFailure(r, 0, 'E_BAD_VECTOR', /different shapes.*: 2 \(2 values\)/);
    noAggregate(r, 'first');
  },
);

test('data sent to an unknown destination: E_APP', { timeout: 120_000 }, async () => {
  const r = await runSites({ app: 'fault_app.py', env: { FC_FAULT: 'destination' } });
  expectFailure(r, 1, 'E_APP', /no-such-client.*not a client of this run/);
});

test('an app that crashes mid-run: E_APP at its site, E_PEER_FAILED elsewhere', { timeout: 120_000 }, async () => {
  const r = await runSites({ app: 'fault_app.py', env: { FC_FAULT: 'raise' } });
  expectFailure(r, 1, 'E_APP', /RuntimeError/);
  assert.ok(
    r.controllers[0]!.events.some((e) => e.event === 'delivered' && e.memo === 'first'),
    'the good first round did not complete',
  );
  noAggregate(r, 'second');
});

test('a site whose controller is killed mid-run: the others end with E_PEER_FAILED', { timeout: 120_000 }, async () => {
  let killed = false;
  const r = await runSites({
    app: 'fault_app.py',
    env: { FC_FAULT: 'slow', FC_SLOW: '4' },
    during: ({ controllers, events }) => {
      const timer = setInterval(() => {
        if (!killed && events[0]!.some((e) => e.event === 'round' && e.memo === 'first')) {
          killed = true;
          controllers[2]!.kill('SIGKILL');
        }
        if (killed) clearInterval(timer);
      }, 20);
    },
  });
  const why = describeRun(r);
  assert.ok(killed, why);
  assert.equal(r.controllers[2]!.signal, 'SIGKILL', why);
  for (const c of r.controllers.slice(0, 2)) {
    assert.equal(c.code, 1, why);
    assert.equal(errorOf(c)?.code, 'E_PEER_FAILED', why);
    assert.match(errorOf(c)!.message, new RegExp(`${r.ids[2]} disconnected`), why);
  }
  noAggregate(r, 'second');
});

test('an app that answers garbage: E_APP', { timeout: 120_000 }, async () => {
  const r = await runSites({ app: 'fault_app.py', fakeApps: { 2: brokenApp('garbage') } });
  expectFailure(r, 2, 'E_APP', /not JSON/);
});

test('an app that stops answering: E_TIMEOUT after --app-timeout-ms', { timeout: 120_000 }, async () => {
  const r = await runSites({
    app: 'fault_app.py',
    fakeApps: { 2: brokenApp('silent') },
    flags: (i) => (i === 2 ? ['--app-timeout-ms', '2000'] : []),
  });
  expectFailure(r, 2, 'E_TIMEOUT', /did not answer GET \/api\/status within 2000 ms/);
});
