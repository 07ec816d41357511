/**
 * The prime-field part of the WASM ABI, re-exported by index.ts (src/kernel/field.ts drives it).
 * Elements: L u32 limbs in Montgomery form (field.ts). The host calls fieldSetup with the field
 * constants in FIELD_CONST, then streams chunks of at most fieldChunkElems(L) elements: vectors
 * in IO_A / FIELD_C, PRG_F keystream in IO_B. Integers in, status out; counts in FIELD_OUT.
 */
import { CHUNK_ELEMS, IO_A, IO_B, param, OUT_INDEX } from './arena';
import { STATUS_OK, STATUS_BAD_LENGTH, STATUS_BAD_ARGUMENT, STATUS_OUT_OF_RANGE } from './status';
import {
  MAX_LIMBS, FIELD_CONST, F_P, F_R2, F_PM2, F_ONE, TMP1, TMP2,
  setField, fLimbs, fBytes, montMul, montPow, acceptUnit, geP,
} from './field';

/** Second element buffer: the −1 streams' product (mask product), the elements out (from ints). */
const FIELD_C: usize = memory.data(<i32>CHUNK_ELEMS * 8, 64);
/** Zero-channel words out of fieldFromI64 / fieldZeros: two u64 per element. */
const FIELD_Z: usize = memory.data(<i32>CHUNK_ELEMS * 8, 64);
/** Results of the streaming exports: [0] next element index, [1] keystream bytes consumed. */
const FIELD_OUT: usize = memory.data(16, 16);

let ready = false;

export function fieldConstPtr(): usize { return FIELD_CONST; }
export function fieldCPtr(): usize { return FIELD_C; }
export function fieldZPtr(): usize { return FIELD_Z; }
export function fieldOutPtr(): usize { return FIELD_OUT; }

/** Elements per chunk for L limbs: vectors of L·4 bytes per element fit IO_A and FIELD_C. */
export function fieldChunkElems(limbs: u32): u32 {
  if (limbs < 2 || limbs > MAX_LIMBS) return 0;
  const n = (CHUNK_ELEMS * 2) / limbs;
  return n < CHUNK_ELEMS / 2 ? n : CHUNK_ELEMS / 2;
}

/**
 * Makes the field in FIELD_CONST (p, R² mod p, R mod p, p − 2) current: `limbs` limbs, p's top
 * limb of `topBits` bits, n0 = −p⁻¹ mod 2^32. Refuses p even, a top limb of another width, or an
 * n0 that is not −p⁻¹.
 */
export function fieldSetup(limbs: u32, topBits: u32, n0: u32): u32 {
  ready = false;
  if (limbs < 2 || limbs > MAX_LIMBS || topBits < 1 || topBits > 32) return STATUS_BAD_ARGUMENT;
  const p0 = load<u32>(F_P);
  const top = load<u32>(F_P + (<usize>(limbs - 1) << 2));
  if ((p0 & 1) == 0 || p0 * n0 != 0xffffffff || 32 - clz<u32>(top) != topBits) return STATUS_BAD_ARGUMENT;
  setField(limbs, topBits, n0);
  ready = true;
  return STATUS_OK;
}

@inline function fits(len: u32): bool {
  return ready && len <= fieldChunkElems(fLimbs);
}

function outOfRange(j: u32): u32 {
  store<u64>(param(OUT_INDEX), j);
  return STATUS_OUT_OF_RANGE;
}

@inline function elem(base: usize, j: u32): usize {
  return base + <usize>j * fBytes;
}

/**
 * IO_A (i64) → FIELD_C elements (Montgomery form of x mod p); a zero input gets limbs 0 and is
 * counted in FIELD_OUT[1]; FIELD_Z ← 0. STATUS_OUT_OF_RANGE (index in OUT_INDEX) for |x| > (p−1)/2.
 */
