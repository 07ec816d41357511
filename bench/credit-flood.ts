// One sender → receiver stream through a forwarder, shared by bench:relay and bench:cluster: the
// exact bytes are checked to arrive once before timing, then `count` frames flow under a credit
// window (the receiver sends `ack` every `ackEvery` frames, each ack returning that much credit).
import type { WebSocket } from 'ws';

export interface FloodJob {
  readonly window: number;
  readonly ackEvery: number;
  readonly count: number;
}

export async function creditFlood(sender: WebSocket, receiver: WebSocket, frame: Uint8Array, ack: Uint8Array, job: FloodJob): Promise<{ seconds: number; bytes: number; messages: number }> {
  sender.removeAllListeners('message');
  receiver.removeAllListeners('message');
  const echoed = new Promise<Buffer>((r) => receiver.once('message', (d) => r(d as Buffer)));
  sender.send(frame);
  if (!Buffer.from(frame).equals(await echoed)) throw new Error('forwarded frame differs from the sent one');
  let credits = job.window;
  let sent = 0;
  let received = 0;
  let bytes = 0;
  const t0 = performance.now();
  const done = new Promise<void>((resolve) => {
    receiver.on('message', (d: Buffer) => {
      received++;
      bytes += d.length;
      if (received % job.ackEvery === 0) receiver.send(ack);
      if (received === job.count) resolve();
    });
  });
  const pump = () => {
    while (credits > 0 && sent < job.count) {
      sender.send(frame);
      credits--;
      sent++;
    }
  };
  sender.on('message', () => {
    credits += job.ackEvery;
    pump();
  });
  pump();
  await done;
  const seconds = (performance.now() - t0) / 1000;
  sender.terminate();
  receiver.terminate();
  return { seconds, bytes, messages: received };
}
