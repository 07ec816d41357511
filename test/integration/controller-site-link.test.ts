// The controller's sealed site-to-site channel over a real relay: every site meets every other
// (whatever the join order), large data is cut into chunks under the frame limit and paced by the
// window, messages arrive intact and in order, and a site that vanishes is reported.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Identity } from '../../src/crypto/identity.ts';
import { startRelay } from '../../src/relay/index.ts';
import { SiteLink, WINDOW_BYTES, type SiteMessage } from '../../src/controller/site-link.ts';
import type { Roster } from '../../src/controller/roster-file.ts';

async function sites(n: number) {
  const ids = await Promise.all(Array.from({ length: n }, () => Identity.generate()));
  const roster: Roster = { coordinator: ids[0]!.id, sites: ids.map((i) => ({ id: i.id, publicKey: i.publicKey })) };
  return { ids, roster };
}

test(
  'three sites meet, exchange chunked data intact and in order, and notice a site that leaves',
  { timeout: 60_000 },
  async () => {
    // a 1 MiB frame limit: 512 KiB chunks, so a 3 MB message takes 6 frames
    const relay = await startRelay({ port: 0, logLevel: 'silent', maxPayloadBytes: 1024 * 1024 });
    const { ids, roster } = await sites(3);
    const inbox: SiteMessage[][] = [[], [], []];
    const gone: string[][] = [[], [], []];
    const faults: Error[] = [];
    const open = (i: number) =>
      SiteLink.open({
        relayUrl: relay.url,
        session: 'fc-link-test',
        identity: ids[i]!,
        roster,
        timeoutMs: 20_000,
        handlers: {
          message: (m) => void inbox[i]!.push(m),
          gone: (id) => void gone[i]!.push(id),
          fault: (e) => void faults.push(e),
        },
      });
    // participants first: they wait for the coordinator's site to create the session
    const later = [open(1), open(2)];
    await new Promise((r) => setTimeout(r, 300));
    const links = [await open(0), ...(await Promise.all(later))];
    assert.ok(links[0]!.chunkBytes <= 512 * 1024);
    const big = randomBytes(3_000_000);
    const small = new TextEncoder().encode('pickle bytes stay opaque');
    await links[1]!.sendData(ids[2]!.id, { memo: 'a b', kind: 'plain' }, big, 10_000);
    await links[1]!.sendData(ids[2]!.id, { memo: 'second', kind: 'plain' }, small, 10_000);
    await links[0]!.send(ids[1]!.id, 'fc.finished', {});
    for (let t = 0; t < 200 && (inbox[2]!.length < 2 || inbox[1]!.length < 1); t++)
      await new Promise((r) => setTimeout(r, 20));
    assert.deepEqual(faults, []);
    assert.equal(inbox[2]!.length, 2);
    assert.equal(inbox[2]![0]!.from, ids[1]!.id);
    assert.deepEqual(inbox[2]![0]!.meta, { memo: 'a b', kind: 'plain' });
    assert.ok(Buffer.from(inbox[2]![0]!.payload).equals(big), 'the 3 MB message arrived intact');
    assert.deepEqual(Buffer.from(inbox[2]![1]!.payload).toString(), 'pickle bytes stay opaque');
    assert.equal(inbox[1]![0]!.type, 'fc.finished');
    // flow control: with every chunk acknowledged nothing is in flight any more
    assert.ok(WINDOW_BYTES >= 2 * links[1]!.chunkBytes);
    links[2]!.close();
    for (let t = 0; t < 100 && gone[0]!.length === 0; t++) await new Promise((r) => setTimeout(r, 20));
    assert.deepEqual(gone[0], [ids[2]!.id]);
    for (const l of links) l.close();
    await relay.close();
  },
);

test('a site that never comes makes open() fail with E_TIMEOUT naming it', { timeout: 30_000 }, async () => {
  const relay = await startRelay({ port: 0, logLevel: 'silent' });
  const { ids, roster } = await sites(3);
  const handlers = { message: () => undefined, gone: () => undefined, fault: () => undefined };
  const a = SiteLink.open({
    relayUrl: relay.url,
    session: 'fc-link-missing',
    identity: ids[0]!,
    roster,
    timeoutMs: 1500,
    handlers,
  });
  const b = SiteLink.open({
    relayUrl: relay.url,
    session: 'fc-link-missing',
    identity: ids[1]!,
    roster,
    timeoutMs: 1500,
    handlers,
  });
  const results = await Promise.allSettled([a, b]);
  for (const r of results) {
    assert.equal(r.status, 'rejected');
    const e = (r as PromiseRejectedResult).reason as Error & { code?: string };
    assert.ok(e.code === 'E_TIMEOUT' && e.message.includes(ids[2]!.id), e.message);
  }
  await relay.close();
});
