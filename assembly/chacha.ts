/**
 * ChaCha20 keystream, RFC 8439 §2.3: 32-byte key, 12-byte nonce, 32-bit block counter. The
 * stream is seekable by block counter, so any chunk of a long vector's mask can be produced
 * alone. With SIMD, four consecutive blocks are computed at once (one block per i32x4 lane) and
 * transposed back to stream order; without it, one block at a time with the same results.
 */

const SIGMA0: u32 = 0x61707865; // "expa"
const SIGMA1: u32 = 0x3320646e; // "nd 3"
const SIGMA2: u32 = 0x79622d32; // "2-by"
const SIGMA3: u32 = 0x6b206574; // "te k"

/** Writes block `counter` of the (key, nonce) stream, 64 bytes, to `out`. RFC 8439 §2.3. */
export function chachaBlock(key: usize, nonce: usize, counter: u32, out: usize): void {
  const k0 = load<u32>(key, 0), k1 = load<u32>(key, 4), k2 = load<u32>(key, 8), k3 = load<u32>(key, 12);
  const k4 = load<u32>(key, 16), k5 = load<u32>(key, 20), k6 = load<u32>(key, 24), k7 = load<u32>(key, 28);
  const n0 = load<u32>(nonce, 0), n1 = load<u32>(nonce, 4), n2 = load<u32>(nonce, 8);
  let x0 = SIGMA0, x1 = SIGMA1, x2 = SIGMA2, x3 = SIGMA3;
  let x4 = k0, x5 = k1, x6 = k2, x7 = k3, x8 = k4, x9 = k5, x10 = k6, x11 = k7;
  let x12 = counter, x13 = n0, x14 = n1, x15 = n2;
  for (let i = 0; i < 10; i++) {
    // column rounds (RFC 8439 §2.2.1 quarter rounds)
    x0 += x4; x12 = rotl<u32>(x12 ^ x0, 16); x8 += x12; x4 = rotl<u32>(x4 ^ x8, 12);
    x0 += x4; x12 = rotl<u32>(x12 ^ x0, 8); x8 += x12; x4 = rotl<u32>(x4 ^ x8, 7);
    x1 += x5; x13 = rotl<u32>(x13 ^ x1, 16); x9 += x13; x5 = rotl<u32>(x5 ^ x9, 12);
    x1 += x5; x13 = rotl<u32>(x13 ^ x1, 8); x9 += x13; x5 = rotl<u32>(x5 ^ x9, 7);
    x2 += x6; x14 = rotl<u32>(x14 ^ x2, 16); x10 += x14; x6 = rotl<u32>(x6 ^ x10, 12);
    x2 += x6; x14 = rotl<u32>(x14 ^ x2, 8); x10 += x14; x6 = rotl<u32>(x6 ^ x10, 7);
    x3 += x7; x15 = rotl<u32>(x15 ^ x3, 16); x11 += x15; x7 = rotl<u32>(x7 ^ x11, 12);
    x3 += x7; x15 = rotl<u32>(x15 ^ x3, 8); x11 += x15; x7 = rotl<u32>(x7 ^ x11, 7);
    // diagonal rounds
    x0 += x5; x15 = rotl<u32>(x15 ^ x0, 16); x10 += x15; x5 = rotl<u32>(x5 ^ x10, 12);
    x0 += x5; x15 = rotl<u32>(x15 ^ x0, 8); x10 += x15; x5 = rotl<u32>(x5 ^ x10, 7);
    x1 += x6; x12 = rotl<u32>(x12 ^ x1, 16); x11 += x12; x6 = rotl<u32>(x6 ^ x11, 12);
    x1 += x6; x12 = rotl<u32>(x12 ^ x1, 8); x11 += x12; x6 = rotl<u32>(x6 ^ x11, 7);
    x2 += x7; x13 = rotl<u32>(x13 ^ x2, 16); x8 += x13; x7 = rotl<u32>(x7 ^ x8, 12);
    x2 += x7; x13 = rotl<u32>(x13 ^ x2, 8); x8 += x13; x7 = rotl<u32>(x7 ^ x8, 7);
    x3 += x4; x14 = rotl<u32>(x14 ^ x3, 16); x9 += x14; x4 = rotl<u32>(x4 ^ x9, 12);
    x3 += x4; x14 = rotl<u32>(x14 ^ x3, 8); x9 += x14; x4 = rotl<u32>(x4 ^ x9, 7);
  }
  store<u32>(out, x0 + SIGMA0, 0); store<u32>(out, x1 + SIGMA1, 4);
  store<u32>(out, x2 + SIGMA2, 8); store<u32>(out, x3 + SIGMA3, 12);
  store<u32>(out, x4 + k0, 16); store<u32>(out, x5 + k1, 20);
  store<u32>(out, x6 + k2, 24); store<u32>(out, x7 + k3, 28);
  store<u32>(out, x8 + k4, 32); store<u32>(out, x9 + k5, 36);
  store<u32>(out, x10 + k6, 40); store<u32>(out, x11 + k7, 44);
  store<u32>(out, x12 + counter, 48); store<u32>(out, x13 + n0, 52);
  store<u32>(out, x14 + n1, 56); store<u32>(out, x15 + n2, 60);
}

