/**
 * Exact uniform and Bernoulli draws on integers, the building blocks of the samplers of
 * Canonne, Kamath & Steinke, "The Discrete Gaussian for Differential Privacy" (NeurIPS 2020,
 * arXiv:2004.00010), §5 "Sampling". Every probability is a ratio of integers; no f32/f64
 * instruction appears here (a test scans the compiled text for them).
 */
import { next32, next64 } from './noise-stream';

const TWO_32: u64 = 0x1_0000_0000;

/**
 * Uniform integer in [0, n), n ≥ 1, with no modulo bias. n ≤ 2^32: Lemire's multiply-and-reject
 * on one u32 word ("Fast random integer generation in an interval", 2019, Algorithm 5); larger
 * n: a masked 64-bit draw, rejected until below n (expected < 2 draws).
 */
export function uniformBelow(n: u64): u64 {
  if (n <= TWO_32) {
    let m = <u64>next32() * n;
    let l = m & 0xffffffff;
    if (l < n) {
      const threshold = (TWO_32 - n) % n; // 2^32 mod n: the biased low products
      while (l < threshold) {
        m = <u64>next32() * n;
        l = m & 0xffffffff;
      }
    }
    return m >> 32;
  }
  const mask = (~(<u64>0)) >> clz(n - 1);
  let x: u64;
  do {
    x = next64() & mask;
  } while (x >= n);
  return x;
}

/** Bernoulli(num/den) for 0 ≤ num ≤ den, den ≥ 1. */
@inline export function bernoulli(num: u64, den: u64): bool {
  return uniformBelow(den) < num;
}

/**
 * Bernoulli(exp(−num/den)) for 0 ≤ num ≤ den: CKS20 Algorithm 1 (γ = num/den ∈ [0, 1]). Draws
 * A_k ~ Bernoulli(γ/k) for k = 1, 2, … until one is 0 and returns whether that k is odd.
 * Bernoulli(γ/k) = Bernoulli(γ) ∧ Bernoulli(1/k) (issue 3), so den·k never has to fit in u64.
 */
export function bernExpFrac(num: u64, den: u64): bool {
  if (num == 0) return true;
  let k: u64 = 1;
  while (true) {
    if (num < den && uniformBelow(den) >= num) break; // Bernoulli(γ); always 1 when γ = 1
    if (k > 1 && uniformBelow(k) != 0) break; // Bernoulli(1/k)
    k++;
  }
  return (k & 1) == 1;
}

/** Bernoulli(exp(−1)). */
@inline export function bernExpMinusOne(): bool {
  return bernExpFrac(1, 1);
}

/**
 * Bernoulli(exp(−num/den)) for any num ≥ 0, den ≥ 1: CKS20 Algorithm 1 for γ > 1, i.e.
 * exp(−γ) = exp(−1)^⌊γ⌋ · exp(−(γ − ⌊γ⌋)), stopping at the first failing factor.
 */
export function bernExp(num: u64, den: u64): bool {
  const whole = num / den;
  for (let i: u64 = 0; i < whole; i++) {
    if (!bernExpMinusOne()) return false;
  }
  return bernExpFrac(num % den, den);
}

/** Bernoulli(N/D) for 128-bit N < D (hi, lo halves): a uniform draw in [0, D) compared with N. */
function bernoulli128(nHi: u64, nLo: u64, dHi: u64, dLo: u64): bool {
  // e = D − 1, the largest value the uniform draw may take
  const eLo = dLo - 1;
  const eHi = dHi - (dLo == 0 ? 1 : 0);
  if (eHi == 0) {
    const x = eLo == u64.MAX_VALUE ? next64() : uniformBelow(eLo + 1);
    return x < nLo; // N < D ≤ 2^64, so nHi = 0
  }
  const maskHi = (~(<u64>0)) >> clz(eHi);
  let h: u64, l: u64;
  while (true) {
    h = next64() & maskHi;
    l = next64();
    if (h < eHi || (h == eHi && l <= eLo)) break;
  }
  return h < nHi || (h == nHi && l < nLo);
}

/**
 * Bernoulli(exp(−N/D)) for 128-bit N ≥ 0 and D ≥ 1 (hi, lo halves), as {@link bernExp}: the
 * whole part by repeated subtraction (each step one Bernoulli(exp(−1)), stopping at the first
 * failure, so a huge N/D costs ~1.6 steps on average), the fraction by CKS20 Algorithm 1.
 */
export function bernExp128(nHi: u64, nLo: u64, dHi: u64, dLo: u64): bool {
  while (nHi > dHi || (nHi == dHi && nLo >= dLo)) {
    const borrow: u64 = nLo < dLo ? 1 : 0;
    nLo -= dLo;
    nHi = nHi - dHi - borrow;
    if (!bernExpMinusOne()) return false;
  }
  if (nHi == 0 && nLo == 0) return true;
  let k: u64 = 1;
  while (true) {
    if (!bernoulli128(nHi, nLo, dHi, dLo)) break;
    if (k > 1 && uniformBelow(k) != 0) break;
    k++;
  }
  return (k & 1) == 1;
}

