/**
 * The agent's HTTP API over a real relay: rounds with float32/float64 bodies, weighted means,
 * dropouts, the closing rules, and every kind of bad call answered with its code while the
 * agent keeps serving.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmod, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { startRelay, type Relay } from '../../src/relay/index.ts';
import { Kernel } from '../../src/kernel/kernel.ts';
import { startAgent, openEnvelope, type Agent } from '../../src/agent/index.ts';
import { call, bytesOf, identityFiles, vectorHeaders, type IdentityFiles } from './agent-harness.ts';

const kernelPromise = Kernel.load();

function config(over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    smpc: { shards: 0, exponent: 6 },
    minClients: 2,
    maxClients: 3,
    clip: { norm: 'linf', bound: 10 },
    timeouts: { joinMs: 5000, roundMs: 4000, revealMs: 2000 },
    ...over,
  };
}

interface Setup {
  relay: Relay;
  agent: Agent;
  ids: IdentityFiles;
  coordinator: string;
  participants: string[];
  close(): Promise<void>;
}

/** A relay, one agent, a coordinator session and `n` joined participants (all through the API). */
async function setup(n: number, cfg = config(), agentOptions: Parameters<typeof startAgent>[0] = {}): Promise<Setup> {
  const relay = await startRelay({ port: 0, logLevel: 'silent' });
  const agent = await startAgent({ logLevel: 'silent', kernel: await kernelPromise, ...agentOptions });
  const ids = await identityFiles(n + 1);
  const session = `agent-${Math.random().toString(36).slice(2)}`;
  const started = await call(agent, 'POST', '/v1/coordinators', {
    json: { relayUrl: relay.url, session, identityFile: ids.files[0], roster: ids.peers.slice(1), config: cfg },
  });
  assert.equal(started.status, 201, JSON.stringify(started.json()));
  const coordinator = started.json().handle as string;
  const participants: string[] = [];
  for (let i = 1; i <= n; i++) {
    const r = await call(agent, 'POST', '/v1/participants', {
      json: { relayUrl: relay.url, session, identityFile: ids.files[i], coordinator: ids.peers[0], config: cfg },
    });
    assert.equal(r.status, 201, JSON.stringify(r.json()));
    assert.equal(r.json().id, ids.peers[i].id);
    participants.push(r.json().handle);
  }
  const ready = await call(agent, 'POST', `/v1/coordinators/${coordinator}/participants/wait`, {
    json: { count: n, timeoutMs: 5000 },
  });
  assert.equal(ready.status, 200);
  return {
    relay,
    agent,
    ids,
    coordinator,
    participants,
    async close() {
      await agent.close();
      await relay.close();
      await ids.remove();
    },
  };
}

const contribute = (s: Setup, i: number, v: Float32Array | Float64Array, extra: Record<string, string> = {}) =>
  call(s.agent, 'POST', `/v1/participants/${s.participants[i]}/contributions`, {
    body: bytesOf(v),
    headers: vectorHeaders(v, extra),
  });

