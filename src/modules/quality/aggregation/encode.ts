import type { Answer, CategoricalResult } from './types.ts';

/**
 * Answers mapped once to dense integer ids, so the inner loops of every algorithm run over typed
 * arrays instead of Maps of strings.
 */
export interface EncodedAnswers {
  /** Item ids in first-seen order; `itemOf[a]` indexes this. */
  items: string[];
  /** Worker ids in first-seen order; `workerOf[a]` indexes this. */
  workers: string[];
  /** Labels sorted by string comparison, so index order is "smallest label first" for tie-breaks. */
  labels: string[];
  itemOf: Int32Array;
  workerOf: Int32Array;
  labelOf: Int32Array;
}

function indexOf(map: Map<string, number>, list: string[], key: string): number {
  let index = map.get(key);
  if (index === undefined) {
    index = list.length;
    map.set(key, index);
    list.push(key);
  }
  return index;
}

/**
 * Encodes answers to integer ids. `extraLabels` (for example gold labels nobody gave) join the label
 * set. Labels are ordered by plain string comparison (UTF-16 code units, `Array.prototype.sort`).
 */
export function encodeAnswers(answers: readonly Answer[], extraLabels: Iterable<string> = []): EncodedAnswers {
  const n = answers.length;
  const itemIds = new Map<string, number>();
  const workerIds = new Map<string, number>();
  const items: string[] = [];
  const workers: string[] = [];
  const itemOf = new Int32Array(n);
  const workerOf = new Int32Array(n);
  const rawLabel = new Int32Array(n);
  const labelIds = new Map<string, number>();
  const rawLabels: string[] = [];
  // Exports are usually grouped by item, so the previous row's item saves most item Map lookups.
  let lastItem: string | undefined;
  let lastItemIndex = -1;
  for (let a = 0; a < n; a++) {
    const answer = answers[a];
    if (answer.item !== lastItem) {
      lastItem = answer.item;
      lastItemIndex = indexOf(itemIds, items, lastItem);
    }
    itemOf[a] = lastItemIndex;
    workerOf[a] = indexOf(workerIds, workers, answer.worker);
    rawLabel[a] = indexOf(labelIds, rawLabels, answer.label);
  }
  for (const label of extraLabels) indexOf(labelIds, rawLabels, label);
  // Relabel so that label index order equals string order: ties then resolve to the smallest label
  // by taking the first maximum, which is the rule Crowd-Kit's MajorityVote follows (idxmax).
  const labels = [...rawLabels].sort();
  const remap = new Int32Array(rawLabels.length);
  for (let r = 0; r < rawLabels.length; r++) remap[r] = labels.indexOf(rawLabels[r]);
  const labelOf = new Int32Array(n);
  for (let a = 0; a < n; a++) labelOf[a] = remap[rawLabel[a]];
  return { items, workers, labels, itemOf, workerOf, labelOf };
}

/** Index of the largest value in `values[offset .. offset+k)`, first (smallest label) on ties. */
export function argmaxAt(values: ArrayLike<number>, offset: number, k: number): number {
  let best = 0;
  let bestValue = values[offset];
  for (let c = 1; c < k; c++) {
    if (values[offset + c] > bestValue) {
      bestValue = values[offset + c];
      best = c;
    }
  }
  return best;
}

/**
 * Builds the public result from a row-major `posterior` (nItems x nLabels). `choice[i]`, when given,
 * overrides the argmax (used by random tie-breaking).
 */
export function buildCategoricalResult(
  enc: EncodedAnswers,
  posterior: Float64Array,
  workers: CategoricalResult['workers'],
  iterations: number,
  method: string,
  choice?: Int32Array,
): CategoricalResult {
  const k = enc.labels.length;
  const items: CategoricalResult['items'] = new Map();
  for (let i = 0; i < enc.items.length; i++) {
    const offset = i * k;
    const best = choice ? choice[i] : argmaxAt(posterior, offset, k);
    const record: Record<string, number> = {};
    for (let c = 0; c < k; c++) record[enc.labels[c]] = posterior[offset + c];
    items.set(enc.items[i], { label: enc.labels[best], posterior: record, confidence: posterior[offset + best] });
  }
  return { items, workers, iterations, method };
}

