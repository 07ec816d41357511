/**
 * Static I/O buffers at fixed, 16-byte-aligned offsets (hash-wasm style). TypeScript writes a
 * chunk into a buffer through a typed view, calls an export with the element count, and copies
 * the result out. Nothing in the kernel allocates, so memory never grows across calls.
 */

/** Elements per chunk: the largest vector slice any export processes in one call. */
export const CHUNK_ELEMS: u32 = 65536;
/** Most PRG seeds one mask call can take (the TS wrapper batches longer lists). */
export const MAX_SEEDS: u32 = 256;
/** Bytes of one seed (a ChaCha20 key). */
export const SEED_BYTES: u32 = 32;

/** Primary vector buffer: CHUNK_ELEMS × 8 bytes (f64 in, i64/u64/u32 out, in place). */
export const IO_A: usize = memory.data(<i32>CHUNK_ELEMS * 8, 64);
/** Secondary vector buffer: the right-hand operand of ring operations. */
export const IO_B: usize = memory.data(<i32>CHUNK_ELEMS * 8, 64);
/** Keystream scratch, CHUNK_ELEMS × 8 bytes plus one block (a stream may start mid-block). */
export const SCRATCH: usize = memory.data(<i32>CHUNK_ELEMS * 8 + 64, 64);
/** Seeds for mask expansion: MAX_SEEDS × 32-byte ChaCha20 keys. */
export const SEEDS: usize = memory.data(<i32>(MAX_SEEDS * SEED_BYTES), 64);
/** One byte per seed: 0 = add the mask, 1 = subtract it. */
export const SEED_SIGNS: usize = memory.data(<i32>MAX_SEEDS, 64);
/** Key (32 bytes) and nonce (12 bytes) of single-stream operations (chacha20Xor, encode). */
export const KEY: usize = memory.data(32, 64);
export const NONCE: usize = memory.data(16, 16);
/** Scalar parameters and results as u64 slots (see PARAM_* / OUT_* indices). */
export const PARAMS: usize = memory.data(16 * 8, 64);

/** PARAMS slot indices (u64 each). */
export const PARAM_BOUND: u32 = 0; // clamp bound (L∞) as u64
export const PARAM_MULT: u32 = 1; // scale multiplier m of v·m / 2^62
export const PARAM_DIVISOR: u32 = 2; // f64 bits: decode divides by S·divisor (1.0 for a plain decode)
export const PARAM_WEIGHT: u32 = 3; // f64 bits: encode multiplies x by S·weight (1.0 for a plain encode)
export const OUT_INDEX: u32 = 8; // index of the offending element for a bad status
export const OUT_NORM_LO: u32 = 9; // norm accumulator, low 64 bits
export const OUT_NORM_HI: u32 = 10; // norm accumulator, high 64 bits
export const OUT_COUNT: u32 = 11; // a count (e.g. elements changed by clipping)
export const OUT_AFTER: u32 = 12; // a measure after clipping (L∞ clip in one pass)

/** Address of PARAMS slot `i`. */
@inline export function param(i: u32): usize {
  return PARAMS + (<usize>i << 3);
}
