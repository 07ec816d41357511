/**
 * The streaming part of the WASM ABI, re-exported by index.ts: the exports the one-pass client
 * pipeline and the host-fed keystream use (src/kernel/pipeline.ts, keystream.ts). The host may
 * produce ChaCha20 keystream itself (node:crypto's OpenSSL ChaCha20 is ~1.5× faster than 128-bit
 * wasm SIMD here, measured by bench:kernel) and hand it over in IO_B; or ask the kernel for the
 * same bytes with {@link prgIntoB}. Integers in, status out.
 */
import { CHUNK_ELEMS, MAX_SEEDS, SEED_BYTES, IO_A, IO_B, SCRATCH, SEEDS, KEY } from './arena';
import { STATUS_OK, STATUS_BAD_LENGTH, STATUS_BAD_ARGUMENT } from './status';
import { keystream } from './chacha';
import { encodeWithBits } from './fixedpoint';
import { encodeFused } from './fused';

/** The all-zero 12-byte nonce of PRG(seed) and rounding streams. */
const ZERO_NONCE: usize = memory.data(16, 16);

/** Whether `keyPtr` is KEY or the start of a SEEDS slot. */
function validKey(keyPtr: usize): bool {
  if (keyPtr == KEY) return true;
  return keyPtr >= SEEDS && keyPtr < SEEDS + <usize>(MAX_SEEDS * SEED_BYTES) && (keyPtr - SEEDS) % SEED_BYTES == 0;
}

/**
 * IO_B[0..lenBytes) ← bytes [64·startBlock + skipBytes, … + lenBytes) of ChaCha20(key, nonce 0)
 * (PRG(seed) of docs/PROTOCOL.md §4; also the rounding stream of the encode). The key is KEY or a SEEDS
 * slot, given by its offset. lenBytes ≤ CHUNK_ELEMS·8, skipBytes < 64, and the stream must stay
 * below 2^32 blocks (RFC 8439 §2.4).
 */
export function prgIntoB(keyPtr: usize, lenBytes: u32, startBlock: u32, skipBytes: u32): u32 {
  if (!validKey(keyPtr)) return STATUS_BAD_ARGUMENT;
  if (lenBytes > CHUNK_ELEMS * 8 || skipBytes >= 64) return STATUS_BAD_LENGTH;
  const blocks = (skipBytes + lenBytes + 63) >> 6; // ≤ CHUNK_ELEMS/8 + 1: SCRATCH holds them
  if (<u64>startBlock + <u64>blocks > 0x1_0000_0000) return STATUS_BAD_LENGTH;
  keystream(keyPtr, ZERO_NONCE, startBlock, blocks, SCRATCH);
  memory.copy(IO_B, SCRATCH + skipBytes, lenBytes);
  return STATUS_OK;
}

/**
 * IO_A f64 → i64 fixed point in place, as encodeF64ToI64, with element e's rounding bits taken
 * from IO_B (u32 at byte 4e) instead of drawn by the kernel. mode 0 randomized, 1 half-even.
 */
export function encodeBitsF64ToI64(len: u32, exponent: u32, mode: u32): u32 {
  if (len > CHUNK_ELEMS) return STATUS_BAD_LENGTH;
  return encodeWithBits(IO_A, len, exponent, mode, IO_B);
}

/**
 * The pipeline's fused chunk pass over IO_A (f64 in), rounding bits from IO_B: encode, then
 * `op` (0 none, 1 measure, 2 scale by PARAM_MULT, 3 clamp to PARAM_BOUND) with norm `kind`
 * (0 L∞, 1 L1, 2 L2), then i64 out, or u32 out when `narrow` is 1. See fused.ts for the outputs.
 */
export function encodeFusedI64(len: u32, exponent: u32, mode: u32, op: u32, kind: u32, narrow: u32): u32 {
  if (len > CHUNK_ELEMS) return STATUS_BAD_LENGTH;
  if (narrow > 1) return STATUS_BAD_ARGUMENT;
  return encodeFused(IO_A, IO_B, len, exponent, mode, op, kind, narrow == 1);
}