export function fieldFromI64(len: u32): u32 {
  if (!fits(len)) return STATUS_BAD_LENGTH;
  const L = fBytes;
  // for L = 2, p < 2^64: (p − 1)/2 = p >> 1; wider fields hold every i64
  const half: u64 = fLimbs == 2 ? ((<u64>load<u32>(F_P + 4) << 32) | <u64>load<u32>(F_P)) >> 1 : u64.MAX_VALUE;
  let zeros: u64 = 0;
  memory.fill(FIELD_Z, 0, <usize>len << 4);
  for (let j: u32 = 0; j < len; j++) {
    const s = load<i64>(IO_A + (<usize>j << 3));
    const out = elem(FIELD_C, j);
    if (s == 0) {
      memory.fill(out, 0, L);
      zeros++;
      continue;
    }
    const mag: u64 = s < 0 ? <u64>0 - <u64>s : <u64>s;
    if (mag > half) return outOfRange(j);
    memory.fill(TMP1, 0, L);
    if (s > 0) {
      store<u64>(TMP1, mag);
    } else {
      // p − mag
      let borrow: u64 = 0;
      for (let i: usize = 0; i < L; i += 4) {
        const m = i == 0 ? mag & 0xffffffff : i == 4 ? mag >> 32 : 0;
        const d = <u64>load<u32>(F_P + i) - m - borrow;
        store<u32>(TMP1 + i, <u32>d);
        borrow = d >> 63;
      }
    }
    montMul(out, TMP1, F_R2); // a·R² · R⁻¹ = a·R
  }
  store<u64>(FIELD_OUT + 8, zeros);
  return STATUS_OK;
}

/**
 * The stand-ins of the zero inputs of IO_A (i64) from index FIELD_OUT[0] on, from the private
 * stream in IO_B[0..avail): per zero input, one PRG_F element (units of 4L bytes, rejections
 * skipped) into FIELD_C, then 16 bytes into FIELD_Z. Stops at len or when the next element and
 * its 16 bytes are not wholly in IO_B; FIELD_OUT ← (next index, bytes consumed).
 */
export function fieldZeros(len: u32, avail: u32): u32 {
  if (!fits(len) || avail > CHUNK_ELEMS * 8) return STATUS_BAD_LENGTH;
  const L = <u32>fBytes;
  let j = <u32>load<u64>(FIELD_OUT);
  let pos: u32 = 0;
  for (; j < len; j++) {
    if (load<i64>(IO_A + (<usize>j << 3)) != 0) continue;
    let done = false;
    while (pos + L <= avail) {
      const u = IO_B + <usize>pos;
      if (!acceptUnit(u)) {
        pos += L;
        continue;
      }
      if (pos + L + 16 > avail) break;
      memory.copy(elem(FIELD_C, j), u, L);
      memory.copy(FIELD_Z + (<usize>j << 4), u + L, 16);
      pos += L + 16;
      done = true;
      break;
    }
    if (!done) break;
  }
  store<u64>(FIELD_OUT, j);
  store<u64>(FIELD_OUT + 8, pos);
  return STATUS_OK;
}

/**
 * PRG_F elements from the units in IO_B[0..avail) into elements FIELD_OUT[0]… of IO_A
 * (target 0) or FIELD_C (target 1): copied (mode 0) or multiplied in (mode 1). Stops at len;
 * FIELD_OUT ← (next index, bytes consumed).
 */
export function fieldSample(len: u32, avail: u32, target: u32, mode: u32): u32 {
  if (!fits(len) || avail > CHUNK_ELEMS * 8) return STATUS_BAD_LENGTH;
  if (target > 1 || mode > 1) return STATUS_BAD_ARGUMENT;
  const base = target == 0 ? IO_A : FIELD_C;
  const L = <u32>fBytes;
  let j = <u32>load<u64>(FIELD_OUT);
  let pos: u32 = 0;
  for (; j < len && pos + L <= avail; pos += L) {
    const u = IO_B + <usize>pos;
    if (!acceptUnit(u)) continue;
    const out = elem(base, j);
    if (mode == 0) memory.copy(out, u, L);
    else montMul(out, out, u);
    j++;
  }
  store<u64>(FIELD_OUT, j);
  store<u64>(FIELD_OUT + 8, pos);
  return STATUS_OK;
}

/** Elements [0, len) of IO_A (target 0) or FIELD_C (1) ← 1 (R mod p). */
export function fieldFillOne(len: u32, target: u32): u32 {
  if (!fits(len)) return STATUS_BAD_LENGTH;
  if (target > 1) return STATUS_BAD_ARGUMENT;
  const base = target == 0 ? IO_A : FIELD_C;
  for (let j: u32 = 0; j < len; j++) memory.copy(elem(base, j), F_ONE, fBytes);
  return STATUS_OK;
}

