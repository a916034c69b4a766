/** One numeric rating (a score on a Likert or continuous scale). */
export interface RatingAnswer {
  worker: string;
  item: string;
  value: number;
}

/** Per-item summary: centre (median and mean) and spread. */
export interface RatingSummary {
  n: number;
  median: number;
  mean: number;
  /** Sample standard deviation (n - 1 denominator); 0 for a single rating. */
  std: number;
  /** Median absolute deviation from the median (unscaled), a spread that one outlier cannot inflate. */
  mad: number;
  min: number;
  max: number;
}

/** Median of a list sorted ascending; the mean of the two middle values for an even count. */
function sortedMedian(sorted: readonly number[]): number {
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/**
 * Summarises numeric ratings per item. The median is the robust consensus (one careless rater moves
 * it at most one rank); the mean and standard deviation are reported beside it for averaging across
 * items. Non-finite values (NaN, Infinity) are skipped; an item with none left is omitted.
 */
export function aggregateRatings(answers: readonly RatingAnswer[]): Map<string, RatingSummary> {
  const byItem = new Map<string, number[]>();
  for (const { item, value } of answers) {
    if (!Number.isFinite(value)) continue;
    let values = byItem.get(item);
    if (!values) byItem.set(item, (values = []));
    values.push(value);
  }
  const result = new Map<string, RatingSummary>();
  for (const [item, values] of byItem) {
    const sorted = [...values].sort((a, b) => a - b);
    const n = sorted.length;
    const mean = sorted.reduce((s, v) => s + v, 0) / n;
    const variance = n > 1 ? sorted.reduce((s, v) => s + (v - mean) ** 2, 0) / (n - 1) : 0;
    const median = sortedMedian(sorted);
    const deviations = sorted.map((v) => Math.abs(v - median)).sort((a, b) => a - b);
    result.set(item, { n, median, mean, std: Math.sqrt(variance), mad: sortedMedian(deviations), min: sorted[0], max: sorted[n - 1] });
  }
  return result;
}
