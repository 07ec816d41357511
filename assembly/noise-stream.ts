/**
 * The randomness of the noise samplers: one ChaCha20 stream (RFC 8439 §2.3) under the noise key
 * and a fixed domain-separation nonce, read as a stream of BITS. Bit i of the stream is bit
 * (31 − i mod 32) of little-endian u32 word ⌊i/32⌋ (each word is read from its most significant
 * bit down), and an n-bit draw is the next n bits read as a big-endian integer (first bit most
 * significant). The samplers take only the bits they need (a Bernoulli trial ~2, a sign 1), which
 * cut the keystream per sample from ~8–20 words to ~1–4 (measured).
 *
 * The position (bits consumed since block 0) is exact and seekable, so a long vector's noise can
 * be drawn chunk by chunk, or resumed later, with the same result as one pass. Keystream is
 * buffered in a static scratch of NOISE_BUF_BLOCKS blocks and fed through a 64-bit reservoir;
 * nothing allocates.
 *
 * Past 2^32 blocks (2^41 bits) the counter would repeat: the stream keeps producing (wrapped)
 * bits so every sampler still terminates, and {@link streamFlags} reports STREAM_EXHAUSTED once a
 * consumed bit lies past the end, so that noise is discarded. Integer operations only.
 */
import { keystream, chachaBlock } from './chacha';

/** Blocks of keystream buffered per refill (measured: 64 blocks = 4 KiB amortise the call). */
const NOISE_BUF_BLOCKS: u32 = 64;
const WORDS_PER_BLOCK: u32 = 16;
const BUF_WORDS: u32 = NOISE_BUF_BLOCKS * WORDS_PER_BLOCK;
/** Bits in one ChaCha20 stream: 2^32 blocks (32-bit counter, RFC 8439 §2.3) × 512. */
export const STREAM_BITS: u64 = <u64>1 << 41;

/** The noise key (32 bytes), written by the host from its CSPRNG. */
export const NOISE_KEY: usize = memory.data(32, 16);
/** Nonce "shardw-noise" (ASCII, 12 bytes): separates noise streams from mask/encode streams under the same key. */
const NOISE_NONCE: usize = memory.data<u8>([0x73, 0x68, 0x61, 0x72, 0x64, 0x77, 0x2d, 0x6e, 0x6f, 0x69, 0x73, 0x65, 0, 0, 0, 0], 16);
/** Buffered keystream. */
const NOISE_BUF: usize = memory.data(<i32>(BUF_WORDS * 4), 64);
/** One block past the buffer, for {@link peekAhead}. */
const AHEAD_BLOCK: usize = memory.data(64, 16);

/** Flag bit: a consumed bit lies past 2^32 blocks. */
export const STREAM_EXHAUSTED: u32 = 1;
/** Flag bit: an intermediate would have left 64 bits (probability below 2^-300, see noise.ts). */
export const SAMPLE_OVERFLOW: u32 = 2;

let bufBlock: u64 = 0; // stream block of NOISE_BUF word 0
let wordIdx: u32 = BUF_WORDS; // next word of the buffer to move into the reservoir
let flags: u32 = 0;
/** Reservoir: the next `avail` stream bits, most significant first, in the top of `res` (the rest 0). */
let res: u64 = 0;
let avail: u32 = 0;

/** Fills the buffer from block `block` (the counter wraps mod 2^32 past the end of the stream). */
function fill(block: u64): void {
  keystream(NOISE_KEY, NOISE_NONCE, <u32>block, NOISE_BUF_BLOCKS, NOISE_BUF);
  bufBlock = block;
}

/** Next u32 word of the keystream (slow path: the next buffer). */
@inline function nextWord(): u32 {
  if (wordIdx >= BUF_WORDS) {
    fill(bufBlock + <u64>NOISE_BUF_BLOCKS);
    wordIdx = 0;
  }
  const w = load<u32>(NOISE_BUF + (<usize>wordIdx << 2));
  wordIdx++;
  return w;
}

