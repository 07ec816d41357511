/** The hand-written ABI matches every build's real exports, and the status codes agree. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { KERNEL_FUNCTIONS, EXPECTED_ABI_VERSION } from '../../../src/kernel/abi.ts';
import * as status from '../../../src/kernel/status.ts';
import { Kernel } from '../../../src/kernel/index.ts';

for (const flavour of ['simd', 'scalar', 'debug'] as const) {
  test(`ABI of the ${flavour} build: exports exactly the typed functions plus memory`, async () => {
    const bytes = readFileSync(new URL(`../../../build/kernel-${flavour}.wasm`, import.meta.url));
    const mod = await WebAssembly.compile(bytes);
    const exported = WebAssembly.Module.exports(mod);
    const functions = exported.filter((e) => e.kind === 'function').map((e) => e.name).sort();
    assert.deepEqual(functions, [...KERNEL_FUNCTIONS].sort());
    assert.ok(exported.some((e) => e.name === 'memory' && e.kind === 'memory'));
    assert.deepEqual(WebAssembly.Module.imports(mod), [], 'the kernel imports nothing');
    const k = await Kernel.load(flavour);
    assert.equal(k.raw.abiVersion(), EXPECTED_ABI_VERSION);
    assert.equal(k.raw.simdEnabled(), flavour === 'scalar' ? 0 : 1);
  });
}

test('status codes in src/kernel/status.ts mirror assembly/status.ts', () => {
  const text = readFileSync(new URL('../../../assembly/status.ts', import.meta.url), 'utf8');
  const asm = Object.fromEntries([...text.matchAll(/export const (STATUS_\w+): u32 = (\d+);/g)].map((m) => [m[1], Number(m[2])]));
  const ts = Object.fromEntries(Object.entries(status).filter(([k]) => k.startsWith('STATUS_')));
  assert.ok(Object.keys(asm).length >= 5);
  assert.deepEqual(ts, asm);
});

test('wasm memory stays the same size across 10^4 calls (no allocation in the kernel)', async () => {
  const k = await Kernel.load('simd');
  const before = k.memoryBytes;
  const x = Float64Array.from({ length: 300 }, (_, i) => i / 3);
  const seed = new Uint8Array(32).fill(5);
  for (let i = 0; i < 10_000; i++) {
    const v = k.encode(x, { exponent: 3, ring: i % 2 ? 32 : 64 });
    k.expandMasks(v, [seed], [1]);
    k.decode(v, { exponent: 3 });
  }
  assert.equal(k.memoryBytes, before);
});

test('secrets do not stay in the arena: key and seed slots are zero after use', async () => {
  const k = await Kernel.load('simd');
  const { bytes, keyOffset, seedsOffset } = k.views;
  k.encode(new Float64Array([1.5]), { exponent: 1, ring: 64, key: new Uint8Array(32).fill(0xab) });
  k.chacha20(new Uint8Array(32).fill(0xcd), new Uint8Array(12), 0, new Uint8Array(5));
  k.expandMasks(new Uint32Array(4), [new Uint8Array(32).fill(0xef)], [1]);
  assert.ok(bytes.subarray(keyOffset, keyOffset + 32).every((b) => b === 0));
  assert.ok(bytes.subarray(seedsOffset, seedsOffset + 32).every((b) => b === 0));
});

test('PARAMS slots and fused-pass ops in src/kernel/abi.ts mirror assembly/arena.ts and fused.ts', async () => {
  const abi = await import('../../../src/kernel/abi.ts');
  const read = (file: string, prefix: string) => {
    const text = readFileSync(new URL(`../../../assembly/${file}`, import.meta.url), 'utf8');
    const found = text.matchAll(new RegExp(`export const (${prefix}\\w+): u32 = (\\d+);`, 'g'));
    return Object.fromEntries([...found].map((m) => [m[1], Number(m[2])]));
  };
  const asm = { ...read('arena.ts', '(?:PARAM|OUT)_'), ...read('fused.ts', 'OP_') };
  assert.ok(Object.keys(asm).length >= 13);
  for (const [name, value] of Object.entries(asm)) assert.equal((abi as Record<string, unknown>)[name], value, name);
});
