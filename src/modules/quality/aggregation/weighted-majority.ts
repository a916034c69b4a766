import { argmaxAt, buildCategoricalResult, encodeAnswers, expectedWorkerAccuracy, type EncodedAnswers } from './encode.ts';
import type { Answer, CategoricalResult } from './types.ts';

/**
 * Weighted vote shares on encoded answers: row-major nItems x nLabels, each row summing to 1.
 * `weightOf[w]` is worker w's weight; an item whose voters all weigh 0 gets plain vote shares.
 */
export function weightedVoteShares(enc: EncodedAnswers, weightOf: Float64Array): Float64Array {
  const k = enc.labels.length;
  const shares = new Float64Array(enc.items.length * k);
  const counts = new Float64Array(enc.items.length * k);
  for (let a = 0; a < enc.itemOf.length; a++) {
    const cell = enc.itemOf[a] * k + enc.labelOf[a];
    shares[cell] += weightOf[enc.workerOf[a]];
    counts[cell] += 1;
  }
  for (let offset = 0; offset < shares.length; offset += k) {
    let total = 0;
    for (let c = 0; c < k; c++) total += shares[offset + c];
    // A zero total means every voter had weight 0; fall back to counting votes rather than dividing by 0.
    const source = total > 0 ? shares : counts;
    if (total <= 0) for (let c = 0; c < k; c++) total += counts[offset + c];
    for (let c = 0; c < k; c++) shares[offset + c] = source[offset + c] / total;
  }
  return shares;
}

/**
 * Majority vote where each worker's vote counts `workerAccuracy.get(worker)` (a weight >= 0, e.g. an
 * accuracy from gold questions); a worker missing from the map weighs 1. Ties go to the smallest label (string comparison). `posterior` is the normalised
 * weighted vote share, not a probability model; worker `accuracy` is agreement with the result.
 */
export function weightedMajority(answers: readonly Answer[], workerAccuracy: Map<string, number>): CategoricalResult {
  const enc = encodeAnswers(answers);
  const weights = new Float64Array(enc.workers.length);
  for (let w = 0; w < enc.workers.length; w++) weights[w] = workerAccuracy.get(enc.workers[w]) ?? 1;
  const shares = weightedVoteShares(enc, weights);
  return buildCategoricalResult(enc, shares, agreementWithWinner(enc, shares), 0, 'weighted-majority');
}

/** Each worker's fraction of answers equal to the winning label (ties: smallest label). */
export function agreementWithWinner(enc: EncodedAnswers, shares: Float64Array, choice?: Int32Array): CategoricalResult['workers'] {
  const k = enc.labels.length;
  const winner = choice ?? new Int32Array(enc.items.length).map((_, i) => argmaxAt(shares, i * k, k));
  const hard = new Float64Array(shares.length);
  for (let i = 0; i < winner.length; i++) hard[i * k + winner[i]] = 1;
  const accuracy = expectedWorkerAccuracy(enc, hard);
  const workers: CategoricalResult['workers'] = new Map();
  for (let w = 0; w < enc.workers.length; w++) workers.set(enc.workers[w], { accuracy: accuracy[w] });
  return workers;
}
