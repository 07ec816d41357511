/**
 * Plain-TypeScript references for the kernel's ring math, written for clarity over speed
 * (bigint per element): the property tests compare the optimised kernel against them.
 */
import { createCipheriv } from 'node:crypto';

/** Element-wise (a + b) mod 2^bits as bigints. */
export function refAdd(a: readonly bigint[], b: readonly bigint[], bits: 32 | 64): bigint[] {
  return a.map((v, i) => BigInt.asUintN(bits, v + b[i]));
}

/** The mask PRG(seed) over a width-`bits` ring: ChaCha20(key = seed, nonce = 0) words, little-endian. */
export function refMask(seed: Uint8Array, length: number, bits: 32 | 64, offset = 0): bigint[] {
  const w = bits / 8;
  const c = createCipheriv('chacha20', seed, Buffer.alloc(16));
  const ks = c.update(Buffer.alloc((offset + length) * w));
  const out: bigint[] = [];
  for (let i = offset; i < offset + length; i++) out.push(bits === 32 ? BigInt(ks.readUInt32LE(i * 4)) : ks.readBigUInt64LE(i * 8));
  return out;
}

/** A ring vector as signed bigints (two's complement). */
export function toSigned(v: Uint32Array | BigUint64Array): bigint[] {
  return v instanceof Uint32Array ? Array.from(v, (x) => BigInt(x | 0)) : Array.from(v, (x) => BigInt.asIntN(64, x));
}

/** A ring vector as unsigned bigints. */
export function toBig(v: Uint32Array | BigUint64Array): bigint[] {
  return v instanceof Uint32Array ? Array.from(v, (x) => BigInt(x)) : Array.from(v);
}
