import { rankingToPairs } from './pairs.ts';
import type { Vote } from './tally.ts';

/*
 * From comparison and ranking answers to model votes. Answers name response ids, never screen
 * sides; the task's params map each id to the model that wrote it.
 */

interface ResponseParam {
  id: string;
  model?: string;
  messages?: { content?: unknown }[];
}

/** A task's responses by id: model name and length (code points over all messages). */
export type ResponseIndex = Map<string, { model: string; length: number }>;

/** Characters (code points) in a response's messages: the length length control adjusts for. */
export function responseLength(messages: readonly { content?: unknown }[] | undefined): number {
  let n = 0;
  for (const m of messages ?? []) if (typeof m.content === 'string') for (const _ of m.content) n++;
  return n;
}

/** Indexes a comparison or ranking task's responses; responses without a model name are left out. */
export function indexResponses(params: Record<string, unknown>): ResponseIndex {
  const out: ResponseIndex = new Map();
  for (const r of (params.responses as ResponseParam[] | undefined) ?? []) {
    if (typeof r.model === 'string' && r.model.length > 0) out.set(r.id, { model: r.model, length: responseLength(r.messages) });
  }
  return out;
}

/**
 * The vote in one comparison choice: a response id (that response won), or `tie` / `both_bad`
 * (half a win each way). Undefined when the choice is missing, a response has no model name, or
 * both responses come from the same model (no information about the ranking).
 */
export function comparisonVote(responses: ResponseIndex, choice: unknown): Vote | undefined {
  if (typeof choice !== 'string' || responses.size !== 2) return undefined;
  const [[idA, a], [idB, b]] = [...responses.entries()];
  if (a.model === b.model) return undefined;
  let score: number;
  if (choice === idA) score = 1;
  else if (choice === idB) score = 0;
  else if (choice === 'tie' || choice === 'both_bad') score = 0.5;
  else return undefined;
  return { a: a.model, b: b.model, score, lengthA: a.length, lengthB: b.length };
}

/** The votes a ranking implies: every pair of ranked responses (see rankingToPairs). */
export function rankingVotes(responses: ResponseIndex, ranking: unknown): Vote[] {
  if (!Array.isArray(ranking)) return [];
  const out: Vote[] = [];
  for (const pair of rankingToPairs(ranking as string[][])) {
    const a = responses.get(pair.a);
    const b = responses.get(pair.b);
    if (!a || !b || a.model === b.model) continue;
    out.push({ a: a.model, b: b.model, score: pair.score, lengthA: a.length, lengthB: b.length });
  }
  return out;
}

/** The most frequent choice; `tie` when the top two are level; undefined for no choices. */
export function majorityChoice(choices: readonly string[]): string | undefined {
  const counts = new Map<string, number>();
  for (const c of choices) counts.set(c, (counts.get(c) ?? 0) + 1);
  const sorted = [...counts.entries()].sort((x, y) => y[1] - x[1]);
  if (sorted.length === 0) return undefined;
  if (sorted.length > 1 && sorted[1][1] === sorted[0][1]) return 'tie';
  return sorted[0][0];
}
