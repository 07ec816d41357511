#!/usr/bin/env node
// The `shardwire` command: runs the compiled CLI (dist/cli/run.js) on plain Node. A checkout
// builds dist/ with `npm run build` (the `prepare` script does it on `npm install`);
// `npm run cli -- <command>` runs the TypeScript sources instead.
try {
  await import('../dist/cli/run.js');
} catch (e) {
  if (e?.code !== 'ERR_MODULE_NOT_FOUND' || !/dist[\\/]cli[\\/]run\.js/.test(String(e.message))) throw e;
  console.error('shardwire: the compiled CLI (dist/) is missing; run `npm run build` in a checkout, or reinstall');
  process.exitCode = 1;
}
