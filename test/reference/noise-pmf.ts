/**
 * Reference distributions for the noise tests, computed independently of the kernel: closed
 * forms in floating point (log-space where it matters) for the discrete Laplace and geometric
 * laws, direct summation (Jacobi-theta normaliser for large σ) for the discrete Gaussian, and
 * χ² goodness of fit over bins of pooled probability mass. Plain readable code, no sampler logic.
 */

/** One bin: integers lo..hi (inclusive; ±Infinity for pooled tails) and its probability. */
export interface Bin {
  readonly lo: number;
  readonly hi: number;
  readonly p: number;
}

/** A distribution on ℤ described by its CDF F(z) = P(Z ≤ z) at integers. */
export interface Reference {
  readonly cdf: (z: number) => number;
  readonly variance: number;
  /** E[(Z − μ)^4], for the variance tolerance. */
  readonly fourthMoment: number;
  /** Typical spread, to size bins. */
  readonly spread: number;
  readonly mean: number;
}

/** Discrete Laplace with scale b: P(z) = (1−q)/(1+q)·q^|z|, q = e^(−1/b). */
export function discreteLaplace(b: number): Reference {
  const lq = -1 / b; // log q
  const q = Math.exp(lq);
  const omq = -Math.expm1(lq); // 1 − q, accurate for large b
  // P(Z ≤ z) = q^|z|/(1+q) for z < 0, 1 − q^(z+1)/(1+q) for z ≥ 0
  const cdf = (z: number): number => (z < 0 ? Math.exp(-z * lq) / (1 + q) : 1 - Math.exp((z + 1) * lq) / (1 + q));
  // E[Z²] = 2q/(1−q)²; E[Z⁴] = 2q(1+11q+11q²+q³)/((1+q)(1−q)⁴)
  const variance = (2 * q) / (omq * omq);
  const fourthMoment = (2 * q * (1 + 11 * q + 11 * q * q + q * q * q)) / ((1 + q) * omq ** 4);
  return { cdf, variance, fourthMoment, spread: Math.sqrt(variance), mean: 0 };
}

/** Geometric on {0, 1, …} with P(g) ∝ e^(−g·s/t). */
export function geometric(t: number, s: number): Reference {
  const lq = -s / t;
  const q = Math.exp(lq);
  const omq = -Math.expm1(lq);
  const mean = q / omq;
  const variance = q / (omq * omq);
  // 4th central moment of a geometric law: (1−q)… use the standard formula in terms of p = 1 − q
  const p = omq;
  const fourthMoment = (q * (p * p + 9 * q)) / p ** 4;
  return { cdf: (z) => (z < 0 ? 0 : 1 - Math.exp((z + 1) * lq)), variance, fourthMoment, spread: Math.sqrt(variance) + 1, mean };
}

/** Discrete Gaussian N_Z(0, σ²): P(z) ∝ e^(−z²/(2σ²)). */
export function discreteGaussian(sigma: number): Reference {
  const w = (z: number): number => Math.exp(-(z * z) / (2 * sigma * sigma));
  const reach = Math.ceil(40 * sigma) + 2; // normaliser and moments by direct sum (σ ≤ 2000)
  let norm: number;
  let m2 = 0, m4 = 0;
  if (sigma <= 2000) {
    norm = 0;
    for (let z = -reach; z <= reach; z++) {
      const x = w(z);
      norm += x;
      m2 += x * z * z;
      m4 += x * z ** 4;
    }
    m2 /= norm;
    m4 /= norm;
  } else {
    // Poisson summation: Σ_z e^(−z²/2σ²) = σ√(2π)·Σ_k e^(−2π²σ²k²); the k ≠ 0 terms underflow.
    norm = sigma * Math.sqrt(2 * Math.PI);
    m2 = sigma * sigma;
    m4 = 3 * sigma ** 4;
  }
  // CDF by one left-to-right walk over the integers (queries come in ascending order from
  // makeBins; a smaller query restarts the walk). Beyond 13σ the mass is below e^(−84).
  const start = -Math.ceil(13 * sigma) - 1;
  let at = start - 1; // F(at) = acc/norm
  let acc = 0;
  const cdf = (z: number): number => {
    if (z < start) return 0;
    if (z >= -start) return 1;
    if (z < at) {
      at = start - 1;
      acc = 0;
    }
    while (at < z) {
      at++;
      acc += w(at);
    }
    return acc / norm;
  };
  return { cdf, variance: m2, fourthMoment: m4, spread: sigma, mean: 0 };
}

/**
 * Bins of at least `minP` probability each, from the distribution's CDF: edges every `step`
 * integers from the centre outward, merged until each bin holds minP; tails pooled.
 */
export function makeBins(ref: Reference, minP: number, maxBins = 60): Bin[] {
  const lo0 = Math.floor(ref.mean - 12 * ref.spread) - 1;
  const hi0 = Math.ceil(ref.mean + 12 * ref.spread) + 1;
  const span = hi0 - lo0;
  const step = Math.max(1, Math.floor(span / (maxBins * 8)));
  const bins: Bin[] = [];
  let start = -Infinity;
  let prev = 0; // F(start − 1)
  for (let edge = lo0; edge <= hi0; edge += step) {
    const f = ref.cdf(edge);
    if (f - prev >= minP && 1 - f >= minP) {
      bins.push({ lo: start, hi: edge, p: f - prev });
      start = edge + 1;
      prev = f;
    }
  }
  bins.push({ lo: start, hi: Infinity, p: 1 - prev });
  return bins;
}

/** Pearson χ² of samples against bins; returns the statistic and degrees of freedom. */
export function chiSquare(samples: ArrayLike<bigint | number>, bins: readonly Bin[]): { stat: number; df: number } {
  const counts = new Float64Array(bins.length);
  const his = bins.map((b) => b.hi);
  for (let i = 0; i < samples.length; i++) {
    const x = Number(samples[i]);
    let l = 0, h = his.length - 1;
    while (l < h) {
      const m = (l + h) >> 1;
      if (x <= his[m]) h = m;
      else l = m + 1;
    }
    counts[l]++;
  }
  let stat = 0;
  for (let i = 0; i < bins.length; i++) {
    const e = bins[i].p * samples.length;
    stat += (counts[i] - e) ** 2 / e;
  }
  return { stat, df: bins.length - 1 };
}

/** Upper χ² critical value for significance α (Wilson–Hilferty; z for α = 1e-6). */
export function chiSquareCritical(df: number, z = 4.753): number {
  const a = 2 / (9 * df);
  return df * (1 - a + z * Math.sqrt(a)) ** 3;
}

/** Sample variance around a known mean. */
export function sampleVariance(samples: ArrayLike<bigint | number>, mean: number): number {
  let s = 0;
  for (let i = 0; i < samples.length; i++) s += (Number(samples[i]) - mean) ** 2;
  return s / samples.length;
}
