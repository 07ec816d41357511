/**
 * @module secagg/shamir
 * Shamir secret sharing (Shamir 1979, "How to share a secret") of byte strings, word by word over
 * GF(2^16) with the primitive polynomial x^16 + x^12 + x^3 + x + 1. A secret of 2L bytes is L
 * little-endian 16-bit words; each word gets its own random polynomial of degree t − 1 whose
 * constant term is the word, and share number j (x = j, 1 ≤ j ≤ 65535) is the L evaluations at x.
 *
 * Why GF(2^16) and not bytes: a client shares with every neighbour of the holder graph, which is
 * n − 1 parties when `shards` is 0 (up to 9,999), more than GF(2^8)'s 255 x-coordinates. Why not a
 * prime field with BigInt: the field multiply below is branch-free and table-free (no
 * secret-dependent memory access), and a 32-byte secret to 4 holders at t = 3 costs microseconds.
 *
 * Any t shares reconstruct (Lagrange interpolation at 0); any t − 1 shares are uniformly
 * distributed whatever the secret (every word's t − 1 evaluations of a polynomial with uniform
 * non-constant coefficients are uniform). Shares are not self-authenticating: callers commit to
 * them (secagg/sharing.ts) and verify the reconstructed secret.
 */
import { ShardwireError } from '../errors.ts';
import { abytes, aint } from '../guards.ts';

/** Most shares one secret can have: the non-zero elements of GF(2^16). */
export const SHAMIR_MAX_SHARES = 65535;

/** The low 16 bits of the reduction polynomial x^16 + x^12 + x^3 + x + 1. */
const POLY_LOW = 0x100b;

/** a·b in GF(2^16): shift-and-add with masks, no branches or tables on the operands. */
export function gfMul(a: number, b: number): number {
  let r = 0;
  for (let i = 0; i < 16; i++) {
    r ^= a & -(b & 1);
    b >>>= 1;
    a = ((a << 1) & 0xffff) ^ (POLY_LOW & -((a >>> 15) & 1));
  }
  return r;
}

/** a^-1 in GF(2^16) as a^(2^16 − 2) (a fixed exponent: the same operations for every a ≠ 0). */
export function gfInv(a: number): number {
  let result = 1;
  let power = a;
  for (let bit = 1; bit < 16; bit++) {
    power = gfMul(power, power); // a^(2^bit)
    result = gfMul(result, power); // 2^16 − 2 = Σ_{bit=1..15} 2^bit
  }
  return result;
}

function words(secret: Uint8Array, title: string): number {
  abytes(secret, title);
  if (secret.length === 0 || secret.length % 2 !== 0) {
    throw new ShardwireError('E_BAD_ARGUMENT', `"${title}" expected a non-empty even number of bytes (16-bit words), got ${secret.length}`, { field: title });
  }
  return secret.length / 2;
}

/**
 * Splits `secret` into `count` shares, any `threshold` of which reconstruct it. Share i (0-based)
 * is the evaluation at x = i + 1 and has the secret's length. The random coefficients come from
 * the platform CSPRNG and are wiped before returning.
 * @throws {ShardwireError} E_BAD_ARGUMENT for an odd-length or empty secret, or a threshold
 *   outside [1, count] / a count outside [1, 65535].
 * @example const shares = shamirSplit(seed, 3, 4); shamirCombine([{ x: 1, y: shares[0] }, …])
 */
export function shamirSplit(secret: Uint8Array, threshold: number, count: number): Uint8Array[] {
  const L = words(secret, 'secret');
  aint(count, 'count', 1, SHAMIR_MAX_SHARES);
  aint(threshold, 'threshold', 1, count);
  const s = new DataView(secret.buffer, secret.byteOffset, secret.byteLength);
  const coefficients = new Uint16Array(L * (threshold - 1));
  globalThis.crypto.getRandomValues(coefficients);
  const shares = Array.from({ length: count }, () => new Uint8Array(secret.length));
  try {
    for (let i = 0; i < count; i++) {
      const x = i + 1;
      const out = new DataView(shares[i].buffer);
      for (let w = 0; w < L; w++) {
        // Horner: c_{t−1}·x^{t−1} + … + c_1·x + secret
        let y = 0;
        for (let c = threshold - 2; c >= 0; c--) y = gfMul(y ^ coefficients[w * (threshold - 1) + c], x);
        out.setUint16(2 * w, y ^ s.getUint16(2 * w, true), true);
      }
    }
  } finally {
    coefficients.fill(0);
  }
  return shares;
}

/** One share: its x-coordinate and value. */
export interface Share {
  readonly x: number;
  readonly y: Uint8Array;
}

/**
 * The secret whose polynomial passes through every given share (Lagrange interpolation at 0).
 * Pass exactly `threshold` shares: with fewer the result is unrelated to the secret, with more
 * it is correct only if every share lies on one polynomial of degree < threshold — callers that
 * hold extra shares verify the result and try another subset.
 * @throws {ShardwireError} E_BAD_ARGUMENT for no shares, x outside [1, 65535], repeated x or
 *   shares of different lengths.
 */
export function shamirCombine(shares: readonly Share[]): Uint8Array {
  if (!Array.isArray(shares) || shares.length === 0) throw new ShardwireError('E_BAD_ARGUMENT', '"shares" expected at least one share');
  const L = words(shares[0].y, 'shares[0].y');
  const xs = shares.map((s, i) => aint(s.x, `shares[${i}].x`, 1, SHAMIR_MAX_SHARES));
  if (new Set(xs).size !== xs.length) throw new ShardwireError('E_BAD_ARGUMENT', '"shares" repeat an x-coordinate');
  for (const [i, s] of shares.entries()) if (words(s.y, `shares[${i}].y`) !== L) throw new ShardwireError('E_BAD_ARGUMENT', `"shares[${i}].y" has another length than shares[0]`);
  // λ_j = Π_{m≠j} x_m / (x_m − x_j); subtraction is XOR in characteristic 2
  const lambdas = xs.map((xj, j) => {
    let num = 1, den = 1;
    for (let m = 0; m < xs.length; m++) {
      if (m === j) continue;
      num = gfMul(num, xs[m]);
      den = gfMul(den, xs[m] ^ xj);
    }
    return gfMul(num, gfInv(den));
  });
  const secret = new Uint8Array(2 * L);
  const out = new DataView(secret.buffer);
  for (let w = 0; w < L; w++) {
    let acc = 0;
    for (let j = 0; j < shares.length; j++) {
      const y = shares[j].y;
      acc ^= gfMul(lambdas[j], y[2 * w] | (y[2 * w + 1] << 8));
    }
    out.setUint16(2 * w, acc, true);
  }
  return secret;
}
