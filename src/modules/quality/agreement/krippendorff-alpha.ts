import { presentValues, type ReliabilityData } from './reliability-data.ts';

/** The level of measurement, which fixes the difference function delta^2 (Krippendorff 2011). */
export type AlphaLevel = 'nominal' | 'ordinal' | 'interval' | 'ratio';

export interface AlphaOptions<V> {
  /**
   * For 'ordinal' with non-numeric values: the categories from lowest to highest. Numeric values are
   * ordered by value when omitted; a value missing from a given order makes the call throw.
   */
  order?: readonly V[];
}

/**
 * Krippendorff's alpha for any number of coders, missing data and four levels of measurement,
 * computed from the coincidence matrix as in Krippendorff, "Computing Krippendorff's Alpha-
 * Reliability" (2011): alpha = 1 - (n - 1) * sum o_ck d2_ck / sum n_c n_k d2_ck, where o_ck counts
 * c-k pairs within each unit weighted 1/(m_u - 1) and n is the number of pairable values. Units with
 * fewer than two values are not pairable and are dropped. Interval and ratio need numbers.
 * Returns NaN when fewer than two pairable values remain, and 1 when all values are the same (no
 * variation to disagree about; Krippendorff leaves this undefined, 1 is the common convention).
 * Throws TypeError when an interval/ratio value is not a finite number.
 */
export function krippendorffAlpha<V>(data: ReliabilityData<V>, level: AlphaLevel = 'nominal', opts: AlphaOptions<V> = {}): number {
  const units = data.map((row) => presentValues(row)).filter((values) => values.length >= 2);
  const distinct = opts.order ? [...opts.order] : [...new Set(units.flat())];
  if (!opts.order && level !== 'nominal') {
    for (const v of distinct) if (typeof v !== 'number' || !Number.isFinite(v)) throw new TypeError(`${level} alpha needs numbers, got ${String(v)}`);
    (distinct as unknown as number[]).sort((a, b) => a - b);
  }
  if ((level === 'interval' || level === 'ratio') && opts.order) {
    for (const v of distinct) if (typeof v !== 'number' || !Number.isFinite(v)) throw new TypeError(`${level} alpha needs numbers, got ${String(v)}`);
  }
  const index = new Map(distinct.map((v, i) => [v, i]));
  const k = distinct.length;

  // Coincidence matrix (Krippendorff 2011, section C): each ordered pair of values from different
  // coders of one unit adds 1/(m_u - 1).
  const coincidences = new Float64Array(k * k);
  for (const values of units) {
    const ids = values.map((v) => {
      const id = index.get(v);
      if (id === undefined) throw new TypeError(`value ${String(v)} is not in the given order`);
      return id;
    });
    const weight = 1 / (ids.length - 1);
    for (let i = 0; i < ids.length; i++) for (let j = 0; j < ids.length; j++) if (i !== j) coincidences[ids[i] * k + ids[j]] += weight;
  }
  const marginals = new Float64Array(k);
  for (let c = 0; c < k; c++) for (let d = 0; d < k; d++) marginals[c] += coincidences[c * k + d];
  let n = 0;
  for (let c = 0; c < k; c++) n += marginals[c];
  if (n < 2) return NaN;

  const delta2 = differenceFunction(level, distinct as unknown[], marginals);
  let observed = 0;
  let expected = 0;
  for (let c = 0; c < k; c++) {
    for (let d = 0; d < k; d++) {
      const d2 = delta2(c, d);
      observed += coincidences[c * k + d] * d2;
      expected += marginals[c] * marginals[d] * d2;
    }
  }
  if (expected === 0) return 1;
  return 1 - ((n - 1) * observed) / expected;
}

/** delta^2 between value ids c and d for each level (Krippendorff 2011, section E). */
function differenceFunction(level: AlphaLevel, values: unknown[], marginals: Float64Array): (c: number, d: number) => number {
  switch (level) {
    case 'nominal':
      return (c, d) => (c === d ? 0 : 1);
    case 'ordinal': {
      // delta^2 = (sum of n_g for g from c to d, minus (n_c + n_d) / 2)^2, over the ranked values.
      const cumulative = new Float64Array(marginals.length + 1);
      for (let g = 0; g < marginals.length; g++) cumulative[g + 1] = cumulative[g] + marginals[g];
      return (c, d) => {
        const lo = Math.min(c, d);
        const hi = Math.max(c, d);
        const between = cumulative[hi + 1] - cumulative[lo] - (marginals[c] + marginals[d]) / 2;
        return between * between;
      };
    }
    case 'interval':
      return (c, d) => ((values[c] as number) - (values[d] as number)) ** 2;
    case 'ratio':
      return (c, d) => {
        const a = values[c] as number;
        const b = values[d] as number;
        return a + b === 0 ? 0 : ((a - b) / (a + b)) ** 2;
      };
  }
}
