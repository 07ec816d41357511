// The participant path (Client and everything it imports, transitively) must run in a browser:
// no static import of node:* modules or the `ws` package, no Node globals outside guarded code.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const entry = fileURLToPath(new URL('../../../src/client/client.ts', import.meta.url));

/** Every src file reachable from `file` through static relative imports. */
function closure(file: string, seen = new Set<string>()): Set<string> {
  if (seen.has(file)) return seen;
  seen.add(file);
  const src = readFileSync(file, 'utf8');
  for (const m of src.matchAll(/^(?:import|export)[^'"]*from\s+['"](\.[^'"]+)['"]/gm)) closure(resolve(dirname(file), m[1]), seen);
  return seen;
}

test('the client path has no static Node-only import', () => {
  const files = closure(entry);
  assert.ok(files.size > 10, `only ${files.size} files reached`);
  for (const f of files) {
    const src = readFileSync(f, 'utf8');
    assert.doesNotMatch(src, /^(?:import|export)[^'"]*from\s+['"](node:|ws['"])/m, `${f} statically imports a Node-only module`);
    assert.doesNotMatch(src, /from\s+['"][^'"]*(identity-file|relay\/)/, `${f} imports Node-only shardwire code`);
  }
});
