import { presentValues, type ReliabilityData } from './reliability-data.ts';

/**
 * Fleiss' kappa from a units x categories count table: `counts[u][j]` = coders who put unit u in
 * category j (Fleiss 1971, eqs. 2-9). Fleiss assumes the same number of coders per unit; when counts
 * differ, each unit's P_i uses its own n_i and the category shares p_j pool all ratings (the usual
 * generalisation; identical to Fleiss when n is constant). Units with fewer than two ratings are
 * skipped. NaN when no unit is left; 1 when every rating falls in one category (P_e = 1).
 */
export function fleissKappaFromCounts(counts: readonly (readonly number[])[]): number {
  let totalRatings = 0;
  let sumP = 0;
  let units = 0;
  const categoryTotals: number[] = [];
  for (const row of counts) {
    let n = 0;
    for (const c of row) n += c;
    if (n < 2) continue;
    let agreeing = 0;
    row.forEach((c, j) => {
      agreeing += c * (c - 1);
      categoryTotals[j] = (categoryTotals[j] ?? 0) + c;
    });
    sumP += agreeing / (n * (n - 1));
    totalRatings += n;
    units++;
  }
  if (units === 0) return NaN;
  const observed = sumP / units;
  let expected = 0;
  for (const total of categoryTotals) if (total) expected += (total / totalRatings) ** 2;
  if (expected === 1) return 1;
  return (observed - expected) / (1 - expected);
}

/**
 * Fleiss' kappa from units x coders reliability data (missing values allowed, see
 * `fleissKappaFromCounts` for how unequal coder counts are handled). Values are compared with ===.
 */
export function fleissKappa<V>(data: ReliabilityData<V>): number {
  const index = new Map<V, number>();
  const counts = data.map((row) => {
    const unit: number[] = [];
    for (const value of presentValues(row)) {
      let j = index.get(value);
      if (j === undefined) index.set(value, (j = index.size));
      unit[j] = (unit[j] ?? 0) + 1;
    }
    return Array.from({ length: index.size }, (_, j) => unit[j] ?? 0);
  });
  return fleissKappaFromCounts(counts);
}
