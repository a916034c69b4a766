import { buildCategoricalResult, encodeAnswers } from './encode.ts';
import { createPrng } from './prng.ts';
import type { Answer, CategoricalResult } from './types.ts';
import { agreementWithWinner, weightedVoteShares } from './weighted-majority.ts';

export interface MajorityVoteOptions {
  /** 'smallest' (default): the smallest tied label by string comparison; 'random': a seeded draw. */
  tieBreak?: 'smallest' | 'random';
  /** Seed for 'random' tie-breaks (default 1), so a run is reproducible. */
  seed?: number;
}

/**
 * Plain majority vote. Every answer row counts once (repeated rows from one worker count again, as
 * the published baselines do). Posterior = vote share; worker accuracy = agreement with the winner.
 * With the default smallest-label tie-break this reproduces Crowd-Kit's MajorityVote.
 */
export function majorityVote(answers: readonly Answer[], opts: MajorityVoteOptions = {}): CategoricalResult {
  const enc = encodeAnswers(answers);
  const k = enc.labels.length;
  const shares = weightedVoteShares(enc, new Float64Array(enc.workers.length).fill(1));
  let choice: Int32Array | undefined;
  if (opts.tieBreak === 'random') {
    const random = createPrng(opts.seed ?? 1);
    choice = new Int32Array(enc.items.length);
    const tied: number[] = [];
    for (let i = 0; i < enc.items.length; i++) {
      const offset = i * k;
      let max = -1;
      tied.length = 0;
      for (let c = 0; c < k; c++) {
        const share = shares[offset + c];
        // Shares come from the same integer counts divided by the same total, so equality is exact.
        if (share > max) {
          max = share;
          tied.length = 0;
          tied.push(c);
        } else if (share === max) tied.push(c);
      }
      choice[i] = tied.length === 1 ? tied[0] : tied[Math.floor(random() * tied.length)];
    }
  }
  return buildCategoricalResult(enc, shares, agreementWithWinner(enc, shares, choice), 0, 'mv', choice);
}