test('a round through the agent: float32 and float64 bodies, the mean comes back as an envelope', async () => {
  const s = await setup(3);
  try {
    const dim = 1000;
    // multiples of 1/64 are exact in float32 and at S = 10^6
    const xs = [0, 1, 2].map((i) => Float64Array.from({ length: dim }, (_, e) => (((e * 7 + i * 13) % 128) - 64) / 64));
    const started = await call(s.agent, 'POST', `/v1/coordinators/${s.coordinator}/rounds`, {
      json: { dim, operation: 'mean' },
    });
    assert.equal(started.status, 202);
    const memo = started.json().memo as string;
    const sent = await Promise.all([
      contribute(s, 0, Float32Array.from(xs[0])),
      contribute(s, 1, xs[1]),
      contribute(s, 2, xs[2], { 'shardwire-shape': '10,100', 'shardwire-memo': memo }),
    ]);
    for (const r of sent) {
      assert.equal(r.status, 200, JSON.stringify(r.json()));
      assert.equal(r.json().memo, memo);
      assert.ok(r.json().bytesSent >= dim * 4);
    }
    const got = await call(s.agent, 'GET', `/v1/coordinators/${s.coordinator}/rounds/${memo}?waitMs=8000`);
    assert.equal(got.status, 200);
    assert.equal(got.headers['content-type'], 'application/vnd.shardwire.envelope');
    const { meta, data } = openEnvelope(got.body);
    assert.deepEqual(meta.shape, [dim]);
    const report = meta.report as Record<string, any>;
    assert.deepEqual(
      [...report.contributors].sort(),
      s.ids.peers
        .slice(1)
        .map((p) => p.id)
        .sort(),
    );
    assert.deepEqual(report.dropped, []);
    assert.deepEqual(report.closing, { minClients: 2, timeoutMs: 4000, notReady: [] });
    for (let e = 0; e < dim; e++)
      assert.ok(Math.abs(data[e] - (xs[0][e] + xs[1][e] + xs[2][e]) / 3) < 1e-6, `element ${e}`);
    // a finished round can be fetched again; the status lists it
    assert.equal((await call(s.agent, 'GET', `/v1/coordinators/${s.coordinator}/rounds/${memo}`)).status, 200);
    const status = (await call(s.agent, 'GET', '/v1/status')).json();
    assert.equal(status.api, 'v1');
    assert.equal(status.participants.length, 3);
    assert.deepEqual(status.coordinators[0].rounds, [{ memo, state: 'done' }]);
    assert.equal(status.participants[0].contributions, 1);
  } finally {
    await s.close();
  }
});

test('a product session through the agent: the round defaults to multiply and returns the exact product', async () => {
  const s = await setup(3, config({ smpc: { operation: 'multiply', shards: 0, exponent: 2 } }));
  try {
    const xs = [Float64Array.from([1.5, -2, 0]), Float64Array.from([2, 0.25, 9]), Float64Array.from([-4, 3, 1])];
    const started = await call(s.agent, 'POST', `/v1/coordinators/${s.coordinator}/rounds`, { json: { dim: 3 } });
    assert.equal(started.status, 202, JSON.stringify(started.json()));
    const memo = started.json().memo as string;
    for (const r of await Promise.all(xs.map((x, i) => contribute(s, i, x)))) assert.equal(r.status, 200, JSON.stringify(r.json()));
    const got = await call(s.agent, 'GET', `/v1/coordinators/${s.coordinator}/rounds/${memo}?waitMs=8000`);
    assert.equal(got.status, 200);
    const { meta, data } = openEnvelope(got.body);
    assert.equal((meta.report as Record<string, any>).operation, 'multiply');
    assert.deepEqual([...data], [-12, -1.5, 0]);
    // a sum in a product session, and a statistics round (SDK-only), are refused with their reason
    const sum = await call(s.agent, 'POST', `/v1/coordinators/${s.coordinator}/rounds`, { json: { dim: 3, operation: 'sum' } });
    const stat = await call(s.agent, 'POST', `/v1/coordinators/${s.coordinator}/rounds`, { json: { dim: 3, operation: 'count' } });
    for (const r of [sum, stat]) {
      assert.equal(r.status, 400, JSON.stringify(r.json()));
      assert.equal(r.json().code, 'E_UNSUPPORTED');
    }
    assert.match(stat.json().message, /runStatistic/);
  } finally {
    await s.close();
  }
});

