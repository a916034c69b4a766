/**
 * Scoring a worker's answer against a gold answer, per task type. Pure functions over plain data.
 * `score` is in [0, 1]; `correct` is what the worker is told. Types without an objective answer
 * (sft, rubric) are not scored: `correct` is null and the worker just sees the reference.
 */
export interface GoldScore {
  correct: boolean | null;
  score: number | null;
}

type Json = Record<string, unknown>;

/** Intersection over union of two boxes in pixel coordinates. */
export function iou(a: Box, b: Box): number {
  const x1 = Math.max(a.left, b.left);
  const y1 = Math.max(a.top, b.top);
  const x2 = Math.min(a.left + a.width, b.left + b.width);
  const y2 = Math.min(a.top + a.height, b.top + b.height);
  const inter = Math.max(0, x2 - x1) * Math.max(0, y2 - y1);
  const union = a.width * a.height + b.width * b.height - inter;
  return union > 0 ? inter / union : 0;
}

export interface Box {
  label: string;
  left: number;
  top: number;
  width: number;
  height: number;
}

function f1(matched: number, predicted: number, expected: number): number {
  if (predicted === 0 && expected === 0) return 1;
  return (2 * matched) / (predicted + expected);
}

/** Greedy one-to-one matching of boxes with the same label and IoU >= threshold, best pairs first. */
export function matchBoxes(expected: Box[], answer: Box[], threshold: number): number {
  const pairs: [number, number, number][] = [];
  expected.forEach((e, i) => answer.forEach((a, j) => {
    const v = e.label === a.label ? iou(e, a) : 0;
    if (v >= threshold) pairs.push([v, i, j]);
  }));
  pairs.sort((x, y) => y[0] - x[0]);
  const usedE = new Set<number>();
  const usedA = new Set<number>();
  for (const [, i, j] of pairs) {
    if (usedE.has(i) || usedA.has(j)) continue;
    usedE.add(i);
    usedA.add(j);
  }
  return usedE.size;
}

const sameSet = (a: unknown[], b: unknown[]) => a.length === b.length && new Set(a).size === new Set([...a, ...b]).size;

function jaccard(a: unknown[], b: unknown[]): number {
  const sa = new Set(a);
  const sb = new Set(b);
  const inter = [...sa].filter((x) => sb.has(x)).length;
  const union = new Set([...sa, ...sb]).size;
  return union === 0 ? 1 : inter / union;
}

const exact = (ok: boolean): GoldScore => ({ correct: ok, score: ok ? 1 : 0 });

/**
 * Scores `answer` against `expected` for a task of `type` with `params`.
 * Thresholds: boxes match at IoU >= params.gold_iou (default 0.5, as in PASCAL VOC); spans and
 * boxes count as correct when F1 >= params.gold_f1 (default 1: every object found, nothing extra).
 */
export function scoreGold(type: string, params: Json, expected: Json, answer: Json): GoldScore {
  switch (type) {
    case 'categorization':
      if (Array.isArray(expected.categories)) {
        const got = (answer.categories as unknown[]) ?? [];
        return { correct: sameSet(expected.categories, got), score: jaccard(expected.categories, got) };
      }
      return exact(expected.category === answer.category);
    case 'binaryfeedback':
      return exact(expected.label === answer.label);
    case 'refusalaudit':
      return exact(expected.label === answer.label);
    case 'comparison':
      return exact(expected.winner === answer.winner);
    case 'rating': {
      const want = expected.ratings as Record<string, number>;
      const got = (answer.ratings as Record<string, number>) ?? {};
      const keys = Object.keys(want);
      const hits = keys.filter((k) => want[k] === got[k]).length;
      return { correct: hits === keys.length, score: keys.length ? hits / keys.length : 1 };
    }
    case 'textcollection': {
      const want = expected.annotations as Record<string, { type: string; response: unknown }>;
      const got = (answer.annotations as Record<string, { response: unknown }>) ?? {};
      // Free text has no single right answer; only closed fields are scored.
      const keys = Object.keys(want).filter((k) => want[k].type !== 'text');
      if (keys.length === 0) return { correct: null, score: null };
      const hits = keys.filter((k) => JSON.stringify(want[k].response) === JSON.stringify(got[k]?.response)).length;
      return { correct: hits === keys.length, score: hits / keys.length };
    }
    case 'ranking': {
      const order = (r: unknown) => new Map((r as string[][]).flatMap((group, rank) => group.map((id) => [id, rank] as const)));
      const want = order(expected.ranking);
      const got = order(answer.ranking);
      const ids = [...want.keys()];
      let pairs = 0;
      let agree = 0;
      for (let i = 0; i < ids.length; i++) {
        for (let j = i + 1; j < ids.length; j++) {
          pairs++;
          if (Math.sign((want.get(ids[i]) ?? 0) - (want.get(ids[j]) ?? 0)) === Math.sign((got.get(ids[i]) ?? 0) - (got.get(ids[j]) ?? 0))) agree++;
        }
      }
      return { correct: agree === pairs, score: pairs ? agree / pairs : 1 };
    }
    case 'namedentityrecognition': {
      const key = (s: { start: number; end: number; label: string }) => `${s.start}:${s.end}:${s.label}`;
      const want = new Set((expected.spans as { start: number; end: number; label: string }[]).map(key));
      const got = new Set(((answer.spans as { start: number; end: number; label: string }[]) ?? []).map(key));
      const matched = [...got].filter((k) => want.has(k)).length;
      const score = f1(matched, got.size, want.size);
      return { correct: score >= ((params.gold_f1 as number | undefined) ?? 1), score };
    }
    case 'imageannotation': {
      const boxes = (v: Json) => ((v.annotations as (Box & { type: string })[]) ?? []).filter((a) => a.type === 'box');
      const want = boxes(expected);
      const got = boxes(answer);
      const matched = matchBoxes(want, got, (params.gold_iou as number | undefined) ?? 0.5);
      const score = f1(matched, got.length, want.length);
      return { correct: score >= ((params.gold_f1 as number | undefined) ?? 1), score };
    }
    default:
      return { correct: null, score: null };
  }
}
