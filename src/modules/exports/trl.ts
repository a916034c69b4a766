import { type Encoder, jsonLinesEncoder } from './encoder.ts';
import { answerOf, type ChatMessage, type ExportAnswer, type ExportOptions, isReviewerFix, type PresentedTask, type ProblemSink, promptOf, toMessages } from './export-task.ts';
import type { FileOut } from './output.ts';
import { preferencePairs } from './preference.ts';

/** A TRL preference record (conversational): https://huggingface.co/docs/trl/dataset_formats#preference */
export interface TrlPreferenceRecord {
  prompt: ChatMessage[];
  chosen: ChatMessage[];
  rejected: ChatMessage[];
  /** Only with `include_ties`: `preferred`, `tie` or `both_bad`, so the kept ties can be told apart. */
  outcome?: string;
}

/**
 * `trl_preference` records of a comparison or ranking task: `{prompt, chosen, rejected}` with the
 * responses' own messages, chosen by response id (never by screen side). Rankings expand to every
 * ordered pair. Ties and both-bad are dropped unless `include_ties`, which keeps them and adds
 * `outcome` to every record.
 */
export function trlPreferenceRecords(task: PresentedTask, options: ExportOptions = {}, problem?: ProblemSink): TrlPreferenceRecord[] {
  const pairs = preferencePairs(task, problem);
  const kept = options.include_ties ? pairs : pairs.filter((p) => p.outcome === 'preferred');
  return kept.map((p) => ({
    prompt: p.prompt,
    chosen: p.chosen.messages,
    rejected: p.rejected.messages,
    ...(options.include_ties && { outcome: p.outcome }),
  }));
}

/** `trl_unpaired` (KTO): `{prompt, completion, label}` from a binary-feedback task's aggregated label. */
export function trlUnpairedRecord(task: PresentedTask, problem?: ProblemSink): { prompt: ChatMessage[]; completion: ChatMessage[]; label: boolean } | undefined {
  const label = answerOf(task)?.label;
  if (typeof label !== 'boolean') {
    problem?.(task.task_id, 'no_answer', 'the task has no aggregated label');
    return undefined;
  }
  return { prompt: promptOf(task), completion: toMessages((task.params as Record<string, unknown>).completion), label };
}

/**
 * The completions of an SFT task: the reviewer's fix when there is one, else every answer that
 * counts (free text is never merged, so each answer is its own example).
 */
export function sftCompletions(task: PresentedTask, answers: readonly ExportAnswer[]): ChatMessage[][] {
  const fixed = answerOf(task)?.completion;
  if (isReviewerFix(task) && Array.isArray(fixed)) return [toMessages(fixed)];
  return answers.map((a) => toMessages(a.response.completion)).filter((m) => m.length > 0);
}

/** `trl_sft` / `openai_sft`: `{messages}` = the prompt followed by one completion, per completion. */
export function sftRecords(task: PresentedTask, answers: readonly ExportAnswer[], problem?: ProblemSink): { messages: ChatMessage[] }[] {
  const completions = sftCompletions(task, answers);
  if (completions.length === 0) problem?.(task.task_id, 'no_answer', 'the task has no completion');
  const prompt = promptOf(task);
  return completions.map((completion) => ({ messages: [...prompt, ...completion] }));
}

export function trlPreferenceEncoder(file: FileOut, options: ExportOptions, problem: ProblemSink): Encoder {
  return jsonLinesEncoder(file, (item) => trlPreferenceRecords(item.task, options, problem));
}

export function trlUnpairedEncoder(file: FileOut, problem: ProblemSink): Encoder {
  return jsonLinesEncoder(file, (item) => {
    const record = trlUnpairedRecord(item.task, problem);
    return record ? [record] : [];
  });
}

export function sftEncoder(file: FileOut, problem: ProblemSink): Encoder {
  return jsonLinesEncoder(file, (item) => sftRecords(item.task, item.answers, problem));
}
