#!/usr/bin/env node
// Builds the WebAssembly kernel from assembly/ into build/: a SIMD release build, a scalar
// release build (same source, chosen at load time with WebAssembly.validate) and a debug build
// with assertions and bounds checks, plus the text format of the release builds (the noise
// float-op check reads it). Targets and flags live in asconfig.json.
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const asc = join(dirname(createRequire(import.meta.url).resolve('assemblyscript/package.json')), 'bin', 'asc.js');
mkdirSync(join(root, 'build'), { recursive: true });
for (const target of ['release', 'scalar', 'debug']) {
  const r = spawnSync(process.execPath, [asc, 'assembly/index.ts', '--config', 'asconfig.json', '--target', target], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) {
    console.error(`asc failed for target ${target}`);
    process.exit(r.status ?? 1);
  }
}
