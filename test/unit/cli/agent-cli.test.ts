// `shardwire agent` behaves like the other commands: --help, usage errors exit 2 with one line,
// a refused setting exits 1; when ready it prints one JSON line and stops on SIGTERM, removing
// its token file.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { cli, cliSpawn } from './_cli.ts';

const oneLine = (s: string) => {
  assert.equal(s.trim().split('\n').length, 1, `expected one line, got: ${s}`);
  return s.trim();
};

test('shardwire agent: --help, usage errors (exit 2) and a non-loopback host (exit 1)', () => {
  const help = cli(['agent', '--help']);
  assert.equal(help.status, 0);
  assert.match(help.stdout, /usage: shardwire agent/);
  for (const args of [['--port', 'x'], ['--max-body', '12 apples'], ['--log-level', 'loud'], ['--nope'], ['stray']]) {
    const r = cli(['agent', ...args]);
    assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(oneLine(r.stderr), /^shardwire agent: .*; see `shardwire agent --help`$/);
  }
  const wide = cli(['agent', '--host', '0.0.0.0']);
  assert.equal(wide.status, 1);
  assert.match(oneLine(wide.stderr), /loopback/);
});

test('shardwire agent: one ready line on stdout, SIGTERM stops it and removes the token file', async () => {
  const child = cliSpawn(['agent', '--log-level', 'silent']);
  const line = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`the agent exited (${code}) before it was ready`)));
  });
  const ready = JSON.parse(line) as { event: string; api: string; url: string; tokenFile: string };
  assert.equal(ready.event, 'ready');
  assert.equal(ready.api, 'v1');
  assert.match(ready.url, /^http:\/\/127\.0\.0\.1:\d+$/);
  assert.ok(existsSync(ready.tokenFile));
  const exited = new Promise<number | null>((r) => child.once('exit', r));
  child.kill('SIGTERM');
  assert.equal(await exited, 0);
  assert.equal(existsSync(ready.tokenFile), false);
});
