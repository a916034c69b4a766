import type { CategoricalResult } from './types.ts';

/** When to stop collecting answers for one item. */
export interface OverlapPolicy {
  /** Never stop before this many answers (at least 1). */
  min: number;
  /** Always stop at this many answers (at least `min`). */
  max: number;
  /** Stop once the leading label's posterior reaches this, in (0, 1]. */
  target: number;
}

/** The decision for one item, with the reason a dashboard can show. */
export type OverlapDecision =
  | { action: 'stop'; reason: 'confident' | 'max_answers'; leading: number }
  | { action: 'ask'; reason: 'below_min' | 'uncertain'; leading: number };

/**
 * Dynamic overlap: ask for one more answer or stop. Below `min` answers it always asks; otherwise it
 * stops when the leading label's posterior reaches `target`, or at `max` answers, and asks otherwise.
 * `posterior` may be a label -> probability record or an array; an empty one counts as leading 0.
 * Throws RangeError when the policy is inconsistent (min < 1, max < min, target outside (0, 1]).
 */
export function dynamicOverlapDecision(
  posterior: Readonly<Record<string, number>> | readonly number[],
  nAnswers: number,
  policy: OverlapPolicy,
): OverlapDecision {
  const { min, max, target } = policy;
  if (!(min >= 1) || !(max >= min) || !(target > 0 && target <= 1)) {
    throw new RangeError(`invalid overlap policy: min=${min} max=${max} target=${target}`);
  }
  let leading = 0;
  for (const p of Array.isArray(posterior) ? posterior : Object.values(posterior)) if (p > leading) leading = p;
  if (nAnswers < min) return { action: 'ask', reason: 'below_min', leading };
  if (leading >= target) return { action: 'stop', reason: 'confident', leading };
  if (nAnswers >= max) return { action: 'stop', reason: 'max_answers', leading };
  return { action: 'ask', reason: 'uncertain', leading };
}

export interface SkillPosteriorOptions {
  /** Every label the item may take, so labels nobody gave yet still get probability. */
  labels: readonly string[];
  /** Class prior (label -> probability); uniform when omitted. */
  prior?: Readonly<Record<string, number>>;
  /**
   * Accuracy assumed for a worker missing from `workers` (one-coin). When omitted such answers are
   * ignored: an unknown worker adds no evidence rather than invented evidence.
   */
  unknownAccuracy?: number;
}

// Probabilities are clamped away from 0 and 1 so one answer can never make a label impossible.
const FLOOR = 1e-6;
const clampProbability = (p: number): number => Math.min(1 - FLOOR, Math.max(FLOOR, p));

/**
 * The posterior over an item's true label given its answers so far and known worker skills
 * (Dawid & Skene 1979, eq. 2.5, with the skills held fixed): for a worker with a confusion matrix,
 * P(answer | true) is read from it; otherwise the one-coin model applies with the worker's accuracy
 * (right with p, else one of the other K-1 labels uniformly). Returns label -> probability, summing
 * to 1. Answers whose label is not in `labels` are ignored. Never throws.
 */
export function posteriorFromSkills(
  answers: readonly { worker: string; label: string }[],
  workers: CategoricalResult['workers'],
  opts: SkillPosteriorOptions,
): Record<string, number> {
  const { labels } = opts;
  const k = labels.length;
  const log = labels.map((label) => Math.log(clampProbability(opts.prior ? (opts.prior[label] ?? 0) : 1 / k)));
  for (const answer of answers) {
    const given = labels.indexOf(answer.label);
    if (given < 0) continue;
    const skill = workers.get(answer.worker);
    const accuracy = skill?.accuracy ?? opts.unknownAccuracy;
    if (skill?.confusion) {
      for (let t = 0; t < k; t++) log[t] += Math.log(clampProbability(skill.confusion[labels[t]]?.[answer.label] ?? 0));
    } else if (accuracy !== undefined) {
      const right = clampProbability(accuracy);
      const wrong = clampProbability((1 - right) / Math.max(1, k - 1));
      for (let t = 0; t < k; t++) log[t] += Math.log(t === given ? right : wrong);
    }
  }
  const max = Math.max(...log);
  const weights = log.map((l) => Math.exp(l - max));
  const total = weights.reduce((a, b) => a + b, 0);
  const posterior: Record<string, number> = {};
  labels.forEach((label, t) => (posterior[label] = weights[t] / total));
  return posterior;
}
