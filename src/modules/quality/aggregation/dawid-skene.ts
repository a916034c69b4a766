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

export interface DawidSkeneOptions {
  /** EM iteration cap (default 100, Crowd-Kit's default n_iter). */
  maxIterations?: number;
  /**
   * Stop when the observed-data log-likelihood gains less than this per answer in one iteration
   * (default 1e-6). Measured per answer so the same value works for 1,000 and 1,000,000 answers.
   */
  tolerance?: number;
  /** Pseudo-count added to every confusion-matrix cell in the M-step (default 0.01, see below). */
  smoothing?: number;
  /** Known labels (item -> label): those items are clamped to their label throughout EM. */
  gold?: Map<string, string>;
}

/** The raw EM state, on integer ids, for callers that need more than the public result. */
export interface DawidSkeneFit {
  /** nItems x nLabels, row-major. */
  posterior: Float64Array;
  /** Class prior, length nLabels. */
  prior: Float64Array;
  /** nWorkers x nLabels(true) x nLabels(given), row-major: P(given | true) per worker. */
  confusion: Float64Array;
  iterations: number;
  logLikelihood: number;
  converged: boolean;
}

/** Default pseudo-count per confusion cell; see `fitDawidSkene` for the reasoning. */
export const DS_DEFAULT_SMOOTHING = 0.01;

/**
 * Dawid & Skene (1979) EM on encoded answers. `goldOf[i]` is a label id to clamp item i to, or -1.
 * Returns the posterior over true labels, class prior and per-worker confusion matrices.
 *
 * Principled defaults (none tuned to a benchmark):
 * - Initialisation: the soft majority vote (each item's vote shares as T), the starting values
 *   Dawid & Skene propose and Crowd-Kit uses; EM starts at the consensus rather than at a random
 *   point, so the classes keep their names (no label switching) and the run is deterministic.
 * - Smoothing: a weak symmetric Dirichlet(1 + s) prior on each confusion row, s = 0.01 (MAP-EM).
 *   Without it a cell a worker never used is exactly 0, its log is -Infinity, and one answer can veto
 *   a class forever; 0.01 of a pseudo-answer keeps logs finite while barely moving any estimate
 *   backed by real answers. The class prior gets the same pseudo-count for the same reason.
 * - Stopping: the EM log-likelihood gain per answer falls below `tolerance`, or `maxIterations`.
 */
export function fitDawidSkene(
  enc: EncodedAnswers,
  opts: { maxIterations?: number; tolerance?: number; smoothing?: number; goldOf?: Int32Array } = {},
): DawidSkeneFit {
  const maxIterations = opts.maxIterations ?? 100;
  const tolerance = opts.tolerance ?? 1e-6;
  const smoothing = opts.smoothing ?? DS_DEFAULT_SMOOTHING;
  const goldOf = opts.goldOf;
  const k = enc.labels.length;
  const kk = k * k;
  const nWorkers = enc.workers.length;
  const nAnswers = enc.itemOf.length;
  // Precomputed offsets: the row of each answer's item in `posterior`, and the cell of its
  // (worker, given label) block in the count / log-confusion arrays. Computed once, read every pass.
  const rowOf = new Int32Array(nAnswers);
  const cellOf = new Int32Array(nAnswers);
  for (let a = 0; a < nAnswers; a++) {
    rowOf[a] = enc.itemOf[a] * k;
    cellOf[a] = (enc.workerOf[a] * k + enc.labelOf[a]) * k;
  }

  const posterior = weightedVoteShares(enc, new Float64Array(nWorkers).fill(1));
  clampGold(posterior, goldOf, k);

  const prior = new Float64Array(k);
  const logPrior = new Float64Array(k);
  const confusion = new Float64Array(nWorkers * kk);
  // Both laid out [worker][given][true], so an answer's k values sit side by side in memory.
  const counts = new Float64Array(nWorkers * kk);
  const logConfusion = new Float64Array(nWorkers * kk);
  let logLikelihood = -Infinity;
  let iterations = 0;
  let converged = false;

  while (iterations < maxIterations) {
    iterations++;
    // M-step (Dawid & Skene 1979, eqs. 2.3 and 2.4): expected counts of (true t, given l) per worker,
    // then each (worker, true t) row normalised over l with the pseudo-count.
    counts.fill(0);
    scatterAdd(rowOf, cellOf, posterior, counts, k);
    for (let w = 0; w < nWorkers; w++) {
      const wBase = w * kk;
      for (let t = 0; t < k; t++) {
        let total = 0;
        for (let l = 0; l < k; l++) total += counts[wBase + l * k + t] + smoothing;
        for (let l = 0; l < k; l++) {
          const p = total > 0 ? (counts[wBase + l * k + t] + smoothing) / total : 1 / k;
          confusion[wBase + t * k + l] = p;
          logConfusion[wBase + l * k + t] = Math.log(p);
        }
      }
    }
    estimateClassPrior(posterior, k, smoothing, prior, logPrior);

    // E-step (Dawid & Skene 1979, eq. 2.5): log P(true = t | answers) = log prior_t + sum of log
    // confusion over the item's answers, then normalised per item.
    for (let offset = 0; offset < posterior.length; offset += k) for (let c = 0; c < k; c++) posterior[offset + c] = logPrior[c];
    gatherAdd(rowOf, cellOf, logConfusion, posterior, k);
    const next = softmaxRows(posterior, k);
    clampGold(posterior, goldOf, k);
    const gain = (next - logLikelihood) / Math.max(1, nAnswers);
    logLikelihood = next;
    if (Math.abs(gain) < tolerance) {
      converged = true;
      break;
    }
  }
  return { posterior, prior, confusion, iterations, logLikelihood, converged };
}

