/*
 * Pairwise votes and their tally. Every fit in this module runs on the tally, never on the votes:
 * 100,000 votes among 50 models become at most 1,225 model pairs (times a few length bins under
 * length control), so a fit or a bootstrap round costs O(pairs), not O(votes).
 */

/** One pairwise judgement between two models. */
export interface Vote {
  a: string;
  b: string;
  /** a's score: 1 when a won, 0 when b won, 0.5 for a tie (ties count as half a win each way). */
  score: number;
  /** Lengths (characters) of a's and b's responses; only length control reads them. */
  lengthA?: number;
  lengthB?: number;
}

/**
 * Votes grouped into cells: one cell per model pair (i < j) and, under length control, per bin of
 * the relative length difference. Each cell counts i's wins, j's wins and ties.
 */
export interface Tally {
  /** Model names, sorted: index k in the arrays below is models[k]. */
  models: string[];
  /** Votes tallied (self-pairs are dropped before this count). */
  votes: number;
  cells: number;
  i: Int32Array;
  j: Int32Array;
  /** The cell's length covariate: (len_i - len_j) / (len_i + len_j), binned; 0 without length control. */
  x: Float64Array;
  win: Float64Array;
  loss: Float64Array;
  tie: Float64Array;
}

/**
 * Bins per unit of the relative length difference: the covariate is rounded to 0.2 (error at most
 * 0.1), so a model pair splits into at most 11 cells. Rounding a covariate this finely moves a
 * logistic coefficient by well under 1% (Sheppard's correction is of order width² / 12 = 0.003 of
 * the covariate's scale), while every fit and bootstrap round costs O(cells).
 */
export const LENGTH_BINS_PER_UNIT = 5;

/**
 * The relative length difference (len_a - len_b) / (len_a + len_b), in [-1, 1], rounded to a bin;
 * 0 when both are empty or a length is unknown. A bounded, scale-free covariate: a 2,000- against a
 * 1,000-character answer counts the same as 200 against 100.
 */
export function lengthCovariate(lengthA: number | undefined, lengthB: number | undefined): number {
  if (lengthA === undefined || lengthB === undefined || lengthA + lengthB <= 0) return 0;
  return Math.round(((lengthA - lengthB) / (lengthA + lengthB)) * LENGTH_BINS_PER_UNIT) / LENGTH_BINS_PER_UNIT;
}

/**
 * Tallies votes into cells. Models are sorted by name, so the tally (and every fit on it) does not
 * depend on vote order. A vote between a model and itself carries no information and is dropped.
 */
export function tallyVotes(votes: Iterable<Vote>, opts: { lengthControl?: boolean } = {}): Tally {
  const names = new Set<string>();
  const list: Vote[] = [];
  for (const v of votes) {
    if (v.a === v.b) continue;
    names.add(v.a);
    names.add(v.b);
    list.push(v);
  }
  const models = [...names].sort();
  const index = new Map(models.map((m, k) => [m, k]));
  // Integer cell keys: pair index times the number of length bins, plus the bin.
  const bins = 2 * LENGTH_BINS_PER_UNIT + 1;
  const cellOf = new Map<number, number>();
  const ci: number[] = [];
  const cj: number[] = [];
  const cx: number[] = [];
  const win: number[] = [];
  const loss: number[] = [];
  const tie: number[] = [];
  for (const v of list) {
    let i = index.get(v.a) as number;
    let j = index.get(v.b) as number;
    let score = v.score;
    let x = opts.lengthControl ? lengthCovariate(v.lengthA, v.lengthB) : 0;
    if (i > j) {
      [i, j] = [j, i];
      score = 1 - score;
      x = -x;
    }
    const key = (i * models.length + j) * bins + Math.round(x * LENGTH_BINS_PER_UNIT) + LENGTH_BINS_PER_UNIT;
    let c = cellOf.get(key);
    if (c === undefined) {
      c = ci.length;
      cellOf.set(key, c);
      ci.push(i);
      cj.push(j);
      cx.push(x === 0 ? 0 : x); // no -0 keys or covariates
      win.push(0);
      loss.push(0);
      tie.push(0);
    }
    if (score === 1) win[c]++;
    else if (score === 0) loss[c]++;
    else tie[c]++;
  }
  return {
    models,
    votes: list.length,
    cells: ci.length,
    i: Int32Array.from(ci),
    j: Int32Array.from(cj),
    x: Float64Array.from(cx),
    win: Float64Array.from(win),
    loss: Float64Array.from(loss),
    tie: Float64Array.from(tie),
  };
}

/** Per model: battles, wins, ties, losses; and per ordered pair: games and score (wins + ties / 2). */
export interface TallySummary {
  battles: Float64Array;
  wins: Float64Array;
  ties: Float64Array;
  /** n x n, row-major: games between i and j. */
  games: Float64Array;
  /** n x n, row-major: i's score against j (wins plus half the ties). */
  score: Float64Array;
}

/** Sums a tally per model and per pair of models (length bins merged). */
export function summariseTally(t: Tally): TallySummary {
  const n = t.models.length;
  const s: TallySummary = { battles: new Float64Array(n), wins: new Float64Array(n), ties: new Float64Array(n), games: new Float64Array(n * n), score: new Float64Array(n * n) };
  for (let c = 0; c < t.cells; c++) {
    const i = t.i[c];
    const j = t.j[c];
    const games = t.win[c] + t.loss[c] + t.tie[c];
    s.battles[i] += games;
    s.battles[j] += games;
    s.wins[i] += t.win[c];
    s.wins[j] += t.loss[c];
    s.ties[i] += t.tie[c];
    s.ties[j] += t.tie[c];
    s.games[i * n + j] += games;
    s.games[j * n + i] += games;
    s.score[i * n + j] += t.win[c] + t.tie[c] / 2;
    s.score[j * n + i] += t.loss[c] + t.tie[c] / 2;
  }
  return s;
}
