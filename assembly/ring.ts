/**
 * Vector arithmetic in the rings Z_2^32 and Z_2^64 (wrapping add/sub/neg). Signed values are
 * two's complement, so the same bits serve signed and unsigned use.
 */

/** a[i] ← a[i] + b[i] (mod 2^32) for len elements. */
export function addU32(a: usize, b: usize, len: u32): void {
  let i: usize = 0;
  const bytes = <usize>len << 2;
  if (ASC_FEATURE_SIMD) {
    for (; i + 16 <= bytes; i += 16) v128.store(a + i, i32x4.add(v128.load(a + i), v128.load(b + i)));
  }
  for (; i < bytes; i += 4) store<u32>(a + i, load<u32>(a + i) + load<u32>(b + i));
}

/** a[i] ← a[i] − b[i] (mod 2^32). */
export function subU32(a: usize, b: usize, len: u32): void {
  let i: usize = 0;
  const bytes = <usize>len << 2;
  if (ASC_FEATURE_SIMD) {
    for (; i + 16 <= bytes; i += 16) v128.store(a + i, i32x4.sub(v128.load(a + i), v128.load(b + i)));
  }
  for (; i < bytes; i += 4) store<u32>(a + i, load<u32>(a + i) - load<u32>(b + i));
}

/** a[i] ← −a[i] (mod 2^32). */
export function negU32(a: usize, len: u32): void {
  let i: usize = 0;
  const bytes = <usize>len << 2;
  if (ASC_FEATURE_SIMD) {
    for (; i + 16 <= bytes; i += 16) v128.store(a + i, i32x4.neg(v128.load(a + i)));
  }
  for (; i < bytes; i += 4) store<u32>(a + i, 0 - load<u32>(a + i));
}

/** a[i] ← a[i] + b[i] (mod 2^64). */
export function addU64(a: usize, b: usize, len: u32): void {
  let i: usize = 0;
  const bytes = <usize>len << 3;
  if (ASC_FEATURE_SIMD) {
    for (; i + 16 <= bytes; i += 16) v128.store(a + i, i64x2.add(v128.load(a + i), v128.load(b + i)));
  }
  for (; i < bytes; i += 8) store<u64>(a + i, load<u64>(a + i) + load<u64>(b + i));
}

/** a[i] ← a[i] − b[i] (mod 2^64). */
export function subU64(a: usize, b: usize, len: u32): void {
  let i: usize = 0;
  const bytes = <usize>len << 3;
  if (ASC_FEATURE_SIMD) {
    for (; i + 16 <= bytes; i += 16) v128.store(a + i, i64x2.sub(v128.load(a + i), v128.load(b + i)));
  }
  for (; i < bytes; i += 8) store<u64>(a + i, load<u64>(a + i) - load<u64>(b + i));
}

/** a[i] ← −a[i] (mod 2^64). */
export function negU64(a: usize, len: u32): void {
  let i: usize = 0;
  const bytes = <usize>len << 3;
  if (ASC_FEATURE_SIMD) {
    for (; i + 16 <= bytes; i += 16) v128.store(a + i, i64x2.neg(v128.load(a + i)));
  }
  for (; i < bytes; i += 8) store<u64>(a + i, 0 - load<u64>(a + i));
}

/**
 * In place: i64 at 8i → u32 at 4i (two's complement), only if every value lies in [−2^31, 2^31);
 * otherwise nothing is written, the first offender's index goes to `outIndex` and false returns.
 * Walking forward never overwrites an unread value (4i ≤ 8i).
 */
export function narrowI64ToU32(buf: usize, len: u32, outIndex: usize): bool {
  for (let i: u32 = 0; i < len; i++) {
    const v = load<i64>(buf + (<usize>i << 3));
    if (v < -2147483648 || v > 2147483647) {
      store<u64>(outIndex, i);
      return false;
    }
  }
  for (let i: u32 = 0; i < len; i++) store<u32>(buf + (<usize>i << 2), <u32>load<i64>(buf + (<usize>i << 3)));
  return true;
}

/** In place: u32 at 4i (two's complement) → sign-extended i64 at 8i, walking backwards. */
export function widenU32ToI64(buf: usize, len: u32): void {
  for (let i: i32 = <i32>len - 1; i >= 0; i--) store<i64>(buf + (<usize>i << 3), <i64>load<i32>(buf + (<usize>i << 2)));
}
