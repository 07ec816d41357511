// The relay dashboard in headless Chromium: it refreshes live from the relay's metrics while
// rounds run (sessions, peers, rounds in flight, frames/s, the time-series chart, drops by
// reason), and a screenshot is saved.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { startRelay } from '../../src/relay/index.ts';
import { baseConfig, world } from '../integration/sdk-harness.ts';
import { launchChromium, OUTPUT_DIR } from './_chromium.ts';

test('the dashboard follows sessions, peers, rounds and traffic live', { timeout: 180_000 }, async () => {
  const relay = await startRelay({ port: 0, logLevel: 'silent', dashboard: true });
  const browser = await launchChromium();
  const w = await world(3, baseConfig({ minClients: 3 }), 'dashboard-demo', relay);
  let rounds = true;
  try {
    const page = await browser.context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${relay.url.replace('ws:', 'http:')}dashboard`);
    await page.waitForFunction(() => document.getElementById('status')!.textContent === 'live');
    const text = (id: string) => page.textContent(`#${id}`);
    assert.equal(await text('sessions'), '1');
    assert.equal(await text('peers'), '4');
    // rounds in the background while the page polls once a second
    const x = new Float64Array(20_000).fill(0.25);
    const traffic = (async () => {
      while (rounds) {
        const sent = w.clients.map((c) => c.aggregate(x));
        await w.coordinator.runRound({ dim: x.length });
        await Promise.all(sent);
      }
    })();
    await page.waitForFunction(() => Number(document.getElementById('fps')!.textContent) > 0, undefined, {
      timeout: 20_000,
    });
    await page.waitForFunction(() => document.getElementById('rounds')!.textContent === '1', undefined, {
      timeout: 20_000,
    });
    await page.waitForFunction(
      () => document.getElementById('frames-line')!.getAttribute('points')!.split(' ').length >= 3,
      undefined,
      { timeout: 20_000 },
    );
    rounds = false;
    await traffic;
    // a frame to a member who is offline is dropped and counted by reason
    w.clients[2]!.close();
    await new Promise((r) => setTimeout(r, 200));
    const link = w.clients[0]!._linkForTests();
    link.send(link.nextHeader(w.clients[2]!.id, 'note'), new Uint8Array(8));
    await page.waitForFunction(() => document.getElementById('drops')!.textContent!.includes('offline'), undefined, {
      timeout: 20_000,
    });
    await mkdir(OUTPUT_DIR, { recursive: true });
    await page.screenshot({ path: join(OUTPUT_DIR, 'dashboard.png'), fullPage: true });
    assert.deepEqual(errors, []);
    const rows = await page.textContent('#round-list');
    assert.ok(rows !== null && rows.length > 0);
  } finally {
    rounds = false;
    await w.close();
    await browser.close();
    await relay.close();
  }
});
