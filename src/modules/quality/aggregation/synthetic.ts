import { createPrng } from './prng.ts';
import type { Answer } from './types.ts';

export interface SimulationOptions {
  items: number;
  workers: number;
  classes: number;
  /** Distinct workers answering each item (at most `workers`). */
  answersPerItem: number;
  seed: number;
  /** P(true class); uniform when omitted. */
  classPrior?: readonly number[];
  /** Each worker's P(correct | true class) is drawn uniformly from this range, per class (default [0.4, 0.95]). */
  accuracyRange?: readonly [number, number];
  /** Share of workers who answer uniformly at random (default 0.05). */
  spammerShare?: number;
}

/** A simulated crowd with the truth and the confusion matrices that generated it. */
export interface SimulatedCrowd {
  answers: Answer[];
  labels: string[];
  workers: string[];
  /** item -> true label. */
  truth: Map<string, string>;
  /** workers x classes(true) x classes(given), row-major: the generating P(given | true). */
  confusion: Float64Array;
}

/** True when `w` is among the first `count` entries of `chosen` (a plain loop: no view allocated). */
function isChosen(chosen: Int32Array, count: number, w: number): boolean {
  for (let j = 0; j < count; j++) if (chosen[j] === w) return true;
  return false;
}

/**
 * Draws a crowd from the Dawid-Skene generative model (Dawid & Skene 1979): each item's class from
 * the prior, each answer from the answering worker's confusion row for that class. A worker's
 * diagonal is drawn per class from `accuracyRange` and the rest of each row is spread over the other
 * labels with random weights, so workers are biased, not just noisy. Labels are "0".."K-1"; ids
 * are "item-i" and "worker-w". The same options always give the same crowd. Strings are shared
 * between answers, so a million answers cost about 60 MB.
 */
export function simulateCrowd(opts: SimulationOptions): SimulatedCrowd {
  const random = createPrng(opts.seed);
  const k = opts.classes;
  const [low, high] = opts.accuracyRange ?? [0.4, 0.95];
  const spammerShare = opts.spammerShare ?? 0.05;
  const prior = opts.classPrior ?? new Array<number>(k).fill(1 / k);
  const labels = Array.from({ length: k }, (_, c) => String(c));
  const workers = Array.from({ length: opts.workers }, (_, w) => `worker-${w}`);
  const perItem = Math.min(opts.answersPerItem, opts.workers);

  const confusion = new Float64Array(opts.workers * k * k);
  for (let w = 0; w < opts.workers; w++) {
    const spammer = random() < spammerShare;
    for (let t = 0; t < k; t++) {
      const row = w * k * k + t * k;
      if (spammer) {
        confusion.fill(1 / k, row, row + k);
        continue;
      }
      const accuracy = low + (high - low) * random();
      const weights = labels.map((_, l) => (l === t ? 0 : random()));
      const total = weights.reduce((a, b) => a + b, 0);
      for (let l = 0; l < k; l++) confusion[row + l] = l === t ? accuracy : total > 0 ? ((1 - accuracy) * weights[l]) / total : 0;
    }
  }

  const draw = (p: ArrayLike<number>, offset: number): number => {
    let u = random();
    for (let c = 0; c < k - 1; c++) {
      u -= p[offset + c];
      if (u < 0) return c;
    }
    return k - 1;
  };
  const answers: Answer[] = new Array(opts.items * perItem);
  const truth = new Map<string, string>();
  const chosen = new Int32Array(perItem);
  let a = 0;
  for (let i = 0; i < opts.items; i++) {
    const item = `item-${i}`;
    const t = draw(prior, 0);
    truth.set(item, labels[t]);
    // perItem distinct workers by rejection: cheap while perItem is far below the worker count.
    for (let j = 0; j < perItem; j++) {
      let w = Math.floor(random() * opts.workers);
      while (isChosen(chosen, j, w)) w = Math.floor(random() * opts.workers);
      chosen[j] = w;
      answers[a++] = { worker: workers[w], item, label: labels[draw(confusion, w * k * k + t * k)] };
    }
  }
  return { answers, labels, workers, truth, confusion };
}
