import type { Coded } from './reliability-data.ts';

/**
 * Cohen's kappa from a square contingency table: `table[i][j]` = units coder A put in category i and
 * coder B in category j (Cohen 1960): kappa = (p_o - p_e) / (1 - p_e). Returns NaN for an empty
 * table and 1 when both coders used one and the same category throughout (p_e = 1, perfect agreement).
 * Throws RangeError when the table is not square.
 */
export function cohenKappaFromTable(table: readonly (readonly number[])[]): number {
  const k = table.length;
  if (table.some((row) => row.length !== k)) throw new RangeError('Cohen kappa needs a square contingency table');
  let total = 0;
  let diagonal = 0;
  const rowSums = new Array<number>(k).fill(0);
  const colSums = new Array<number>(k).fill(0);
  for (let i = 0; i < k; i++) {
    for (let j = 0; j < k; j++) {
      total += table[i][j];
      rowSums[i] += table[i][j];
      colSums[j] += table[i][j];
    }
    diagonal += table[i][i];
  }
  if (total === 0) return NaN;
  const observed = diagonal / total;
  let expected = 0;
  for (let i = 0; i < k; i++) expected += (rowSums[i] / total) * (colSums[i] / total);
  // p_e = 1 means both coders used a single shared category: they agree on everything, by any reading.
  if (expected === 1) return 1;
  return (observed - expected) / (1 - expected);
}

/**
 * Cohen's kappa for two coders' paired codes: `a[u]` and `b[u]` are their values for unit u. Units
 * either coder left missing (null/undefined) are dropped. Values are compared with ===. NaN when no
 * unit is coded by both. Throws RangeError when the arrays differ in length.
 */
export function cohenKappa<V>(a: ReadonlyArray<Coded<V>>, b: ReadonlyArray<Coded<V>>): number {
  if (a.length !== b.length) throw new RangeError('Cohen kappa needs two equally long code lists');
  const index = new Map<V, number>();
  const pairs: Array<[number, number]> = [];
  const idOf = (v: V): number => {
    let id = index.get(v);
    if (id === undefined) index.set(v, (id = index.size));
    return id;
  };
  for (let u = 0; u < a.length; u++) {
    const x = a[u];
    const y = b[u];
    if (x === null || x === undefined || y === null || y === undefined) continue;
    pairs.push([idOf(x), idOf(y)]);
  }
  const k = index.size;
  const table = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  for (const [i, j] of pairs) table[i][j]++;
  return cohenKappaFromTable(table);
}
