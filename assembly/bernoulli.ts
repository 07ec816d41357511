/**
 * Exact uniform and Bernoulli draws on integers, the building blocks of the samplers of
 * Canonne, Kamath & Steinke, "The Discrete Gaussian for Differential Privacy" (NeurIPS 2020,
 * arXiv:2004.00010), §5 "Sampling". Every probability is a ratio of integers; no f32/f64
 * instruction appears here (a test scans the compiled text for them).
 *
 * Bits, not words (noise-stream.ts): a Bernoulli(p) trial reads stream bits as the binary digits
 * of a uniform U ∈ [0, 1) and stops at the first digit where U and p differ (Knuth & Yao 1976),
 * ~2 bits on average whatever p; a uniform integer in [0, n) is a draw of bitlen(n − 1) bits,
 * rejected until below n, or Lemire's method on 32 bits where that would reject often.
 */
import { peek32, skip, takeBits, takeBit } from './noise-stream';

const TWO_24: u64 = <u64>1 << 24;
const TWO_32: u64 = <u64>1 << 32;

/**
 * Uniform integer in [0, n), n ≥ 1, with no modulo bias; n = 1 reads nothing. With b =
 * bitlen(n − 1): if n ≤ 2, n ≥ 3·2^(b−2) (a masked draw rejects at most 1/4) or n > 2^24, b stream bits
 * read as an integer, rejected until below n. Otherwise (2 ≤ n ≤ 2^24, e.g. the Gaussian's
 * t = σ + 1 = 2^k + 1, where a masked draw rejects up to half the time) Lemire's
 * multiply-and-reject on 32 stream bits ("Fast random integer generation in an interval", 2019,
 * Algorithm 5), rejecting with probability < 2^-8. The split measured: σ = 2^20 +17%, others
 * unchanged; Lemire for every n ≤ 2^24 was 25% slower for n = 1001.
 */
export function uniformBelow(n: u64): u64 {
  if (n == 1) return 0;
  const b = <u32>(64 - clz(n - 1));
  if (n <= TWO_24 && b >= 2 && n < (<u64>3 << (b - 2))) {
    let m = <u64>takeBits(32) * n;
    let l = m & 0xffffffff;
    if (l < n) {
      const threshold = (TWO_32 - n) % n; // 2^32 mod n: the biased low products
      while (l < threshold) {
        m = <u64>takeBits(32) * n;
        l = m & 0xffffffff;
      }
    }
    return m >> 32;
  }
  if (b <= 32) {
    const sh = 32 - b;
    while (true) {
      const x = peek32() >> sh;
      skip(b);
      if (<u64>x < n) return <u64>x;
    }
  }
  while (true) {
    const hi = <u64>takeBits(b - 32);
    const x = (hi << 32) | <u64>takeBits(32);
    if (x < n) return x;
  }
  return 0; // unreachable
}

/**
 * Bernoulli(num/den) for 0 ≤ num ≤ den, den ≥ 1: compares stream bits with the binary expansion
 * of num/den, most significant first, and stops at the first difference (U < p iff there U has
 * a 0 and p a 1). p = 0 and p = 1 read nothing. The remainder r < den is doubled without
 * overflow as r − (den − r).
 */
export function bernoulli(num: u64, den: u64): bool {
  if (num == 0) return false;
  if (num >= den) return true;
  // Fast path, same bits: the next k = min(32, clz(num)) digits of num/den at once (one division;
  // num·2^k < 2^64 and num < den make the quotient exactly those k digits), compared with the
  // next k stream bits; the first differing bit decides and the bits up to it are consumed.
  const k = <u32>min<u64>(clz(num), 32); // ≥ 1: num < den < 2^64
  const x = peek32() >> (32 - k);
  const wide = num << <u64>k;
  const q = <u32>(wide / den);
  const diff = x ^ q;
  if (diff != 0) {
    skip(clz(diff) - (32 - k) + 1);
    return x < q;
  }
  skip(k);
  return bernoulliDigits(wide - <u64>q * den, den);
}

/** The digit loop of {@link bernoulli} from remainder r < den: one stream bit per digit of r/den. */
function bernoulliDigits(r: u64, den: u64): bool {
  while (true) {
    const d = den - r;
    const p: u32 = r >= d ? 1 : 0; // next digit: 2r ≥ den
    r = p ? r - d : r + r;
    if (takeBit() != p) return p == 1;
  }
  return false; // unreachable
}

