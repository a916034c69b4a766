import { RATING_ANCHOR } from './bradley-terry.ts';
import type { Vote } from './tally.ts';

/*
 * Online Elo (Elo 1978), as the early Chatbot Arena leaderboards computed it: every model starts at
 * 1000 and each vote, in order, moves both ratings by K · (score - expected score). Unlike
 * Bradley-Terry it depends on vote order and weights recent votes more; it is offered for
 * comparison with published arena-style numbers.
 */

/** The Chatbot Arena default: small steps, so a long run of votes settles instead of oscillating. */
export const DEFAULT_ELO_K = 4;

const LN10_OVER_400 = Math.LN10 / 400;

/** Votes encoded as indices into a model list, for repeated replays (bootstrap). */
export interface EncodedVotes {
  models: string[];
  a: Int32Array;
  b: Int32Array;
  /** a's score: 1, 0 or 0.5. */
  score: Float64Array;
}

/** Encodes votes (self-pairs dropped) with models sorted by name. */
export function encodeVotes(votes: readonly Vote[]): EncodedVotes {
  const kept = votes.filter((v) => v.a !== v.b);
  const models = [...new Set(kept.flatMap((v) => [v.a, v.b]))].sort();
  const index = new Map(models.map((m, k) => [m, k]));
  return {
    models,
    a: Int32Array.from(kept, (v) => index.get(v.a) as number),
    b: Int32Array.from(kept, (v) => index.get(v.b) as number),
    score: Float64Array.from(kept, (v) => v.score),
  };
}

/**
 * Replays votes in the given order (`order[k]` is an index into the encoded votes; default: as
 * encoded) and returns each model's final rating. Every update is zero-sum, so the mean stays 1000.
 */
export function onlineElo(votes: EncodedVotes, opts: { k?: number; order?: Int32Array; out?: Float64Array } = {}): Float64Array {
  const k = opts.k ?? DEFAULT_ELO_K;
  const ratings = opts.out ?? new Float64Array(votes.models.length);
  ratings.fill(RATING_ANCHOR);
  const { a: as, b: bs, score } = votes;
  const order = opts.order;
  const count = order ? order.length : as.length;
  for (let t = 0; t < count; t++) {
    const v = order ? order[t] : t;
    const a = as[v];
    const b = bs[v];
    const expected = 1 / (1 + Math.exp((ratings[b] - ratings[a]) * LN10_OVER_400));
    const change = k * (score[v] - expected);
    ratings[a] += change;
    ratings[b] -= change;
  }
  return ratings;
}