/** Tops the reservoir up to at least 33 bits. */
@inline function ensure32(): void {
  if (avail < 32) {
    res |= <u64>nextWord() << <u64>(32 - avail);
    avail += 32;
  }
}

/** The next 32 stream bits (first bit most significant) without consuming them. */
@inline export function peek32(): u32 {
  ensure32();
  return <u32>(res >> 32);
}

/** Consumes `n` ≤ 32 bits after a {@link peek32}. */
@inline export function skip(n: u32): void {
  res <<= <u64>n;
  avail -= n;
}

/** The next `n` bits, 1 ≤ n ≤ 32, as an integer (first bit most significant). */
@inline export function takeBits(n: u32): u32 {
  ensure32();
  const x = <u32>(res >> <u64>(64 - n));
  res <<= <u64>n;
  avail -= n;
  return x;
}

/** The next stream bit. */
@inline export function takeBit(): u32 {
  if (avail == 0) {
    res = <u64>nextWord() << 32;
    avail = 32;
  }
  const b = <u32>(res >> 63);
  res <<= 1;
  avail--;
  return b;
}

/** Stream word `w` (32 bits), from the buffer when it holds it, else computed from its block alone. */
function wordAt(w: u64): u32 {
  const first = bufBlock * <u64>WORDS_PER_BLOCK;
  if (w >= first && w < first + <u64>BUF_WORDS) return load<u32>(NOISE_BUF + (<usize>(w - first) << 2));
  chachaBlock(NOISE_KEY, NOISE_NONCE, <u32>(w / <u64>WORDS_PER_BLOCK), AHEAD_BLOCK);
  return load<u32>(AHEAD_BLOCK + (<usize>(w % <u64>WORDS_PER_BLOCK) << 2));
}

/**
 * The 32 stream bits starting `ahead` bits past the current position (first bit most
 * significant), without consuming anything: for comparisons that must look at many bits before
 * they know how many they consume (the slow path of the Gaussian's K). Not for hot paths.
 */
export function peekAhead(ahead: u32): u32 {
  const p = streamTell() + <u64>ahead;
  const w = p >> 5;
  const shift = <u32>(p & 31);
  const a = wordAt(w);
  if (shift == 0) return a;
  return (a << shift) | (wordAt(w + 1) >> (32 - shift));
}

/** Positions the stream at bit `pos` (< 2^41) and clears the flags. */
export function streamSeek(pos: u64): void {
  flags = 0;
  const word = pos >> 5;
  fill(word / <u64>WORDS_PER_BLOCK);
  wordIdx = <u32>(word % <u64>WORDS_PER_BLOCK);
  res = 0;
  avail = 0;
  ensure32();
  skip(<u32>(pos & 31));
}

/** Bits consumed since block 0 of the stream. */
export function streamTell(): u64 {
  return (bufBlock * <u64>WORDS_PER_BLOCK + <u64>wordIdx) * 32 - <u64>avail;
}

/** Flag bits raised since the last seek, STREAM_EXHAUSTED if the position passed the stream's end. */
export function streamFlags(): u32 {
  return streamTell() > STREAM_BITS ? flags | STREAM_EXHAUSTED : flags;
}

/** Raises a flag bit (samplers report impossible-in-practice overflows this way). */
@inline export function raiseFlag(bit: u32): void {
  flags |= bit;
}

/** Zeroes the key, the buffered keystream and the reservoir; the next use must write a key and seek. */
export function streamWipe(): void {
  memory.fill(NOISE_KEY, 0, 32);
  memory.fill(NOISE_BUF, 0, <usize>BUF_WORDS * 4);
  memory.fill(AHEAD_BLOCK, 0, 64);
  wordIdx = BUF_WORDS;
  bufBlock = 0;
  res = 0;
  avail = 0;
}
