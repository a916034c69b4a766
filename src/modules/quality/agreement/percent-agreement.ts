import { presentValues, type ReliabilityData } from './reliability-data.ts';

/**
 * Observed agreement: for each unit with at least two values, the share of pairs of its values that
 * are equal (Fleiss 1971's P_i), averaged over those units (Fleiss' P-bar). With two coders it is the
 * plain proportion of units they agree on. Values are compared with ===. NaN when no unit has two
 * values. No chance correction: see Cohen's or Fleiss' kappa, or Krippendorff's alpha, for that.
 */
export function percentAgreement<V>(data: ReliabilityData<V>): number {
  let sum = 0;
  let units = 0;
  for (const row of data) {
    const values = presentValues(row);
    const m = values.length;
    if (m < 2) continue;
    const counts = new Map<V, number>();
    for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
    let agreeing = 0;
    for (const n of counts.values()) agreeing += n * (n - 1);
    sum += agreeing / (m * (m - 1));
    units++;
  }
  return units === 0 ? NaN : sum / units;
}
