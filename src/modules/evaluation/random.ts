/*
 * Seeded randomness for the evaluation module: a generator, shuffles, and exact binomial and
 * multinomial draws. Everything here is deterministic for a given seed, so a leaderboard with a
 * `seed` is reproducible to the last digit.
 */

import { createPrng, type Prng, shuffleInPlace } from '../quality/aggregation/index.ts';

/** A seeded generator of floats in [0, 1): the quality module's Mulberry32. */
export type Random = Prng;
export const createRandom = createPrng;
export { shuffleInPlace };

// ln k! for small k from a table; Stirling's series beyond it (Abramowitz & Stegun 6.1.41: with
// terms to k^-5 the error at k >= 256 is below 1e-16 relative), so a draw needs no loop.
const LOG_FACTORIAL_TABLE = (() => {
  const table = new Float64Array(256);
  for (let k = 2; k < 256; k++) table[k] = table[k - 1] + Math.log(k);
  return table;
})();
const HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI);

/** ln k! for an integer k >= 0. */
export function logFactorial(k: number): number {
  if (k < 256) return LOG_FACTORIAL_TABLE[k];
  const inv = 1 / k;
  const inv2 = inv * inv;
  return k * Math.log(k) - k + 0.5 * Math.log(k) + HALF_LOG_2PI + inv * (1 / 12 - inv2 * (1 / 360 - inv2 / 1260));
}

/**
 * An exact Binomial(n, p) draw by inversion. For small means it walks up from 0; otherwise it
 * starts at the mode and walks outwards in both directions, so a draw costs O(sqrt(n p (1 - p)))
 * steps instead of O(n p). Inverting the distribution in any fixed order of outcomes is exact.
 */
export function sampleBinomial(n: number, p: number, random: Random): number {
  if (n <= 0 || p <= 0) return 0;
  if (p >= 1) return n;
  if (p > 0.5) return n - sampleBinomial(n, 1 - p, random);
  const q = 1 - p;
  const ratio = p / q;
  let u = random();
  if (n * p < 30) {
    let pmf = Math.exp(n * Math.log1p(-p));
    for (let k = 0; k <= n; k++) {
      if (u < pmf) return k;
      u -= pmf;
      pmf *= ((n - k) / (k + 1)) * ratio;
    }
    return n; // rounding left a sliver of mass beyond n
  }
  const mode = Math.floor((n + 1) * p);
  const pMode = Math.exp(logFactorial(n) - logFactorial(mode) - logFactorial(n - mode) + mode * Math.log(p) + (n - mode) * Math.log1p(-p));
  if (u < pMode) return mode;
  u -= pMode;
  let hi = mode;
  let lo = mode;
  let pHi = pMode;
  let pLo = pMode;
  while (hi < n || lo > 0) {
    if (hi < n) {
      pHi *= ((n - hi) / (hi + 1)) * ratio;
      hi++;
      if (u < pHi) return hi;
      u -= pHi;
    }
    if (lo > 0) {
      pLo *= (lo / (n - lo + 1)) / ratio;
      lo--;
      if (u < pLo) return lo;
      u -= pLo;
    }
  }
  return mode; // rounding left a sliver of mass unassigned: the mode is the likeliest home for it
}

/**
 * Draws a Multinomial(total, weights / sum(weights)) count vector into `out` by conditional
 * binomials (count_k ~ Binomial(remaining, w_k / remaining weight)). Weights are non-negative.
 */
export function sampleMultinomial(total: number, weights: ArrayLike<number>, out: Float64Array, random: Random): void {
  let remainingWeight = 0;
  let last = -1;
  for (let k = 0; k < weights.length; k++) {
    remainingWeight += weights[k];
    if (weights[k] > 0) last = k;
  }
  let remaining = total;
  for (let k = 0; k < weights.length; k++) {
    const w = weights[k];
    if (remaining === 0 || w <= 0) {
      out[k] = 0;
    } else if (k === last) {
      // The last category with weight takes what is left: exact, and immune to rounding in the sums.
      out[k] = remaining;
      remaining = 0;
    } else {
      const drawn = sampleBinomial(remaining, Math.min(1, w / remainingWeight), random);
      out[k] = drawn;
      remaining -= drawn;
    }
    remainingWeight -= w;
  }
}