@inline function rot16(x: v128): v128 {
  return i8x16.shuffle(x, x, 2, 3, 0, 1, 6, 7, 4, 5, 10, 11, 8, 9, 14, 15, 12, 13);
}
@inline function rot8(x: v128): v128 {
  return i8x16.shuffle(x, x, 3, 0, 1, 2, 7, 4, 5, 6, 11, 8, 9, 10, 15, 12, 13, 14);
}
@inline function rot12(x: v128): v128 {
  return v128.or(i32x4.shl(x, 12), i32x4.shr_u(x, 20));
}
@inline function rot7(x: v128): v128 {
  return v128.or(i32x4.shl(x, 7), i32x4.shr_u(x, 25));
}

/**
 * Stores words a,b,c,d (lane k = block k) of four blocks in stream order: block k gets the
 * 16 bytes [a_k b_k c_k d_k] at out + 64·k + off. A 4×4 transpose of i32 lanes.
 */
@inline function storeTransposed(out: usize, off: usize, a: v128, b: v128, c: v128, d: v128): void {
  const t0 = i8x16.shuffle(a, b, 0, 1, 2, 3, 16, 17, 18, 19, 4, 5, 6, 7, 20, 21, 22, 23); // a0 b0 a1 b1
  const t1 = i8x16.shuffle(a, b, 8, 9, 10, 11, 24, 25, 26, 27, 12, 13, 14, 15, 28, 29, 30, 31); // a2 b2 a3 b3
  const t2 = i8x16.shuffle(c, d, 0, 1, 2, 3, 16, 17, 18, 19, 4, 5, 6, 7, 20, 21, 22, 23); // c0 d0 c1 d1
  const t3 = i8x16.shuffle(c, d, 8, 9, 10, 11, 24, 25, 26, 27, 12, 13, 14, 15, 28, 29, 30, 31); // c2 d2 c3 d3
  v128.store(out + off, i8x16.shuffle(t0, t2, 0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23));
  v128.store(out + 64 + off, i8x16.shuffle(t0, t2, 8, 9, 10, 11, 12, 13, 14, 15, 24, 25, 26, 27, 28, 29, 30, 31));
  v128.store(out + 128 + off, i8x16.shuffle(t1, t3, 0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23));
  v128.store(out + 192 + off, i8x16.shuffle(t1, t3, 8, 9, 10, 11, 12, 13, 14, 15, 24, 25, 26, 27, 28, 29, 30, 31));
}