test('weightedMean with Shardwire-Weight and a leaver: the exact weighted mean of the others', async () => {
  const s = await setup(3, config({ maxWeight: 100 }));
  try {
    const dim = 64;
    const xs = [0, 1, 2].map((i) => Float64Array.from({ length: dim }, (_, e) => ((e + i * 5) % 16) / 8 - 1));
    const weights = [10, 30, 60];
    const left = await call(s.agent, 'DELETE', `/v1/participants/${s.participants[2]}`);
    assert.equal(left.status, 200);
    assert.equal(left.json().state, 'left');
    const started = await call(s.agent, 'POST', `/v1/coordinators/${s.coordinator}/rounds`, {
      json: {
        dim,
        operation: 'weightedMean',
        participants: s.ids.peers.slice(1).map((p) => p.id),
        waitMs: 300,
        timeoutMs: 3000,
      },
    });
    assert.equal(started.status, 202, JSON.stringify(started.json()));
    const memo = started.json().memo as string;
    const sent = await Promise.all(
      [0, 1].map((i) => contribute(s, i, xs[i], { 'shardwire-weight': String(weights[i]) })),
    );
    for (const r of sent) assert.equal(r.status, 200, JSON.stringify(r.json()));
    const late = await contribute(s, 2, xs[2], { 'shardwire-weight': '60' });
    assert.equal(late.status, 409);
    assert.equal(late.json().code, 'E_BAD_STATE');
    const got = await call(s.agent, 'GET', `/v1/coordinators/${s.coordinator}/rounds/${memo}?waitMs=8000`);
    assert.equal(got.status, 200, new TextDecoder().decode(got.body.subarray(0, 300)));
    const { meta, data } = openEnvelope(got.body);
    const report = meta.report as Record<string, any>;
    assert.equal(report.contributors.length, 2);
    assert.deepEqual(report.closing.notReady, [s.ids.peers[3].id]);
    for (let e = 0; e < dim; e++)
      assert.ok(Math.abs(data[e] - (10 * xs[0][e] + 30 * xs[1][e]) / 40) < 1e-6, `element ${e}`);
  } finally {
    await s.close();
  }
});

