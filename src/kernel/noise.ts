/**
 * @module kernel/noise
 * Exact integer noise from the kernel (assembly/noise.ts; Canonne–Kamath–Steinke 2020): the
 * chunked wrapper that adds discrete Laplace or discrete Gaussian noise to a ring vector, and
 * raw draws of every sampler for tests and benchmarks. Randomness is one ChaCha20 stream per
 * 32-byte key (from the host CSPRNG, {@link newNoiseKey}); its position, in bits, is
 * returned so that a vector's noise can be continued in a later call with identical results.
 *
 * Timing (docs/DP.md): each chunk's noise is drawn before the chunk's data is read, and the
 * sampler's running time depends only on the noise values, never on the data. It does depend on
 * them (rejection sampling), so a caller must not reveal how long sampling took; the client
 * answers at the round's pace. Nothing here logs.
 */
import { ShardwireError } from '../errors.ts';
import { abytes, aobject, aoneOf, describe } from '../guards.ts';
import type { Kernel } from './kernel.ts';
import { forEachChunk, loadRingChunk, storeRingChunk } from './chunks.ts';
import {
  NOISE_KIND, NP_A, NP_B, NP_POSITION, MAX_LAPLACE_TERM, MAX_GAUSS_SIGMA, NOISE_STREAM_BITS,
} from './noise-abi.ts';
import { STATUS_OK, STATUS_BAD_LENGTH, STATUS_OUT_OF_RANGE, STATUS_BAD_ARGUMENT } from './status.ts';
import { aringVector, type RingVector } from './vectors.ts';

/** A positive rational num/den (both bigint). */
export interface Rational {
  readonly num: bigint;
  readonly den: bigint;
}

/** Which noise, in integer units of the ring. */
export type NoiseSpec =
  | { readonly mechanism: 'dlaplace'; /** Scale b: P(z) ∝ exp(−|z|/b); 1 ≤ num, den ≤ 2^48. */ readonly scale: Rational }
  | { readonly mechanism: 'dgauss'; /** σ: P(z) ∝ exp(−z²/(2σ²)); 1 ≤ σ ≤ 2^28. */ readonly sigma: bigint };

/** Options of {@link addNoise} and {@link sampleNoise}. */
export type NoiseOptions = NoiseSpec & {
  /** 32 bytes from the host CSPRNG ({@link newNoiseKey}); one key per vector, never reused across vectors. */
  readonly key: Uint8Array;
  /** Stream position (bits consumed, < 2^41) to start from; default 0n. Pass a previous call's `position` to continue. */
  readonly position?: bigint;
};

/** Where the stream stopped: pass it as `position` to continue the same noise stream. */
export interface NoiseProgress {
  readonly position: bigint;
}

/** A raw sampler of the kernel, for tests and benchmarks. */
export type SamplerKind = keyof typeof NOISE_KIND;

/**
 * A fresh 32-byte noise key from the host CSPRNG (globalThis.crypto.getRandomValues).
 * @example const key = newNoiseKey()
 */
export function newNoiseKey(): Uint8Array {
  return globalThis.crypto.getRandomValues(new Uint8Array(32));
}

function bigintIn(v: unknown, title: string, min: bigint, max: bigint): bigint {
  if (typeof v !== 'bigint' || v < min || v > max) {
    throw new ShardwireError('E_BAD_ARGUMENT', `"${title}" expected a bigint in [${min}, ${max}], got ${describe(v)}`, { field: title, min: String(min), max: String(max) });
  }
  return v;
}

/** Validates a spec; returns the kernel kind and its two parameters. */
function kernelParams(opts: NoiseSpec): { kind: number; a: bigint; b: bigint } {
  aobject(opts, 'options');
  const mechanism = aoneOf(opts.mechanism, 'mechanism', ['dlaplace', 'dgauss'] as const);
  if (mechanism === 'dlaplace') {
    const scale = aobject((opts as { scale?: unknown }).scale, 'scale');
    const num = bigintIn(scale.num, 'scale.num', 1n, MAX_LAPLACE_TERM);
    const den = bigintIn(scale.den, 'scale.den', 1n, MAX_LAPLACE_TERM);
    return { kind: NOISE_KIND.dlaplace, a: num, b: den };
  }
  const sigma = bigintIn((opts as { sigma?: unknown }).sigma, 'sigma', 1n, MAX_GAUSS_SIGMA);
  return { kind: NOISE_KIND.dgauss, a: sigma, b: 0n };
}

/** Writes key and parameters, seeks, runs `body`, reads the position back, and always wipes the key. */
function withStream(k: Kernel, key: Uint8Array, position: bigint, a: bigint, b: bigint, body: () => void): bigint {
  abytes(key, 'key', 32);
  bigintIn(position, 'position', 0n, NOISE_STREAM_BITS - 1n);
  const np = new BigUint64Array(k.raw.memory.buffer, k.raw.noiseParamsPtr(), 8);
  k.views.bytes.set(key, k.raw.noiseKeyPtr());
  try {
    np[NP_A] = a;
    np[NP_B] = b;
    np[NP_POSITION] = position;
    check(k.raw.noiseSeek(), 'noise seek');
    body();
    k.raw.noiseTell();
    return np[NP_POSITION];
  } finally {
    k.raw.noiseWipe();
  }
}

