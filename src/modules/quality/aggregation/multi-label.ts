import { aggregate, type AggregateOptions } from './aggregate.ts';
import type { Answer, Method } from './types.ts';

/** One multi-label answer: the set of labels a worker ticked for an item (possibly empty). */
export interface MultiLabelAnswer {
  worker: string;
  item: string;
  labels: readonly string[];
}

/** Per item: the labels kept and, per label seen anywhere, the probability it applies. */
export interface MultiLabelResult {
  labels: string[];
  scores: Record<string, number>;
}

const PRESENT = '1';
const ABSENT = '0';

/**
 * Multi-label aggregation by binary relevance (one yes/no question per label, as Crowd-Kit's
 * BinaryRelevance): every answer to an item is a "yes" for each label it ticked and a "no" for every
 * other label in the label set, and each label's yes/no answers are aggregated on their own with
 * `method` (default majority vote). A label is kept when "yes" wins; a tie goes to "no" (the smaller
 * of "0"/"1"), so an evenly split label is left off. The label set is every label seen in any answer.
 */
export function aggregateMultiLabel(
  answers: readonly MultiLabelAnswer[],
  opts: { method?: Method } & AggregateOptions = {},
): Map<string, MultiLabelResult> {
  const { method = 'mv', ...rest } = opts;
  const labelSet = [...new Set(answers.flatMap((a) => a.labels))].sort();
  const results = new Map<string, MultiLabelResult>();
  for (const answer of answers) if (!results.has(answer.item)) results.set(answer.item, { labels: [], scores: {} });
  for (const label of labelSet) {
    const binary: Answer[] = answers.map((a) => ({ worker: a.worker, item: a.item, label: a.labels.includes(label) ? PRESENT : ABSENT }));
    const outcome = aggregate(method, binary, rest);
    for (const [item, decision] of outcome.items) {
      const result = results.get(item)!;
      result.scores[label] = decision.posterior[PRESENT] ?? 0;
      if (decision.label === PRESENT) result.labels.push(label);
    }
  }
  return results;
}