/**
 * Dawid-Skene with full per-worker confusion matrices (Dawid & Skene 1979), fitted by EM from the
 * soft majority vote. Gold labels, when given, are held fixed (semi-supervised) and any gold label
 * nobody answered joins the label set. Worker `accuracy` is the expected fraction of the worker's
 * answers that are correct under the posterior; `confusion[true][given]` is the fitted matrix.
 * An empty answer list gives an empty result. Never throws on well-formed answers.
 */
export function dawidSkene(answers: readonly Answer[], opts: DawidSkeneOptions = {}): CategoricalResult {
  const enc = encodeAnswers(answers, opts.gold ? [...new Set(opts.gold.values())] : []);
  const fit = fitDawidSkene(enc, { ...opts, goldOf: encodeGold(enc, opts.gold) });
  return buildCategoricalResult(enc, fit.posterior, presentConfusions(enc, fit), fit.iterations, 'ds');
}

/** Turns the fitted typed arrays into the public per-worker records. */
export function presentConfusions(enc: EncodedAnswers, fit: DawidSkeneFit): CategoricalResult['workers'] {
  const k = enc.labels.length;
  const accuracy = expectedWorkerAccuracy(enc, fit.posterior);
  const workers: CategoricalResult['workers'] = new Map();
  for (let w = 0; w < enc.workers.length; w++) {
    const confusion: Record<string, Record<string, number>> = {};
    for (let t = 0; t < k; t++) {
      const row: Record<string, number> = {};
      for (let l = 0; l < k; l++) row[enc.labels[l]] = fit.confusion[w * k * k + t * k + l];
      confusion[enc.labels[t]] = row;
    }
    workers.set(enc.workers[w], { accuracy: accuracy[w], confusion });
  }
  return workers;
}

// The two inner loops of EM, kept small so V8 optimises them on their own, and unrolled by two
// because a loop over k = 2..5 labels otherwise spends as long on loop control as on arithmetic.

/** target[cellOf[a] + c] += source[rowOf[a] + c] for every answer a and label c. */
function scatterAdd(rowOf: Int32Array, cellOf: Int32Array, source: Float64Array, target: Float64Array, k: number): void {
  const even = k & ~1;
  for (let a = 0; a < rowOf.length; a++) {
    const r = rowOf[a];
    const b = cellOf[a];
    let c = 0;
    for (; c < even; c += 2) {
      target[b + c] += source[r + c];
      target[b + c + 1] += source[r + c + 1];
    }
    if (c < k) target[b + c] += source[r + c];
  }
}

/** target[rowOf[a] + c] += source[cellOf[a] + c] for every answer a and label c. */
function gatherAdd(rowOf: Int32Array, cellOf: Int32Array, source: Float64Array, target: Float64Array, k: number): void {
  const even = k & ~1;
  for (let a = 0; a < rowOf.length; a++) {
    const r = rowOf[a];
    const b = cellOf[a];
    let c = 0;
    for (; c < even; c += 2) {
      target[r + c] += source[b + c];
      target[r + c + 1] += source[b + c + 1];
    }
    if (c < k) target[r + c] += source[b + c];
  }
}
