import { type Tally, tallyVotes, type Vote } from './tally.ts';

/*
 * Bradley-Terry maximum likelihood on a tally of pairwise votes (Bradley & Terry 1952):
 * P(i beats j) = σ(θ_i - θ_j [+ β x]), where x is the optional length covariate. A tie counts as
 * half a win each way. Fitted by Newton's method on the penalised log-likelihood, which is concave,
 * so a handful of iterations reach machine precision; each iteration costs O(cells) to build the
 * gradient and Hessian and O(models³) to solve (50 models: a 51 x 51 Cholesky).
 */

/** Rating points per logit: the Elo scale, where 400 points are a factor of 10 in odds. */
export const RATING_PER_LOGIT = 400 / Math.LN10;
/** The mean rating every fit is anchored to. */
export const RATING_ANCHOR = 1000;
/**
 * Default L2 penalty on the logits: a Gaussian prior with variance 1000 logit², too weak to move a
 * rating measurably once there is data (a shift of order ridge / Fisher information), but enough to
 * keep a model that won or lost every battle, or a pair of disconnected groups, finite.
 */
export const DEFAULT_RIDGE = 1e-3;

/** Per-cell counts: the tally's own, or a bootstrap resample of them. */
export interface CellCounts {
  win: Float64Array;
  loss: Float64Array;
  tie: Float64Array;
}

export interface BtOptions {
  /** Fit the length coefficient β as well (default false). */
  lengthControl?: boolean;
  /** L2 penalty on logits and β (default DEFAULT_RIDGE; must be > 0). */
  ridge?: number;
  /**
   * Newton stops after a step that moved no parameter by more than this many logits (default
   * 1e-6). Convergence is quadratic, so the error left after that step is of order 1e-12.
   */
  tolerance?: number;
  /** Default 100; a fit that runs out reports converged: false. */
  maxIterations?: number;
}

export interface BtFit {
  /** Logit strengths, centred on 0, in the tally's model order. */
  theta: Float64Array;
  /** Length coefficient (logits per unit of relative length difference); 0 without length control. */
  beta: number;
  iterations: number;
  converged: boolean;
  /** Penalised log-likelihood at the fit. */
  logLikelihood: number;
}

// A Newton step never moves a parameter by more than this many logits: a guard for cold starts
// on lopsided data, where the quadratic model is poor far from the optimum.
const MAX_STEP = 4;

/**
 * A reusable fitter for one tally: allocates its workspace once, so a bootstrap can call it a
 * thousand times on resampled counts without garbage. `fit(counts, init)` warm-starts from `init`
 * (default: all strengths equal, β = 0).
 */
