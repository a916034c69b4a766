import { REFUSAL_LABELS } from '../../shared/task-types.ts';
import { aggregateBoxes, aggregateComparisons, aggregateMultiLabel, aggregateRatings, type CategoricalResult, posteriorFromSkills, voteSpansExact } from './aggregation/index.ts';

/**
 * One task's answers turned into its result, per task type. Pure: answers and worker skills in,
 * `{answer, confidence, method, n_answers, agreement}` out.
 */
export interface TaskAnswer {
  worker: string;
  response: Record<string, unknown>;
}

export interface TaskResult {
  /** The aggregated answer in the type's response shape, or null where answers are not merged (free text). */
  answer: Record<string, unknown> | null;
  /** Posterior probability of the answer (categorical types), else null. */
  confidence: number | null;
  method: string;
  n_answers: number;
  /** Share of answers that agree with the result (categorical), or null. */
  agreement: number | null;
  /** Posterior over labels, for categorical types: what dynamic overlap decides on. */
  posterior?: Record<string, number>;
}

/** How a categorical type reads a label from an answer and writes one back. */
interface CategoricalView {
  labels: string[];
  read(response: Record<string, unknown>): string | undefined;
  write(label: string): Record<string, unknown>;
}

/** The categorical view of a type, or undefined when its answers are not a single label. */
export function categoricalView(type: string, params: Record<string, unknown>): CategoricalView | undefined {
  switch (type) {
    case 'categorization':
      if (params.allow_multiple) return undefined;
      return { labels: params.categories as string[], read: (r) => r.category as string, write: (l) => ({ category: l }) };
    case 'refusalaudit':
      return { labels: [...REFUSAL_LABELS], read: (r) => r.label as string, write: (l) => ({ label: l }) };
    case 'binaryfeedback':
      return { labels: ['false', 'true'], read: (r) => String(r.label), write: (l) => ({ label: l === 'true' }) };
    default:
      return undefined;
  }
}

const median = (values: number[]) => {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

/**
 * Aggregates one task's answers. Categorical types use the workers' current skills (one-coin or
 * confusion matrices; `unknownAccuracy` for workers without any) to give a posterior; other types
 * use their own consensus rule (median ratings, span voting, IoU box clustering, majority winner).
 */
export function aggregateTask(
  type: string,
  params: Record<string, unknown>,
  answers: readonly TaskAnswer[],
  skills: CategoricalResult['workers'],
  unknownAccuracy: number,
): TaskResult {
  const n = answers.length;
  const item = 'task';
  const view = categoricalView(type, params);
  if (view) {
    const labelled = answers.map((a) => ({ worker: a.worker, label: view.read(a.response) ?? '' }));
    const posterior = posteriorFromSkills(labelled, skills, { labels: view.labels, unknownAccuracy });
    let best = view.labels[0];
    for (const l of view.labels) if (posterior[l] > posterior[best]) best = l;
    return {
      answer: view.write(best),
      confidence: posterior[best],
      method: 'skill_posterior',
      n_answers: n,
      agreement: n ? labelled.filter((a) => a.label === best).length / n : null,
      posterior,
    };
  }
  switch (type) {
    case 'categorization': {
      const result = aggregateMultiLabel(answers.map((a) => ({ worker: a.worker, item, labels: a.response.categories as string[] }))).get(item);
      const scores = result?.scores ?? {};
      const sure = Object.values(scores).map((p) => Math.max(p, 1 - p));
      return { answer: { categories: result?.labels ?? [] }, confidence: sure.length ? Math.min(...sure) : null, method: 'binary_relevance_mv', n_answers: n, agreement: null };
    }
    case 'comparison': {
      const result = aggregateComparisons(answers.map((a) => ({ worker: a.worker, item, choice: a.response.winner === 'tie' ? null : (a.response.winner as string) }))).get(item);
      const winner = !result || result.tie ? 'tie' : (result.winner as string);
      return { answer: { winner }, confidence: result ? result.share : null, method: 'majority', n_answers: n, agreement: result ? result.share : null };
    }
    case 'rating':
    case 'rubric': {
      const key = type === 'rating' ? 'ratings' : 'criteria';
      const perCriterion: Record<string, number> = {};
      const spread: Record<string, number> = {};
      const criteria = new Set(answers.flatMap((a) => Object.keys((a.response[key] as object) ?? {})));
      for (const c of criteria) {
        const values = answers
          .map((a) => {
            const v = (a.response[key] as Record<string, unknown>)[c];
            return typeof v === 'number' ? v : (v as { score?: number } | undefined)?.score;
          })
          .filter((v): v is number => typeof v === 'number');
        if (!values.length) continue;
        const summary = aggregateRatings(values.map((value, i) => ({ worker: String(i), item: c, value }))).get(c);
        perCriterion[c] = median(values);
        spread[c] = summary?.mad ?? 0;
      }
      const answer = type === 'rating' ? { ratings: perCriterion } : { criteria: Object.fromEntries(Object.entries(perCriterion).map(([c, score]) => [c, { score }])) };
      return { answer: { ...answer, spread }, confidence: null, method: 'median', n_answers: n, agreement: null };
    }
    case 'namedentityrecognition': {
      const text = Array.from(params.text as string);
      const voted = voteSpansExact(answers.map((a) => ({ worker: a.worker, item, spans: a.response.spans as { start: number; end: number; label: string }[] })), { minShare: 0.5 }).get(item) ?? [];
      return {
        answer: { spans: voted.map((s) => ({ start: s.start, end: s.end, label: s.label, text: text.slice(s.start, s.end).join('') })) },
        confidence: voted.length ? Math.min(...voted.map((s) => s.share)) : null,
        method: 'span_vote',
        n_answers: n,
        agreement: null,
      };
    }
    case 'imageannotation': {
      type Ann = { type: string; label: string; left: number; top: number; width: number; height: number };
      const boxes = aggregateBoxes(
        answers.map((a) => ({ worker: a.worker, item, boxes: (a.response.annotations as Ann[]).filter((x) => x.type === 'box').map((b) => ({ x: b.left, y: b.top, width: b.width, height: b.height, label: b.label })) })),
      ).get(item) ?? [];
      return {
        answer: { annotations: boxes.map((b) => ({ type: 'box', label: b.label, left: b.x, top: b.y, width: b.width, height: b.height })) },
        confidence: boxes.length ? Math.min(...boxes.map((b) => b.share)) : null,
        method: 'iou_cluster',
        n_answers: n,
        agreement: null,
      };
    }
    case 'ranking': {
      // Borda count: k-1 points for first place down to 0; equal scores share a group.
      const score = new Map<string, number>();
      for (const a of answers) {
        const groups = a.response.ranking as string[][];
        const total = groups.flat().length;
        let place = 0;
        for (const group of groups) {
          for (const id of group) score.set(id, (score.get(id) ?? 0) + (total - 1 - place));
          place += group.length;
        }
      }
      const ordered = [...score.entries()].sort((x, y) => y[1] - x[1]);
      const ranking: string[][] = [];
      for (const [id, s] of ordered) {
        const last = ranking[ranking.length - 1];
        if (last && score.get(last[0]) === s) last.push(id);
        else ranking.push([id]);
      }
      return { answer: { ranking }, confidence: null, method: 'borda', n_answers: n, agreement: null };
    }
    default:
      // Free text (sft, textcollection): answers are kept, not merged.
      return { answer: null, confidence: null, method: 'no_merge', n_answers: n, agreement: null };
  }
}
