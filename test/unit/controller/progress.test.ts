import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ProgressReporter } from '../../../src/controller/progress.ts';
import { formatSummary, RunReport } from '../../../src/controller/run-report.ts';

function sinks(isTTY: boolean) {
  const out: string[] = [];
  const err: string[] = [];
  return {
    out,
    err,
    sinks: { out: { write: (s: string) => out.push(s) }, err: { write: (s: string) => err.push(s), isTTY } },
  };
}

test('a live status line on a terminal, one line per change elsewhere, JSON lines with --json', () => {
  const tty = sinks(true);
  const p = new ProgressReporter(false, tty.sinks, 'site-id', 'site');
  p.event({ event: 'status', message: 'round 1', progress: 0.25, state: 'running' });
  p.event({ event: 'status', message: 'round 1', progress: 0.25, state: 'running' }); // unchanged: nothing
  p.event({ event: 'status', message: 'round 2', progress: 0.5, state: 'running' });
  p.event({ event: 'round', memo: 'm', dim: 3 });
  assert.deepEqual(tty.err, [
    '\r[site] 25% running: round 1\x1b[K',
    '\r[site] 50% running: round 2\x1b[K',
    '\n',
    '[site] round memo=m dim=3\n',
  ]);
  const pipe = sinks(false);
  new ProgressReporter(false, pipe.sinks, 'site-id', 'site').event({
    event: 'status',
    message: 'x',
    progress: null,
    state: null,
  });
  assert.deepEqual(pipe.err, ['[site] -- running: x\n']);
  const json = sinks(false);
  const j = new ProgressReporter(true, json.sinks, 'site-id', 'site');
  j.event({ event: 'status', message: 'x', progress: 1, state: 'running' });
  const line = JSON.parse(json.out[0]!);
  assert.equal(line.event, 'status');
  assert.equal(line.site, 'site-id');
  assert.ok(!Number.isNaN(Date.parse(line.time)));
});

test('the summary says how the run ended, rounds and ε per memo', () => {
  const r = new RunReport('a', 'coordinator', 'malicious-coordinator', ['a', 'b'], { epsilon: 8, delta: 1e-5 });
  r.sites.set('a', 'finished');
  r.sites.set('b', 'finished');
  r.rounds.push({ memo: 'GATHERROUND1', roundMemo: 'GATHERROUND1.1', dim: 10, ms: 12 });
  r.privacy.push({ memo: 'dp', kind: 'local', epsilon: 1, epsilonTotal: 1 });
  const s = r.summary();
  assert.equal(s.ok, true);
  const text = formatSummary(s);
  assert.match(text, /^finished: site a \(coordinator\), 2\/2 apps finished/);
  assert.match(text, /secure rounds \(malicious-coordinator\): 1 \(GATHERROUND1: 10 values, 12 ms\)/);
  assert.match(text, /ε spent 1\.000 of 8 at δ=0\.00001 — dp ε=1\.000 \(local\)/);
  const failed = r.summary({ code: 'E_APP', message: 'E_APP: boom' });
  assert.equal(failed.ok, false);
  assert.match(formatSummary(failed), /^FAILED: [\s\S]*error: E_APP: boom/);
});