test('bad calls get their code and status, and the agent keeps serving', async () => {
  const s = await setup(2, config(), { maxBodyBytes: 4096 });
  try {
    const expectError = async (r: Promise<import('./agent-harness.ts').Reply>, status: number, code: string) => {
      const reply = await r;
      assert.equal(reply.status, status, JSON.stringify(reply.json()));
      const body = reply.json();
      assert.equal(body.code, code);
      assert.ok(body.message.length > 10 && body.hint.length > 10);
    };
    const token = 'A'.repeat(43);
    await expectError(call(s.agent, 'GET', '/v1/status', { token }), 401, 'E_BAD_TOKEN');
    await expectError(call(s.agent, 'GET', '/v1/status', { token: null }), 401, 'E_BAD_TOKEN');
    await expectError(
      call(s.agent, 'POST', `/v1/participants/${s.participants[0]}/contributions`, {
        token,
        body: new Uint8Array(8),
        headers: { 'shardwire-dtype': 'float64' },
      }),
      401,
      'E_BAD_TOKEN',
    );
    await expectError(call(s.agent, 'GET', '/v2/status'), 404, 'E_NOT_FOUND');
    await expectError(call(s.agent, 'PUT', '/v1/status'), 404, 'E_NOT_FOUND');
    await expectError(call(s.agent, 'GET', '/v1/participants/p-000000000000'), 404, 'E_NOT_FOUND');
    await expectError(
      call(s.agent, 'POST', '/v1/participants', { json: { relayUrl: s.relay.url, sesion: 'x' } }),
      400,
      'E_BAD_ARGUMENT',
    );
    await expectError(
      call(s.agent, 'POST', '/v1/participants', {
        body: new TextEncoder().encode('{"a":'),
        headers: { 'content-type': 'application/json' },
      }),
      400,
      'E_BAD_ARGUMENT',
    );
    // an identity file others can read is refused, never used
    const loose = join(s.ids.dir, 'id-1.json');
    await chmod(loose, 0o644);
    await expectError(
      call(s.agent, 'POST', '/v1/participants', {
        json: {
          relayUrl: s.relay.url,
          session: 'x',
          identityFile: loose,
          coordinator: s.ids.peers[0],
          config: config(),
        },
      }),
      409,
      'E_BAD_STATE',
    );
    await chmod(loose, 0o600);
    await expectError(
      call(s.agent, 'POST', '/v1/participants', {
        json: {
          relayUrl: s.relay.url,
          session: 'x',
          identityFile: loose,
          coordinator: { id: s.ids.peers[1].id, publicKey: s.ids.peers[0].publicKey },
          config: config(),
        },
      }),
      400,
      'E_BAD_ARGUMENT',
    );
    const v = new Float64Array(8);
    const p0 = `/v1/participants/${s.participants[0]}/contributions`;
    await expectError(
      call(s.agent, 'POST', p0, { body: bytesOf(v), headers: { 'shardwire-dtype': 'int64' } }),
      400,
      'E_BAD_VECTOR',
    );
    await expectError(
      call(s.agent, 'POST', p0, {
        body: bytesOf(v),
        headers: { 'shardwire-dtype': 'float64', 'shardwire-shape': '9' },
      }),
      400,
      'E_BAD_VECTOR',
    );
    await expectError(
      call(s.agent, 'POST', p0, { body: new Uint8Array(8192), headers: { 'shardwire-dtype': 'float64' } }),
      413,
      'E_BODY_TOO_LARGE',
    );
    // wrong state: a second round while one runs; a vector of the wrong length for the round
    const c = `/v1/coordinators/${s.coordinator}/rounds`;
    const first = await call(s.agent, 'POST', c, { json: { dim: 4, timeoutMs: 8000 } });
    assert.equal(first.status, 202);
    await expectError(call(s.agent, 'POST', c, { json: { dim: 4 } }), 409, 'E_BAD_STATE');
    await expectError(call(s.agent, 'POST', c, { json: { dim: 4, bufferSize: 1 } }), 400, 'E_BAD_ARGUMENT');
    // a wrong length (flat, or by shape) or a weight in a sum round is refused without taking the
    // round: the same participant then contributes to it
    await expectError(contribute(s, 0, new Float64Array(5)), 400, 'E_BAD_VECTOR');
    await expectError(contribute(s, 0, new Float32Array(6), { 'shardwire-shape': '2,3' }), 400, 'E_BAD_VECTOR');
    await expectError(contribute(s, 0, new Float64Array(4), { 'shardwire-weight': '2' }), 400, 'E_BAD_ARGUMENT');
    const retried = await Promise.all([
      contribute(s, 0, new Float32Array([4, 3, 2, 1]), { 'shardwire-shape': '2,2' }),
      contribute(s, 1, new Float64Array([1, 1, 1, 1])),
    ]);
    for (const r of retried) assert.equal(r.status, 200, JSON.stringify(r.json()));
    const firstResult = await call(s.agent, 'GET', `${c}/${first.json().memo}?waitMs=8000`);
    assert.equal(firstResult.status, 200);
    assert.deepEqual([...openEnvelope(firstResult.body).data], [5, 4, 3, 2]);
    const started = await call(s.agent, 'POST', c, { json: { dim: 4 } });
    const memo = started.json().memo as string;
    const ok = await Promise.all([
      contribute(s, 0, new Float64Array([1, 2, 3, 4]), { 'shardwire-memo': memo }),
      contribute(s, 1, new Float64Array(4)),
    ]);
    for (const r of ok) assert.equal(r.status, 200, JSON.stringify(r.json()));
    const got = await call(s.agent, 'GET', `${c}/${memo}?waitMs=8000`);
    assert.equal(got.status, 200);
    assert.deepEqual([...openEnvelope(got.body).data], [1, 2, 3, 4]);
    await expectError(call(s.agent, 'POST', c, { json: { dim: 4, memo } }), 409, 'E_REPLAY');
    await expectError(call(s.agent, 'GET', `${c}/r-unknown`), 404, 'E_NOT_FOUND');
    await expectError(
      call(s.agent, 'POST', p0, {
        body: bytesOf(v),
        headers: { 'shardwire-dtype': 'float64', 'shardwire-weight': 'two' },
      }),
      400,
      'E_BAD_ARGUMENT',
    );
    const status = await call(s.agent, 'GET', '/v1/status');
    assert.equal(status.status, 200);
    assert.equal(status.json().internalErrors, 0);
    assert.ok(status.json().errors.E_BAD_TOKEN >= 3);
  } finally {
    await s.close();
  }
});

