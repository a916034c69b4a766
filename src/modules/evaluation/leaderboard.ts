import { bootstrapBradleyTerry, bootstrapElo, type BootstrapIntervals, DEFAULT_BOOTSTRAP_ROUNDS, rankRanges } from './bootstrap.ts';
import { createBtFitter, DEFAULT_RIDGE, ratingsFromTheta } from './bradley-terry.ts';
import { DEFAULT_ELO_K, encodeVotes, onlineElo } from './elo.ts';
import { summariseTally, tallyVotes, type Vote } from './tally.ts';
import type { LeaderboardMethod, LeaderboardModel } from '../../shared/evaluation-report.ts';

export type { LeaderboardMethod, LeaderboardModel };

export interface LeaderboardOptions {
  /** `bt` (default): Bradley-Terry maximum likelihood; `elo`: online Elo in vote order. */
  method?: LeaderboardMethod;
  /** Bootstrap rounds for the 95% intervals (default 1000); 0 leaves intervals out. */
  bootstrap?: number;
  /** Seed of the bootstrap's generator (default 1): the same votes and seed give the same board. */
  seed?: number;
  /** Bradley-Terry only: adjust for the response length difference (default false). */
  lengthControl?: boolean;
  /** Elo only: the step (default 4). */
  eloK?: number;
}

export interface Leaderboard {
  method: LeaderboardMethod;
  votes: number;
  /** Best first (by rating, then name). */
  models: LeaderboardModel[];
  /** win_matrix[A][B]: A's win rate against B (ties as half), or null when they never met. */
  win_matrix: Record<string, Record<string, number | null>>;
  /** Length control: logits per unit of relative length difference (len_a - len_b) / (len_a + len_b). */
  length_coefficient?: number;
  /** Length control with bootstrap: the coefficient's 95% interval. */
  length_coefficient_ci?: [number, number];
}

const round = (value: number, digits: number) => {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
};

/**
 * A leaderboard from votes. Bradley-Terry fits the tally once, then bootstraps by multinomial
 * resampling of the tally's cells, warm-started from that fit; Elo replays votes in the given
 * order (and in resampled random orders for its intervals). Ratings have mean 1000 on the Elo
 * scale. Throws RangeError for length control with Elo (it has no covariates).
 */
export function buildLeaderboard(votes: readonly Vote[], opts: LeaderboardOptions = {}): Leaderboard {
  const method = opts.method ?? 'bt';
  const rounds = opts.bootstrap ?? DEFAULT_BOOTSTRAP_ROUNDS;
  const seed = opts.seed ?? 1;
  if (method === 'elo' && opts.lengthControl) throw new RangeError('length control needs method bt');
  const tally = tallyVotes(votes, { lengthControl: opts.lengthControl });
  const n = tally.models.length;
  let ratings: Float64Array;
  let intervals: BootstrapIntervals | undefined;
  let lengthCoefficient: number | undefined;
  if (method === 'bt') {
    const btOptions = { lengthControl: opts.lengthControl, ridge: DEFAULT_RIDGE };
    const full = createBtFitter(tally, btOptions).fit();
    ratings = ratingsFromTheta(full.theta);
    if (opts.lengthControl) lengthCoefficient = full.beta;
    if (rounds > 0 && n > 0) intervals = bootstrapBradleyTerry(tally, full, { ...btOptions, rounds, seed });
  } else {
    const encoded = encodeVotes(votes);
    ratings = onlineElo(encoded, { k: opts.eloK ?? DEFAULT_ELO_K });
    if (rounds > 0 && n > 0) intervals = bootstrapElo(encoded, { rounds, seed, k: opts.eloK });
  }
  const ranges = intervals ? rankRanges(intervals.low, intervals.high) : rankRanges(ratings, ratings);
  const summary = summariseTally(tally);
  const models: LeaderboardModel[] = tally.models.map((model, m) => ({
    model,
    rating: round(ratings[m], 2),
    ci_low: intervals ? round(intervals.low[m], 2) : null,
    ci_high: intervals ? round(intervals.high[m], 2) : null,
    rank: ranges[m][0],
    rank_range: ranges[m],
    battles: summary.battles[m],
    win_rate: summary.battles[m] ? round((summary.wins[m] + summary.ties[m] / 2) / summary.battles[m], 4) : 0,
  }));
  const order = tally.models.map((_, m) => m).sort((x, y) => ratings[y] - ratings[x] || (tally.models[x] < tally.models[y] ? -1 : 1));
  // fromEntries defines own properties even for a model named "__proto__", where assignment would not.
  const winMatrix: Leaderboard['win_matrix'] = Object.fromEntries(
    order.map((a) => [
      tally.models[a],
      Object.fromEntries(
        order.filter((b) => b !== a).map((b) => {
          const games = summary.games[a * n + b];
          return [tally.models[b], games ? round(summary.score[a * n + b] / games, 4) : null];
        }),
      ),
    ]),
  );
  return {
    method,
    votes: tally.votes,
    models: order.map((m) => models[m]),
    win_matrix: winMatrix,
    ...(lengthCoefficient !== undefined && { length_coefficient: round(lengthCoefficient, 4) }),
    ...(intervals?.beta && { length_coefficient_ci: [round(intervals.beta.low, 4), round(intervals.beta.high, 4)] as [number, number] }),
  };
}