/** Turns a noise status into an error (the noise drawn so far must be discarded). */
function check(status: number, op: string): void {
  if (status === STATUS_OK) return;
  if (status === STATUS_BAD_LENGTH) {
    throw new ShardwireError('E_BAD_ARGUMENT', `${op}: the noise stream ran past 2^32 ChaCha20 blocks (2^41 bits); use a fresh key for further noise`, { status });
  }
  if (status === STATUS_OUT_OF_RANGE) {
    // Probability below 2^-300 per sample (assembly/noise.ts); the sample is not biased, it is refused.
    throw new ShardwireError('E_KERNEL', `${op}: a sampler intermediate left 64 bits; draw again with a fresh key`, { status });
  }
  throw new ShardwireError('E_KERNEL', `${op}: kernel returned status ${status} (a wrapper bug: arguments are validated before the call)`, { status });
}

/**
 * Adds exact discrete Laplace or discrete Gaussian noise to a ring vector in place (mod 2^32 or
 * 2^64), chunk by chunk. Each chunk's noise is sampled before its data is read.
 * @returns the stream position reached (continue with it to extend the same noise stream).
 * @throws {ShardwireError} E_BAD_VECTOR for a non-ring vector; E_BAD_ARGUMENT for a key that is
 *   not 32 bytes, a scale/σ outside the limits, a position outside the stream, or a vector that
 *   runs the stream past 2^32 blocks (the vector is then partly noised: discard it);
 *   E_KERNEL on a kernel failure (same caveat).
 * @example addNoise(kernel, v, { mechanism: 'dgauss', sigma: 40n, key: newNoiseKey() })
 */
export function addNoise(k: Kernel, v: RingVector, opts: NoiseOptions): NoiseProgress {
  aringVector(v, 'vector');
  const { kind, a, b } = kernelParams(opts);
  const add = v instanceof Uint32Array ? k.raw.noiseAddU32 : k.raw.noiseAddU64;
  const position = withStream(k, opts.key, opts.position ?? 0n, a, b, () => {
    forEachChunk(k, v.length, (off, n) => {
      loadRingChunk(k, v, off, n, 'A');
      check(add(kind, n), 'addNoise');
      storeRingChunk(k, v, off, n);
    });
  });
  return { position };
}

/**
 * Draws `length` noise values (signed, integer units) without touching any data: the "noise
 * first" path of docs/PROTOCOL.md §4 for callers that add it themselves.
 * @throws {ShardwireError} as {@link addNoise}; E_BAD_ARGUMENT for a bad length.
 * @example const { noise } = sampleNoise(kernel, 1000, { mechanism: 'dlaplace', scale: { num: 10n, den: 1n }, key })
 */
export function sampleNoise(k: Kernel, length: number, opts: NoiseOptions): NoiseProgress & { noise: BigInt64Array } {
  const { kind, a, b } = kernelParams(opts);
  return drawRaw(k, kind, length, a, b, opts.key, opts.position ?? 0n);
}

/**
 * Raw draws of one sampler (A, B as in assembly/noise-abi.ts: uniform [0, A), Bernoulli(A/B),
 * Bernoulli(exp(−A/B)), geometric P(g) ∝ exp(−g·B/A), discrete Laplace scale A/B, discrete
 * Gaussian σ = A). For tests, known-answer vectors and benchmarks.
 * @throws {ShardwireError} E_BAD_ARGUMENT for bad parameters, key, length or position.
 * @example drawSamples(kernel, 'bernExp', 1000, 1n, 2n, key)
 */
export function drawSamples(k: Kernel, sampler: SamplerKind, count: number, a: bigint, b: bigint, key: Uint8Array, position = 0n): NoiseProgress & { samples: BigInt64Array } {
  const kind = NOISE_KIND[aoneOf(sampler, 'sampler', Object.keys(NOISE_KIND) as SamplerKind[])];
  bigintIn(a, 'a', 0n, 2n ** 64n - 1n);
  bigintIn(b, 'b', 0n, 2n ** 64n - 1n);
  const { noise, position: end } = drawRaw(k, kind, count, a, b, key, position);
  return { samples: noise, position: end };
}

function drawRaw(k: Kernel, kind: number, length: number, a: bigint, b: bigint, key: Uint8Array, position: bigint): NoiseProgress & { noise: BigInt64Array } {
  if (!Number.isSafeInteger(length) || length < 0) {
    throw new ShardwireError('E_BAD_ARGUMENT', `"length" expected a safe integer ≥ 0, got ${describe(length)}`, { field: 'length' });
  }
  const noise = new BigInt64Array(length);
  const ioB = new BigInt64Array(k.raw.memory.buffer, k.raw.ioBPtr(), k.chunkElems);
  const end = withStream(k, key, position, a, b, () => {
    forEachChunk(k, length, (off, n) => {
      const status = k.raw.noiseSampleI64(kind, n);
      if (status === STATUS_BAD_ARGUMENT) {
        throw new ShardwireError('E_BAD_ARGUMENT', `sampler ${kind} refused parameters A=${a}, B=${b} (see the limits in assembly/noise-abi.ts)`, { kind, a: String(a), b: String(b) });
      }
      check(status, 'sampleNoise');
      noise.set(ioB.subarray(0, n), off);
    });
  });
  return { noise, position: end };
}
