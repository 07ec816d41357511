/**
 * The noise part of the WASM ABI, re-exported by index.ts. Integers only; status codes
 * from status.ts. Kept in its own file so that the ABI has one owner per concern.
 *
 * Protocol (mirrored by src/kernel/noise.ts): write the 32-byte key at noiseKeyPtr(), the
 * stream position (u64 bits) into NOISE_PARAMS[NP_POSITION] and call noiseSeek(); put the
 * sampler's parameters into NOISE_PARAMS[NP_A], [NP_B]; call noiseSampleI64 / noiseAddU64 /
 * noiseAddU32 once per chunk; noiseTell() writes the position reached; noiseWipe() at the end.
 */
import { CHUNK_ELEMS, IO_A, IO_B } from './arena';
import { STATUS_OK, STATUS_BAD_LENGTH, STATUS_OUT_OF_RANGE, STATUS_BAD_ARGUMENT } from './status';
import { NOISE_KEY, streamSeek, streamTell, streamFlags, streamWipe, STREAM_EXHAUSTED, SAMPLE_OVERFLOW, STREAM_BITS } from './noise-stream';
import { uniformBelow, bernoulli, bernExp } from './bernoulli';
import {
  geometric, fillDiscreteLaplace, fillDiscreteGaussian, MAX_LAPLACE_TERM, MAX_GAUSS_SIGMA,
} from './noise';

/** Sampler kinds (the `kind` argument). Tests draw every kind; vectors use only the last two. */
const NOISE_UNIFORM: u32 = 0; // uniform in [0, A)
const NOISE_BERNOULLI: u32 = 1; // Bernoulli(A/B)
const NOISE_BERN_EXP: u32 = 2; // Bernoulli(exp(−A/B))
const NOISE_GEOMETRIC: u32 = 3; // P(g) ∝ exp(−g·B/A)
const NOISE_DLAPLACE: u32 = 4; // discrete Laplace, scale A/B
const NOISE_DGAUSS: u32 = 5; // discrete Gaussian, σ = A

/** NOISE_PARAMS slots (u64). */
const NP_A: u32 = 0;
const NP_B: u32 = 1;
const NP_POSITION: u32 = 2;
/** Parameter slots of the noise exports, apart from the shared PARAMS (arena.ts). */
const NOISE_PARAMS: usize = memory.data(8 * 8, 16);


@inline function np(i: u32): u64 {
  return load<u64>(NOISE_PARAMS + (<usize>i << 3));
}

export function noiseKeyPtr(): usize { return NOISE_KEY; }
export function noiseParamsPtr(): usize { return NOISE_PARAMS; }

/** Positions the noise stream at bit NOISE_PARAMS[NP_POSITION] (< 2^41) and clears its flags. */
export function noiseSeek(): u32 {
  const pos = np(NP_POSITION);
  if (pos >= STREAM_BITS) return STATUS_BAD_LENGTH;
  streamSeek(pos);
  return STATUS_OK;
}

/** Writes the stream position (bits consumed) into NOISE_PARAMS[NP_POSITION]. */
export function noiseTell(): u32 {
  store<u64>(NOISE_PARAMS + (<usize>NP_POSITION << 3), streamTell());
  return STATUS_OK;
}

/** Zeroes the noise key and buffered keystream. */
export function noiseWipe(): u32 {
  streamWipe();
  return STATUS_OK;
}

/** Whether (kind, A, B) name a valid sampler. */
function validParams(kind: u32, a: u64, b: u64): bool {
  if (kind == NOISE_UNIFORM) return a >= 1;
  if (kind == NOISE_BERNOULLI) return b >= 1 && a <= b;
  if (kind == NOISE_BERN_EXP) return b >= 1 && a <= MAX_LAPLACE_TERM;
  if (kind == NOISE_GEOMETRIC || kind == NOISE_DLAPLACE) return a >= 1 && b >= 1 && a <= MAX_LAPLACE_TERM && b <= MAX_LAPLACE_TERM;
  if (kind == NOISE_DGAUSS) return a >= 1 && a <= MAX_GAUSS_SIGMA;
  return false;
}

/** Status after sampling: the stream's flags, if any, make the chunk's noise unusable. */
function flagStatus(): u32 {
  const f = streamFlags();
  if (f & STREAM_EXHAUSTED) return STATUS_BAD_LENGTH;
  if (f & SAMPLE_OVERFLOW) return STATUS_OUT_OF_RANGE;
  return STATUS_OK;
}

/** Writes `len` samples of `kind` into `out` as i64. */
function fill(kind: u32, len: u32, a: u64, b: u64, out: usize): void {
  if (kind == NOISE_DLAPLACE) fillDiscreteLaplace(out, len, a, b);
  else if (kind == NOISE_DGAUSS) fillDiscreteGaussian(out, len, a);
  else {
    for (let i: u32 = 0; i < len; i++) {
      let x: u64 = 0;
      if (kind == NOISE_UNIFORM) x = uniformBelow(a);
      else if (kind == NOISE_BERNOULLI) x = bernoulli(a, b) ? 1 : 0;
      else if (kind == NOISE_BERN_EXP) x = bernExp(a, b) ? 1 : 0;
      else x = geometric(a, b);
      store<u64>(out + (<usize>i << 3), x);
    }
  }
}

/**
 * Draws `len` ≤ CHUNK_ELEMS samples of `kind` (parameters NOISE_PARAMS[NP_A], [NP_B]) from the
 * current stream position into IO_B as i64. Status BAD_ARGUMENT for bad parameters, BAD_LENGTH
 * when the stream ran past 2^32 blocks, OUT_OF_RANGE on an overflow flag (see noise.ts).
 */
export function noiseSampleI64(kind: u32, len: u32): u32 {
  if (len > CHUNK_ELEMS) return STATUS_BAD_LENGTH;
  const a = np(NP_A), b = np(NP_B);
  if (!validParams(kind, a, b)) return STATUS_BAD_ARGUMENT;
  fill(kind, len, a, b, IO_B);
  return flagStatus();
}

/**
 * IO_A (u64) += noise mod 2^64, in place. The chunk's noise is drawn into IO_B before IO_A is
 * read (docs/DP.md: noise is sampled before the data is touched). Kinds DLAPLACE, DGAUSS.
 */
export function noiseAddU64(kind: u32, len: u32): u32 {
  if (kind != NOISE_DLAPLACE && kind != NOISE_DGAUSS) return STATUS_BAD_ARGUMENT;
  const status = noiseSampleI64(kind, len);
  if (status != STATUS_OK) return status;
  for (let i: u32 = 0; i < len; i++) {
    const o = <usize>i << 3;
    store<u64>(IO_A + o, load<u64>(IO_A + o) + load<u64>(IO_B + o));
  }
  return STATUS_OK;
}

/** IO_A (u32) += noise mod 2^32, in place; as {@link noiseAddU64}. */
export function noiseAddU32(kind: u32, len: u32): u32 {
  if (kind != NOISE_DLAPLACE && kind != NOISE_DGAUSS) return STATUS_BAD_ARGUMENT;
  const status = noiseSampleI64(kind, len);
  if (status != STATUS_OK) return status;
  for (let i: u32 = 0; i < len; i++) {
    const o = <usize>i << 2;
    store<u32>(IO_A + o, load<u32>(IO_A + o) + <u32>load<u64>(IO_B + (o << 1)));
  }
  return STATUS_OK;
}
