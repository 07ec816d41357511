import assert from 'node:assert/strict';
import { test } from 'node:test';
import WebSocket, { WebSocketServer } from 'ws';
import { socketOf, WriteBatch } from '../../../src/relay/write-batch.ts';

async function pair(): Promise<{ server: WebSocket; client: WebSocket; close: () => Promise<void> }> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise((r) => wss.once('listening', r));
  const serverSide = new Promise<WebSocket>((r) => wss.once('connection', r));
  const client = new WebSocket(`ws://127.0.0.1:${(wss.address() as { port: number }).port}/`);
  await new Promise((r) => client.once('open', r));
  const server = await serverSide;
  return {
    server,
    client,
    close: () =>
      new Promise((r) => {
        client.terminate();
        wss.close(() => r());
      }),
  };
}

test('the installed ws exposes its socket, so relay writes are batched (not silently one by one)', async () => {
  const { server, close } = await pair();
  try {
    assert.ok(socketOf(server), 'ws no longer exposes _socket with cork/uncork: update relay/write-batch.ts');
  } finally {
    await close();
  }
});

test('frames sent in one turn leave in one flush at the end of the turn, in order', async () => {
  const { server, client, close } = await pair();
  try {
    const batch = new WriteBatch();
    const got: number[] = [];
    const all = new Promise<void>((r) => client.on('message', (d: Buffer) => got.push(d[0]!) === 3 && r()));
    const turn = batch.turn;
    assert.ok(batch.hold(server));
    for (const b of [1, 2, 3]) server.send(new Uint8Array([b]));
    const sock = (server as unknown as { _socket: { writableCorked: number } })._socket;
    assert.equal(sock.writableCorked, 1, 'corked during the turn');
    await new Promise((r) => process.nextTick(r));
    assert.equal(sock.writableCorked, 0, 'uncorked right after the turn');
    assert.equal(batch.turn, turn + 1);
    await all;
    assert.deepEqual(got, [1, 2, 3]);
  } finally {
    await close();
  }
});
