/**
 * The randomness of the noise samplers: one ChaCha20 stream (RFC 8439 §2.3) under the noise key
 * and a fixed domain-separation nonce, read as little-endian u32 words. The position (words
 * consumed since block 0) is exact and seekable, so a long vector's noise can be drawn chunk by
 * chunk, or resumed later, with the same result as one pass. Keystream is buffered in a static
 * scratch of NOISE_BUF_BLOCKS blocks; nothing allocates.
 *
 * Past 2^32 blocks the counter would repeat; the stream then sets STREAM_EXHAUSTED and keeps
 * producing (wrapped) words so every sampler still terminates, and the vector entry points turn
 * the flag into a status so that noise is discarded. Integer operations only.
 */
import { keystream } from './chacha';

/** Blocks of keystream buffered per refill (measured: 64 blocks = 4 KiB amortise the call). */
const NOISE_BUF_BLOCKS: u32 = 64;
const WORDS_PER_BLOCK: u32 = 16;
const BUF_WORDS: u32 = NOISE_BUF_BLOCKS * WORDS_PER_BLOCK;
/** Blocks in one ChaCha20 stream (32-bit counter, RFC 8439 §2.3). */
const STREAM_BLOCKS: u64 = 0x1_0000_0000;

/** The noise key (32 bytes), written by the host from its CSPRNG. */
export const NOISE_KEY: usize = memory.data(32, 16);
/** Nonce "shardw-noise" (ASCII, 12 bytes): separates noise streams from mask/encode streams under the same key. */
const NOISE_NONCE: usize = memory.data<u8>([0x73, 0x68, 0x61, 0x72, 0x64, 0x77, 0x2d, 0x6e, 0x6f, 0x69, 0x73, 0x65, 0, 0, 0, 0], 16);
/** Buffered keystream. */
const NOISE_BUF: usize = memory.data(<i32>(BUF_WORDS * 4), 64);

/** Flag bit: the stream passed 2^32 blocks. */
export const STREAM_EXHAUSTED: u32 = 1;
/** Flag bit: an intermediate would have left 64 bits (probability below 2^-300, see noise.ts). */
export const SAMPLE_OVERFLOW: u32 = 2;

let bufBlock: u64 = 0; // stream block of NOISE_BUF word 0
let wordIdx: u32 = BUF_WORDS; // next word to read
let bufEnd: u32 = BUF_WORDS; // words of the buffer inside the stream (fewer only in its last 64 blocks)
let flags: u32 = 0;

/** Fills the buffer from block `block`; bufEnd marks where the 2^32-block stream ends inside it. */
function fill(block: u64): void {
  keystream(NOISE_KEY, NOISE_NONCE, <u32>block, NOISE_BUF_BLOCKS, NOISE_BUF); // counter wraps mod 2^32
  bufBlock = block;
  const left: u64 = block < STREAM_BLOCKS ? STREAM_BLOCKS - block : 0;
  bufEnd = left >= <u64>NOISE_BUF_BLOCKS ? BUF_WORDS : <u32>left * WORDS_PER_BLOCK;
}

/** Slow path of next32: refill, or flag the end of the stream (and keep going on wrapped words). */
function advance(): void {
  if (wordIdx < BUF_WORDS) {
    flags |= STREAM_EXHAUSTED;
    bufEnd = BUF_WORDS;
    return;
  }
  fill(bufBlock + <u64>NOISE_BUF_BLOCKS);
  wordIdx = 0;
  if (bufEnd == 0) {
    flags |= STREAM_EXHAUSTED;
    bufEnd = BUF_WORDS;
  }
}

/** Next u32 word of the stream. */
@inline export function next32(): u32 {
  if (wordIdx >= bufEnd) advance();
  const w = load<u32>(NOISE_BUF + (<usize>wordIdx << 2));
  wordIdx++;
  return w;
}

/** Next 64 bits of the stream (two words, the first one low). */
@inline export function next64(): u64 {
  const lo = <u64>next32();
  return lo | (<u64>next32() << 32);
}

/** Positions the stream at word `pos` (keystream byte 4·pos) and clears the flags. */
export function streamSeek(pos: u64): void {
  flags = 0;
  fill(pos / <u64>WORDS_PER_BLOCK);
  wordIdx = <u32>(pos % <u64>WORDS_PER_BLOCK);
  if (wordIdx >= bufEnd) advance(); // pos at or past the end of the stream
}

/** Words consumed since block 0 of the stream. */
export function streamTell(): u64 {
  return bufBlock * <u64>WORDS_PER_BLOCK + <u64>wordIdx;
}

/** Flag bits raised since the last seek. */
export function streamFlags(): u32 {
  return flags;
}

/** Raises a flag bit (samplers report impossible-in-practice overflows this way). */
@inline export function raiseFlag(bit: u32): void {
  flags |= bit;
}

/** Zeroes the key and the buffered keystream; the next use must write a key and seek. */
export function streamWipe(): void {
  memory.fill(NOISE_KEY, 0, 32);
  memory.fill(NOISE_BUF, 0, <usize>BUF_WORDS * 4);
  wordIdx = BUF_WORDS;
  bufEnd = BUF_WORDS;
  bufBlock = 0;
}
