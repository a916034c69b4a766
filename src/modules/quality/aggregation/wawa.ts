import { buildCategoricalResult, encodeAnswers } from './encode.ts';
import type { Answer, CategoricalResult } from './types.ts';
import { agreementWithWinner, weightedVoteShares } from './weighted-majority.ts';

/**
 * Wawa, "worker agreement with aggregate" (Crowd-Kit's Wawa; Appen's worker trust): a majority vote,
 * then each worker's skill = the fraction of their answers that agree with it, then a majority vote
 * weighted by those skills. Ties go to the smallest label. Worker `accuracy` is the first-pass skill.
 */
export function wawa(answers: readonly Answer[]): CategoricalResult {
  const enc = encodeAnswers(answers);
  const shares = weightedVoteShares(enc, new Float64Array(enc.workers.length).fill(1));
  const skills = agreementWithWinner(enc, shares);
  const weights = new Float64Array(enc.workers.length);
  for (let w = 0; w < enc.workers.length; w++) weights[w] = skills.get(enc.workers[w])?.accuracy ?? 0;
  const weighted = weightedVoteShares(enc, weights);
  return buildCategoricalResult(enc, weighted, skills, 1, 'wawa');
}
