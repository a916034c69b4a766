import { buildCategoricalResult, clampGold, encodeAnswers, encodeGold, estimateClassPrior, softmaxRows, type EncodedAnswers } from './encode.ts';
import type { Answer, CategoricalResult } from './types.ts';
import { weightedVoteShares } from './weighted-majority.ts';

export interface OneCoinOptions {
  /** EM iteration cap (default 100). */
  maxIterations?: number;
  /** Stop when the log-likelihood gains less than this per answer (default 1e-6). */
  tolerance?: number;
  /** Pseudo-count added to each worker's correct and wrong counts (default 0.01, as in Dawid-Skene). */
  smoothing?: number;
  /** Known labels, held fixed during EM. */
  gold?: Map<string, string>;
  /**
   * 'uniform' (default) keeps P(class) = 1/K, as the original model does; 'estimated' learns it in
   * the M-step. A symmetric-error model cannot express a worker's bias toward one label, so a learned
   * prior absorbs that bias and can run away toward the most-answered label; hence uniform.
   */
  classPrior?: 'uniform' | 'estimated';
}

/** The raw one-coin EM state on integer ids. */
export interface OneCoinFit {
  posterior: Float64Array;
  prior: Float64Array;
  /** Per worker: P(answer is the true label). */
  skill: Float64Array;
  iterations: number;
  converged: boolean;
}

/**
 * One-coin Dawid-Skene on encoded answers: each worker is right with probability p_w and otherwise
 * picks one of the other K-1 labels uniformly (the "one-coin" model of Zhang, Chen, Zhou & Jordan,
 * NIPS 2014). With the default uniform class prior it is ZenCrowd's EM (Demartini, Difallah &
 * Cudre-Mauroux, WWW 2012). Initialised from the soft majority vote; pseudo-count smoothing as in
 * `fitDawidSkene`.
 */
export function fitOneCoin(
  enc: EncodedAnswers,
  opts: { maxIterations?: number; tolerance?: number; classPrior?: 'uniform' | 'estimated'; smoothing?: number; goldOf?: Int32Array } = {},
): OneCoinFit {
  const maxIterations = opts.maxIterations ?? 100;
  const tolerance = opts.tolerance ?? 1e-6;
  const smoothing = opts.smoothing ?? 0.01;
  const classPrior = opts.classPrior ?? 'uniform';
  const k = enc.labels.length;
  const nItems = enc.items.length;
  const nWorkers = enc.workers.length;
  const nAnswers = enc.itemOf.length;
  const { itemOf, workerOf, labelOf } = enc;
  const posterior = weightedVoteShares(enc, new Float64Array(nWorkers).fill(1));
  clampGold(posterior, opts.goldOf, k);
  const prior = new Float64Array(k);
  const skill = new Float64Array(nWorkers);
  const correct = new Float64Array(nWorkers);
  const total = new Float64Array(nWorkers);
  const logRight = new Float64Array(nWorkers);
  const logWrong = new Float64Array(nWorkers);
  const logPrior = new Float64Array(k);
  const wrongShare = Math.log(Math.max(1, k - 1));
  let logLikelihood = -Infinity;
  let iterations = 0;
  let converged = false;
  while (iterations < maxIterations) {
    iterations++;
    // M-step: p_w = expected correct answers / answers, with `smoothing` pseudo-answers each way.
    correct.fill(0);
    total.fill(0);
    for (let a = 0; a < nAnswers; a++) {
      correct[workerOf[a]] += posterior[itemOf[a] * k + labelOf[a]];
      total[workerOf[a]] += 1;
    }
    for (let w = 0; w < nWorkers; w++) {
      skill[w] = (correct[w] + smoothing) / (total[w] + 2 * smoothing);
      logRight[w] = Math.log(skill[w]);
      logWrong[w] = Math.log(1 - skill[w]) - wrongShare;
    }
    if (classPrior === 'estimated') estimateClassPrior(posterior, k, smoothing, prior, logPrior);
    else {
      prior.fill(1 / k);
      logPrior.fill(-Math.log(k));
    }
    // E-step: every label gets the worker's "wrong" log-probability, the given label gets "right".
    for (let i = 0; i < nItems; i++) posterior.set(logPrior, i * k);
    for (let a = 0; a < nAnswers; a++) {
      const row = itemOf[a] * k;
      const w = workerOf[a];
      for (let c = 0; c < k; c++) posterior[row + c] += logWrong[w];
      posterior[row + labelOf[a]] += logRight[w] - logWrong[w];
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
  return { posterior, prior, skill, iterations, converged };
}

/**
 * One-coin Dawid-Skene (a single accuracy per worker, errors spread evenly over the other labels).
 * Worker `accuracy` is the fitted p_w. Gold labels, when given, are held fixed. Never throws.
 */
export function oneCoinDawidSkene(answers: readonly Answer[], opts: OneCoinOptions = {}): CategoricalResult {
  const enc = encodeAnswers(answers, opts.gold ? [...new Set(opts.gold.values())] : []);
  const fit = fitOneCoin(enc, { ...opts, goldOf: encodeGold(enc, opts.gold) });
  const workers: CategoricalResult['workers'] = new Map();
  for (let w = 0; w < enc.workers.length; w++) workers.set(enc.workers[w], { accuracy: fit.skill[w] });
  return buildCategoricalResult(enc, fit.posterior, workers, fit.iterations, 'onecoin');
}
