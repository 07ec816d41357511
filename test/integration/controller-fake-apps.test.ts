// Three controllers in this process next to three stand-in apps written in TypeScript (they speak
// the engine's HTTP protocol: /api/setup, /api/status, /api/data): a secure sum of nested JSON
// reaches the coordinator's app exactly, a pickle-like payload reaches a participant byte for
// byte, and every controller ends with a summary once every app reports finished. The same paths
// run against the real engine in test/interop/ (npm run test:interop).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { Identity } from '../../src/crypto/identity.ts';
import { startRelay } from '../../src/relay/index.ts';
import { runController } from '../../src/controller/controller.ts';
import type { Roster } from '../../src/controller/roster-file.ts';

const SMPC = { operation: 'add', serialization: 'json', shards: 0, exponent: 8 };

/** A stand-in app: offers `outgoing` pieces in order, then finished; records what it receives. */
function fakeApp(
  outgoing: { status: Record<string, unknown>; data: Buffer }[],
  waitFor: (received: Map<string, Buffer>) => boolean,
) {
  const received = new Map<string, Buffer>();
  let setUp = false;
  const base = {
    available: false,
    finished: false,
    message: 'working',
    progress: 0.5,
    state: 'running',
    destination: null,
    smpc: null,
    dp: null,
    memo: null,
  };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url!, 'http://x');
      if (req.method === 'POST' && url.pathname === '/api/setup') return void ((setUp = true), res.end(''));
      if (req.method === 'POST' && url.pathname === '/api/data')
        return void (received.set(url.searchParams.get('memo')!, Buffer.concat(chunks)), res.end(''));
      if (url.pathname === '/api/data') return void res.end(outgoing.shift()!.data);
      if (!setUp || (outgoing.length === 0 && !waitFor(received))) return void res.end(JSON.stringify(base));
      if (outgoing.length === 0)
        return void res.end(JSON.stringify({ ...base, finished: true, progress: 1, message: 'terminal' }));
      res.end(JSON.stringify({ ...base, available: true, ...outgoing[0]!.status }));
    });
  });
  return {
    server,
    received,
    listen: () =>
      new Promise<number>((r) => server.listen(0, '127.0.0.1', () => r((server.address() as { port: number }).port))),
  };
}

/** Three controllers with stand-in apps; `threats[i]` is site i's --threat. */
async function runSites(session: string, threats: readonly ('malicious-coordinator' | 'honest-coordinator')[]) {
  const relay = await startRelay({ port: 0, logLevel: 'silent' });
  const ids = await Promise.all([0, 1, 2].map(() => Identity.generate()));
  const roster: Roster = { coordinator: ids[0]!.id, sites: ids.map((i) => ({ id: i.id, publicKey: i.publicKey })) };
  const piece = (i: number) => ({
    status: { smpc: SMPC, memo: 'GATHERROUND1' },
    // integers (no decimal point) are summed exactly, beyond the float clip and 2^53 alike
    data: Buffer.from(`[[${i}, ${i + 0.5}], [${i * 2}], ${2n ** 60n + BigInt(i)}, 2.0]`),
  });
  const pickle = Buffer.from([0x80, 0x04, 0x95, 0x00, 0xff, 0x0a]);
  const apps = [
    fakeApp([piece(1)], (r) => r.has('GATHERROUND1')),
    fakeApp([piece(2), { status: { destination: ids[2]!.id, memo: 'to%20p2' }, data: pickle }], () => true),
    fakeApp([piece(3)], (r) => r.has('to%2520p2')),
  ];
  const ports = await Promise.all(apps.map((a) => a.listen()));
  const lines: string[] = [];
  const sinks = { out: { write: (s: string) => lines.push(s) }, err: { write: () => undefined } };
  let status: Promise<Record<string, unknown>> | undefined;
  const outcomes = await Promise.allSettled(
    ids.map((identity, i) =>
      runController({
        appUrl: `http://127.0.0.1:${ports[i]}`,
        relayUrl: relay.url,
        session,
        identity,
        roster,
        coordinator: i === 0,
        pollMs: 10,
        timeouts: { joinMs: 10_000, roundMs: 10_000, shareMs: 10_000 },
        threat: threats[i]!,
        json: true,
        sinks,
        ...(i === 1
          ? {
              statusPort: 0,
              onStatusUrl: (url: string) =>
                void (status = fetch(url).then((r) => r.json() as Promise<Record<string, unknown>>)),
            }
          : {}),
      }),
    ),
  );
  const snapshot = await status;
  for (const a of apps) a.server.close();
  for (const i of ids) i.zeroise();
  await relay.close();
  return { ids, apps, pickle, lines, snapshot, outcomes };
}

for (const threat of ['malicious-coordinator', 'honest-coordinator'] as const) {
  test(
    `controllers run a secure sum (${threat}) and a direct message between stand-in apps, then finish`,
    { timeout: 60_000 },
    async () => {
      const { ids, apps, pickle, lines, snapshot, outcomes } = await runSites(`fc-fake-${threat}`, [
        threat,
        threat,
        threat,
      ]);
      const summaries = outcomes.map((o) => {
        if (o.status === 'rejected') throw o.reason;
        return o.value;
      });
      // the monitoring endpoint answered while the run was going
      assert.equal(snapshot!.site, ids[1]!.id);
      assert.equal(snapshot!.role, 'participant');
      assert.equal(Object.keys(snapshot!.sites as object).length, 3);
      const text = apps[0]!.received.get('GATHERROUND1')!.toString();
      assert.equal(text, `[[6,7.5],[12],${3n * 2n ** 60n + 6n},6]`);
      assert.ok(apps[2]!.received.get('to%2520p2')!.equals(pickle), 'the opaque payload arrived byte for byte');
      for (const s of summaries) {
        assert.equal(s.ok, true);
        assert.deepEqual(Object.values(s.sites), ['finished', 'finished', 'finished']);
      }
      assert.equal(summaries[0]!.rounds.length, 1);
      assert.ok(lines.some((l) => JSON.parse(l).event === 'summary'));
    },
  );
}

test('a site that asks for another threat mode refuses the proposal; every site fails', { timeout: 60_000 }, async () => {
  const threats = ['honest-coordinator', 'malicious-coordinator', 'honest-coordinator'] as const;
  const { apps, outcomes } = await runSites('fc-fake-mixed', threats);
  const codes = outcomes.map((o) => (o.status === 'rejected' ? (o.reason as { code: string }).code : 'ok'));
  assert.equal(codes[1], 'E_CONFIG_MISMATCH');
  assert.deepEqual([codes[0], codes[2]], ['E_PEER_FAILED', 'E_PEER_FAILED']);
  assert.equal(apps[0]!.received.has('GATHERROUND1'), false, 'no aggregate reached the app');
});
