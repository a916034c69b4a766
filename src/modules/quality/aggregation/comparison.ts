/** One pairwise-comparison answer: the option the worker preferred, or null for "no preference". */
export interface ComparisonAnswer {
  worker: string;
  item: string;
  choice: string | null;
}

/** The outcome for one comparison item. */
export interface ComparisonResult {
  /** The preferred option, or undefined when the outcome is a tie. */
  winner: string | undefined;
  tie: boolean;
  /** Votes per option; explicit "no preference" answers are counted under `ties`. */
  votes: Record<string, number>;
  ties: number;
  /** The winner's votes / all answers (0 on a tie). */
  share: number;
}

/**
 * Majority winner per comparison item. The candidates are every option chosen plus "no preference";
 * the one with the most answers wins. The outcome is a tie when "no preference" has at least as many
 * answers as the best option, or when two options share the top count: a tie is reported as such
 * rather than broken arbitrarily, since for ranking (e.g. Bradley-Terry) a tie is information.
 */
export function aggregateComparisons(answers: readonly ComparisonAnswer[]): Map<string, ComparisonResult> {
  const byItem = new Map<string, { votes: Record<string, number>; ties: number; n: number }>();
  for (const { item, choice } of answers) {
    let entry = byItem.get(item);
    if (!entry) byItem.set(item, (entry = { votes: {}, ties: 0, n: 0 }));
    entry.n++;
    if (choice === null) entry.ties++;
    else entry.votes[choice] = (entry.votes[choice] ?? 0) + 1;
  }
  const result = new Map<string, ComparisonResult>();
  for (const [item, { votes, ties, n }] of byItem) {
    const ranked = Object.entries(votes).sort((a, b) => b[1] - a[1]);
    const top = ranked[0]?.[1] ?? 0;
    const tie = ranked.length === 0 || ties >= top || (ranked.length > 1 && ranked[1][1] === top);
    const winner = tie ? undefined : ranked[0][0];
    result.set(item, { winner, tie, votes, ties, share: tie ? 0 : top / n });
  }
  return result;
}
