/**
 * @module relay/backplane-conformance
 * The behaviour every {@link Backplane} must have, as a list of named async checks. Test files
 * run them with their test runner (socket.io-adapter style: one suite, every implementation):
 *
 * @example
 * for (const c of backplaneConformance(() => new MemoryBackplane())) test(c.name, c.run)
 */
import assert from 'node:assert/strict';
import type { Backplane, BackplaneEvent, SessionRecord } from './backplane.ts';

/** One named conformance check. */
export interface ConformanceCase {
  readonly name: string;
  readonly run: () => Promise<void>;
}

function record(id: string): SessionRecord {
  return { id, coordinatorId: 'coord', coordinatorKey: new Uint8Array(32), roster: new Map([['a', new Uint8Array(32).fill(1)]]), limits: { maxPayloadBytes: 1024, idleTimeoutMs: 1000 }, createdAt: 1 };
}

function frame(session: string, to: string, from: string, byte: number, exclude?: string): BackplaneEvent {
  return { type: 'frame', session, to, from, frame: new Uint8Array([byte]), ...(exclude ? { exclude } : {}) };
}

/** Waits until `cond()` or `ms` passed (remote backplanes deliver asynchronously). */
async function eventually(cond: () => boolean, ms = 2000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) assert.fail('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}

/**
 * The conformance checks for backplanes made by `make` (each check gets a fresh one and closes it).
 */
export function backplaneConformance(make: () => Backplane | Promise<Backplane>): ConformanceCase[] {
  const withBp = (name: string, fn: (bp: Backplane) => Promise<void>): ConformanceCase => ({
    name: `backplane: ${name}`,
    run: async () => {
      const bp = await make();
      try {
        await fn(bp);
      } finally {
        await bp.close();
      }
    },
  });
  return [
    withBp('createSession refuses a taken id and getSession returns the first record', async (bp) => {
      assert.equal(await bp.createSession(record('s1')), true);
      const other = { ...record('s1'), coordinatorId: 'other' };
      assert.equal(await bp.createSession(other), false);
      const got = await bp.getSession('s1');
      assert.equal(got?.coordinatorId, 'coord');
      assert.deepEqual([...got!.roster.keys()], ['a']);
      assert.equal(await bp.getSession('nope'), undefined);
    }),
    withBp('deleteSession forgets the record and frees the id', async (bp) => {
      await bp.createSession(record('s1'));
      await bp.deleteSession('s1');
      assert.equal(await bp.getSession('s1'), undefined);
      assert.equal(await bp.createSession(record('s1')), true);
    }),
    withBp('unicast reaches only the addressed member of the same session', async (bp) => {
      const got: string[] = [];
      await bp.subscribe('s1', 'a', (e) => got.push(`a:${e.type === 'frame' ? e.frame[0] : e.code}`));
      await bp.subscribe('s1', 'b', (e) => got.push(`b:${e.type === 'frame' ? e.frame[0] : e.code}`));
      await bp.subscribe('s2', 'a', (e) => got.push(`s2a:${e.type === 'frame' ? e.frame[0] : e.code}`));
      assert.equal(await bp.publish(frame('s1', 'a', 'b', 7)), 1);
      await eventually(() => got.length >= 1);
      await new Promise((r) => setTimeout(r, 20));
      assert.deepEqual(got, ['a:7']);
    }),
    withBp('publish to an offline member reaches nobody and says so', async (bp) => {
      await bp.subscribe('s1', 'a', () => undefined);
      assert.equal(await bp.publish(frame('s1', 'zed', 'a', 1)), 0);
      assert.equal(await bp.publish(frame('nosession', 'a', 'x', 1)), 0);
    }),
    withBp('broadcast reaches every member but the excluded one', async (bp) => {
      const got = new Set<string>();
      for (const m of ['a', 'b', 'c']) await bp.subscribe('s1', m, () => got.add(m));
      assert.equal(await bp.publish(frame('s1', '*', 'a', 1, 'a')), 2);
      await eventually(() => got.size === 2);
      assert.deepEqual([...got].sort(), ['b', 'c']);
    }),
    withBp('events from one publisher arrive in order', async (bp) => {
      const got: number[] = [];
      await bp.subscribe('s1', 'a', (e) => e.type === 'frame' && got.push(e.frame[0]!));
      for (let i = 0; i < 50; i++) await bp.publish(frame('s1', 'a', 'b', i));
      await eventually(() => got.length === 50);
      assert.deepEqual(got, [...Array(50).keys()]);
    }),
    withBp('close events are delivered like frames', async (bp) => {
      const got: string[] = [];
      await bp.subscribe('s1', 'a', (e) => e.type === 'close' && got.push(e.code));
      await bp.publish({ type: 'close', session: 's1', to: '*', code: 'E_SESSION_EXPIRED', message: 'expired' });
      await eventually(() => got.length === 1);
      assert.deepEqual(got, ['E_SESSION_EXPIRED']);
    }),
    withBp('online lists subscribed members; unsubscribe removes them; newest subscription wins', async (bp) => {
      const first: number[] = [];
      const second: number[] = [];
      const unA1 = await bp.subscribe('s1', 'a', () => first.push(1));
      const unB = await bp.subscribe('s1', 'b', () => undefined);
      assert.deepEqual((await bp.online('s1')).sort(), ['a', 'b']);
      await bp.subscribe('s1', 'a', () => second.push(1));
      await unA1(); // stale unsubscribe of the replaced handler must not remove the new one
      assert.deepEqual((await bp.online('s1')).sort(), ['a', 'b']);
      await bp.publish(frame('s1', 'a', 'b', 1));
      await eventually(() => second.length === 1);
      assert.equal(first.length, 0);
      await unB();
      await unB();
      assert.deepEqual(await bp.online('s1'), ['a']);
      assert.deepEqual(await bp.online('other'), []);
    }),
    withBp('a throwing handler does not break publish or other members', async (bp) => {
      const got: string[] = [];
      await bp.subscribe('s1', 'a', () => {
        throw new Error('handler bug');
      });
      await bp.subscribe('s1', 'b', () => got.push('b'));
      assert.equal(await bp.publish(frame('s1', '*', 'x', 1)), 2);
      await eventually(() => got.length === 1);
    }),
  ];
}
