import { type BtFit, type BtOptions, createBtFitter, ratingsFromTheta } from './bradley-terry.ts';
import { type EncodedVotes, onlineElo } from './elo.ts';
import { createRandom, sampleMultinomial } from './random.ts';
import type { Tally } from './tally.ts';

/*
 * Bootstrap intervals over votes (Efron 1979; the percentile interval). Resampling N votes with
 * replacement is the same as drawing Multinomial(N, observed shares) counts over the distinct
 * (cell, outcome) categories, so a Bradley-Terry round draws about 3 x cells binomials and refits
 * from the full-data fit: O(cells + models³) per round, whatever N is.
 */

export const DEFAULT_BOOTSTRAP_ROUNDS = 1000;

export interface BootstrapIntervals {
  rounds: number;
  /** Per model (tally order): the 2.5% and 97.5% quantiles of its rating across rounds. */
  low: Float64Array;
  high: Float64Array;
  /** The same for the length coefficient (logits), under length control. */
  beta?: { low: number; high: number };
  /** Rounds whose Newton fit hit its iteration cap (reported, not dropped). */
  unconverged: number;
}

/** Quantile q of sorted values, linear between order statistics (Hyndman & Fan 1996, type 7). */
export function quantileSorted(sorted: ArrayLike<number>, q: number): number {
  const n = sorted.length;
  if (n === 0) return Number.NaN;
  const h = (n - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.min(n - 1, lo + 1);
  return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
}

function intervalsOf(samples: Float64Array, rounds: number, n: number): { low: Float64Array; high: Float64Array } {
  const low = new Float64Array(n);
  const high = new Float64Array(n);
  const column = new Float64Array(rounds);
  for (let m = 0; m < n; m++) {
    for (let r = 0; r < rounds; r++) column[r] = samples[r * n + m];
    column.sort();
    low[m] = quantileSorted(column, 0.025);
    high[m] = quantileSorted(column, 0.975);
  }
  return { low, high };
}

/**
 * Percentile 95% intervals of Bradley-Terry ratings by resampling votes. Each round draws
 * multinomial counts over the tally's (cell, outcome) categories with `seed`'s generator and
 * warm-starts Newton from `full` (the fit on all votes), which it is close to.
 */
export function bootstrapBradleyTerry(tally: Tally, full: BtFit, opts: BtOptions & { rounds?: number; seed?: number }): BootstrapIntervals {
  const rounds = opts.rounds ?? DEFAULT_BOOTSTRAP_ROUNDS;
  const n = tally.models.length;
  const random = createRandom(opts.seed ?? 1);
  const fitter = createBtFitter(tally, opts);
  // The categories with votes: (cell, outcome) pairs, outcome 0 = i won, 1 = j won, 2 = tie.
  const category: number[] = [];
  const weight: number[] = [];
  for (let c = 0; c < tally.cells; c++) {
    for (const [outcome, count] of [tally.win[c], tally.loss[c], tally.tie[c]].entries()) {
      if (count > 0) {
        category.push(3 * c + outcome);
        weight.push(count);
      }
    }
  }
  const weights = Float64Array.from(weight);
  const drawn = new Float64Array(weights.length);
  const counts = { win: new Float64Array(tally.cells), loss: new Float64Array(tally.cells), tie: new Float64Array(tally.cells) };
  const byOutcome = [counts.win, counts.loss, counts.tie];
  const samples = new Float64Array(rounds * n);
  const betas = new Float64Array(rounds);
  let unconverged = 0;
  for (let r = 0; r < rounds; r++) {
    sampleMultinomial(tally.votes, weights, drawn, random);
    for (let k = 0; k < category.length; k++) byOutcome[category[k] % 3][(category[k] / 3) | 0] = drawn[k];
    const fit = fitter.fit(counts, full);
    if (!fit.converged) unconverged++;
    samples.set(ratingsFromTheta(fit.theta), r * n);
    betas[r] = fit.beta;
  }
  const { low, high } = intervalsOf(samples, rounds, n);
  betas.sort();
  return { rounds, low, high, unconverged, ...(opts.lengthControl && { beta: { low: quantileSorted(betas, 0.025), high: quantileSorted(betas, 0.975) } }) };
}

/**
 * Percentile 95% intervals of online Elo ratings. Elo depends on order, so each round resamples
 * whole votes with replacement in random order and replays them, as the Chatbot Arena notebook
 * does: O(votes) per round.
 */
export function bootstrapElo(votes: EncodedVotes, opts: { rounds?: number; seed?: number; k?: number }): BootstrapIntervals {
  const rounds = opts.rounds ?? DEFAULT_BOOTSTRAP_ROUNDS;
  const n = votes.models.length;
  const total = votes.a.length;
  const random = createRandom(opts.seed ?? 1);
  const order = new Int32Array(total);
  const ratings = new Float64Array(n);
  const samples = new Float64Array(rounds * n);
  for (let r = 0; r < rounds; r++) {
    for (let t = 0; t < total; t++) order[t] = Math.floor(random() * total);
    onlineElo(votes, { k: opts.k, order, out: ratings });
    samples.set(ratings, r * n);
  }
  return { rounds, ...intervalsOf(samples, rounds, n), unconverged: 0 };
}

/**
 * Rank ranges from intervals: model m can rank no better than 1 + the number of models whose lower
 * bound is above m's upper bound (they are surely ahead), and no worse than 1 + the number of other
 * models whose upper bound is above m's lower bound (they may be ahead). Models whose intervals
 * overlap share ranks.
 */
export function rankRanges(low: ArrayLike<number>, high: ArrayLike<number>): Array<[number, number]> {
  const n = low.length;
  const out: Array<[number, number]> = [];
  for (let m = 0; m < n; m++) {
    let best = 1;
    let worst = 1;
    for (let o = 0; o < n; o++) {
      if (o === m) continue;
      if (low[o] > high[m]) best++;
      if (high[o] > low[m]) worst++;
    }
    out.push([best, worst]);
  }
  return out;
}
