/**
 * docs/DP.md: no f32/f64 instruction in the sampling path. Scans the text format of
 * every build (build/kernel-*.wat, written by `npm run asbuild`) and follows `call`s from the
 * noise exports transitively, so code inlined into them or called by them is covered too.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { NOISE_FUNCTIONS } from '../../../src/kernel/noise-abi.ts';

const FLOAT_OP = /\b(f32|f64)(\.|x4\.|x2\.)|\bf32x4\.|\bf64x2\.|\b[if](32|64)\.(convert|trunc|reinterpret|demote|promote)/;

/** Function name → body text of a .wat module (AssemblyScript prints one `(func $name` per line start). */
function functionsOf(wat: string): Map<string, string> {
  const out = new Map<string, string>();
  const parts = wat.split(/\n \(func /);
  for (const p of parts.slice(1)) {
    const name = /^(\$\S+)/.exec(p)?.[1];
    if (name) out.set(name, p);
  }
  return out;
}

/** Internal name of an export, from its `(export "name" (func $internal))` line. */
function exportTarget(wat: string, name: string): string | undefined {
  return new RegExp(`\\(export "${name}" \\(func (\\$[^)\\s]+)\\)\\)`).exec(wat)?.[1];
}

for (const target of ['simd', 'scalar', 'debug']) {
  test(`no float instruction reachable from the noise exports [kernel-${target}.wat]`, () => {
    const wat = readFileSync(new URL(`../../../build/kernel-${target}.wat`, import.meta.url), 'utf8');
    const funcs = functionsOf(wat);
    assert.ok(funcs.size > 10, 'the .wat parsed into functions');
    const roots = NOISE_FUNCTIONS.map((n) => {
      const internal = exportTarget(wat, n);
      assert.ok(internal, `export ${n} found in kernel-${target}.wat`);
      return internal;
    });
    const seen = new Set<string>();
    const stack = [...roots];
    while (stack.length > 0) {
      const f = stack.pop()!;
      if (seen.has(f)) continue;
      seen.add(f);
      const body = funcs.get(f);
      assert.ok(body !== undefined, `function ${f} has a body`);
      const bad = body.split('\n').find((line) => FLOAT_OP.test(line));
      assert.equal(bad, undefined, `float instruction in ${f} (reached from the noise exports): ${bad?.trim()}`);
      for (const m of body.matchAll(/\bcall (\$[^\s)]+)/g)) stack.push(m[1]);
      assert.ok(!/call_indirect/.test(body), `${f} makes an indirect call the scan cannot follow`);
    }
    // the sampler bodies themselves were scanned, not only thin wrappers
    const scanned = [...seen].join(' ');
    assert.match(scanned, /keystream|chachaBlock/, 'the ChaCha20 stream was reached');
    assert.ok(seen.size >= 8, `reached ${seen.size} functions`);
  });
}

test('the float scan does detect float instructions (it flags the decoder)', () => {
  const wat = readFileSync(new URL('../../../build/kernel-debug.wat', import.meta.url), 'utf8');
  const funcs = functionsOf(wat);
  const decoders = [...funcs.entries()].filter(([n]) => /decode/i.test(n));
  assert.ok(decoders.length > 0);
  assert.ok(decoders.some(([, body]) => body.split('\n').some((l) => FLOAT_OP.test(l))));
});
