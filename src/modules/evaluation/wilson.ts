/** z for a two-sided 95% interval: the 97.5th percentile of the standard normal. */
export const Z_95 = 1.959963984540054;

export interface Proportion {
  /** successes / n, or 0 when n is 0. */
  rate: number;
  low: number;
  high: number;
}

/**
 * The Wilson score interval for a binomial proportion (Wilson 1927; method 3 in Newcombe 1998),
 * without continuity correction: the set of p a score test at level z does not reject. Unlike the
 * Wald interval it stays inside [0, 1] and behaves at 0 and n successes. n = 0 gives [0, 1].
 */
export function wilsonInterval(successes: number, n: number, z: number = Z_95): Proportion {
  if (n <= 0) return { rate: 0, low: 0, high: 1 };
  const p = successes / n;
  const z2 = z * z;
  const denominator = 1 + z2 / n;
  const centre = (p + z2 / (2 * n)) / denominator;
  const half = (z / denominator) * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  // At 0 or n successes one bound is exactly 0 or 1; clamp away rounding dust.
  return { rate: p, low: successes === 0 ? 0 : Math.max(0, centre - half), high: successes === n ? 1 : Math.min(1, centre + half) };
}