/** Answers per worker, as counts (index = worker id). */
export function countPerWorker(enc: EncodedAnswers): Float64Array {
  const counts = new Float64Array(enc.workers.length);
  for (let a = 0; a < enc.workerOf.length; a++) counts[enc.workerOf[a]] += 1;
  return counts;
}

/**
 * Each worker's expected accuracy under a posterior: the mean, over the worker's answers, of the
 * posterior probability that the given label is the true one. Workers with no answers get NaN.
 */
export function expectedWorkerAccuracy(enc: EncodedAnswers, posterior: Float64Array): Float64Array {
  const k = enc.labels.length;
  const sum = new Float64Array(enc.workers.length);
  const counts = countPerWorker(enc);
  for (let a = 0; a < enc.workerOf.length; a++) sum[enc.workerOf[a]] += posterior[enc.itemOf[a] * k + enc.labelOf[a]];
  for (let w = 0; w < sum.length; w++) sum[w] = sum[w] / counts[w];
  return sum;
}

/** Normalises each row of a row-major matrix in place to sum to 1; an all-zero row becomes uniform. */
export function normaliseRows(matrix: Float64Array, k: number): void {
  for (let offset = 0; offset < matrix.length; offset += k) {
    let total = 0;
    for (let c = 0; c < k; c++) total += matrix[offset + c];
    if (total > 0) for (let c = 0; c < k; c++) matrix[offset + c] /= total;
    else for (let c = 0; c < k; c++) matrix[offset + c] = 1 / k;
  }
}

/**
 * Replaces each row of log-scores with its softmax in place and returns the sum over rows of
 * log-sum-exp (the log-likelihood of the data when the scores are log joint probabilities).
 */
export function softmaxRows(logScores: Float64Array, k: number): number {
  let logLikelihood = 0;
  for (let offset = 0; offset < logScores.length; offset += k) {
    let max = -Infinity;
    for (let c = 0; c < k; c++) if (logScores[offset + c] > max) max = logScores[offset + c];
    if (max === -Infinity) {
      // Every label impossible (only reachable with zero smoothing): fall back to uniform, not NaN.
      for (let c = 0; c < k; c++) logScores[offset + c] = 1 / k;
      continue;
    }
    let total = 0;
    for (let c = 0; c < k; c++) {
      const e = Math.exp(logScores[offset + c] - max);
      logScores[offset + c] = e;
      total += e;
    }
    for (let c = 0; c < k; c++) logScores[offset + c] /= total;
    logLikelihood += max + Math.log(total);
  }
  return logLikelihood;
}

/** Sets each item with a known label (`goldOf[i] >= 0`) to a one-hot posterior on it, in place. */
export function clampGold(posterior: Float64Array, goldOf: Int32Array | undefined, k: number): void {
  if (!goldOf) return;
  for (let i = 0; i < goldOf.length; i++) {
    if (goldOf[i] < 0) continue;
    posterior.fill(0, i * k, i * k + k);
    posterior[i * k + goldOf[i]] = 1;
  }
}

/** Maps item -> gold label onto encoded item ids (-1 where unknown). */
export function encodeGold(enc: EncodedAnswers, gold: Map<string, string> | undefined): Int32Array | undefined {
  if (!gold || gold.size === 0) return undefined;
  const goldOf = new Int32Array(enc.items.length).fill(-1);
  const labelIndex = new Map(enc.labels.map((label, index) => [label, index]));
  for (let i = 0; i < enc.items.length; i++) {
    const label = gold.get(enc.items[i]);
    if (label !== undefined) goldOf[i] = labelIndex.get(label) ?? -1;
  }
  return goldOf;
}

/**
 * M-step for the class prior: `prior[c]` = (expected count of class c + smoothing) / total, with
 * `logPrior` filled alongside. The pseudo-count keeps a class nobody chose from getting log 0.
 */
export function estimateClassPrior(posterior: Float64Array, k: number, smoothing: number, prior: Float64Array, logPrior: Float64Array): void {
  prior.fill(smoothing);
  for (let offset = 0; offset < posterior.length; offset += k) for (let c = 0; c < k; c++) prior[c] += posterior[offset + c];
  let total = 0;
  for (let c = 0; c < k; c++) total += prior[c];
  for (let c = 0; c < k; c++) {
    prior[c] /= total;
    logPrior[c] = Math.log(prior[c]);
  }
}
