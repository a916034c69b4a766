import { type Encoder, jsonLinesEncoder } from './encoder.ts';
import { type ChatMessage, type ExportAnswer, type ExportProject, modelResponses, type PresentedTask, type ProblemSink, promptOf } from './export-task.ts';
import type { FileOut } from './output.ts';

/** A Chatbot Arena battle record (the shape of lmsys/chatbot_arena_conversations). */
export interface ArenaBattle {
  model_a: string;
  model_b: string;
  winner: 'model_a' | 'model_b' | 'tie' | 'tie (bothbad)';
  judge: string;
  /** Unix seconds of the vote. */
  tstamp: number;
  language: string | null;
  conversation_a: ChatMessage[];
  conversation_b: ChatMessage[];
}

/** The language of a task's conversation: its params, its metadata, else the project's only language. */
function languageOf(task: PresentedTask, project: Pick<ExportProject, 'languages'>): string | null {
  const fromParams = (task.params as Record<string, unknown>).language;
  if (typeof fromParams === 'string') return fromParams;
  const fromMetadata = (task.metadata as Record<string, unknown> | null)?.language;
  if (typeof fromMetadata === 'string') return fromMetadata;
  return project.languages.length === 1 ? project.languages[0] : null;
}

/**
 * `arena_battles`: one battle per vote that counts. `model_a`/`model_b` are the task's first and
 * second responses as the requester gave them (their `model`, or their id when unnamed), and the
 * winner is read from the vote's response id: the screen side (`display_order`) never matters.
 * `judge` is a pseudonym per worker; `tstamp` the submit time in Unix seconds.
 */
export function arenaBattles(task: PresentedTask, answers: readonly ExportAnswer[], project: Pick<ExportProject, 'languages'>, problem?: ProblemSink): ArenaBattle[] {
  const [a, b] = modelResponses(task);
  if (!a || !b) {
    problem?.(task.task_id, 'unknown_response', 'a comparison needs two responses');
    return [];
  }
  if (answers.length === 0) problem?.(task.task_id, 'no_answer', 'the task has no vote that counts');
  const prompt = promptOf(task);
  const language = languageOf(task, project);
  const battles: ArenaBattle[] = [];
  for (const vote of answers) {
    const choice = vote.response.winner;
    const winner = choice === a.id ? 'model_a' : choice === b.id ? 'model_b' : choice === 'tie' ? 'tie' : choice === 'both_bad' ? 'tie (bothbad)' : undefined;
    if (!winner) {
      problem?.(task.task_id, 'unknown_response', `a vote names "${String(choice)}", not one of the task's response ids`);
      continue;
    }
    battles.push({
      model_a: a.model ?? a.id,
      model_b: b.model ?? b.id,
      winner,
      judge: `worker_${vote.worker_id}`,
      tstamp: vote.submitted_at / 1000,
      language,
      conversation_a: [...prompt, ...a.messages],
      conversation_b: [...prompt, ...b.messages],
    });
  }
  return battles;
}

export function arenaEncoder(file: FileOut, project: ExportProject, problem: ProblemSink): Encoder {
  return jsonLinesEncoder(file, (item) => arenaBattles(item.task, item.answers, project, problem));
}
