/**
 * A plain-TypeScript implementation of the client pipeline (randomized fixed-point encode, L2 or
 * L∞ clip, add PRG masks) — the baseline the kernel benchmark compares against. It uses
 * node:crypto's native ChaCha20 for the random bits and masks (a fair, fast choice) and JS loops
 * for the per-element math; ring-64 values are held as (lo, hi) u32 pairs with carries, which is
 * how careful TypeScript avoids per-element BigInt.
 */
import { createCipheriv } from 'node:crypto';

/** ChaCha20 keystream bytes [0, bytes) of (key, nonce = 0), like the kernel's PRG. */
export function nodeKeystream(key: Uint8Array, bytes: number): Uint8Array {
  const c = createCipheriv('chacha20', key, Buffer.alloc(16));
  return new Uint8Array(c.update(Buffer.alloc(bytes)));
}

/** Encode + L2 or L∞ clip + masks; returns u32 words (ring 32: one per element; ring 64: lo, hi pairs). */
export function plainPipeline(
  x: Float64Array,
  exponent: number,
  ring: 32 | 64,
  bound: number,
  roundKey: Uint8Array,
  maskSeeds: Uint8Array[],
  norm: 'l2' | 'linf' = 'l2',
): Uint32Array {
  const d = x.length;
  const s = 10 ** exponent;
  const rnd = new Uint32Array(nodeKeystream(roundKey, d * 4).buffer);
  const enc = new Float64Array(d);
  let sumSq = 0;
  for (let i = 0; i < d; i++) {
    const v = x[i] * s;
    if (!Number.isFinite(v) || Math.abs(v) >= 2 ** 53) throw new RangeError(`element ${i} cannot be encoded`);
    const fl = Math.floor(v);
    // the kernel's rule: the little-endian u32 at 4i, round up if u < frac·2^32
    const e = fl + (rnd[i] < (v - fl) * 2 ** 32 ? 1 : 0);
    enc[i] = e;
    sumSq += e * e;
  }
  const b = Math.floor(bound * s);
  if (norm === 'linf') {
    for (let i = 0; i < d; i++) enc[i] = Math.max(-b, Math.min(b, enc[i]));
  } else if (sumSq > b * b) {
    const f = b / Math.sqrt(sumSq);
    for (let i = 0; i < d; i++) enc[i] = Math.trunc(enc[i] * f);
  }
  const words = ring === 32 ? 1 : 2;
  const out = new Uint32Array(d * words);
  for (let i = 0; i < d; i++) {
    const e = enc[i];
    if (ring === 32) out[i] = e >>> 0;
    else {
      out[2 * i] = e >>> 0;
      out[2 * i + 1] = Math.floor(e / 2 ** 32) >>> 0;
    }
  }
  for (const seed of maskSeeds) plainMaskAdd(out, seed, ring);
  return out;
}

/** out ← out + ChaCha20(seed) over Z_2^32 (one word per element) or Z_2^64 ((lo, hi) pairs). */
export function plainMaskAdd(out: Uint32Array, seed: Uint8Array, ring: 32 | 64): Uint32Array {
  const m = new Uint32Array(nodeKeystream(seed, out.length * 4).buffer);
  if (ring === 32) for (let i = 0; i < out.length; i++) out[i] = (out[i] + m[i]) >>> 0;
  else {
    for (let i = 0; i < out.length; i += 2) {
      const lo = out[i] + m[i];
      out[i] = lo >>> 0;
      out[i + 1] = (out[i + 1] + m[i + 1] + (lo > 0xffffffff ? 1 : 0)) >>> 0;
    }
  }
  return out;
}