/** Writes blocks counter..counter+3 (256 bytes) to `out`, one block per SIMD lane. */
function chachaBlocks4(key: usize, nonce: usize, counter: u32, out: usize): void {
  const k0 = v128.load32_splat(key), k1 = v128.load32_splat(key + 4), k2 = v128.load32_splat(key + 8), k3 = v128.load32_splat(key + 12);
  const k4 = v128.load32_splat(key + 16), k5 = v128.load32_splat(key + 20), k6 = v128.load32_splat(key + 24), k7 = v128.load32_splat(key + 28);
  const ctr = i32x4.add(i32x4.splat(counter), i32x4(0, 1, 2, 3));
  const n0 = v128.load32_splat(nonce), n1 = v128.load32_splat(nonce + 4), n2 = v128.load32_splat(nonce + 8);
  const s0 = i32x4.splat(SIGMA0), s1 = i32x4.splat(SIGMA1), s2 = i32x4.splat(SIGMA2), s3 = i32x4.splat(SIGMA3);
  let x0 = s0, x1 = s1, x2 = s2, x3 = s3;
  let x4 = k0, x5 = k1, x6 = k2, x7 = k3, x8 = k4, x9 = k5, x10 = k6, x11 = k7;
  let x12 = ctr, x13 = n0, x14 = n1, x15 = n2;
  for (let i = 0; i < 10; i++) {
    x0 = i32x4.add(x0, x4); x12 = rot16(v128.xor(x12, x0)); x8 = i32x4.add(x8, x12); x4 = rot12(v128.xor(x4, x8));
    x0 = i32x4.add(x0, x4); x12 = rot8(v128.xor(x12, x0)); x8 = i32x4.add(x8, x12); x4 = rot7(v128.xor(x4, x8));
    x1 = i32x4.add(x1, x5); x13 = rot16(v128.xor(x13, x1)); x9 = i32x4.add(x9, x13); x5 = rot12(v128.xor(x5, x9));
    x1 = i32x4.add(x1, x5); x13 = rot8(v128.xor(x13, x1)); x9 = i32x4.add(x9, x13); x5 = rot7(v128.xor(x5, x9));
    x2 = i32x4.add(x2, x6); x14 = rot16(v128.xor(x14, x2)); x10 = i32x4.add(x10, x14); x6 = rot12(v128.xor(x6, x10));
    x2 = i32x4.add(x2, x6); x14 = rot8(v128.xor(x14, x2)); x10 = i32x4.add(x10, x14); x6 = rot7(v128.xor(x6, x10));
    x3 = i32x4.add(x3, x7); x15 = rot16(v128.xor(x15, x3)); x11 = i32x4.add(x11, x15); x7 = rot12(v128.xor(x7, x11));
    x3 = i32x4.add(x3, x7); x15 = rot8(v128.xor(x15, x3)); x11 = i32x4.add(x11, x15); x7 = rot7(v128.xor(x7, x11));
    x0 = i32x4.add(x0, x5); x15 = rot16(v128.xor(x15, x0)); x10 = i32x4.add(x10, x15); x5 = rot12(v128.xor(x5, x10));
    x0 = i32x4.add(x0, x5); x15 = rot8(v128.xor(x15, x0)); x10 = i32x4.add(x10, x15); x5 = rot7(v128.xor(x5, x10));
    x1 = i32x4.add(x1, x6); x12 = rot16(v128.xor(x12, x1)); x11 = i32x4.add(x11, x12); x6 = rot12(v128.xor(x6, x11));
    x1 = i32x4.add(x1, x6); x12 = rot8(v128.xor(x12, x1)); x11 = i32x4.add(x11, x12); x6 = rot7(v128.xor(x6, x11));
    x2 = i32x4.add(x2, x7); x13 = rot16(v128.xor(x13, x2)); x8 = i32x4.add(x8, x13); x7 = rot12(v128.xor(x7, x8));
    x2 = i32x4.add(x2, x7); x13 = rot8(v128.xor(x13, x2)); x8 = i32x4.add(x8, x13); x7 = rot7(v128.xor(x7, x8));
    x3 = i32x4.add(x3, x4); x14 = rot16(v128.xor(x14, x3)); x9 = i32x4.add(x9, x14); x4 = rot12(v128.xor(x4, x9));
    x3 = i32x4.add(x3, x4); x14 = rot8(v128.xor(x14, x3)); x9 = i32x4.add(x9, x14); x4 = rot7(v128.xor(x4, x9));
  }
  storeTransposed(out, 0, i32x4.add(x0, s0), i32x4.add(x1, s1), i32x4.add(x2, s2), i32x4.add(x3, s3));
  storeTransposed(out, 16, i32x4.add(x4, k0), i32x4.add(x5, k1), i32x4.add(x6, k2), i32x4.add(x7, k3));
  storeTransposed(out, 32, i32x4.add(x8, k4), i32x4.add(x9, k5), i32x4.add(x10, k6), i32x4.add(x11, k7));
  storeTransposed(out, 48, i32x4.add(x12, ctr), i32x4.add(x13, n0), i32x4.add(x14, n1), i32x4.add(x15, n2));
}

/**
 * Fills `out` with `blocks` consecutive keystream blocks starting at `counter`. The caller
 * guarantees counter + blocks ≤ 2^32 (RFC 8439 §2.4: the counter must not wrap).
 */
export function keystream(key: usize, nonce: usize, counter: u32, blocks: u32, out: usize): void {
  let b: u32 = 0;
  if (ASC_FEATURE_SIMD) {
    for (; b + 4 <= blocks; b += 4) chachaBlocks4(key, nonce, counter + b, out + (<usize>b << 6));
  }
  for (; b < blocks; b++) chachaBlock(key, nonce, counter + b, out + (<usize>b << 6));
}
