import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { test } from 'node:test';
import WebSocket from 'ws';
import { CLI_ARGS } from '../unit/cli/_cli.ts';
import { identity, Peer, session, sleep, testRelay } from './relay-harness.ts';

test('heartbeat timeout: a peer that stops answering pings is dropped and the session told', async () => {
  // 250 ms: a loaded test machine can stall the event loop past a shorter interval and drop
  // peers that did answer.
  const relay = await testRelay({ heartbeatIntervalMs: 250 });
  try {
    const { id, peers: [c, a, b] } = await session(relay, 'l-heartbeat', ['alice', 'bob'], {}, (n) => ({ autoPong: n !== 'bob' }));
    const p = await c!.next((g) => g.body.status === 'offline', 5000);
    assert.deepEqual(p.body, { id: id('bob'), status: 'offline', reason: 'timeout' });
    // alice answers pings and stays
    await sleep(600);
    assert.equal(a!.ws.readyState, WebSocket.OPEN);
    assert.ok(relay.metrics.heartbeatTimeouts >= 1);
    [c, a, b].forEach((x) => x!.close());
  } finally {
    await relay.close();
  }
});

test('session expiry: an idle session closes its members with E_SESSION_EXPIRED and refuses joins', async () => {
  const relay = await testRelay({ sessionIdleTimeoutMs: 150 });
  try {
    const { ids, id, peers: [c, a] } = await session(relay, 'l-expiry', ['alice']);
    // traffic keeps it alive
    for (let i = 0; i < 4; i++) {
      await sleep(60);
      a!.send(a!.message('l-expiry', id('coord'), new Uint8Array([i])));
    }
    assert.equal(c!.ws.readyState, WebSocket.OPEN);
    const e = await c!.error('E_SESSION_EXPIRED', 2000);
    assert.equal(e.body.code, 'E_SESSION_EXPIRED');
    assert.equal((await c!.closed).code, 1008);
    assert.equal((await a!.closed).code, 1008);
    const late = await Peer.connect(relay.url);
    assert.equal((await late.join('l-expiry', ids[1]!)).body.code, 'E_SESSION_EXPIRED');
    assert.equal(relay.stats().sessions, 0);
  } finally {
    await relay.close();
  }
});

test('graceful shutdown: peers get a shutdown frame and close 1001; new connections are refused', async () => {
  const relay = await testRelay();
  const { peers: [c, a] } = await session(relay, 'l-shutdown', ['alice']);
  const closing = relay.close();
  const s = await c!.nextType('shutdown');
  assert.equal(s.body.code, 'E_SHUTTING_DOWN');
  assert.equal((await c!.closed).code, 1001);
  assert.equal((await a!.closed).code, 1001);
  await closing;
  await assert.rejects(Peer.connect(relay.url, { handshakeTimeout: 1000 }));
});

test('/healthz and /metrics report connections, sessions, routed frames and errors', async () => {
  const relay = await testRelay();
  try {
    const base = `http://127.0.0.1:${relay.port}`;
    const { id, peers: [c, a] } = await session(relay, 'l-http', ['alice']);
    a!.send(a!.message('l-http', id('coord'), new Uint8Array(10)));
    await c!.nextType('test');
    a!.send(new Uint8Array([1]));
    await a!.error('E_BAD_FRAME');
    const bad = await Peer.connect(relay.url);
    await bad.join('l-http-nope', await identity('x'));
    const h = await fetch(`${base}/healthz`);
    assert.equal(h.status, 200);
    const hb = (await h.json()) as Record<string, unknown>;
    assert.equal(hb.status, 'ok');
    assert.equal(hb.sessions, 1);
    assert.equal(hb.authenticated, 2);
    const m = await (await fetch(`${base}/metrics`)).text();
    assert.match(m, /^shardwire_relay_authenticated_connections 2$/m);
    assert.match(m, /^shardwire_relay_sessions 1$/m);
    assert.match(m, /^shardwire_relay_frames_routed_total 1$/m);
    assert.match(m, /^shardwire_relay_errors_total\{code="E_BAD_FRAME"\} 1$/m);
    assert.match(m, /^shardwire_relay_auth_failures_total\{reason="unknown-session"\} 1$/m);
    assert.equal((await fetch(`${base}/nope`)).status, 404);
    assert.equal((await fetch(`${base}/metrics`, { method: 'POST' })).status, 405);
    [c, a].forEach((x) => x!.close());
  } finally {
    await relay.close();
  }
});

test('`shardwire relay` prints where it listens and exits 0 on SIGTERM after telling peers', { timeout: 60_000 }, async () => {
  // the human "listening on" line goes to stderr (stdout carries JSON log lines only)
  const child = spawn(process.execPath, [...CLI_ARGS, 'relay', '--port', '0', '--log-level', 'info'], { stdio: ['ignore', 'ignore', 'pipe'] });
  try {
    const url = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stderr.on('data', (d: Buffer) => {
        out += d.toString();
        const m = /listening on (ws:\/\/\S+)/.exec(out);
        if (m) resolve(m[1]!);
      });
      child.once('exit', () => reject(new Error(`relay exited early: ${out}`)));
    });
    assert.match(url, /^ws:\/\/127\.0\.0\.1:\d+\/$/);
    const p = await Peer.connect(url);
    child.kill('SIGTERM');
    assert.equal((await p.nextType('shutdown')).body.code, 'E_SHUTTING_DOWN');
    assert.equal((await p.closed).code, 1001);
    // under load the relay may have exited before this line: do not wait for an 'exit' that already fired
    const code = child.exitCode ?? (await new Promise<number | null>((r) => child.once('exit', (c) => r(c))));
    assert.equal(code, 0);
  } finally {
    child.kill('SIGKILL');
  }
});
