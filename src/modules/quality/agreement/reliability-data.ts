/** A value one coder gave one unit; null or undefined means the coder did not code that unit. */
export type Coded<V> = V | null | undefined;

/**
 * Reliability data as units x coders: `data[u][c]` is coder c's value for unit u (or missing).
 * Rows may have different lengths; a short row is missing the trailing coders.
 */
export type ReliabilityData<V> = ReadonlyArray<ReadonlyArray<Coded<V>>>;

/**
 * Builds units x coders reliability data from (worker, item, label) answers, units and coders in
 * first-seen order. When a worker answered an item more than once, the last answer counts.
 */
export function reliabilityData(answers: readonly { worker: string; item: string; label: string }[]): {
  units: string[];
  coders: string[];
  data: string[][];
} {
  const unitIndex = new Map<string, number>();
  const coderIndex = new Map<string, number>();
  const cells: Array<Map<number, string>> = [];
  for (const { worker, item, label } of answers) {
    let u = unitIndex.get(item);
    if (u === undefined) {
      unitIndex.set(item, (u = unitIndex.size));
      cells.push(new Map());
    }
    let c = coderIndex.get(worker);
    if (c === undefined) coderIndex.set(worker, (c = coderIndex.size));
    cells[u].set(c, label);
  }
  const data = cells.map((row) => {
    const values: string[] = [];
    for (const [c, label] of row) values[c] = label;
    return values;
  });
  return { units: [...unitIndex.keys()], coders: [...coderIndex.keys()], data };
}

/** The present values of one unit. */
export function presentValues<V>(row: ReadonlyArray<Coded<V>>): V[] {
  const values: V[] = [];
  for (const value of row) if (value !== null && value !== undefined) values.push(value);
  return values;
}
