import { dawidSkene } from './dawid-skene.ts';
import { glad } from './glad.ts';
import { majorityVote } from './majority-vote.ts';
import { oneCoinDawidSkene } from './one-coin.ts';
import type { Answer, CategoricalResult, Method } from './types.ts';
import { wawa } from './wawa.ts';

/** Every method `aggregate()` accepts, in the order a CLI or UI lists them. */
export const METHODS: readonly Method[] = ['ds', 'mv', 'wawa', 'glad', 'onecoin'];

/**
 * The method used when none is chosen: Dawid-Skene. It is the only one here that models per-class
 * confusion (a worker who over-uses one label), which is the common failure in real crowds; the
 * one-coin family (one-coin, GLAD) assumes symmetric errors, and MV/Wawa ignore skill altogether.
 */
export const DEFAULT_METHOD: Method = 'ds';

/** Options shared by the methods; each method reads only the ones it understands. */
export interface AggregateOptions {
  /** EM methods (ds, onecoin, glad): iteration cap. */
  maxIterations?: number;
  /** EM methods: stop when the log-likelihood gain per answer falls below this. */
  tolerance?: number;
  /** ds, onecoin: pseudo-count added to each skill cell. */
  smoothing?: number;
  /** EM methods: known labels held fixed (semi-supervised). Ignored by mv and wawa. */
  gold?: Map<string, string>;
  /** mv: tie-break rule (default 'smallest'). */
  tieBreak?: 'smallest' | 'random';
  /** mv: seed for random tie-breaks. */
  seed?: number;
}

/** True when `value` names a method `aggregate()` accepts. */
export function isMethod(value: string): value is Method {
  return (METHODS as readonly string[]).includes(value);
}

/**
 * Runs one categorical method by name. Throws RangeError on an unknown method name (callers with
 * untrusted input should check `isMethod` first).
 */
export function aggregate(method: Method, answers: readonly Answer[], opts: AggregateOptions = {}): CategoricalResult {
  switch (method) {
    case 'mv':
      return majorityVote(answers, { tieBreak: opts.tieBreak, seed: opts.seed });
    case 'wawa':
      return wawa(answers);
    case 'ds':
      return dawidSkene(answers, opts);
    case 'onecoin':
      return oneCoinDawidSkene(answers, opts);
    case 'glad':
      return glad(answers, opts);
    default:
      throw new RangeError(`unknown aggregation method: ${String(method)}`);
  }
}
