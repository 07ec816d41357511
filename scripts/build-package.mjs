#!/usr/bin/env node
// Builds the publishable package from src/ (run by `npm run build` and the `prepare` script,
// after the kernel build):
//   dist/**/*.js, .d.ts, source maps   tsc -p tsconfig.build.json (ESM; the `.ts` import
//                                      specifiers are rewritten to `.js`)
//   dist/cjs/*.cjs                     the `require` condition of every entry (ESM-only package)
//   dist/browser/                      one self-contained ESM bundle for browsers (esbuild) with
//                                      the release kernels next to it
// `--no-browser` skips the bundle (a faster rebuild when only Node output matters).
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const dist = join(root, 'dist');

/** The package entries (package.json `exports`) and their compiled files under dist/. */
export const ENTRIES = { '.': 'index', './relay': 'relay/index', './kernel': 'kernel/index', './testing': 'testing' };

function fail(message) {
  console.error(`build: ${message}`);
  process.exit(1);
}

for (const f of ['kernel-simd.wasm', 'kernel-scalar.wasm']) {
  if (!existsSync(join(root, 'build', f))) fail(`build/${f} is missing; run \`npm run asbuild\` first`);
}

rmSync(dist, { recursive: true, force: true });
const tsc = join(dirname(require.resolve('typescript/package.json')), 'bin', 'tsc');
const r = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { cwd: root, stdio: 'inherit' });
if (r.status !== 0) fail('tsc failed');

// CommonJS callers reach these through the `require` condition. Where the runtime can require()
// an ES module (Node ≥ 22.12) they hand over the real module; elsewhere they explain what to do.
mkdirSync(join(dist, 'cjs'), { recursive: true });
for (const [entry, file] of Object.entries(ENTRIES)) {
  const name = `shardwire${entry.slice(1)}`;
  const stub = `'use strict';
// shardwire is an ES module package; see README "Using the package".
try {
  module.exports = require('../${file}.js');
} catch (e) {
  if (!e || (e.code !== 'ERR_REQUIRE_ESM' && e.code !== 'ERR_REQUIRE_ASYNC_MODULE')) throw e;
  const err = new Error(
    '${name} is an ES module and this Node cannot require() it. ' +
      "Use import { ... } from '${name}' in an ES module, or const m = await import('${name}') from CommonJS.",
  );
  err.code = 'ERR_REQUIRE_ESM';
  throw err;
}
`;
  writeFileSync(join(dist, 'cjs', `${file.replace(/\//g, '-')}.cjs`), stub);
}

if (!process.argv.includes('--no-browser')) {
  const esbuild = await import('esbuild');
  const bundleUrls = {
    name: 'wasm-next-to-bundle',
    setup(b) {
      // The bundle's wasm lives next to it, not in ../../build (kernel/wasm-url.bundle.ts).
      b.onResolve({ filter: /[\\/]wasm-url\.ts$/ }, (a) => ({ path: join(a.resolveDir, 'wasm-url.bundle.ts') }));
    },
  };
  const out = join(dist, 'browser');
  await esbuild.build({
    entryPoints: [join(root, 'src', 'index.ts')],
    outfile: join(out, 'shardwire.js'),
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: ['es2022'],
    minify: true,
    sourcemap: true,
    sourcesContent: false,
    legalComments: 'linked',
    plugins: [bundleUrls],
    logLevel: 'warning',
  });
  for (const f of ['kernel-simd.wasm', 'kernel-scalar.wasm']) copyFileSync(join(root, 'build', f), join(out, f));
  console.log(`build: dist/browser/shardwire.js ${statSync(join(out, 'shardwire.js')).size} bytes (minified)`);
}
console.log('build: dist/ ready');
