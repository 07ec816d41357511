// The browser client path must not import Node-only modules: every src/crypto file except
// identity-file.ts (file I/O) is checked for `node:` imports and Node globals.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const dir = fileURLToPath(new URL('../../../src/crypto/', import.meta.url));
const NODE_ONLY = new Set(['identity-file.ts']);

test('src/crypto is browser-safe apart from identity-file.ts', () => {
  for (const name of readdirSync(dir).filter((f) => f.endsWith('.ts') && !NODE_ONLY.has(f))) {
    const src = readFileSync(dir + name, 'utf8');
    assert.doesNotMatch(src, /from\s+['"]node:|require\(|import\(['"]node:/, `${name} imports a Node module`);
    assert.doesNotMatch(src, /\b(Buffer|process)\./, `${name} uses a Node global`);
    assert.doesNotMatch(src, /from\s+['"]\.\/identity-file/, `${name} imports identity-file.ts`);
  }
});