/**
 * IO_A[j] ← IO_A[j] / FIELD_C[j] for j < len (FIELD_C elements non-zero) with one inversion
 * (Montgomery's trick): forward, IO_A[j] ← IO_A[j]·Q_{j−1} with Q_j = Π_{i≤j} FIELD_C[i];
 * Q_{len−1}⁻¹ by Fermat (x^(p−2)); backward, IO_A[j] ← IO_A[j]·Q_j⁻¹ and Q_{j−1}⁻¹ = Q_j⁻¹·FIELD_C[j].
 * 4 products per element. FIELD_C is left unchanged; the temporaries are wiped.
 */
export function fieldDivide(len: u32): u32 {
  if (!fits(len)) return STATUS_BAD_LENGTH;
  if (len == 0) return STATUS_OK;
  const L = fBytes;
  const q = TMP1;
  memory.copy(q, FIELD_C, L);
  for (let j: u32 = 1; j < len; j++) {
    const a = elem(IO_A, j);
    montMul(a, a, q);
    montMul(q, q, elem(FIELD_C, j));
  }
  const inv = TMP2;
  montPow(inv, q, F_PM2);
  for (let j = len - 1; j > 0; j--) {
    const a = elem(IO_A, j);
    montMul(a, a, inv);
    montMul(inv, inv, elem(FIELD_C, j));
  }
  montMul(IO_A, IO_A, inv);
  memory.fill(TMP1, 0, L);
  memory.fill(TMP2, 0, L);
  return STATUS_OK;
}

/** STATUS_OUT_OF_RANGE (index in OUT_INDEX) when an element of IO_A is ≥ p (not canonical). */
export function fieldCheck(len: u32): u32 {
  if (!fits(len)) return STATUS_BAD_LENGTH;
  for (let j: u32 = 0; j < len; j++) if (geP(elem(IO_A, j))) return outOfRange(j);
  return STATUS_OK;
}

/** IO_A[j] ← IO_A[j]·IO_B[j] (Montgomery product) for j < len; STATUS_OUT_OF_RANGE (index in OUT_INDEX) for an element ≥ p. */
export function fieldMulAB(len: u32): u32 {
  if (!fits(len)) return STATUS_BAD_LENGTH;
  for (let j: u32 = 0; j < len; j++) {
    const a = elem(IO_A, j);
    const b = elem(IO_B, j);
    if (geP(a) || geP(b)) return outOfRange(j);
    montMul(a, a, b);
  }
  return STATUS_OK;
}

/**
 * IO_A elements (Montgomery form) → their centred values in (−p/2, p/2) as L-limb two's
 * complement, in place: a = ã·R⁻¹ (a Montgomery product with 1), then a − p when a > (p−1)/2.
 * STATUS_OUT_OF_RANGE (index in OUT_INDEX) for an element ≥ p.
 */
export function fieldCentre(len: u32): u32 {
  if (!fits(len)) return STATUS_BAD_LENGTH;
  const L = fBytes;
  const one = TMP2;
  memory.fill(one, 0, L);
  store<u32>(one, 1);
  for (let j: u32 = 0; j < len; j++) {
    const a = elem(IO_A, j);
    if (geP(a)) return outOfRange(j);
    montMul(a, a, one);
    if (aboveHalf(a)) {
      let borrow: u64 = 0;
      for (let i: usize = 0; i < L; i += 4) {
        const d = <u64>load<u32>(a + i) - <u64>load<u32>(F_P + i) - borrow;
        store<u32>(a + i, <u32>d);
        borrow = d >> 63;
      }
    }
  }
  return STATUS_OK;
}

/** a > (p − 1)/2 = p >> 1 (p odd), compared limb by limb from the top. */
function aboveHalf(a: usize): bool {
  for (let j = <i32>fLimbs - 1; j >= 0; j--) {
    const at = <usize>j << 2;
    const hi: u32 = j + 1 < <i32>fLimbs ? load<u32>(F_P + at + 4) << 31 : 0;
    const h = (load<u32>(F_P + at) >> 1) | hi;
    const x = load<u32>(a + at);
    if (x != h) return x > h;
  }
  return false;
}