test('too few participants ready: the round is not opened (409 E_TOO_FEW_CONTRIBUTORS from its result)', async () => {
  const s = await setup(2);
  try {
    await call(s.agent, 'DELETE', `/v1/participants/${s.participants[1]}`);
    const started = await call(s.agent, 'POST', `/v1/coordinators/${s.coordinator}/rounds?wait=true`, {
      json: { dim: 4, waitMs: 200 },
    });
    assert.equal(started.status, 409);
    assert.equal(started.json().code, 'E_TOO_FEW_CONTRIBUTORS');
    assert.equal(typeof started.json().memo, 'string');
  } finally {
    await s.close();
  }
});

test('on a Unix socket: mode 0600, the same API, and the socket and token file are gone after shutdown', async () => {
  const ids = await identityFiles(0);
  const socketPath = join(ids.dir, 'agent.sock');
  const agent = await startAgent({
    logLevel: 'silent',
    kernel: await kernelPromise,
    socketPath,
    tokenFile: join(ids.dir, 'token'),
  });
  try {
    assert.equal((await stat(socketPath)).mode & 0o777, 0o600);
    assert.equal((await stat(agent.tokenFile)).mode & 0o777, 0o600);
    const r = await call(agent, 'GET', '/v1/status');
    assert.equal(r.status, 200);
    assert.equal(r.json().api, 'v1');
    assert.equal((await call(agent, 'POST', '/v1/shutdown')).status, 202);
    await agent.closed;
    await assert.rejects(stat(socketPath));
    await assert.rejects(stat(agent.tokenFile));
  } finally {
    await agent.close();
    await ids.remove();
  }
});

test('the agent refuses to listen beyond loopback', async () => {
  await assert.rejects(startAgent({ host: '0.0.0.0', logLevel: 'silent', kernel: await kernelPromise }), /loopback/);
});

test(
  'bufferSize: the round closes as soon as K partials arrived, the rest dropped',
  async () => {
    const s = await setup(3);
    try {
      const dim = 16;
      const started = await call(s.agent, 'POST', `/v1/coordinators/${s.coordinator}/rounds`, {
        json: { dim, operation: 'mean', bufferSize: 2, timeoutMs: 20_000 },
      });
      assert.equal(started.status, 202);
      const memo = started.json().memo as string;
      const xs = [0, 1].map((i) => Float64Array.from({ length: dim }, (_, e) => (e - i) / 4));
      const t0 = performance.now();
      // a contribution answers once the round is released
      for (const r of await Promise.all([0, 1].map((i) => contribute(s, i, xs[i])))) assert.equal(r.status, 200);
      const got = await call(s.agent, 'GET', `/v1/coordinators/${s.coordinator}/rounds/${memo}?waitMs=8000`);
      assert.ok(
        performance.now() - t0 < 10_000,
        `closed after ${Math.round(performance.now() - t0)} ms, at the timeout instead of the 2nd contribution`,
      );
      assert.equal(got.status, 200);
      const { meta, data } = openEnvelope(got.body);
      const report = meta.report as { contributors: string[]; dropped: string[] };
      assert.equal(report.contributors.length, 2);
      assert.deepEqual(report.dropped, [s.ids.peers[3].id]);
      for (let e = 0; e < dim; e++) assert.ok(Math.abs(data[e] - (xs[0][e] + xs[1][e]) / 2) < 1e-6);
      // the participant left out contributes to the next round (naming it: a call without a memo made
      // before the closed round's result reached its client would be dropped from that round)
      const next = await call(s.agent, 'POST', `/v1/coordinators/${s.coordinator}/rounds`, {
        json: { dim, operation: 'mean', timeoutMs: 8000 },
      });
      const memo2 = next.json().memo as string;
      const all = await Promise.all([0, 1, 2].map((i) => contribute(s, i, xs[i % 2], { 'shardwire-memo': memo2 })));
      for (const r of all) assert.equal(r.status, 200, JSON.stringify(r.json()));
      const second = await call(s.agent, 'GET', `/v1/coordinators/${s.coordinator}/rounds/${memo2}?waitMs=8000`);
      assert.equal(second.status, 200);
      assert.equal((openEnvelope(second.body).meta.report as { contributors: string[] }).contributors.length, 3);
    } finally {
      await s.close();
    }
  },
);
