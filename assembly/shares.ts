/**
 * Mask expansion for seed-compressed shards (docs/PROTOCOL.md §4): y ← y ± PRG(seed) over Z_2^32 or
 * Z_2^64. PRG(seed) is the ChaCha20 stream keyed by the 32-byte seed with the all-zero nonce;
 * element e of a width-w ring uses stream bytes [w·e, w·e + w) little-endian, so the mask of any
 * chunk is produced alone by seeking the block counter. Keystream is generated into a 4 KiB
 * L1-resident slice of the scratch and folded into the vector right away.
 */
import { SCRATCH, SEEDS, SEED_SIGNS, SEED_BYTES } from './arena';
import { keystream, chachaBlock } from './chacha';

/** Keystream bytes produced per step before folding them into the vector (64 blocks). */
const STEP_BYTES: u32 = 4096;
/** The all-zero 12-byte nonce of mask streams (seeds are unique per edge and round). */
const ZERO_NONCE: usize = memory.data(16, 16);

/** dst[0..bytes) ← dst ± ks lane-wise, lanes of `width` bytes (4 or 8). */
function fold(dst: usize, ks: usize, bytes: u32, width: u32, subtract: bool): void {
  let i: u32 = 0;
  if (ASC_FEATURE_SIMD) {
    if (width == 4) {
      if (subtract) for (; i + 16 <= bytes; i += 16) v128.store(dst + i, i32x4.sub(v128.load(dst + i), v128.load(ks + i)));
      else for (; i + 16 <= bytes; i += 16) v128.store(dst + i, i32x4.add(v128.load(dst + i), v128.load(ks + i)));
    } else {
      if (subtract) for (; i + 16 <= bytes; i += 16) v128.store(dst + i, i64x2.sub(v128.load(dst + i), v128.load(ks + i)));
      else for (; i + 16 <= bytes; i += 16) v128.store(dst + i, i64x2.add(v128.load(dst + i), v128.load(ks + i)));
    }
  }
  if (width == 4) {
    for (; i < bytes; i += 4) store<u32>(dst + i, subtract ? load<u32>(dst + i) - load<u32>(ks + i) : load<u32>(dst + i) + load<u32>(ks + i));
  } else {
    for (; i < bytes; i += 8) store<u64>(dst + i, subtract ? load<u64>(dst + i) - load<u64>(ks + i) : load<u64>(dst + i) + load<u64>(ks + i));
  }
}

/**
 * vec[0..len) ← vec ± Σ_k PRG(seed_k) for seeds 0..seedCount−1 (SEED_SIGNS[k] = 1 subtracts).
 * The stream starts at block `startBlock`, `skipBytes` (a multiple of width, < 64) into it.
 * The caller checks that the stream stays below 2^32 blocks.
 */
export function applyMasks(vec: usize, len: u32, width: u32, seedCount: u32, startBlock: u32, skipBytes: u32): void {
  const totalBytes: u32 = len * width;
  for (let k: u32 = 0; k < seedCount; k++) {
    const key = SEEDS + <usize>(k * SEED_BYTES);
    const subtract = load<u8>(SEED_SIGNS + k) != 0;
    let done: u32 = 0;
    let block = startBlock;
    if (skipBytes != 0) {
      // head: the rest of a partly used block
      chachaBlock(key, ZERO_NONCE, block, SCRATCH);
      const head = min<u32>(64 - skipBytes, totalBytes);
      fold(vec, SCRATCH + skipBytes, head, width, subtract);
      done = head;
      block++;
    }
    while (done < totalBytes) {
      const n = min<u32>(STEP_BYTES, totalBytes - done);
      const blocks = (n + 63) >> 6;
      keystream(key, ZERO_NONCE, block, blocks, SCRATCH);
      fold(vec + done, SCRATCH, n, width, subtract);
      done += n;
      block += blocks;
    }
  }
}
