import {
  buildCategoricalResult,
  clampGold,
  encodeAnswers,
  encodeGold,
  estimateClassPrior,
  expectedWorkerAccuracy,
  softmaxRows,
  type EncodedAnswers,
} from './encode.ts';
import type { Answer, CategoricalResult } from './types.ts';
import { weightedVoteShares } from './weighted-majority.ts';

export interface GladOptions {
  /** EM iteration cap (default 100). */
  maxIterations?: number;
  /** Stop when the log-likelihood gains less than this per answer (default 1e-6). */
  tolerance?: number;
  /** Newton sweeps over worker abilities and item difficulties per M-step (default 3). */
  newtonSteps?: number;
  /** Known labels, held fixed during EM. */
  gold?: Map<string, string>;
  /**
   * 'uniform' (default) keeps P(class) = 1/K, as the original model does; 'estimated' learns it in
   * the M-step. A symmetric-error model cannot express a worker's bias toward one label, so a learned
   * prior absorbs that bias and can run away toward the most-answered label; hence uniform.
   */
  classPrior?: 'uniform' | 'estimated';
}

/** The raw GLAD state on integer ids. */
export interface GladFit {
  posterior: Float64Array;
  prior: Float64Array;
  /** Worker ability alpha (negative = adversarial). */
  alpha: Float64Array;
  /** Item log inverse-difficulty: beta = exp(logBeta) > 0. */
  logBeta: Float64Array;
  iterations: number;
  converged: boolean;
}

// Gaussian priors as in Whitehill et al.'s reference code and Crowd-Kit's port of it: alpha ~ N(1, 1)
// (a worker starts out better than chance) and log beta ~ N(1, 1). Besides matching the reference,
// they keep each Newton step well posed for a worker or item with a single answer.
const ALPHA_MEAN = 1;
const ALPHA_VARIANCE = 1;
const LOG_BETA_MEAN = 1;
const LOG_BETA_VARIANCE = 1;

/** log(1 + e^x) without overflow. */
function softplus(x: number): number {
  return x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x));
}

/**
 * GLAD (Whitehill, Ruvolo, Wu, Bergsma & Movellan, NIPS 2009) on encoded answers:
 * P(worker w labels item j correctly) = sigmoid(alpha_w * beta_j); a wrong answer is one of the other
 * K-1 labels uniformly. EM from the soft majority vote; the M-step maximises the expected complete
 * log-likelihood plus the Gaussian priors by alternating one-dimensional Newton steps (the objective
 * separates into one term per worker given the items and one per item given the workers).
 */
