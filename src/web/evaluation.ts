/*
 * The model evaluation pages' wire types (as GET /v1/evals/... sends them) and the pure logic
 * behind them: the leaderboard's controls as a query and back, axis ticks, cell shading.
 */

import type { LanguageGap, LeaderboardMethod, LeaderboardModel, ModelRefusalSummary, RateCell, RefusalRow } from '../shared/evaluation-report.ts';

export type { LanguageGap, LeaderboardMethod, LeaderboardModel, RateCell, RefusalRow };

export type VoteSource = 'answers' | 'aggregated' | 'reviewed';

export const METHODS: readonly LeaderboardMethod[] = ['bt', 'elo'];
export const VOTE_SOURCES: readonly VoteSource[] = ['answers', 'aggregated', 'reviewed'];
/** Project types a leaderboard is computed for. */
export const LEADERBOARD_TYPES: readonly string[] = ['comparison', 'ranking'];

export interface LeaderboardReport {
  project: string;
  method: LeaderboardMethod;
  vote_source: VoteSource;
  criterion: string | null;
  bootstrap: number;
  seed: number;
  votes: number;
  /** Best first. */
  models: LeaderboardModel[];
  /** win_matrix[a][b]: a's win rate against b (ties as half), null when they never met. */
  win_matrix: Record<string, Record<string, number | null>>;
  length_coefficient?: number;
  length_coefficient_ci?: [number, number];
}

export interface RefusalReport {
  project: string;
  tasks_used: number;
  tasks_pending: number;
  labels: string[];
  refusal_labels: string[];
  rows: RefusalRow[];
  language_gaps: LanguageGap[];
  models: ModelRefusalSummary[];
}

/** What the leaderboard page lets a person choose. An empty criterion means the overall winner. */
export interface BoardControls {
  method: LeaderboardMethod;
  votes: VoteSource;
  lengthControl: boolean;
  criterion: string;
}

export const DEFAULT_CONTROLS: BoardControls = { method: 'bt', votes: 'answers', lengthControl: false, criterion: '' };

/**
 * Controls from a location search string ("?method=elo&votes=reviewed"). Unknown values fall back
 * to the defaults; length control is off with Elo (the server refuses the pair). With `criteria`,
 * a criterion not in the list is dropped; without (the project not loaded yet), any is kept and
 * the server judges it.
 */
export function controlsFromSearch(search: string, criteria?: readonly string[]): BoardControls {
  const q = new URLSearchParams(search);
  const method = METHODS.find((m) => m === q.get('method')) ?? DEFAULT_CONTROLS.method;
  const votes = VOTE_SOURCES.find((v) => v === q.get('votes')) ?? DEFAULT_CONTROLS.votes;
  const asked = q.get('criterion') ?? '';
  const criterion = !criteria || criteria.includes(asked) ? asked : '';
  return { method, votes, criterion, lengthControl: method === 'bt' && q.get('length_control') === 'true' };
}

/** The API query for these controls: defaults left out, length control only with Bradley-Terry. */
export function leaderboardQuery(c: BoardControls): Record<string, string | boolean | undefined> {
  return {
    method: c.method === DEFAULT_CONTROLS.method ? undefined : c.method,
    votes: c.votes === DEFAULT_CONTROLS.votes ? undefined : c.votes,
    length_control: c.method === 'bt' && c.lengthControl ? true : undefined,
    criterion: c.criterion || undefined,
  };
}

/** The controls as a location search string ('' for the defaults), to share or bookmark a view. */
export function controlsToSearch(c: BoardControls): string {
  const search = new URLSearchParams();
  for (const [k, v] of Object.entries(leaderboardQuery(c))) if (v !== undefined) search.set(k, String(v));
  const text = search.toString();
  return text ? `?${text}` : '';
}

/**
 * Round axis ticks covering [min, max]: steps of 1, 2 or 5 times a power of ten, about `count` of
 * them. Returns the ticks and the padded domain they span. A zero-width range is widened by 1.
 */
export function niceTicks(min: number, max: number, count = 5): { ticks: number[]; domain: [number, number] } {
  let lo = Math.min(min, max);
  let hi = Math.max(min, max);
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) return { ticks: [0], domain: [-1, 1] };
  if (hi - lo < 1e-9) {
    lo -= 1;
    hi += 1;
  }
  const raw = (hi - lo) / Math.max(1, count);
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw) ?? 10 * power;
  const start = Math.floor(lo / step) * step;
  const end = Math.ceil(hi / step) * step;
  const ticks: number[] = [];
  // Rounded to the step's precision, so 0.1 + 0.2 shows as 0.3.
  const digits = Math.max(0, -Math.floor(Math.log10(step)));
  for (let v = start; v <= end + step / 2; v += step) ticks.push(Number(v.toFixed(digits)));
  return { ticks, domain: [start, end] };
}

/** The span a leaderboard's plot needs: every rating and interval end. */
export function ratingExtent(models: readonly LeaderboardModel[]): [number, number] {
  const values = models.flatMap((m) => [m.rating, m.ci_low ?? m.rating, m.ci_high ?? m.rating]);
  return values.length ? [Math.min(...values), Math.max(...values)] : [1000, 1000];
}

const GOOD: [number, number, number] = [46, 158, 98];
const BAD: [number, number, number] = [214, 84, 72];

/**
 * The background of a win-rate cell: white at 50%, deepening to green towards 100% and to red
 * towards 0%. The strongest shade mixes 55% of the colour into white, so dark text stays readable.
 */
export function rateShade(rate: number): string {
  const strength = Math.min(1, Math.abs(rate - 0.5) * 2) * 0.55;
  const [r, g, b] = rate >= 0.5 ? GOOD : BAD;
  const mix = (c: number) => Math.round(255 + (c - 255) * strength);
  return `rgb(${mix(r)} ${mix(g)} ${mix(b)})`;
}

/** Labels worth a column: those given to at least one response in the report, in report order. */
export function labelsInUse(report: Pick<RefusalReport, 'labels' | 'rows'>): string[] {
  return report.labels.filter((l) => report.rows.some((r) => (r.labels[l]?.count ?? 0) > 0));
}
