import { answerOf, type ChatMessage, type ModelResponse, modelResponses, type PresentedTask, type ProblemSink, promptOf } from './export-task.ts';

/** How a pair was judged: one response preferred, a tie, or both bad. */
export type Outcome = 'preferred' | 'tie' | 'both_bad';

/**
 * A judged pair. For `preferred`, `chosen` won; for ties and both-bad, `chosen` and `rejected` are
 * simply the two responses in the order the requester gave them.
 */
export interface PreferencePair {
  prompt: ChatMessage[];
  chosen: ModelResponse;
  rejected: ModelResponse;
  outcome: Outcome;
}

/**
 * The judged pairs of a comparison or ranking task, from its aggregated answer. Everything is read
 * by response id, never by screen side: the workbench shuffles the responses and records
 * `display_order`, which plays no part here. A ranking of k responses in ordered groups yields every
 * pair across groups (earlier group preferred) and, within a group, ties. Reports `no_answer` and
 * `unknown_response` rather than guessing.
 */
export function preferencePairs(task: PresentedTask, problem?: ProblemSink): PreferencePair[] {
  const answer = answerOf(task);
  const responses = modelResponses(task);
  const byId = new Map(responses.map((r) => [r.id, r]));
  const prompt = promptOf(task);
  if (task.type === 'comparison') {
    const winner = answer?.winner;
    if (typeof winner !== 'string') {
      problem?.(task.task_id, 'no_answer', 'the task has no aggregated winner');
      return [];
    }
    const [a, b] = responses;
    if (!a || !b) {
      problem?.(task.task_id, 'unknown_response', 'a comparison needs two responses');
      return [];
    }
    if (winner === 'tie' || winner === 'both_bad') return [{ prompt, chosen: a, rejected: b, outcome: winner }];
    const chosen = byId.get(winner);
    if (!chosen) {
      problem?.(task.task_id, 'unknown_response', `the winner "${winner}" is not one of the task's response ids`);
      return [];
    }
    return [{ prompt, chosen, rejected: chosen === a ? b : a, outcome: 'preferred' }];
  }
  if (task.type === 'ranking') {
    const ranking = answer?.ranking;
    if (!Array.isArray(ranking)) {
      problem?.(task.task_id, 'no_answer', 'the task has no aggregated ranking');
      return [];
    }
    const groups: ModelResponse[][] = [];
    for (const group of ranking as unknown[][]) {
      const members: ModelResponse[] = [];
      for (const id of Array.isArray(group) ? group : []) {
        const r = byId.get(String(id));
        if (!r) {
          problem?.(task.task_id, 'unknown_response', `the ranking names "${String(id)}", not one of the task's response ids`);
          return [];
        }
        members.push(r);
      }
      // Ties inside a group keep the requester's order, so output never depends on who answered first.
      members.sort((x, y) => responses.indexOf(x) - responses.indexOf(y));
      groups.push(members);
    }
    const pairs: PreferencePair[] = [];
    for (let g = 0; g < groups.length; g++) {
      const group = groups[g];
      for (let i = 0; i < group.length; i++) for (let j = i + 1; j < group.length; j++) pairs.push({ prompt, chosen: group[i], rejected: group[j], outcome: 'tie' });
      for (let h = g + 1; h < groups.length; h++) for (const better of group) for (const worse of groups[h]) pairs.push({ prompt, chosen: better, rejected: worse, outcome: 'preferred' });
    }
    return pairs;
  }
  problem?.(task.task_id, 'unsupported_type', `${task.type} tasks carry no preferences`);
  return [];
}

/** Pairs with a clear preference: ties and both-bad are dropped (they say nothing about which is better). */
export function strictPreferences(task: PresentedTask, problem?: ProblemSink): PreferencePair[] {
  return preferencePairs(task, problem).filter((p) => p.outcome === 'preferred');
}