export function createBtFitter(tally: Tally, opts: BtOptions = {}) {
  const n = tally.models.length;
  const lc = opts.lengthControl === true;
  const d = n + (lc ? 1 : 0);
  const ridge = opts.ridge ?? DEFAULT_RIDGE;
  if (!(ridge > 0)) throw new RangeError('ridge must be > 0');
  const tolerance = opts.tolerance ?? 1e-6;
  const maxIterations = opts.maxIterations ?? 100;
  const H = new Float64Array(d * d);
  const g = new Float64Array(d);
  const delta = new Float64Array(d);
  const params = new Float64Array(d);
  const base = new Float64Array(d);
  const { i: ci, j: cj, x: cx } = tally;

  /** Penalised log-likelihood, its gradient into g and the negative Hessian into H, at `params`. */
  function evaluate(counts: CellCounts): number {
    H.fill(0);
    g.fill(0);
    let ll = 0;
    const beta = lc ? params[n] : 0;
    for (let c = 0; c < tally.cells; c++) {
      const games = counts.win[c] + counts.loss[c] + counts.tie[c];
      if (games === 0) continue;
      const i = ci[c];
      const j = cj[c];
      const x = cx[c];
      const z = params[i] - params[j] + beta * x;
      const w = counts.win[c] + counts.tie[c] / 2;
      // One exp and one log1p per cell: with e = exp(-|z|), log σ(|z|) = -log1p(e) and
      // log σ(-|z|) = -|z| - log1p(e), stable for any z.
      const e = Math.exp(-Math.abs(z));
      const l = Math.log1p(e);
      let s: number;
      if (z >= 0) {
        s = 1 / (1 + e);
        ll -= w * l + (games - w) * (z + l);
      } else {
        s = e / (1 + e);
        ll -= w * (l - z) + (games - w) * l;
      }
      const r = w - games * s;
      const v = games * s * (1 - s);
      g[i] += r;
      g[j] -= r;
      H[i * d + i] += v;
      H[j * d + j] += v;
      H[i * d + j] -= v;
      H[j * d + i] -= v;
      if (lc && x !== 0) {
        g[n] += x * r;
        H[n * d + n] += x * x * v;
        H[i * d + n] += x * v;
        H[n * d + i] += x * v;
        H[j * d + n] -= x * v;
        H[n * d + j] -= x * v;
      }
    }
    let diag = 0;
    for (let k = 0; k < d; k++) {
      ll -= (ridge / 2) * params[k] * params[k];
      g[k] -= ridge * params[k];
      H[k * d + k] += ridge;
      diag += H[k * d + k];
    }
    // The likelihood is blind to adding a constant to every θ, so H is singular along 1. Adding
    // c·11ᵀ on the θ block removes that null direction without changing the step: θ stays
    // centred, so the θ-gradient sums to zero and the step solves the same system.
    const c = Math.max(1, diag / d) / n;
    for (let a = 0; a < n; a++) for (let b = 0; b < n; b++) H[a * d + b] += c;
    return ll;
  }

  /** Solves H δ = g in place by Cholesky (H is symmetric positive definite). */
  function solve(): void {
    for (let a = 0; a < d; a++) {
      for (let b = 0; b <= a; b++) {
        let sum = H[a * d + b];
        for (let k = 0; k < b; k++) sum -= H[a * d + k] * H[b * d + k];
        if (a === b) H[a * d + a] = Math.sqrt(Math.max(sum, 1e-300));
        else H[a * d + b] = sum / H[b * d + b];
      }
    }
    for (let a = 0; a < d; a++) {
      let sum = g[a];
      for (let k = 0; k < a; k++) sum -= H[a * d + k] * delta[k];
      delta[a] = sum / H[a * d + a];
    }
    for (let a = d - 1; a >= 0; a--) {
      let sum = delta[a];
      for (let k = a + 1; k < d; k++) sum -= H[k * d + a] * delta[k];
      delta[a] = sum / H[a * d + a];
    }
  }

  function centre(): void {
    let mean = 0;
    for (let k = 0; k < n; k++) mean += params[k];
    mean /= n;
    for (let k = 0; k < n; k++) params[k] -= mean;
  }

  return {
    models: tally.models,
    fit(counts: CellCounts = tally, init?: { theta: ArrayLike<number>; beta: number }): BtFit {
      params.fill(0);
      if (init) {
        for (let k = 0; k < n; k++) params[k] = init.theta[k];
        if (lc) params[n] = init.beta;
      }
      if (n < 2) return { theta: new Float64Array(n), beta: 0, iterations: 0, converged: true, logLikelihood: 0 };
      centre();
      let best = -Infinity;
      let scale = 1;
      let iterations = 0;
      let converged = false;
      let ll = -Infinity;
      while (iterations < maxIterations) {
        iterations++;
        ll = evaluate(counts);
        if (ll < best - 1e-12 * Math.abs(best) && scale > 1e-6) {
          // The last step overshot (possible only far from the optimum): halve it and look again.
          scale /= 2;
          for (let k = 0; k < d; k++) params[k] = base[k] + scale * delta[k];
          centre();
          continue;
        }
        best = ll;
        base.set(params);
        solve();
        let largest = 0;
        for (let k = 0; k < d; k++) largest = Math.max(largest, Math.abs(delta[k]));
        scale = largest > MAX_STEP ? MAX_STEP / largest : 1;
        for (let k = 0; k < d; k++) params[k] += scale * delta[k];
        centre();
        if (largest * scale < tolerance) {
          converged = true;
          break;
        }
      }
      return { theta: params.slice(0, n), beta: lc ? params[n] : 0, iterations, converged, logLikelihood: ll };
    },
  };
}

/** Ratings on the Elo-like scale from logit strengths: 1000 + (400 / ln 10) · (θ - mean θ). */
export function ratingsFromTheta(theta: ArrayLike<number>): Float64Array {
  const n = theta.length;
  let mean = 0;
  for (let k = 0; k < n; k++) mean += theta[k];
  mean /= n || 1;
  const out = new Float64Array(n);
  for (let k = 0; k < n; k++) out[k] = RATING_ANCHOR + RATING_PER_LOGIT * (theta[k] - mean);
  return out;
}

export interface BtRatings {
  /** Model names, sorted. */
  models: string[];
  /** Ratings in the same order, mean 1000. */
  ratings: number[];
  /** Length coefficient in logits per unit of relative length difference (length control only). */
  lengthCoefficient?: number;
  fit: BtFit;
}

/** Convenience: tallies votes and fits Bradley-Terry ratings (see createBtFitter for options). */
export function fitBradleyTerry(votes: Iterable<Vote>, opts: BtOptions = {}): BtRatings {
  const tally = tallyVotes(votes, { lengthControl: opts.lengthControl });
  const fit = createBtFitter(tally, opts).fit();
  return { models: tally.models, ratings: [...ratingsFromTheta(fit.theta)], ...(opts.lengthControl && { lengthCoefficient: fit.beta }), fit };
}
