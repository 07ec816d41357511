/**
 * @module dp/normal
 * The scaled complementary error function erfcx(x) = e^(x²)·erfc(x) for x ≥ 0, within 1e-14
 * relative of a 400-bit reference (test/unit/dp/normal.test.ts), for the analytic Gaussian mechanism
 * (Balle & Wang 2018, Theorem 8), whose δ(σ) is a difference of two Gaussian tails that must not
 * underflow or cancel. Below 0.5 the series e^(x²) − (2/√π)·Σ… (the two terms differ by at most
 * a factor 2 there, so the subtraction loses at most a bit); above, Lentz's continued fraction
 * (728 steps at 0.5, 33 at 3). The split used to be at 3, where the subtraction cancels
 * e^9 ≈ 8100 against erfcx(3) ≈ 0.18 and lost ≈ 2e-11 relative. Host-side float math, used to
 * search; the analytic Gaussian σ is then certified with exact bounds (dp/normal-bounds.ts).
 */

const TWO_OVER_SQRT_PI = 2 / Math.sqrt(Math.PI);

/**
 * erfcx(x) = e^(x²)·erfc(x) for x ≥ 0.
 * @example erfcx(0) // 1
 */
export function erfcx(x: number): number {
  if (x < 0.5) {
    // e^(x²)·erf(x) = (2/√π)·Σ 2^n x^(2n+1) / (1·3·…·(2n+1))   (positive terms, no cancellation)
    let term = x, sum = x;
    for (let n = 1; n < 500; n++) {
      term *= (2 * x * x) / (2 * n + 1);
      sum += term;
      if (term < sum * 1e-17) break;
    }
    return Math.exp(x * x) - TWO_OVER_SQRT_PI * sum;
  }
  // erfc(x)·e^(x²)·√π = 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + 2/(x + …)))))   (modified Lentz)
  const tiny = 1e-300;
  let f = x, c = x, d = 0;
  for (let n = 1; n < 20000; n++) {
    const a = n / 2;
    d = x + a * d;
    d = Math.abs(d) < tiny ? tiny : d;
    c = x + a / c;
    c = Math.abs(c) < tiny ? tiny : c;
    d = 1 / d;
    const delta = c * d;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  return 1 / (f * Math.sqrt(Math.PI));
}

/**
 * Φ(−x)·e^(x²/2) for x ≥ 0: the upper normal tail without its Gaussian factor.
 * @example scaledUpperTail(0) // 0.5
 */
export function scaledUpperTail(x: number): number {
  return 0.5 * erfcx(x / Math.SQRT2);
}

/**
 * Standard normal CDF Φ(x), accurate in both tails.
 * @example normalCdf(0) // 0.5
 */
export function normalCdf(x: number): number {
  if (x >= 0) return 1 - scaledUpperTail(x) * Math.exp(-(x * x) / 2);
  return scaledUpperTail(-x) * Math.exp(-(x * x) / 2);
}
