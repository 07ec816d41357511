#!/usr/bin/env node
// Runs every test file under the given folders (default: test/, without test/slow/, test/redis/,
// test/browser/ and test/interop/, which have their own scripts: test:slow needs time, test:redis
// a redis-server, test:browser Chromium, the interop tests Debian's python3, the vendored
// Flower and the FeatureCloud engine) through node's test runner with tsx, so the closing "# pass / # fail" summary covers
// all of them.
// (node 20's --test does not expand globs itself.)
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

const args = process.argv.slice(2);
const roots = args.length > 0 ? args : ['test'];
// Suites with their own script run only when their folder is named.
const OWN_SCRIPT = ['slow', 'redis', 'browser', 'interop'];
const named = (d) => args.some((a) => a.includes(d));
const files = [];
function walk(dir) {
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) {
      if (OWN_SCRIPT.includes(name) && !named(name)) continue;
      walk(p);
    } else if (name.endsWith('.test.ts')) files.push(p);
  }
}
for (const r of roots) statSync(r).isDirectory() ? walk(r) : files.push(r);
if (files.length === 0) {
  console.error(`no test files under ${roots.join(', ')}`);
  process.exit(1);
}
const reporter = process.env.CI ? 'spec' : 'spec';
// interop files each start a relay, three apps and three controllers: one file at a time
const concurrency = named('interop') ? 1 : 2;
const r = spawnSync(process.execPath, ['--import', 'tsx', '--test', `--test-reporter=${reporter}`, `--test-concurrency=${concurrency}`, ...files], { stdio: 'inherit' });
process.exit(r.status ?? 1);
