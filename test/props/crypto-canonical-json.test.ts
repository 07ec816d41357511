// Properties of canonical JSON and configHash (docs/PROTOCOL.md §2): key order never matters, the
// text is valid JSON that parses back to the same value, and different values hash apart.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { canonicalJson, configHash } from '../../src/crypto/hash.ts';

/** Rebuilds `v` with every object's keys inserted in a shuffled order. */
function reorder(v: unknown, rand: () => number): unknown {
  if (Array.isArray(v)) return v.map((x) => reorder(x, rand));
  if (v !== null && typeof v === 'object') {
    const entries = Object.entries(v as Record<string, unknown>);
    for (let i = entries.length - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      [entries[i], entries[j]] = [entries[j], entries[i]];
    }
    const out: Record<string, unknown> = {};
    // defineProperty, not assignment: a generated "__proto__" key must stay an own property
    for (const [k, x] of entries) Object.defineProperty(out, k, { value: reorder(x, rand), enumerable: true, writable: true, configurable: true });
    return out;
  }
  return v;
}

/** A deterministic shuffler from fast-check's integers (tests only; never for secrets). */
function shuffler(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => ((s = (s * 1103515245 + 12345) >>> 0) / 2 ** 32);
}

const json = fc.jsonValue({ maxDepth: 4 });

test('key order does not change canonical JSON or configHash', async () => {
  await fc.assert(fc.asyncProperty(json, fc.integer(), async (v, seed) => {
    const w = reorder(v, shuffler(seed));
    assert.equal(canonicalJson(w), canonicalJson(v));
    assert.equal(await configHash(w), await configHash(v));
  }), { numRuns: 200 });
});

test('canonical JSON parses back to an equal value and is a fixed point', () => {
  fc.assert(fc.property(json, (v) => {
    const text = canonicalJson(v);
    assert.ok(!/[\n\t]/.test(text.replace(/"(?:[^"\\]|\\.)*"/g, '')));
    const back = JSON.parse(text);
    assert.deepEqual(back, JSON.parse(JSON.stringify(v)));
    assert.equal(canonicalJson(back), text);
  }), { numRuns: 300 });
});

test('different canonical texts give different configHashes', async () => {
  await fc.assert(fc.asyncProperty(json, json, async (a, b) => {
    fc.pre(canonicalJson(a) !== canonicalJson(b));
    assert.notEqual(await configHash(a), await configHash(b));
  }), { numRuns: 200 });
});
