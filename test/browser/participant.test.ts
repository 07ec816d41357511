// The browser participant page in headless Chromium takes part in real rounds with Node
// participants and a Node coordinator: the aggregate is exact, the page loaded the SIMD kernel
// (fetched next to the bundle), shows the round and its result, and a screenshot is saved.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { runBrowserRounds } from './_browser-round.ts';

test(
  'a browser participant contributes to exact secure rounds with Node participants',
  { timeout: 240_000 },
  async () => {
    const run = await runBrowserRounds({ dim: 10_000, rounds: 2, nodeParticipants: 2, screenshot: 'participant.png' });
    assert.equal(run.maxAbsError, 0, 'the secure aggregate equals the plain sum exactly');
    assert.equal(run.flavour, 'simd', 'the page runs the SIMD kernel');
    assert.equal(run.pageState.rounds.length, 2);
    for (const r of run.pageState.rounds) assert.ok(r.clientMs > 0 && r.aggregateHead?.length === 3, JSON.stringify(r));
    assert.match(run.pageState.phase, /contributed to 2 round/);
    assert.ok(run.screenshot && existsSync(run.screenshot), 'screenshot saved');
    console.log(
      JSON.stringify({ browser_client_ms: run.browserMs, node_client_ms: run.nodeMs, screenshot: run.screenshot }),
    );
  },
);
