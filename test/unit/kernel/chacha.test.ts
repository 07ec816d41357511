import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createCipheriv, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Kernel } from '../../../src/kernel/kernel.ts';
import { isShardwireError } from '../../../src/errors.ts';

const vectors = JSON.parse(readFileSync(new URL('../../vectors/rfc8439.json', import.meta.url), 'utf8'));
const hex = (s: string) => new Uint8Array(Buffer.from(s, 'hex'));

function nodeChacha(key: Uint8Array, nonce: Uint8Array, counter: number, data: Uint8Array): Uint8Array {
  const iv = Buffer.alloc(16);
  iv.writeUInt32LE(counter, 0);
  Buffer.from(nonce).copy(iv, 4);
  const c = createCipheriv('chacha20', key, iv);
  return new Uint8Array(Buffer.concat([c.update(data), c.final()]));
}

for (const flavour of ['simd', 'scalar', 'debug'] as const) {
  test(`chacha20 [${flavour}]: RFC 8439 §2.3.2 block`, async () => {
    const k = await Kernel.load(flavour);
    const v = vectors.block_2_3_2;
    const out = k.chacha20(hex(v.key), hex(v.nonce), v.counter, new Uint8Array(64));
    assert.equal(Buffer.from(out).toString('hex'), v.keystream);
  });

  test(`chacha20 [${flavour}]: RFC 8439 §2.4.2 encryption`, async () => {
    const k = await Kernel.load(flavour);
    const v = vectors.encryption_2_4_2;
    const out = k.chacha20(hex(v.key), hex(v.nonce), v.counter, new TextEncoder().encode(v.plaintext_utf8));
    assert.equal(Buffer.from(out).toString('hex'), v.ciphertext);
  });

  test(`chacha20 [${flavour}]: agrees with node:crypto on random keys, counters and odd lengths`, async () => {
    const k = await Kernel.load(flavour);
    const chunkBytes = k.chunkElems * 8;
    const lengths = [0, 1, 63, 64, 65, 255, 256, 257, 1000, chunkBytes - 1, chunkBytes, chunkBytes + 1, 3 * chunkBytes + 77];
    for (const len of lengths) {
      const key = randomBytes(32), nonce = randomBytes(12);
      const counter = randomBytes(4).readUInt32LE(0) % 1_000_000;
      const data = randomBytes(len);
      assert.deepEqual(Buffer.from(k.chacha20(key, nonce, counter, data)), Buffer.from(nodeChacha(key, nonce, counter, data)), `length ${len}`);
    }
  });
}

test('chacha20: rejects bad keys, nonces, counters and counter overflow with E_BAD_ARGUMENT', async () => {
  const k = await Kernel.load();
  const key = new Uint8Array(32), nonce = new Uint8Array(12), d = new Uint8Array(10);
  const bad: Array<() => unknown> = [
    () => k.chacha20(new Uint8Array(31), nonce, 0, d),
    () => k.chacha20(key, new Uint8Array(8), 0, d),
    () => k.chacha20(key, nonce, -1, d),
    () => k.chacha20(key, nonce, 2 ** 32, d),
    () => k.chacha20(key, nonce, NaN, d),
    () => k.chacha20(key, nonce, 0, [1, 2, 3] as unknown as Uint8Array),
    () => k.chacha20(key, nonce, 2 ** 32 - 1, new Uint8Array(65)),
  ];
  for (const f of bad) assert.throws(f, (e) => isShardwireError(e, 'E_BAD_ARGUMENT'));
  // the last block of the stream is still usable
  assert.equal(k.chacha20(key, nonce, 2 ** 32 - 1, new Uint8Array(64)).length, 64);
});
