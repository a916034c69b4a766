import type { Answer } from './types.ts';

/** Test shorthand: answers from "worker:item:label" strings. */
export function answersOf(...rows: string[]): Answer[] {
  return rows.map((row) => {
    const [worker, item, label] = row.split(':');
    return { worker, item, label };
  });
}

/** Fraction of items in `truth` that `items` labels correctly (items missing from `items` skipped). */
export function accuracyAgainst(items: Map<string, { label: string }>, truth: Map<string, string>): number {
  let correct = 0;
  let total = 0;
  for (const [item, label] of truth) {
    const got = items.get(item);
    if (!got) continue;
    total++;
    if (got.label === label) correct++;
  }
  return correct / total;
}
