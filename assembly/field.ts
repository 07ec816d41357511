/**
 * Prime-field arithmetic for the secure product (src/kernel/field.ts): elements of F_p as L
 * little-endian 32-bit limbs (2 ≤ L ≤ 64) in Montgomery form ã = a·2^(32L) mod p. One field is
 * current at a time: the host writes p, R² mod p, R mod p and p − 2 into FIELD_CONST and calls
 * fieldSetup (field-abi.ts) before each operation. Products are FIOS Montgomery multiplications
 * (Koç et al. 1996: one pass of u32×u32→u64 products, the reduction folded into the same loop)
 * with a final conditional subtraction, so outputs are canonical (< p) for canonical inputs.
 */

/** Most limbs per element (2048-bit fields). */
export const MAX_LIMBS: u32 = 64;
const LIMB_BYTES: i32 = <i32>MAX_LIMBS * 4;

/** p, R² mod p, R mod p (Montgomery 1) and p − 2 (the Fermat exponent), MAX_LIMBS u32 each. */
export const FIELD_CONST: usize = memory.data(4 * LIMB_BYTES, 64);
export const F_P: usize = FIELD_CONST;
export const F_R2: usize = FIELD_CONST + <usize>LIMB_BYTES;
export const F_ONE: usize = FIELD_CONST + 2 * <usize>LIMB_BYTES;
export const F_PM2: usize = FIELD_CONST + 3 * <usize>LIMB_BYTES;

/** The FIOS accumulator (L + 2 words) and three element temporaries. */
const T: usize = memory.data(LIMB_BYTES + 16, 64);
export const TMP1: usize = memory.data(LIMB_BYTES, 64);
export const TMP2: usize = memory.data(LIMB_BYTES, 64);
export const TMP3: usize = memory.data(LIMB_BYTES, 64);

/** The current field: limbs, −p⁻¹ mod 2^32, the mask of the top limb of a PRG_F unit. */
export let fLimbs: u32 = 2;
export let fBytes: usize = 8;
let fN0: u64 = 0;
export let fTopMask: u32 = 0xffffffff;

const M32: u64 = 0xffffffff;

/** Makes the field in FIELD_CONST current. The caller has checked limbs and n0 (p·n0 ≡ −1). */
export function setField(limbs: u32, topBits: u32, n0: u32): void {
  fLimbs = limbs;
  fBytes = <usize>limbs << 2;
  fN0 = <u64>n0;
  fTopMask = topBits >= 32 ? 0xffffffff : (<u32>1 << topBits) - 1;
}

/** a ≥ p over L limbs (a canonical candidate, top limb first). */
@inline export function geP(a: usize): bool {
  for (let j = <i32>fLimbs - 1; j >= 0; j--) {
    const x = load<u32>(a + (<usize>j << 2));
    const y = load<u32>(F_P + (<usize>j << 2));
    if (x != y) return x > y;
  }
  return true;
}

/** Whether all L limbs of a are zero. */
@inline export function isZero(a: usize): bool {
  for (let j: usize = 0; j < fBytes; j += 4) if (load<u32>(a + j) != 0) return false;
  return true;
}

/** out ← a − p over L limbs (the caller knows a ≥ p, or a has an L-th word of 1). */
function subP(out: usize, a: usize): void {
  let borrow: u64 = 0;
  for (let j: usize = 0; j < fBytes; j += 4) {
    const d = <u64>load<u32>(a + j) - <u64>load<u32>(F_P + j) - borrow;
    store<u32>(out + j, <u32>d);
    borrow = (d >> 63);
  }
}

/**
 * out ← a·b·R⁻¹ mod p (FIOS). a, b < p; out may alias a or b. The accumulator t stays below
 * 2p < 2^(32L+1), so its top word T[L] is 0 or 1.
 */