export function fitGlad(
  enc: EncodedAnswers,
  opts: { maxIterations?: number; tolerance?: number; classPrior?: 'uniform' | 'estimated'; newtonSteps?: number; goldOf?: Int32Array } = {},
): GladFit {
  const maxIterations = opts.maxIterations ?? 100;
  const tolerance = opts.tolerance ?? 1e-6;
  const newtonSteps = opts.newtonSteps ?? 3;
  const classPrior = opts.classPrior ?? 'uniform';
  const k = enc.labels.length;
  const nItems = enc.items.length;
  const nWorkers = enc.workers.length;
  const nAnswers = enc.itemOf.length;
  const { itemOf, workerOf, labelOf } = enc;
  const posterior = weightedVoteShares(enc, new Float64Array(nWorkers).fill(1));
  clampGold(posterior, opts.goldOf, k);
  const alpha = new Float64Array(nWorkers).fill(ALPHA_MEAN);
  const logBeta = new Float64Array(nItems).fill(LOG_BETA_MEAN);
  const prior = new Float64Array(k);
  const logPrior = new Float64Array(k);
  const target = new Float64Array(nAnswers);
  const grad = new Float64Array(Math.max(nWorkers, nItems));
  const hess = new Float64Array(Math.max(nWorkers, nItems));
  const wrongShare = Math.log(Math.max(1, k - 1));
  let logLikelihood = -Infinity;
  let iterations = 0;
  let converged = false;
  while (iterations < maxIterations) {
    iterations++;
    // M-step. target[a] = posterior probability that answer a is correct.
    for (let a = 0; a < nAnswers; a++) target[a] = posterior[itemOf[a] * k + labelOf[a]];
    for (let step = 0; step < newtonSteps; step++) {
      // Abilities: d/dalpha of sum[t log s(x) + (1-t) log(1-s(x))] with x = alpha*beta is (t - s)*beta.
      grad.fill(0, 0, nWorkers);
      hess.fill(0, 0, nWorkers);
      for (let a = 0; a < nAnswers; a++) {
        const w = workerOf[a];
        const beta = Math.exp(logBeta[itemOf[a]]);
        const s = 1 / (1 + Math.exp(-alpha[w] * beta));
        grad[w] += (target[a] - s) * beta;
        hess[w] += s * (1 - s) * beta * beta;
      }
      for (let w = 0; w < nWorkers; w++) {
        const g = grad[w] - (alpha[w] - ALPHA_MEAN) / ALPHA_VARIANCE;
        const h = hess[w] + 1 / ALPHA_VARIANCE;
        alpha[w] += clampStep(g / h, 2);
      }
      // Difficulties: chain rule through beta = exp(logBeta); Gauss-Newton curvature keeps h > 0.
      grad.fill(0, 0, nItems);
      hess.fill(0, 0, nItems);
      for (let a = 0; a < nAnswers; a++) {
        const j = itemOf[a];
        const x = alpha[workerOf[a]] * Math.exp(logBeta[j]);
        const s = 1 / (1 + Math.exp(-x));
        grad[j] += (target[a] - s) * x;
        hess[j] += s * (1 - s) * x * x;
      }
      for (let j = 0; j < nItems; j++) {
        const g = grad[j] - (logBeta[j] - LOG_BETA_MEAN) / LOG_BETA_VARIANCE;
        const h = hess[j] + 1 / LOG_BETA_VARIANCE;
        logBeta[j] += clampStep(g / h, 1);
      }
    }
    if (classPrior === 'estimated') estimateClassPrior(posterior, k, 0.01, prior, logPrior);
    else {
      prior.fill(1 / k);
      logPrior.fill(-Math.log(k));
    }
    // E-step: log P(answer | true c) = log s(x) if the answer is c, else log(1 - s(x)) - log(K-1).
    for (let i = 0; i < nItems; i++) posterior.set(logPrior, i * k);
    for (let a = 0; a < nAnswers; a++) {
      const row = itemOf[a] * k;
      const x = alpha[workerOf[a]] * Math.exp(logBeta[itemOf[a]]);
      const logRight = -softplus(-x);
      const logWrong = -softplus(x) - wrongShare;
      for (let c = 0; c < k; c++) posterior[row + c] += logWrong;
      posterior[row + labelOf[a]] += logRight - logWrong;
    }
    const next = softmaxRows(posterior, k);
    clampGold(posterior, opts.goldOf, k);
    const gain = (next - logLikelihood) / Math.max(1, nAnswers);
    logLikelihood = next;
    if (Math.abs(gain) < tolerance) {
      converged = true;
      break;
    }
  }
  return { posterior, prior, alpha, logBeta, iterations, converged };
}

/** Limits a Newton step to +-limit: a trust region that stops early steps from overshooting. */
function clampStep(step: number, limit: number): number {
  return step > limit ? limit : step < -limit ? -limit : step;
}

/**
 * GLAD: worker ability times item easiness (Whitehill et al., NIPS 2009). Worker `accuracy` is the
 * expected fraction of their answers that are correct under the posterior. Gold labels, when given,
 * are held fixed. Never throws on well-formed answers.
 */
export function glad(answers: readonly Answer[], opts: GladOptions = {}): CategoricalResult {
  const enc = encodeAnswers(answers, opts.gold ? [...new Set(opts.gold.values())] : []);
  const fit = fitGlad(enc, { ...opts, goldOf: encodeGold(enc, opts.gold) });
  const accuracy = expectedWorkerAccuracy(enc, fit.posterior);
  const workers: CategoricalResult['workers'] = new Map();
  for (let w = 0; w < enc.workers.length; w++) workers.set(enc.workers[w], { accuracy: accuracy[w] });
  return buildCategoricalResult(enc, fit.posterior, workers, fit.iterations, 'glad');
}
