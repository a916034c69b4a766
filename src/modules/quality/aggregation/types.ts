/** One categorical answer: `worker` said `label` about `item`. Repeated (worker, item) rows are allowed. */
export interface Answer {
  worker: string;
  item: string;
  label: string;
}

/** What every categorical aggregator returns. */
export interface CategoricalResult {
  /** Per item: the chosen label, the posterior (or vote share) over all labels, and the chosen label's share. */
  items: Map<string, { label: string; posterior: Record<string, number>; confidence: number }>;
  /**
   * Per worker: an accuracy estimate in [0, 1] and, for methods that model it, the confusion matrix
   * `confusion[trueLabel][givenLabel]` = P(worker answers givenLabel | item is trueLabel).
   */
  workers: Map<string, { accuracy: number; confusion?: Record<string, Record<string, number>> }>;
  /** EM / fixed-point iterations run (0 for one-pass methods). */
  iterations: number;
  method: string;
}

/** The categorical methods reachable through `aggregate()`. */
export type Method = 'mv' | 'ds' | 'onecoin' | 'glad' | 'wawa';