/** k! for k = 0..12 (12! < 2^32). */
const FACT: usize = memory.data<u32>([1, 1, 2, 6, 24, 120, 720, 5040, 40320, 362880, 3628800, 39916800, 479001600]);
/** ⌊2^32/k!⌋ for k = 0..12: the first 32 binary digits of 1/k! (k ≥ 2). */
const FACT_DIGITS: usize = memory.data<u32>([0, 0, 2147483648, 715827882, 178956970, 35791394, 5965232, 852176, 106522, 11835, 1183, 107, 8]);

/**
 * The run K of CKS20 Algorithm 1's Bernoulli(1/k) factors: the first k ≥ 2 whose Bernoulli(1/k)
 * trial fails (P(K > k) = 1/k!). For k ≤ 12 the trials share one uniform U read from the stream:
 * trials 2..k all succeed iff U < 1/k!, so K = min{k : U ≥ 1/k!}; each comparison of U with 1/k!
 * reads U's digits up to the first difference (as {@link bernoulli}), and the bits consumed are
 * the most any comparison needed. Given U < 1/(k−1)!, U < 1/k! has probability 1/k, so this is
 * the law of independent trials. Past 12 (probability 1/12!), independent Bernoulli(1/k) trials
 * on fresh bits. One 32-bit peek and branch-free compares replace ~1.7 trials with a
 * mispredicted branch each: Bernoulli(exp(−1)) ~1.6× faster (measured).
 */
function factorialRun(): u64 {
  const x = peek32();
  // thresholds ⌊2^32/k!⌋ decrease in k, so the compares are a count
  const c = <u32>(x < 2147483648) + <u32>(x < 715827882) + <u32>(x < 178956970) + <u32>(x < 35791394)
    + <u32>(x < 5965232) + <u32>(x < 852176) + <u32>(x < 106522) + <u32>(x < 11835)
    + <u32>(x < 1183) + <u32>(x < 107) + <u32>(x < 8);
  let k: u32 = 2 + c; // U ≥ 1/k! is certain or tied; U < 1/j! for 2 ≤ j < k
  if (k > 12) {
    skip(clz(x ^ 8) + 1); // x < ⌊2^32/12!⌋: U < 1/12!
    return runFrom13();
  }
  const q = load<u32>(FACT_DIGITS + (<usize>k << 2));
  if (x != q) {
    // the comparison with 1/(k−1)! shares the longest prefix among 2..k−1 (thresholds above x)
    const prev = k > 2 ? clz(x ^ load<u32>(FACT_DIGITS + (<usize>(k - 1) << 2))) : 0;
    const here = clz(x ^ q);
    skip((prev > here ? prev : here) + 1);
    return <u64>k;
  }
  // tie on 32 digits (probability < 2^-28): U against the rest of 1/k!, i.e. (2^32 mod k!)/k!
  skip(32);
  const f = <u64>load<u32>(FACT + (<usize>k << 2));
  if (bernoulliDigits((<u64>1 << 32) % f, f)) {
    // U < 1/k!; U ≥ 1/(k+1)! is then already decided by the 32 digits, unless k was 12
    if (k == 12) return runFrom13();
    k++;
  }
  return <u64>k;
}

/** The run past 12: independent Bernoulli(1/k) trials for k = 13, 14, … (probability 1/12!). */
function runFrom13(): u64 {
  let k: u64 = 13;
  while (bernoulli(1, k)) k++;
  return k;
}

/** Bernoulli(exp(−1)): CKS20 Algorithm 1 with γ = 1 (every Bernoulli(γ) factor is 1). */
export function bernExpMinusOne(): bool {
  return (factorialRun() & 1) == 1;
}

/**
 * Bernoulli(exp(−num/den)) for 0 ≤ num ≤ den: CKS20 Algorithm 1 (γ = num/den ∈ [0, 1]). Draws
 * A_k ~ Bernoulli(γ/k) for k = 1, 2, … until one is 0 and returns whether that k is odd, with
 * Bernoulli(γ/k) = Bernoulli(γ) ∧ Bernoulli(1/k), so den·k never has to fit in u64.
 * The 1/k factors are independent of the γ factors, so their run K1 ({@link factorialRun}) is
 * drawn once, after the first γ trial: the result is the first k < K1 whose γ trial fails, else
 * K1. Order of draws: Bernoulli(γ) for k = 1, then K1, then Bernoulli(γ) for k = 2, …, K1 − 1.
 * Half the trials of alternating γ and 1/k draws: ~1.3× faster geometric (measured).
 */
export function bernExpFrac(num: u64, den: u64): bool {
  if (num == 0) return true;
  if (num >= den) return bernExpMinusOne();
  if (!bernoulli(num, den)) return true; // k = 1
  const run = factorialRun();
  for (let k: u64 = 2; k < run; k++) {
    if (!bernoulli(num, den)) return (k & 1) == 1;
  }
  return (run & 1) == 1;
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
