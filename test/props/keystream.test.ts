/**
 * Same bytes, same results, whichever ChaCha20 makes the keystream: node:crypto (OpenSSL) and
 * the kernel's own (wasm, SIMD and scalar builds) agree on raw PRG bytes at any offset and
 * length (chunk boundaries, odd offsets, OpenSSL piece boundaries), on masks (both rings, any
 * offset) and on the randomized encode's rounding; the source can be forced either way.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Kernel, allocRing, type RingBits, type RingVector } from '../../src/kernel/index.ts';
import { PIECE_BYTES } from '../../src/kernel/node-chacha.ts';
import { resolveKeystream } from '../../src/kernel/keystream.ts';
import { STEP_ELEMS } from '../../src/kernel/chunks.ts';
import { isShardwireError } from '../../src/errors.ts';

const node = await Kernel.load('simd', { keystream: 'node:crypto' });
const wasm = await Kernel.load('simd', { keystream: 'wasm' });
const scalarWasm = await Kernel.load('scalar', { keystream: 'wasm' });
const CHUNK = node.chunkElems;
const CHUNK_BYTES = CHUNK * 8;

const seedArb = fc.uint8Array({ minLength: 32, maxLength: 32 });
const ringArb = fc.constantFrom<RingBits>(32, 64);
/** Byte counts around every boundary a stream is cut at: blocks, OpenSSL pieces, arena chunks. */
const BYTE_EDGES = [
  0,
  1,
  3,
  63,
  64,
  65,
  PIECE_BYTES - 1,
  PIECE_BYTES,
  PIECE_BYTES + 1,
  CHUNK_BYTES - 1,
  CHUNK_BYTES,
  CHUNK_BYTES + 1,
];
/** Element counts around the kernel's chunk and the streaming step. */
const ELEM_EDGES = [0, 1, 2, 15, 16, 17, STEP_ELEMS - 1, STEP_ELEMS, STEP_ELEMS + 1, CHUNK - 1, CHUNK, CHUNK + 1];

function equal(a: ArrayLike<number | bigint>, b: ArrayLike<number | bigint>): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

test('the keystream source can be forced either way, and auto picks node:crypto on Node', async () => {
  assert.equal(node.keystreamSource, 'node:crypto');
  assert.equal(wasm.keystreamSource, 'wasm');
  assert.equal((await Kernel.load('scalar')).keystreamSource, 'node:crypto');
  assert.equal(resolveKeystream('auto'), 'node:crypto');
  assert.throws(
    () => resolveKeystream('openssl' as 'wasm'),
    (e) => isShardwireError(e, 'E_BAD_ARGUMENT'),
  );
});

test('node:crypto keystream ≡ kernel keystream: random seeds, offsets and lengths', () => {
  fc.assert(
    fc.property(
      seedArb,
      fc.oneof(fc.nat({ max: 5000 }), fc.constantFrom(...BYTE_EDGES)),
      fc.oneof(fc.nat({ max: 3000 }), fc.constantFrom(...BYTE_EDGES)),
      (seed, offset, length) => {
        const a = node.prgBytes(seed, offset, length);
        assert.equal(a.length, length);
        assert.ok(equal(a, wasm.prgBytes(seed, offset, length)), `offset ${offset} length ${length}`);
      },
    ),
    { numRuns: 150 },
  );
});

test('node:crypto keystream ≡ kernel keystream across chunk boundaries, at odd offsets, both builds', () => {
  const seed = Uint8Array.from({ length: 32 }, (_, i) => 3 * i + 1);
  const whole = wasm.prgBytes(seed, 0, 2 * CHUNK_BYTES + 200);
  for (const offset of [0, 1, 7, 63, 64, 65, PIECE_BYTES - 1, CHUNK_BYTES - 3, CHUNK_BYTES + 1]) {
    for (const length of [CHUNK_BYTES - 1, CHUNK_BYTES, CHUNK_BYTES + 1]) {
      const expected = whole.subarray(offset, offset + length);
      assert.ok(equal(node.prgBytes(seed, offset, length), expected), `node offset ${offset} length ${length}`);
      assert.ok(equal(scalarWasm.prgBytes(seed, offset, length), expected), `scalar offset ${offset} length ${length}`);
    }
  }
});

test('expandMasks gives identical vectors on both paths, both rings, any offset and sign', () => {
  fc.assert(
    fc.property(
      ringArb,
      fc.oneof(fc.nat({ max: 400 }), fc.constantFrom(...ELEM_EDGES)),
      fc.oneof(fc.nat({ max: 300 }), fc.constantFrom(1, 15, 17, CHUNK - 1)),
      fc.array(seedArb, { minLength: 1, maxLength: 4 }),
      seedArb,
      (ring, length, offset, seeds, xSeed) => {
        const signs = seeds.map((_, i) => (i % 2 ? -1 : 1));
        const x = wasm.expandMasks(allocRing(ring, length), [xSeed], [1]);
        const a = node.expandMasks(x.slice() as RingVector, seeds, signs, { offset });
        const b = wasm.expandMasks(x.slice() as RingVector, seeds, signs, { offset });
        const c = scalarWasm.expandMasks(x.slice() as RingVector, seeds, signs, { offset });
        assert.ok(equal(a, b) && equal(b, c), `ring ${ring} length ${length} offset ${offset}`);
      },
    ),
    { numRuns: 60 },
  );
});

test('the randomized encode rounds identically on both paths (same rounding key), encode and encodeAndClip', () => {
  fc.assert(
    fc.property(
      ringArb,
      fc.oneof(fc.nat({ max: 300 }), fc.constantFrom(STEP_ELEMS + 1, CHUNK + 1)),
      seedArb,
      fc.integer({ min: 0, max: 9 }),
      (ring, length, key, exponent) => {
        const x = Float64Array.from({ length }, (_, i) => Math.sin(i + key[0]) * 1.37);
        const a = node.encode(x, { exponent, ring, key });
        assert.ok(equal(a, wasm.encode(x, { exponent, ring, key })));
        const bound = Math.min(0.3 * Math.sqrt(length), 2 ** 30 / 10 ** exponent); // fits ring 32
        const clip = { norm: 'l2' as const, bound };
        assert.ok(
          equal(
            node.encodeAndClip(x, { exponent, ring, key, clip }).vector,
            wasm.encodeAndClip(x, { exponent, ring, key, clip }).vector,
          ),
        );
      },
    ),
    { numRuns: 40 },
  );
});

test('no key or keystream stays in the arena after masks or encodes on either path', () => {
  for (const k of [node, wasm]) {
    const seed = new Uint8Array(32).fill(0xef);
    k.expandMasks(new Uint32Array(STEP_ELEMS + 5), [seed], [1]);
    k.encode(new Float64Array(100), { exponent: 1, ring: 64, key: new Uint8Array(32).fill(0xab) });
    k.prgBytes(seed, 3, 1000);
    const { bytes, keyOffset, seedsOffset } = k.views;
    const ioB = k.raw.ioBPtr();
    assert.ok(
      bytes.subarray(keyOffset, keyOffset + 32).every((b) => b === 0),
      `${k.keystreamSource}: key slot`,
    );
    assert.ok(
      bytes.subarray(seedsOffset, seedsOffset + 32).every((b) => b === 0),
      `${k.keystreamSource}: seed slot`,
    );
    if (k === node)
      assert.ok(
        bytes.subarray(ioB, ioB + 8 * STEP_ELEMS).every((b) => b === 0),
        'node: keystream copies in IO_B',
      );
  }
});