export function montMul(out: usize, a: usize, b: usize): void {
  const L = fBytes;
  const n0 = fN0;
  const p0 = <u64>load<u32>(F_P);
  const a0 = <u64>load<u32>(a);
  // i = 0: t = a·b0 + m·p (no accumulator to read yet)
  {
    const bi = <u64>load<u32>(b);
    let s = a0 * bi;
    let c1 = s >> 32;
    const m = ((s & M32) * n0) & M32;
    let c2 = ((s & M32) + m * p0) >> 32;
    for (let j: usize = 4; j < L; j += 4) {
      s = <u64>load<u32>(a + j) * bi + c1;
      c1 = s >> 32;
      const r = (s & M32) + m * <u64>load<u32>(F_P + j) + c2;
      c2 = r >> 32;
      store<u32>(T + j - 4, <u32>r);
    }
    s = c1 + c2;
    store<u32>(T + L - 4, <u32>s);
    store<u32>(T + L, <u32>(s >> 32));
  }
  for (let i: usize = 4; i < L; i += 4) {
    const bi = <u64>load<u32>(b + i);
    let s = <u64>load<u32>(T) + a0 * bi;
    let c1 = s >> 32;
    const m = ((s & M32) * n0) & M32;
    let c2 = ((s & M32) + m * p0) >> 32;
    let j: usize = 4;
    for (; j + 12 < L; j += 16) {
      // four limbs per trip
      s = <u64>load<u32>(T + j) + <u64>load<u32>(a + j) * bi + c1;
      c1 = s >> 32;
      let r = (s & M32) + m * <u64>load<u32>(F_P + j) + c2;
      c2 = r >> 32;
      store<u32>(T + j - 4, <u32>r);
      s = <u64>load<u32>(T + j + 4) + <u64>load<u32>(a + j + 4) * bi + c1;
      c1 = s >> 32;
      r = (s & M32) + m * <u64>load<u32>(F_P + j + 4) + c2;
      c2 = r >> 32;
      store<u32>(T + j, <u32>r);
      s = <u64>load<u32>(T + j + 8) + <u64>load<u32>(a + j + 8) * bi + c1;
      c1 = s >> 32;
      r = (s & M32) + m * <u64>load<u32>(F_P + j + 8) + c2;
      c2 = r >> 32;
      store<u32>(T + j + 4, <u32>r);
      s = <u64>load<u32>(T + j + 12) + <u64>load<u32>(a + j + 12) * bi + c1;
      c1 = s >> 32;
      r = (s & M32) + m * <u64>load<u32>(F_P + j + 12) + c2;
      c2 = r >> 32;
      store<u32>(T + j + 8, <u32>r);
    }
    for (; j < L; j += 4) {
      s = <u64>load<u32>(T + j) + <u64>load<u32>(a + j) * bi + c1;
      c1 = s >> 32;
      const r = (s & M32) + m * <u64>load<u32>(F_P + j) + c2;
      c2 = r >> 32;
      store<u32>(T + j - 4, <u32>r);
    }
    s = <u64>load<u32>(T + L) + c1 + c2;
    store<u32>(T + L - 4, <u32>s);
    store<u32>(T + L, <u32>(s >> 32));
  }
  if (load<u32>(T + L) != 0 || geP(T)) subP(out, T);
  else for (let j: usize = 0; j < L; j += 4) store<u32>(out + j, load<u32>(T + j));
}

/** out ← a^e (Montgomery form in and out) for the L-limb exponent e, left to right. */
export function montPow(out: usize, a: usize, e: usize): void {
  memory.copy(TMP3, a, fBytes);
  memory.copy(out, F_ONE, fBytes);
  let started = false;
  for (let j = <i32>fLimbs - 1; j >= 0; j--) {
    const w = load<u32>(e + (<usize>j << 2));
    for (let bit = 31; bit >= 0; bit--) {
      if (started) montMul(out, out, out);
      if ((w >> <u32>bit) & 1) {
        montMul(out, out, TMP3);
        started = true;
      }
    }
  }
  memory.fill(TMP3, 0, fBytes);
}

/**
 * Masks the top limb of the PRG_F unit at `u` in place and says whether 0 < u < p (an accepted
 * unit is the element's Montgomery representation).
 */
@inline export function acceptUnit(u: usize): bool {
  const top = u + fBytes - 4;
  store<u32>(top, load<u32>(top) & fTopMask);
  return !geP(u) && !isZero(u);
}
