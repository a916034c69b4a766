/*
 * What the evaluation endpoints send (GET /v1/evals/{project}/leaderboard and /refusal-report):
 * shared by the server, which builds them, and the web app, which shows them.
 */

export type LeaderboardMethod = 'bt' | 'elo';

export interface LeaderboardModel {
  model: string;
  rating: number;
  /** 95% bootstrap interval; null when bootstrap is 0. */
  ci_low: number | null;
  ci_high: number | null;
  /** The best rank in rank_range: models whose intervals overlap share it. */
  rank: number;
  rank_range: [number, number];
  /** Votes the model took part in. */
  battles: number;
  /** (wins + ties / 2) / battles: the share of its battles a model won, ties as half. */
  win_rate: number;
}

export interface RateCell {
  count: number;
  rate: number;
  ci_low: number;
  ci_high: number;
}

export interface RefusalRow {
  model: string;
  topic: string;
  language: string;
  control: boolean;
  n: number;
  /** Every refusal-audit label, including those never seen (count 0). */
  labels: Record<string, RateCell>;
  /** refusal_explicit + refusal_canned + deflection. */
  refusal: RateCell;
}

export interface LanguageGap {
  model: string;
  topic: string;
  control: boolean;
  /** Languages with at least one labelled response. */
  languages: number;
  min: { language: string; rate: number };
  max: { language: string; rate: number };
  /** max - min refusal rate across languages. */
  gap: number;
}

export interface ModelRefusalSummary {
  model: string;
  sensitive: { n: number; refusal: RateCell };
  control: { n: number; refusal: RateCell };
}
